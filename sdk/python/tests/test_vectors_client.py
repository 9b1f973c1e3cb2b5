"""The shared conformance vectors through the client itself, on a scripted fake edge: the frames it
writes, what it surfaces of every server frame, what it does on each close code and refusal."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from qe_nexus import (
    Backoff,
    CallContext,
    Client,
    Message,
    NexusError,
    connect,
    error_class,
)
from qe_nexus.frames import (
    PING,
    Frame,
)

from .fake_edge import FakeConnection, FakeEdge
from .helpers import SENDER, Recorder, within
from .test_vectors import CLIENT_FRAMES, ERRORS, SERVER_FRAMES, names

# -- client frames: what the client writes on a fake edge ----------------------------------------------------


async def open_client(edge: FakeEdge, **options: Any) -> tuple[Client, FakeConnection]:
    options.setdefault("reconnect", Backoff(initial=0.01, maximum=0.01))
    nx = await connect(edge.url, options.pop("token", "t"), kind="pydefault", **options)
    return nx, await edge.connection(len(edge.connections) - 1)


async def answered(conn: FakeConnection, t: str, reply: Frame, after: int = 0) -> Frame:
    request: Frame = await within(conn.next_frame(lambda f: f["t"] == t, after))
    await conn.send({**reply, "id": request.get("id")})
    return request


# `sub` with `since` is what a resubscribe writes: test_resubscribes_with_since_and_epoch below.
DRIVEN = [
    v
    for v in CLIENT_FRAMES
    if v["op"] in ("api", "direct", "pub", "find", "serve", "sub", "unsub", "will") and "since" not in v["args"]
]


@pytest.mark.parametrize("v", DRIVEN, ids=names)
async def test_client_writes_frames(edge: FakeEdge, v: dict[str, Any]) -> None:
    a = v["args"]
    nx, conn = await open_client(edge)
    try:
        op = v["op"]
        if op == "api":
            call = asyncio.ensure_future(
                nx.api(
                    a["app"],
                    a["method"],
                    a.get("data"),
                    resource=a.get("resource"),
                    uid=a.get("uid"),
                    timeout=a["timeoutMs"] / 1000,
                )
            )
            frame = await answered(conn, "api", {"t": "api.result", "ok": True, "data": None, "from": conn.identity})
            await call
            assert 0 < frame.pop("timeoutMs") <= a["timeoutMs"]  # what is left of the budget when written
            a_frame = {k: x for k, x in v["frame"].items() if k != "timeoutMs"}
        elif op in ("direct", "pub"):
            ack = "id" in a
            if op == "direct":
                sent = asyncio.ensure_future(nx.direct(a["app"], a["resource"], a["data"], uid=a.get("uid"), ack=ack))
            else:
                sent = asyncio.ensure_future(
                    nx.publish(a["channel"], a["data"], retain=a.get("retain", False), ack=ack)
                )
            frame = await within(conn.next_frame(lambda f: f["t"] == op))
            if ack:
                await conn.send({"t": "ack", "id": frame["id"]})
            await within(sent)
            a_frame = v["frame"]
        elif op == "find":
            found = asyncio.ensure_future(nx.find(app=a.get("app"), kind=a.get("kind"), scope=a.get("scope")))
            frame = await answered(conn, "find", {"t": "find.result", "blocks": []})
            await within(found)
            a_frame = v["frame"]
        elif op == "serve":
            if not a["methods"]:
                await (await nx.serve("x", lambda d: d)).stop()
            for m in a["methods"]:
                await nx.serve(m, lambda d: d)
            frame = [f for f in conn.frames if f["t"] == "serve"][-1]
            a_frame = v["frame"]
        elif op == "will":
            if a.get("clear"):
                await nx.clear_will()
            else:
                await nx.set_will(a["channel"], a["data"], retain=a.get("retain", False))
            frame = [f for f in conn.frames if f["t"] == "will"][-1]
            a_frame = v["frame"]
        else:
            sub = await nx.subscribe(a["channel"])
            if op == "unsub":
                await sub.unsubscribe()
            frame = await within(conn.next_frame(lambda f: f["t"] == op))
            a_frame = v["frame"]
        assert {k: x for k, x in frame.items() if k != "id"} == {k: x for k, x in a_frame.items() if k != "id"}
        assert ("id" in frame) == ("id" in a_frame)
    finally:
        await nx.close()


async def test_resubscribes_with_since_and_epoch() -> None:
    v = next(v for v in CLIENT_FRAMES if "since" in v["args"])
    a = v["args"]
    edge = await FakeEdge(auto_ack=False).start()
    nx, first = await open_client(edge)
    try:
        got: asyncio.Queue[Message] = asyncio.Queue()
        subscribing = nx.subscribe(a["channel"], lambda text, m: got.put_nowait(m))
        await answered(first, "sub", {"t": "ack", "seq": a["since"] - 1, "epoch": a["epoch"]})
        await within(subscribing)
        kept = {
            "t": "msg",
            "channel": a["channel"],
            "data": "k",
            "seq": a["since"] - 1,
            "from": SENDER,
            "retained": True,
        }
        await first.send(kept)
        await first.send({**kept, "data": "x", "seq": a["since"], "retained": False})
        await nx.flush()
        await first.ws.close(1001)
        second = await within(edge.connection(1))
        sub = await answered(second, "sub", {"t": "ack", "seq": a["since"], "epoch": a["epoch"]})
        assert {k: x for k, x in sub.items() if k != "id"} == {k: x for k, x in v["frame"].items() if k != "id"}
        # The retained value that follows the new ack was delivered before the drop: not again.
        await second.send(kept)
        await second.send({**kept, "data": "y", "seq": a["since"] + 1, "retained": False})
        delivered = [await within(got.get()) for _ in range(3)]
        assert [(m.text, m.seq) for m in delivered] == [("k", a["since"] - 1), ("x", a["since"]), ("y", a["since"] + 1)]
    finally:
        await nx.close()
        await edge.stop()


async def test_pings_with_the_exact_text(edge: FakeEdge) -> None:
    nx, conn = await open_client(edge, ping_interval=0.05)
    try:
        await within(conn.next_frame(lambda f: f["t"] == "ping"))
        assert PING in conn.texts
    finally:
        await nx.close()


# -- server frames -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("v", [v for v in SERVER_FRAMES if v["expect"]["kind"] == "welcome"], ids=names)
async def test_reads_welcome(v: dict[str, Any]) -> None:
    edge = await FakeEdge(welcome=v["frame"]).start()
    try:
        nx, _ = await open_client(edge)
        e, limits = v["expect"], nx.limits
        assert (nx.jid, nx.identity and nx.identity.resource) == (e["jid"], e["resource"])
        assert (limits.max_frame_bytes, limits.api_timeout_ms, limits.ping_interval_ms) == (
            e["maxFrameBytes"],
            e["apiTimeoutMs"],
            e["pingIntervalMs"],
        )
        await nx.close()
    finally:
        await edge.stop()


def _settle(future: asyncio.Future[Any], value: Any) -> None:
    if not future.done():
        future.set_result(value)


def assert_error(err: BaseException, e: dict[str, Any]) -> None:
    assert isinstance(err, error_class(e["code"]))
    assert isinstance(err, NexusError)
    assert (err.code, err.retryable) == (e["code"], e["retryable"])
    if "message" in e:
        assert err.message == e["message"]
    assert err.quota == e.get("quota")


@pytest.mark.parametrize("v", [v for v in SERVER_FRAMES if v["expect"]["kind"] != "welcome"], ids=names)
async def test_surfaces_server_frames(v: dict[str, Any]) -> None:
    edge = await FakeEdge(auto_ack=False).start()
    nx, conn = await open_client(edge)
    events = Recorder(nx)
    e, frame = v["expect"], v["frame"]
    try:
        kind = e["kind"]
        if kind in ("api_ok", "api_error"):
            call = asyncio.ensure_future(nx.api("etest", "sum"))
            await answered(conn, "api", frame)
            if kind == "api_ok":
                assert await within(call) == e["data"]
            else:
                with pytest.raises(NexusError) as raised:
                    await within(call)
                assert_error(raised.value, e)
        elif kind == "request_error":
            found = asyncio.ensure_future(nx.find())
            await answered(conn, "find", frame)
            with pytest.raises(NexusError) as raised:
                await within(found)
            assert_error(raised.value, e)
        elif kind == "api_request":
            seen: list[Any] = []

            def handler(data: Any, ctx: CallContext) -> str:
                seen.extend([data, ctx.from_.jid, ctx.method])
                return "done"

            serving = nx.serve(e["method"], handler)
            await answered(conn, "serve", {"t": "ack"})
            await within(serving)
            await conn.send(frame)
            res = await within(conn.next_frame(lambda f: f["t"] == "api.res"))
            assert res == {"t": "api.res", "rid": e["rid"], "ok": True, "data": "done"}
            assert seen == [e["data"], e["fromJid"], e["method"]]
        elif kind == "message":
            got: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
            subscribing = nx.subscribe(e["channel"], lambda text, m: _settle(got, m))
            await answered(conn, "sub", {"t": "ack"})
            await within(subscribing)
            await conn.send(frame)
            m = await within(got)
            assert (m.channel, m.text, m.seq, m.retained, m.from_.jid) == (
                e["channel"],
                e["text"],
                e["seq"],
                e["retained"],
                e["fromJid"],
            )
        elif kind == "direct":
            direct: asyncio.Future[tuple[str, str]] = asyncio.get_running_loop().create_future()
            nx.on_direct(lambda text, ctx: _settle(direct, (text, ctx.from_.jid)))
            await conn.send(frame)
            assert await within(direct) == (e["text"], e["fromJid"])
        elif kind == "blocks":
            found_blocks = asyncio.ensure_future(nx.find())
            await answered(conn, "find", frame)
            blocks = await within(found_blocks)
            assert [{"jid": b.jid, "kind": b.kind, "since": b.since, "methods": b.methods} for b in blocks] == e[
                "blocks"
            ]
        elif kind == "ack":
            sent = asyncio.ensure_future(nx.publish("prices", "1", ack=True))
            await answered(conn, "pub", frame)
            assert await within(sent) is None
        elif kind == "client_error":
            await conn.send(frame)
            assert_error(await events.error(), e)
        elif kind == "ignored":
            await conn.send(frame)
            found_none = asyncio.ensure_future(nx.find())
            await answered(conn, "find", {"t": "find.result", "blocks": []})
            await within(found_none)
            assert (events.errors, nx.state) == ([], "connected")
        else:
            pytest.fail(f"no check for expect.kind {kind}")
    finally:
        await nx.close()
        await edge.stop()


# -- close codes, live ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("v", ERRORS["closes"], ids=[str(c["code"]) for c in ERRORS["closes"]])
async def test_close_codes(edge: FakeEdge, v: dict[str, Any]) -> None:
    asked: list[str] = []

    async def token() -> str:
        asked.append(f"t{len(asked) + 1}")
        return asked[-1]

    nx, first = await open_client(edge, token=token)
    events = Recorder(nx)
    try:
        if v["code"] == 1006:
            first.ws.transport.abort()
        else:
            await first.ws.close(v["code"], "bye")
        if v["reconnect"] is False:
            await events.state("closed")
            assert (events.errors[-1].code, events.errors[-1].close_code) == (v["error"], v["code"])
            assert len(edge.connections) == 1
            with pytest.raises(NexusError) as raised:
                await nx.find()
            assert raised.value.retryable is False
        else:
            await within(edge.connection(1))
            await events.state("connected")
            assert edge.headers[-1]["Authorization"] == "Bearer t2"
            assert edge.connections[1].query == {"resource": first.identity["resource"]}
    finally:
        await nx.close()


async def test_close_4001_with_a_fixed_token_is_final(edge: FakeEdge) -> None:
    nx, first = await open_client(edge, token="fixed")
    events = Recorder(nx)
    try:
        await first.ws.close(4001, "token expired")
        await events.state("closed")
        assert (type(events.errors[-1]).__name__, events.errors[-1].close_code) == ("UnauthorizedError", 4001)
        assert len(edge.connections) == 1
    finally:
        await nx.close()


@pytest.mark.parametrize(
    "v", ERRORS["connectRefusals"], ids=[f"{r['status']}-{r['code']}" for r in ERRORS["connectRefusals"]]
)
async def test_refused_connect_raises(edge: FakeEdge, v: dict[str, Any]) -> None:
    edge.refuse = (v["status"], v["body"].encode())
    with pytest.raises(NexusError) as raised:
        await connect(edge.url, "t", kind="pydefault")
    err = raised.value
    assert (type(err), err.code, err.retryable, err.status, err.quota) == (
        error_class(v["code"]),
        v["code"],
        v["retryable"],
        v["status"],
        v.get("quota"),
    )
