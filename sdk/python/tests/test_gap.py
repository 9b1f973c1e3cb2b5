"""Gap reports against the real local stack, the subscriber's network going through a proxy that can cut
it (the edge stays up) or lose one live delivery: a short outage is recovered (no gap), a longer one than
the channel's history (256 messages by default) is a ``not_recovered`` gap right after the ``resubscribed``
report, and a live message lost on the way is a ``seq_jump`` gap right before the next message."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator

import pytest

from qe_nexus import Client, Gap, Message, Resubscribed, Subscription

from .cut_proxy import CutProxy, cut_proxy
from .helpers import Clients, Recorder, channel_position, within
from .stack import LocalStack

Event = Message | Resubscribed | Gap


@pytest.fixture
async def proxy(stack: LocalStack) -> AsyncIterator[CutProxy]:
    async with cut_proxy(stack.url) as started:
        yield started


async def watch(nx: Client, channel: str) -> tuple[Subscription, asyncio.Queue[Event]]:
    """Subscribes; every message and report goes into one queue, in the order the application sees them."""
    events: asyncio.Queue[Event] = asyncio.Queue()
    sub = await nx.subscribe(channel, lambda text, m: events.put_nowait(m))
    sub.on("resubscribed", events.put_nowait)
    sub.on("gap", events.put_nowait)
    return sub, events


async def next_events(events: asyncio.Queue[Event], count: int) -> list[object]:
    """The next ``count`` events, messages as ``(seq, text)``."""
    got = [await within(events.get()) for _ in range(count)]
    return [(e.seq, e.text) if isinstance(e, Message) else e for e in got]


async def test_an_outage_longer_than_the_history_is_a_not_recovered_gap(
    stack: LocalStack, clients: Clients, proxy: CutProxy
) -> None:
    app, owner = stack.new_app()
    name = f"gap/{secrets.token_hex(4)}"
    reader = await clients.open(owner, app, kind="webuo", url=proxy.url)
    states = Recorder(reader)
    sub, events = await watch(reader, name)
    publisher = await clients.open(owner, app)
    await publisher.publish(name, "first", ack=True)
    assert await next_events(events, 1) == [(1, "first")]
    epoch, seq = await channel_position(stack, stack.token(owner, app), name)
    assert epoch is not None
    assert seq == 1  # "first"

    # Each report carries the channel's epoch and the seq its ack stood at: the last one published.
    proxy.cut()
    await states.state("reconnecting")
    await publisher.publish(name, "while away", ack=True)
    proxy.restore()
    assert await next_events(events, 2) == [Resubscribed(name, True, epoch, seq + 1), (2, "while away")]

    proxy.cut()
    await states.state("reconnecting", 2)
    for i in range(299):
        await publisher.publish(name, f"lost {i}")
    await publisher.publish(name, "lost 299", ack=True)  # one publisher's messages are numbered in order
    proxy.restore()
    assert await next_events(events, 2) == [
        Resubscribed(name, False, epoch, seq + 1 + 300),
        Gap(name, "not_recovered", after_seq=2, next_seq=303, epoch_changed=False),
    ]
    await publisher.publish(name, "after", ack=True)
    assert await next_events(events, 1) == [(303, "after")]
    assert sub.recovered is False


async def test_a_live_message_lost_on_the_way_is_a_seq_jump_gap_before_the_next_one(
    stack: LocalStack, clients: Clients, proxy: CutProxy
) -> None:
    app, owner = stack.new_app()
    name = f"gap/{secrets.token_hex(4)}"
    reader = await clients.open(owner, app, kind="webuo", url=proxy.url)
    sub, events = await watch(reader, name)
    publisher = await clients.open(owner, app)
    await publisher.publish(name, "a", ack=True)
    assert await next_events(events, 1) == [(1, "a")]

    lost = proxy.drop_next(name)
    await publisher.publish(name, "b", ack=True)
    assert await within(lost) == 2
    await publisher.publish(name, "c", ack=True)
    await publisher.publish(name, "d", ack=True)
    assert await next_events(events, 3) == [
        Gap(name, "seq_jump", after_seq=1, next_seq=3, epoch_changed=False),
        (3, "c"),
        (4, "d"),
    ]
    assert sub.recovered is None  # the subscription never lapsed
    assert events.empty()
