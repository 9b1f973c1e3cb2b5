"""A restore of more channels than the edge's join pacing lets through at once (docs/protocol.md, "Nexus
Channel": joins of channels new to the app are paced, and one that would wait too long is refused with
``rate_limited``), against a stack of its own with tight pacing: the SDK reports the refused resubscribes
and tries them again with backoff until every subscription flows again, so none misses a message."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Callable, Iterator

import pytest

from .cut_proxy import CutProxy, cut_proxy
from .helpers import Clients, Recorder, within
from .stack import LocalStack, running_stack

CHANNELS = 10

# 4 at once, then 4 per second, none waiting more than 300 ms: a restore of 10 is partly refused.
PACED = {"NEXUS_NEW_CHANNELS_PER_SEC": "4", "NEXUS_NEW_CHANNELS_BURST": "4", "NEXUS_NEW_CHANNEL_MAX_WAIT_MS": "300"}


@pytest.fixture(scope="module")
def paced_stack() -> Iterator[LocalStack]:
    with running_stack(PACED) as local:
        yield local


@pytest.fixture
async def paced_clients(paced_stack: LocalStack) -> AsyncIterator[Clients]:
    opened = Clients(paced_stack)
    try:
        yield opened
    finally:
        await opened.close_all()


@pytest.fixture
async def proxy(paced_stack: LocalStack) -> AsyncIterator[CutProxy]:
    async with cut_proxy(paced_stack.url) as started:
        yield started


@pytest.mark.timeout(120)  # a stack of its own to start, and resubscribes that wait their turn
async def test_refused_resubscribes_are_tried_again_until_every_subscription_flows(
    paced_stack: LocalStack, paced_clients: Clients, proxy: CutProxy
) -> None:
    app, owner = paced_stack.new_app()
    reader = await paced_clients.open(owner, app, kind="webuo", url=proxy.url)
    recorder = Recorder(reader)
    names = [f"paced/{secrets.token_hex(3)}-{i}" for i in range(CHANNELS)]
    got: dict[str, list[str]] = {name: [] for name in names}
    arrived = {name: asyncio.Event() for name in names}

    def handler(name: str) -> Callable[[str], None]:
        def on_message(text: str) -> None:
            got[name].append(text)
            arrived[name].set()

        return on_message

    # One after another, so that the first subscribes wait their turn instead of being refused.
    for name in names:
        await reader.subscribe(name, handler(name))

    proxy.cut()
    await recorder.state("reconnecting")
    proxy.restore()
    await recorder.state("connected")  # the recorder came after the first connect

    publisher = await paced_clients.open(owner, app)
    for name in names:
        await publisher.publish(name, "after", ack=True)
    await within(asyncio.gather(*(event.wait() for event in arrived.values())))

    # The pacing did refuse some resubscribes (else this test would not test the retry) ...
    assert "rate_limited" in [err.code for err in recorder.errors]
    # ... and each subscription got its message once, by a retried resubscribe (replayed) or live.
    assert got == {name: ["after"] for name in names}
