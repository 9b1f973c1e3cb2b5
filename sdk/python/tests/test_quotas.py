"""The quotas of welcome.limits (contract revision 2), each provoked against the real stack.

Each test runs once the edge announces that limit in `welcome` (an edge without quotas says nothing).
maxSubscriptions is left to the edge's own tests: reaching it takes 1000 channels, each its own object."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from qe_nexus import Client, QuotaExceededError, WorkerGoneError, connect

from .helpers import Clients, within
from .stack import LocalStack


def announced(nx: Client, limit: int | None, name: str) -> int:
    assert limit is not None, f"welcome.limits does not announce {name}"
    return limit


async def test_max_served_methods(stack: LocalStack, clients: Clients) -> None:
    app, owner = stack.new_app()
    worker = await clients.open(owner, app)
    limit = announced(worker, worker.limits.max_served_methods, "maxServedMethods")
    for i in range(limit):
        worker.serve(f"m{i}", lambda data: data)
    await worker.flush()
    with pytest.raises(QuotaExceededError) as raised:
        await worker.serve("one.too.many", lambda data: data)
    assert (raised.value.quota, raised.value.retryable) == ("maxServedMethods", False)
    caller = await clients.open(owner, app, kind="webuo")
    assert await caller.api(app, "m0", "still served") == "still served"  # the previous set stays in force


async def test_max_pending_calls(stack: LocalStack, clients: Clients) -> None:
    app, owner = stack.new_app()
    caller = await clients.open(owner, app, kind="webuo")
    limit = announced(caller, caller.limits.max_pending_calls, "maxPendingCalls")
    worker = await clients.open(owner, app)
    arrived = 0
    all_arrived = asyncio.Event()

    async def hang(data: Any) -> Any:
        nonlocal arrived
        arrived += 1
        if arrived == limit:
            all_arrived.set()
        await asyncio.Event().wait()

    await worker.serve("hang", hang)
    calls = [asyncio.ensure_future(caller.api(app, "hang")) for _ in range(limit)]
    await within(all_arrived.wait())
    with pytest.raises(QuotaExceededError) as raised:
        await caller.api(app, "hang")
    assert raised.value.quota == "maxPendingCalls"
    await worker.close()
    results = await asyncio.gather(*calls, return_exceptions=True)
    assert {type(r) for r in results} == {WorkerGoneError}


async def test_max_blocks_per_user(stack: LocalStack, clients: Clients) -> None:
    app, owner = stack.new_app()
    first = await clients.open(owner, app, kind="webuo")
    limit = announced(first, first.limits.max_blocks_per_user, "maxBlocksPerUser")
    token = stack.token(owner, app)
    for _ in range(limit - 1):
        clients.adopt(await connect(stack.url, token, kind="webuo"))
    with pytest.raises(QuotaExceededError) as raised:
        await connect(stack.url, token, kind="webuo")
    assert (raised.value.status, raised.value.quota, raised.value.retryable) == (429, "maxBlocksPerUser", True)
