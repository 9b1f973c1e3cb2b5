"""An edge restart (the stack killed and started again on the same port and data directory): every
client reconnects to its JID, served methods and subscriptions are restored, nothing is delivered twice."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from qe_nexus import DisconnectedError, Message, Resubscribed

from .helpers import Clients, Recorder, channel_position, within
from .stack import LocalStack
from .ts_peer import TsPeer


async def test_restart_restores_served_methods_and_subscriptions(stack: LocalStack, clients: Clients) -> None:
    app, owner = stack.new_app()
    channel = f"restart/{app}"
    worker = await clients.open(owner, app)
    hung = asyncio.Event()

    @worker.serve("sum")
    def add(data: Any) -> Any:
        return data["a"] + data["b"]

    @worker.serve("hang")
    async def hang(data: Any) -> Any:
        hung.set()
        await asyncio.Event().wait()

    received: asyncio.Queue[Message] = asyncio.Queue()
    sub = await worker.subscribe(channel, lambda text, m: received.put_nowait(m))
    reports: list[Resubscribed] = []
    sub.on("resubscribed", reports.append)
    await worker.flush()
    caller = await clients.open(owner, app, kind="webuo")
    await caller.publish(channel, "before", retain=True, ack=True)
    assert (await within(received.get())).text == "before"
    epoch, _ = await channel_position(stack, stack.token(owner, app), channel)
    peer = await TsPeer.start(stack.url, stack.token(owner, app), kind="default")
    try:
        assert await peer.call("api", app=app, method="sum", data={"a": 1, "b": 1}) == 2
        jids = (worker.jid, caller.jid)
        worker_events, caller_events = Recorder(worker), Recorder(caller)
        in_flight = asyncio.ensure_future(caller.api(app, "hang"))
        await within(hung.wait())

        await asyncio.to_thread(stack.restart)

        with pytest.raises(DisconnectedError) as dropped:
            await within(in_flight)
        assert dropped.value.retryable is True
        await worker_events.state("connected")
        await caller_events.state("connected")
        assert worker_events.states[0] == "reconnecting"
        # Where the channel stands now, with nothing published since the worker's resubscribe was acked.
        epoch_after, seq_after = await channel_position(stack, stack.token(owner, app), channel)
        assert epoch_after == epoch  # the channel's history survived: the same run
        assert (worker.jid, caller.jid) == jids
        # Served methods are back (for the Python caller and the TypeScript one)...
        assert await within(caller.api(app, "sum", {"a": 2, "b": 3})) == 5
        assert await peer.call("api", app=app, method="sum", data={"a": 20, "b": 3}) == 23
        # ...the worker is in Find once, with its JID...
        blocks = await within(caller.find(app=app, scope="app"))
        assert sorted(b.jid for b in blocks if b.kind == "pydefault") == [worker.jid]
        # ...and the subscription is back without a second delivery of what it already had.
        await caller.publish(channel, "after", ack=True)
        await caller.publish(channel, "end", ack=True)
        after = [await within(received.get()) for _ in range(2)]
        assert [m.text for m in after] == ["after", "end"]
        assert received.empty()
        # The channel's history survived the restart (same data directory): the resubscribe recovered.
        assert sub.recovered is True
        assert reports == [Resubscribed(channel, recovered=True, epoch=epoch, seq=seq_after)]
    finally:
        await peer.stop()
