"""The shared conformance vectors (test/vectors/README.md) through the pure functions: parsing, codes, builders."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from qe_nexus import (
    RETRYABLE,
    ErrorCode,
    NexusError,
    error_class,
    error_for,
    is_retryable,
    parse_jid,
    parse_resource,
)
from qe_nexus.errors import refusal_error
from qe_nexus.frames import (
    PING,
    Frame,
    api_frame,
    clear_will_frame,
    direct_frame,
    encode,
    find_frame,
    pub_frame,
    serve_frame,
    sub_frame,
    unsub_frame,
    will_frame,
)
from qe_nexus.served import ServedMethods
from qe_nexus.transport import terminal_error

VECTORS = Path(__file__).resolve().parents[3] / "test" / "vectors"


def load(name: str) -> Any:
    return json.loads((VECTORS / name).read_text())


JIDS = load("jids.json")
RESOURCES = load("resources.json")
CLIENT_FRAMES = load("client-frames.json")
SERVER_FRAMES = load("server-frames.json")
ERRORS = load("errors.json")


def names(v: Any) -> str:
    return str(v["name"])


# -- identity ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("v", JIDS["valid"], ids=[v["jid"] for v in JIDS["valid"]])
def test_parses_valid_jids(v: dict[str, str]) -> None:
    jid = parse_jid(v["jid"])
    assert jid is not None
    assert {k: getattr(jid, k) for k in ("app", "uid", "role", "domain", "resource", "kind")} == {
        k: v[k] for k in ("app", "uid", "role", "domain", "resource", "kind")
    }
    assert str(jid) == v["jid"]


@pytest.mark.parametrize("jid", JIDS["invalid"])
def test_refuses_invalid_jids(jid: str) -> None:
    assert parse_jid(jid) is None


@pytest.mark.parametrize("v", RESOURCES, ids=[repr(r["resource"]) for r in RESOURCES])
def test_splits_resources(v: dict[str, Any]) -> None:
    assert parse_resource(v["resource"]) == (None if v["kind"] is None else (v["kind"], v["suffix"]))


# -- errors --------------------------------------------------------------------------------------------------


def test_every_code_has_its_class_and_retryable() -> None:
    codes = {c["code"]: c["retryable"] for c in ERRORS["codes"]}
    assert codes == RETRYABLE
    constants = {v for k, v in vars(ErrorCode).items() if k.isupper()}
    assert constants == set(codes)
    for code, retryable in codes.items():
        err = error_for(code, "m")
        assert type(err) is error_class(code)
        assert error_class(code) is not NexusError
        assert (err.code, err.retryable, isinstance(err, NexusError)) == (code, retryable, True)
    unknown = ERRORS["unknownCode"]
    assert is_retryable(unknown["code"]) is unknown["retryable"]
    assert type(error_for(unknown["code"])) is NexusError


@pytest.mark.parametrize("v", ERRORS["closes"], ids=[str(c["code"]) for c in ERRORS["closes"]])
def test_close_code_rule(v: dict[str, Any]) -> None:
    terminal = terminal_error(v["code"], "")
    if v["reconnect"] is True:
        assert terminal is None
    else:
        assert terminal is not None
        assert (terminal.code, terminal.close_code, terminal.retryable) == (v["error"], v["code"], False)


@pytest.mark.parametrize(
    "v", ERRORS["connectRefusals"], ids=[f"{r['status']}-{r['code']}" for r in ERRORS["connectRefusals"]]
)
def test_connect_refusals(v: dict[str, Any]) -> None:
    err = refusal_error(v["status"], v["body"].encode())
    assert (err.code, err.retryable, err.status, type(err), err.quota) == (
        v["code"],
        v["retryable"],
        v["status"],
        error_class(v["code"]),
        v.get("quota"),
    )


# -- client frames: the builders -----------------------------------------------------------------------------


def build(op: str, a: dict[str, Any]) -> Frame:
    builders: dict[str, Callable[[], Frame]] = {
        "api": lambda: api_frame(
            a["id"],
            a["app"],
            a["method"],
            a.get("data"),
            resource=a.get("resource"),
            uid=a.get("uid"),
            timeout_ms=a.get("timeoutMs"),
        ),
        "serve": lambda: serve_frame(a["id"], a["methods"]),
        "direct": lambda: direct_frame(a["app"], a["resource"], a["data"], uid=a.get("uid"), id=a.get("id")),
        "sub": lambda: sub_frame(a["id"], a["channel"], since=a.get("since"), epoch=a.get("epoch")),
        "unsub": lambda: unsub_frame(a["id"], a["channel"]),
        "pub": lambda: pub_frame(a["channel"], a["data"], retain=a.get("retain", False), id=a.get("id")),
        "find": lambda: find_frame(a["id"], app=a.get("app"), kind=a.get("kind"), scope=a.get("scope")),
        "will": lambda: (
            clear_will_frame(a["id"])
            if a.get("clear")
            else will_frame(a["id"], a["channel"], a["data"], retain=a.get("retain", False))
        ),
        "ping": lambda: json.loads(PING),
    }
    return builders[op]()


@pytest.mark.parametrize("v", [v for v in CLIENT_FRAMES if v["op"] != "api.res"], ids=names)
def test_builds_client_frames(v: dict[str, Any]) -> None:
    assert json.loads(encode(build(v["op"], v["args"]))) == v["frame"]
    if "text" in v:
        assert v["text"] == PING


@pytest.mark.parametrize("v", [v for v in CLIENT_FRAMES if v["op"] == "api.res"], ids=names)
async def test_served_method_answers(v: dict[str, Any]) -> None:
    a = v["args"]

    def handler(data: Any) -> Any:
        if a["ok"]:
            return a.get("data")
        if a["error"]["code"] == "app_error":
            raise ValueError(a["error"]["message"])
        raise error_for(a["error"]["code"], a["error"]["message"])

    async def declare(what: str, build: Callable[[str], Frame]) -> Frame | None:
        return None

    served = ServedMethods(declare, lambda: False, lambda e: None, lambda: 262144)
    served.add("m", handler).cancel()
    assert json.loads(await served.handle({"t": "api.req", "rid": a["rid"], "method": "m", "data": None})) == v["frame"]
