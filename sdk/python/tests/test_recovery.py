"""Recovery after a reconnect, on a scripted fake edge: what a resubscribe asks for, which messages reach
the application (in order, none twice), and the ``resubscribed`` and ``gap`` reports each subscription gets."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any, NamedTuple

import pytest

from qe_nexus import Client, Gap, Message, Resubscribed

from .fake_edge import FakeConnection, FakeEdge
from .helpers import SENDER, within
from .test_vectors_client import answered, open_client


class Session(NamedTuple):
    edge: FakeEdge
    nx: Client
    first: FakeConnection


@pytest.fixture
async def session() -> AsyncIterator[Session]:
    """A fake edge that leaves acks to the test, and a client on it with its first connection."""
    edge = await FakeEdge(auto_ack=False).start()
    try:
        nx, first = await open_client(edge)
        try:
            yield Session(edge, nx, first)
        finally:
            await nx.close()
    finally:
        await edge.stop()


def msg(seq: int, text: str, **extra: Any) -> dict[str, Any]:
    return {"t": "msg", "channel": "prices", "data": text, "seq": seq, "from": SENDER, **extra}


async def reconnect(edge: FakeEdge, conn: FakeConnection, index: int) -> FakeConnection:
    await conn.ws.close(1001)
    following: FakeConnection = await within(edge.connection(index))
    return following


async def test_a_recovered_resubscribe_reports_true_before_the_missed_messages_in_order(session: Session) -> None:
    edge, nx, first = session
    got: asyncio.Queue[Message | Resubscribed | Gap] = asyncio.Queue()
    subscribing = nx.subscribe("prices", lambda text, m: got.put_nowait(m))
    await answered(first, "sub", {"t": "ack", "seq": 40, "epoch": "e1"})
    sub = await within(subscribing)
    sub.on("resubscribed", got.put_nowait)
    sub.on("gap", got.put_nowait)
    assert sub.recovered is None
    await first.send(msg(41, "a"))
    assert (await within(got.get())).seq == 41

    second = await reconnect(edge, first, 1)
    request = await answered(second, "sub", {"t": "ack", "seq": 44, "epoch": "e1", "recovered": True})
    assert (request["since"], request["epoch"]) == (41, "e1")
    for seq in (42, 43, 44, 45):
        await second.send(msg(seq, str(seq)))
    await second.send(msg(44, "44 again"))  # a duplicate the client must drop
    await second.send(msg(46, "46"))
    report = await within(got.get())
    assert report == Resubscribed("prices", recovered=True, epoch="e1", seq=44)  # where the ack stood
    texts = [await within(got.get()) for _ in range(5)]
    assert [m.text for m in texts if isinstance(m, Message)] == ["42", "43", "44", "45", "46"]  # and no gap
    assert sub.recovered is True


async def test_a_gap_reports_false_then_the_gap_and_the_new_retained_value_follows(session: Session) -> None:
    edge, nx, first = session
    got: asyncio.Queue[Message | Resubscribed | Gap] = asyncio.Queue()
    subscribing = nx.subscribe("prices", lambda text, m: got.put_nowait(m))
    await answered(first, "sub", {"t": "ack", "seq": 7, "epoch": "e1"})
    await first.send(msg(7, "kept", retained=True))  # the retained value comes after a first ack
    sub = await within(subscribing)
    sub.on("resubscribed", got.put_nowait)
    sub.on("gap", got.put_nowait)
    assert (await within(got.get())).text == "kept"

    second = await reconnect(edge, first, 1)
    await answered(second, "sub", {"t": "ack", "seq": 900, "epoch": "e1", "recovered": False})
    await second.send(msg(899, "newer", retained=True))
    await second.send(msg(901, "live"))
    assert await within(got.get()) == Resubscribed("prices", recovered=False, epoch="e1", seq=900)
    assert await within(got.get()) == Gap("prices", "not_recovered", after_seq=7, next_seq=901, epoch_changed=False)
    assert [(await within(got.get())).text for _ in range(2)] == ["newer", "live"]
    assert sub.recovered is False

    # A third socket asks from where the gap left the client, not from before it.
    third = await reconnect(edge, second, 2)
    request = await answered(third, "sub", {"t": "ack", "seq": 901, "epoch": "e1", "recovered": True})
    assert request["since"] == 901
    assert await within(got.get()) == Resubscribed("prices", recovered=True, epoch="e1", seq=901)


async def test_a_subscriber_that_saw_nothing_asks_from_the_first_acks_seq(session: Session) -> None:
    edge, nx, first = session
    subscribing = nx.subscribe("prices")
    await answered(first, "sub", {"t": "ack", "seq": 12, "epoch": "e1"})
    sub = await within(subscribing)
    second = await reconnect(edge, first, 1)
    request = await answered(second, "sub", {"t": "ack", "seq": 14, "epoch": "e1", "recovered": True})
    assert (request["since"], request["epoch"]) == (12, "e1")
    await second.send(msg(13, "missed"))
    assert (await within(sub.__anext__())).text == "missed"


async def test_a_new_epoch_starts_over_and_reports_false(session: Session) -> None:
    edge, nx, first = session
    reports: list[Resubscribed | Gap] = []
    subscribing = nx.subscribe("prices")
    await answered(first, "sub", {"t": "ack", "seq": 30, "epoch": "e1"})
    sub = await within(subscribing)
    sub.on("resubscribed", reports.append)
    sub.on("gap", reports.append)
    await first.send(msg(31, "old"))
    assert (await within(sub.__anext__())).seq == 31

    second = await reconnect(edge, first, 1)
    await answered(second, "sub", {"t": "ack", "seq": 2, "epoch": "e2", "recovered": False})
    await second.send(msg(2, "retained in the new sequence", retained=True))
    await second.send(msg(3, "new"))
    assert [(await within(sub.__anext__())).seq for _ in range(2)] == [2, 3]
    assert reports == [
        Resubscribed("prices", recovered=False, epoch="e2", seq=2),
        Gap("prices", "not_recovered", 31, 3, epoch_changed=True),
    ]


async def test_an_edge_without_history_reports_false_and_never_asks_with_since(session: Session) -> None:
    edge, nx, first = session
    reports: list[Resubscribed] = []
    subscribing = nx.subscribe("prices")
    await answered(first, "sub", {"t": "ack"})
    sub = await within(subscribing)
    sub.on("resubscribed", reports.append)
    second = await reconnect(edge, first, 1)
    request = await answered(second, "sub", {"t": "ack"})
    assert "since" not in request
    await nx.flush()
    await second.send(msg(1, "x"))
    assert (await within(sub.__anext__())).text == "x"
    assert reports == [Resubscribed("prices", recovered=False, epoch=None, seq=None)]  # the ack had neither


async def test_a_live_seq_that_skips_reports_a_gap_before_the_message(session: Session) -> None:
    _, nx, first = session
    got: list[Message | Gap] = []
    subscribing = nx.subscribe("prices", lambda text, m: got.append(m))
    await answered(first, "sub", {"t": "ack", "seq": 0, "epoch": "e1"})
    sub = await within(subscribing)
    sub.on("gap", got.append)
    off = sub.on("gap", got.append)
    off()  # a listener that stopped listening hears nothing
    for seq in (1, 4, 5):
        await first.send(msg(seq, str(seq)))
    await first.send(msg(4, "a duplicate is no jump"))
    last = asyncio.Event()
    sub.on("gap", lambda g: last.set())
    await first.send(msg(7, "7"))
    await within(last.wait())
    assert [x.seq if isinstance(x, Message) else x for x in got] == [
        1,
        Gap("prices", "seq_jump", after_seq=1, next_seq=4, epoch_changed=False),
        4,
        5,
        Gap("prices", "seq_jump", after_seq=5, next_seq=7, epoch_changed=False),
        7,
    ]
    assert sub.recovered is None  # a jump on a live subscription is not a resubscribe
    with pytest.raises(ValueError, match="unknown event"):
        sub.on("gone", got.append)
