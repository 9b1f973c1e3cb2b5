"""JIDs (``<app>-<uid>-<role>@<domain>/<resource>``), resource kinds, and the sender stamp.

>>> parse_jid("my-app-682e-user@qepal.com/webuo1").app
'my-app'
>>> parse_resource("xdefault7Hx")
('xdefault', '7Hx')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

#: Resource kinds, and whether blocks of that kind receive ``api.req`` and ``direct`` (workers).
KINDS: Final[dict[str, bool]] = {
    "uservice": True,
    "udevelopment": True,
    "xservice": True,
    "xdefault": True,
    "xdevelopment": True,
    "default": True,
    "pydefault": True,
    "godefault": True,
    "device": True,
    "webuo": False,
    "webxo": False,
}

APP_PATTERN: Final = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")
UID_PATTERN: Final = re.compile(r"[A-Za-z0-9_]{1,64}")
SUFFIX_PATTERN: Final = re.compile(r"[A-Za-z0-9]{0,32}")
#: Method and channel names.
NAME_PATTERN: Final = re.compile(r"[A-Za-z0-9_.:/-]{1,128}")

# The longest matching kind prefix wins: try the longest first.
_BY_LENGTH: Final = sorted(KINDS, key=len, reverse=True)


def is_worker_kind(kind: str) -> bool:
    """``True`` for kinds that receive ``api.req`` and ``direct`` (``pydefault``, ``default``, ``device``...)."""
    return KINDS.get(kind, False)


def parse_resource(resource: str) -> tuple[str, str] | None:
    """Splits a resource into ``(kind, suffix)``; ``None`` when it is malformed."""
    for kind in _BY_LENGTH:
        if resource.startswith(kind):
            suffix = resource[len(kind) :]
            return (kind, suffix) if SUFFIX_PATTERN.fullmatch(suffix) else None
    return None


@dataclass(frozen=True)
class Jid:
    """A parsed JID."""

    app: str
    uid: str
    role: str
    domain: str
    resource: str
    kind: str

    def __str__(self) -> str:
        return f"{self.app}-{self.uid}-{self.role}@{self.domain}/{self.resource}"


def parse_jid(jid: str) -> Jid | None:
    """Parses a JID from the right (``app`` may hold ``-``, ``uid`` and ``role`` never do); ``None`` if malformed."""
    local, at, rest = jid.partition("@")
    domain, slash, resource = rest.partition("/")
    if not at or not slash or not domain:
        return None
    app_uid, dash, role = local.rpartition("-")
    app, dash2, uid = app_uid.rpartition("-")
    parsed = parse_resource(resource)
    if (
        not dash
        or not dash2
        or role not in ("owner", "user")
        or not APP_PATTERN.fullmatch(app)
        or not UID_PATTERN.fullmatch(uid)
        or parsed is None
    ):
        return None
    return Jid(app=app, uid=uid, role=role, domain=domain, resource=resource, kind=parsed[0])


@dataclass(frozen=True)
class Identity:
    """Who sent a frame, as the server stamps it (``from``); never trusted from a client."""

    jid: str
    app: str
    uid: str
    role: str
    resource: str
    kind: str

    @classmethod
    def from_wire(cls, value: Any) -> Identity:
        """Reads the wire's identity object; missing fields are empty strings."""
        fields = value if isinstance(value, dict) else {}
        return cls(**{name: str(fields.get(name, "")) for name in ("jid", "app", "uid", "role", "resource", "kind")})
