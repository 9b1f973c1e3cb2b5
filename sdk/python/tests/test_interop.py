"""Both directions with the TypeScript SDK: a Python worker serving a TypeScript caller, and the reverse."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from qe_nexus import BadRequestError, CallContext, Client

from .helpers import Clients, within
from .stack import LocalStack
from .ts_peer import PeerError, TsPeer


@pytest.fixture
async def ts_peer(stack: LocalStack) -> AsyncIterator[tuple[TsPeer, str, str]]:
    app, owner = stack.new_app()
    peer = await TsPeer.start(stack.url, stack.token(owner, app), kind="default")
    try:
        yield peer, app, owner
    finally:
        await peer.stop()


async def serve_python(worker: Client) -> None:
    @worker.serve("py.sum")
    async def add(data: Any, ctx: CallContext) -> Any:
        if "a" not in data:
            raise BadRequestError("a is required")
        return {"sum": data["a"] + data["b"], "by": "python", "caller": ctx.from_.jid}

    await worker.flush()


async def test_python_worker_serves_a_typescript_caller(ts_peer: tuple[TsPeer, str, str], clients: Clients) -> None:
    peer, app, owner = ts_peer
    worker = await clients.open(owner, app)
    await serve_python(worker)
    answer = await peer.call("api", app=app, method="py.sum", data={"a": 2, "b": 3})
    assert answer == {"sum": 5, "by": "python", "caller": peer.jid}
    with pytest.raises(PeerError) as raised:
        await peer.call("api", app=app, method="py.sum", data={})
    assert (raised.value.code, raised.value.retryable, str(raised.value)) == ("bad_request", False, "a is required")
    # A Direct from TypeScript to the Python worker.
    got: list[str] = []
    worker.on_direct(lambda text, ctx: got.append(f"{text} from {ctx.from_.jid}"))
    await peer.call(
        "direct", app=app, resource=worker.identity.resource if worker.identity else "", text="hi", ack=True
    )
    await within(worker.find())  # a round trip: the Direct sent before it has been handled
    assert got == [f"hi from {peer.jid}"]


async def test_typescript_worker_serves_a_python_caller(ts_peer: tuple[TsPeer, str, str], clients: Clients) -> None:
    peer, app, owner = ts_peer
    await peer.call("serve", method="ts.echo")
    caller = await clients.open(owner, app, kind="webuo")
    assert await caller.api(app, "ts.echo", {"x": 1}) == {
        "by": "ts",
        "jid": peer.jid,
        "caller": caller.jid,
        "echo": {"x": 1},
    }
    with pytest.raises(BadRequestError):
        await caller.api(app, "ts.echo", {"fail": "no"})
    # A Direct from Python to the TypeScript worker.
    resource = (await peer.call("whoami"))["resource"]
    await caller.direct(app, resource, "hello ts", ack=True)
    direct = await peer.event("direct")
    assert (direct["text"], direct["from"]) == ("hello ts", caller.jid)
    # Find sees both, and the TypeScript worker's resource.
    blocks = await caller.find(app=app, scope="app")
    assert {b.jid for b in blocks} >= {peer.jid, caller.jid}


async def test_channels_across_sdks(ts_peer: tuple[TsPeer, str, str], clients: Clients) -> None:
    peer, app, owner = ts_peer
    py = await clients.open(owner, app)
    await peer.call("subscribe", channel="interop/prices")
    sub = await py.subscribe("interop/prices")
    await py.publish("interop/prices", "from python", ack=True)
    await peer.call("publish", channel="interop/prices", text="from ts")
    ts_got = [await peer.event("msg") for _ in range(2)]
    assert [(m["text"], m["from"]) for m in ts_got] == [("from python", py.jid), ("from ts", peer.jid)]
    py_got = [await within(sub.__anext__()) for _ in range(2)]
    assert [(m.text, m.from_.jid) for m in py_got] == [("from python", py.jid), ("from ts", peer.jid)]
    assert py_got[1].seq == py_got[0].seq + 1
