"""Nexus Channel against the real stack: iterator and handler, retained values, unsubscribe, errors."""

from __future__ import annotations

import asyncio
import secrets
import sys

import pytest

from qe_nexus import BadRequestError, Message, TooLargeError

from .helpers import Clients, within
from .stack import LocalStack


def channel() -> str:
    return f"py/{secrets.token_hex(6)}"


async def test_publish_reaches_iterator_and_handler_in_order(stack: LocalStack, clients: Clients) -> None:
    app, owner = stack.new_app()
    name = channel()
    a = await clients.open(owner, app, kind="webuo")
    b = await clients.open(owner, app)
    handled: asyncio.Queue[tuple[str, Message]] = asyncio.Queue()
    sub_a = await a.subscribe(name)
    await b.subscribe(name, lambda text, m: handled.put_nowait((text, m)))
    for i in range(5):
        await b.publish(name, str(i))
    got = [await within(sub_a.__anext__()) for _ in range(5)]
    assert [m.text for m in got] == ["0", "1", "2", "3", "4"]
    assert [m.seq for m in got] == list(range(got[0].seq, got[0].seq + 5))
    assert {m.from_.jid for m in got} == {b.jid}
    # The publisher receives its own messages too.
    mine = [await within(handled.get()) for _ in range(5)]
    assert [t for t, _ in mine] == ["0", "1", "2", "3", "4"]


async def test_retained_value_first_then_live_and_clear(stack: LocalStack, clients: Clients) -> None:
    app, owner = stack.new_app()
    name = channel()
    pub = await clients.open(owner, app)
    await pub.publish(name, "online", retain=True, ack=True)
    late = await clients.open(owner, app, kind="webuo")
    async with late.subscribe(name) as sub:
        first = await within(sub.__anext__())
        assert (first.text, first.retained) == ("online", True)
        await pub.publish(name, "live")
        live = await within(sub.__anext__())
        assert (live.text, live.retained) == ("live", False)
        await pub.publish(name, "", retain=True, ack=True)
        cleared = await within(sub.__anext__())
        assert cleared.text == ""
    assert sub.closed
    later = await clients.open(owner, app, kind="webuo")
    sub2 = await later.subscribe(name)
    await pub.publish(name, "after-clear")
    assert (await within(sub2.__anext__())).text == "after-clear"  # no retained value any more


async def test_unsubscribe_ends_iteration_and_delivery(stack: LocalStack, clients: Clients) -> None:
    app, owner = stack.new_app()
    name = channel()
    nx = await clients.open(owner, app, kind="webuo")
    keep = await nx.subscribe(name)
    drop = await nx.subscribe(name)
    await drop.unsubscribe()
    ended = [m async for m in drop]
    assert ended == []
    await nx.publish(name, "x", ack=True)
    assert (await within(keep.__anext__())).text == "x"
    await keep.unsubscribe()
    # Once the last local subscription is gone the wire unsub went out: a fresh one starts from live messages.
    again = await nx.subscribe(name)
    await nx.publish(name, "y")
    assert (await within(again.__anext__())).text == "y"


async def test_channel_errors(stack: LocalStack, clients: Clients) -> None:
    app, owner = stack.new_app()
    nx = await clients.open(owner, app, kind="webuo")
    with pytest.raises(BadRequestError):
        await nx.subscribe("not a channel!")
    with pytest.raises(BadRequestError):
        await nx.publish("not a channel!", "x", ack=True)
    with pytest.raises(BadRequestError):
        await nx.publish(channel(), 42, ack=True)  # type: ignore[arg-type]
    with pytest.raises(TooLargeError) as too_large:
        await nx.publish(channel(), "x" * (nx.limits.max_frame_bytes + 1), ack=True)
    assert too_large.value.retryable is False
    # The connection stays open after a refused frame.
    await nx.publish(channel(), "fine", ack=True)
    assert nx.state == "connected"


async def test_what_was_published_before_close_is_delivered(stack: LocalStack, clients: Clients) -> None:
    app, owner = stack.new_app()
    name = channel()
    subscriber = await clients.open(owner, app, kind="webuo")
    sub = await subscriber.subscribe(name)
    publisher = await clients.open(owner, app)
    for i in range(50):
        await publisher.publish(name, str(i))  # fire-and-forget: queued for the socket
    await publisher.close()
    assert [(await within(sub.__anext__())).text for _ in range(50)] == [str(i) for i in range(50)]


async def test_last_will_published_when_the_process_dies(stack: LocalStack, clients: Clients) -> None:
    app, owner = stack.new_app()
    name = channel()
    watcher = await clients.open(owner, app, kind="webuo")
    sub = await watcher.subscribe(name)
    script = (
        "import asyncio, sys\n"
        "from qe_nexus import connect\n"
        "async def main():\n"
        "    nx = await connect(sys.argv[1], sys.argv[2], kind='pydefault')\n"
        f"    await nx.set_will({name!r}, 'offline', retain=True)\n"
        "    print(nx.jid, flush=True)\n"
        "    await asyncio.Event().wait()\n"
        "asyncio.run(main())\n"
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", script, stack.url, stack.token(owner, app), stdout=asyncio.subprocess.PIPE
    )
    try:
        assert proc.stdout is not None
        jid = (await within(proc.stdout.readline())).decode().strip()
        proc.kill()  # no clean leave: the edge publishes the will
        will = await within(sub.__anext__())
        assert (will.text, will.from_.jid) == ("offline", jid)
    finally:
        if proc.returncode is None:
            proc.kill()
        await proc.wait()


async def test_a_clean_close_clears_the_will(stack: LocalStack, clients: Clients) -> None:
    app, owner = stack.new_app()
    name = channel()
    watcher = await clients.open(owner, app, kind="webuo")
    sub = await watcher.subscribe(name)
    leaving = await clients.open(owner, app)
    await leaving.set_will(name, "offline")
    await leaving.close()
    dropping = await clients.open(owner, app)
    await dropping.set_will(name, "dropped")
    await dropping.close(clear_will=False)  # asks the edge to publish it
    assert (await within(sub.__anext__())).text == "dropped"  # the first will was never published
