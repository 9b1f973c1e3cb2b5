"""Nexus Direct and Find against the real stack."""

from __future__ import annotations

import asyncio

import pytest

from qe_nexus import DirectContext, ForbiddenError, NotAWorkerError, NotFoundError, OfflineError

from .helpers import Clients, within
from .stack import LocalStack, new_uid


async def test_directs_arrive_in_order_with_the_sender(stack: LocalStack, clients: Clients) -> None:
    app, owner = stack.new_app()
    worker = await clients.open(owner, app)
    got: asyncio.Queue[tuple[str, DirectContext]] = asyncio.Queue()
    remove = worker.on_direct(lambda text, ctx: got.put_nowait((text, ctx)))
    one_arg: asyncio.Queue[str] = asyncio.Queue()

    async def async_handler(text: str) -> None:
        one_arg.put_nowait(text)

    worker.on_direct(async_handler)
    sender = await clients.open(owner, app, kind="webuo")
    resource = worker.identity.resource if worker.identity else ""
    for i in range(10):
        await sender.direct(app, resource, f"d{i}")
    await sender.direct(app, resource, "acked", ack=True)
    received = [await within(got.get()) for _ in range(11)]
    assert [t for t, _ in received] == [f"d{i}" for i in range(10)] + ["acked"]
    assert {ctx.from_.jid for _, ctx in received} == {sender.jid}
    assert [await within(one_arg.get()) for _ in range(11)][-1] == "acked"
    remove()
    await sender.direct(app, resource, "after-remove", ack=True)
    assert await within(one_arg.get()) == "after-remove"
    assert got.empty()


async def test_direct_errors_with_ack(stack: LocalStack, clients: Clients) -> None:
    app, owner = stack.new_app()
    other_app, _ = stack.new_app()
    sender = await clients.open(owner, app, kind="webuo")
    with pytest.raises(OfflineError) as offline:
        await sender.direct(app, "pydefaultNobody1", "x", ack=True)
    assert offline.value.retryable is True
    with pytest.raises(NotAWorkerError):
        await sender.direct(app, sender.identity.resource if sender.identity else "", "x", ack=True)
    with pytest.raises(NotFoundError):
        await sender.direct("no-such-app-anywhere", "pydefault1", "x", ack=True)
    with pytest.raises(ForbiddenError):
        await sender.direct(other_app, "pydefault1", "x", ack=True)
    # Without ack a Direct is fire-and-forget: nothing comes back, nothing is raised.
    await sender.direct(app, "pydefaultNobody1", "x")
    assert sender.state == "connected"


async def test_find_own_blocks_and_the_app_with_methods(stack: LocalStack, clients: Clients) -> None:
    app, owner = stack.new_app()
    worker = await clients.open(owner, app)
    await worker.serve("sum", lambda d: d)
    await worker.serve("status", lambda d: "ok")
    frontend = await clients.open(owner, app, kind="webuo")
    mine = await frontend.find()
    assert {b.jid for b in mine} >= {worker.jid, frontend.jid}
    workers = await frontend.find(app=app, kind="pydefault")
    assert [b.jid for b in workers] == [worker.jid]
    assert workers[0].since > 0
    everyone = await frontend.find(app=app, scope="app")
    assert {b.jid for b in everyone} == {worker.jid, frontend.jid}
    # A user without ownership may look at its own blocks only.
    user = new_uid()
    stack.admin("PUT", f"/v1/admin/apps/{app}/grants/{user}", {})
    guest = await clients.open(user, app, kind="webuo")
    assert [b.jid for b in await guest.find()] == [guest.jid]
    with pytest.raises(ForbiddenError):
        await guest.find(app=app, scope="app")


async def test_find_lists_what_each_worker_serves(stack: LocalStack, clients: Clients) -> None:
    app, owner = stack.new_app()
    worker = await clients.open(owner, app)
    await worker.serve("sum", lambda d: d)
    await worker.serve("status", lambda d: "ok")
    every = await clients.open(owner, app)
    await every.serve("*", lambda d: d)
    idle = await clients.open(owner, app)
    frontend = await clients.open(owner, app, kind="webuo")
    blocks = {b.jid: sorted(b.methods) for b in await frontend.find(app=app, scope="app")}
    assert blocks == {worker.jid: ["status", "sum"], every.jid: ["*"], idle.jid: [], frontend.jid: []}
