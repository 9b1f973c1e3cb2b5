"""The frames a client writes (pure builders) and the typed values it reads from the server.

>>> encode(api_frame("c1", "etest", "sum", {"a": 1}, timeout_ms=30000))
'{"t":"api","id":"c1","app":"etest","method":"sum","data":{"a":1},"timeoutMs":30000}'
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Final

from .identity import Identity

Frame = dict[str, Any]

#: The exact keepalive text: the edge answers it from the runtime only when it matches byte for byte.
PING: Final = '{"t":"ping"}'

DEFAULT_MAX_FRAME_BYTES: Final = 262_144
DEFAULT_API_TIMEOUT_MS: Final = 30_000
DEFAULT_PING_INTERVAL_MS: Final = 20_000


def encode(frame: Frame) -> str:
    """Compact JSON, ``t`` and ``id`` first (so the edge can echo the id of a frame too large to parse)."""
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False)


def _head(t: str, id: str | None) -> Frame:
    return {"t": t} if id is None else {"t": t, "id": id}


def _with(frame: Frame, **optional: Any) -> Frame:
    frame.update({key: value for key, value in optional.items() if value is not None})
    return frame


def api_frame(
    id: str,
    app: str,
    method: str,
    data: Any = None,
    *,
    resource: str | None = None,
    uid: str | None = None,
    timeout_ms: int | None = None,
) -> Frame:
    """``{"t":"api",...}``; ``timeoutMs`` is what is left of the call's budget when it is written."""
    return _with(
        {"t": "api", "id": id, "app": app, "method": method, "data": data},
        resource=resource,
        uid=uid,
        timeoutMs=timeout_ms,
    )


def answer_frame(rid: str, ok: bool, data: Any = None, *, code: str = "app_error", message: str = "") -> Frame:
    """A served method's answer: ``ok`` with ``data``, or an error with ``code`` and ``message``."""
    if ok:
        return {"t": "api.res", "rid": rid, "ok": True, "data": data}
    return {"t": "api.res", "rid": rid, "ok": False, "error": {"code": code, "message": message}}


def serve_frame(id: str, methods: list[str]) -> Frame:
    """The whole set of served methods (it replaces the previous set; ``[]`` stops serving)."""
    return {"t": "serve", "id": id, "methods": list(methods)}


def direct_frame(app: str, resource: str, data: str, *, uid: str | None = None, id: str | None = None) -> Frame:
    """A one-way string to one worker; with ``id`` the edge acks it or answers an error."""
    return _with(_head("direct", id), app=app, resource=resource, data=data, uid=uid)


def sub_frame(id: str, channel: str, *, since: int | None = None, epoch: str | None = None) -> Frame:
    """Subscribes; ``since``/``epoch`` ask for the messages missed after ``since`` (recovery)."""
    return _with({"t": "sub", "id": id, "channel": channel}, since=since, epoch=epoch)


def unsub_frame(id: str, channel: str) -> Frame:
    return {"t": "unsub", "id": id, "channel": channel}


def pub_frame(channel: str, data: str, *, retain: bool = False, id: str | None = None) -> Frame:
    """Publishes; ``retain`` is written only when true (absent means not retained)."""
    return _with(_head("pub", id), channel=channel, data=data, retain=True if retain else None)


def find_frame(id: str, *, app: str | None = None, kind: str | None = None, scope: str | None = None) -> Frame:
    return _with({"t": "find", "id": id}, app=app, kind=kind, scope=scope)


def will_frame(id: str, channel: str, data: str, *, retain: bool = False) -> Frame:
    """Leaves a last will: published by the edge when the connection ends without clearing it."""
    frame: Frame = {"t": "will", "id": id, "channel": channel, "data": data}
    if retain:
        frame["retain"] = True
    return frame


def clear_will_frame(id: str) -> Frame:
    return {"t": "will", "id": id, "clear": True}


@dataclass(frozen=True)
class Limits:
    """The server's limits from ``welcome``; a limit an older edge does not announce takes its default."""

    max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES
    api_timeout_ms: int = DEFAULT_API_TIMEOUT_MS
    ping_interval_ms: int = DEFAULT_PING_INTERVAL_MS
    max_subscriptions: int | None = None
    max_pending_calls: int | None = None
    max_served_methods: int | None = None
    max_blocks_per_user: int | None = None

    @classmethod
    def from_wire(cls, value: Any) -> Limits:
        wire = value if isinstance(value, dict) else {}

        def number(name: str) -> int | None:
            v = wire.get(name)
            return int(v) if isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 else None

        return cls(
            max_frame_bytes=number("maxFrameBytes") or DEFAULT_MAX_FRAME_BYTES,
            api_timeout_ms=number("apiTimeoutMs") or DEFAULT_API_TIMEOUT_MS,
            ping_interval_ms=number("pingIntervalMs") or DEFAULT_PING_INTERVAL_MS,
            max_subscriptions=number("maxSubscriptions"),
            max_pending_calls=number("maxPendingCalls"),
            max_served_methods=number("maxServedMethods"),
            max_blocks_per_user=number("maxBlocksPerUser"),
        )


@dataclass(frozen=True)
class Block:
    """An online block in a Find result; ``methods`` is what a worker serves (``["*"]``: every method)."""

    jid: str
    app: str
    uid: str
    role: str
    resource: str
    kind: str
    since: int
    methods: list[str] = field(default_factory=list)

    @classmethod
    def from_wire(cls, value: Any) -> Block:
        ident = Identity.from_wire(value)
        wire = value if isinstance(value, dict) else {}
        methods = wire.get("methods")
        since = wire.get("since")
        return cls(
            jid=ident.jid,
            app=ident.app,
            uid=ident.uid,
            role=ident.role,
            resource=ident.resource,
            kind=ident.kind,
            since=int(since) if isinstance(since, (int, float)) else 0,
            methods=[m for m in methods if isinstance(m, str)] if isinstance(methods, list) else [],
        )


@dataclass(frozen=True)
class Message:
    """One channel message; ``retained`` marks the channel's retained value, delivered first."""

    channel: str
    text: str
    from_: Identity
    seq: int
    retained: bool = False

    @classmethod
    def from_wire(cls, frame: Frame) -> Message:
        seq = frame.get("seq")
        return cls(
            channel=str(frame.get("channel", "")),
            text=str(frame.get("data", "")),
            from_=Identity.from_wire(frame.get("from")),
            seq=int(seq) if isinstance(seq, (int, float)) else 0,
            retained=frame.get("retained") is True,
        )


@dataclass(frozen=True)
class CallContext:
    """What a served method learns about the call: the caller (stamped by the server) and the method."""

    from_: Identity
    method: str


@dataclass(frozen=True)
class DirectContext:
    """What a Direct handler learns: the sender, stamped by the server."""

    from_: Identity
