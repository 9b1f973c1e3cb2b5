"""Nexus API against the real stack: serving (decorator and call, sync and async), balancing, and every
error a caller can provoke."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from qe_nexus import (
    AppError,
    BadRequestError,
    CallContext,
    DisconnectedError,
    ForbiddenError,
    NexusError,
    NoRespondersError,
    NotAWorkerError,
    NotFoundError,
    TimeoutError,
    WorkerGoneError,
)

from .helpers import Clients, within
from .stack import LocalStack, new_uid


async def test_round_trip_decorator_sync_and_async_handlers(stack: LocalStack, clients: Clients) -> None:
    app, owner = stack.new_app()
    worker = await clients.open(owner, app)

    @worker.serve("sum")
    def add(data: Any) -> Any:
        return {"sum": data["a"] + data["b"]}

    @worker.serve("whoami")
    async def whoami(data: Any, ctx: CallContext) -> Any:
        await asyncio.sleep(0)
        return {"caller": ctx.from_.jid, "method": ctx.method}

    await worker.flush()
    caller = await clients.open(owner, app, kind="webuo")
    assert await caller.api(app, "sum", {"a": 1, "b": 2}) == {"sum": 3}
    assert await caller.api(app, "whoami") == {"caller": caller.jid, "method": "whoami"}
    assert worker.jid.endswith(f"@qepal.com/{worker.identity.resource if worker.identity else ''}")


async def test_serve_as_a_call_and_stop(stack: LocalStack, clients: Clients) -> None:
    app, owner = stack.new_app()
    worker = await clients.open(owner, app)
    served = await worker.serve("echo", lambda data: data)
    caller = await clients.open(owner, app, kind="webuo")
    assert await caller.api(app, "echo", [1, "two", None]) == [1, "two", None]
    await served.stop()
    with pytest.raises(NoRespondersError) as raised:
        await caller.api(app, "echo", 1)
    assert raised.value.retryable is True


async def test_star_serves_every_method_and_calls_balance_over_workers(stack: LocalStack, clients: Clients) -> None:
    app, owner = stack.new_app()
    workers = [await clients.open(owner, app) for _ in range(2)]
    for w in workers:
        await w.serve("*", lambda data, ctx, jid=w.jid: {"by": jid, "method": ctx.method})
    caller = await clients.open(owner, app, kind="webuo")
    assert (await caller.api(app, "any.method"))["method"] == "any.method"
    answers = [await caller.api(app, "m") for _ in range(4)]
    # Round-robin per method: each of the two workers answers every other call.
    assert sorted(a["by"] for a in answers) == sorted([w.jid for w in workers] * 2)
    # An exact worker by resource.
    target = workers[1]
    resource = target.identity.resource if target.identity else ""
    assert (await caller.api(app, "x", resource=resource))["by"] == target.jid


async def test_handler_errors_reach_the_caller_as_codes(stack: LocalStack, clients: Clients) -> None:
    app, owner = stack.new_app()
    worker = await clients.open(owner, app)

    @worker.serve("div")
    def div(data: Any) -> Any:
        if "b" not in data:
            raise BadRequestError("b is required")
        return data["a"] / data["b"]

    @worker.serve("fake_retryable")
    def fake(data: Any) -> Any:
        raise NoRespondersError("a worker cannot fake a retryable server condition")

    await worker.flush()
    caller = await clients.open(owner, app, kind="webuo")
    with pytest.raises(AppError) as app_error:
        await caller.api(app, "div", {"a": 1, "b": 0})
    assert (app_error.value.code, app_error.value.retryable) == ("app_error", False)
    assert "division by zero" in app_error.value.message
    with pytest.raises(BadRequestError) as bad:
        await caller.api(app, "div", {"a": 1})
    assert bad.value.message == "b is required"
    with pytest.raises(AppError):
        await caller.api(app, "fake_retryable")


async def test_caller_errors(stack: LocalStack, clients: Clients) -> None:
    app, owner = stack.new_app()
    other_app, _ = stack.new_app()
    caller = await clients.open(owner, app, kind="webuo")
    with pytest.raises(NoRespondersError):
        await caller.api(app, "nobody")
    with pytest.raises(NotFoundError) as not_found:
        await caller.api("no-such-app-anywhere", "x")
    assert not_found.value.retryable is False
    with pytest.raises(ForbiddenError):
        await caller.api(other_app, "x")
    with pytest.raises(NotAWorkerError):
        await caller.api(app, "x", resource=caller.identity.resource if caller.identity else "")
    with pytest.raises(NoRespondersError):
        await caller.api(app, "x", resource="pydefaultOffline1")
    # A malformed call is answered by an error frame, which the call raises.
    with pytest.raises(BadRequestError):
        await caller.api(app, "not a method name!")


async def test_timeout_and_worker_gone(stack: LocalStack, clients: Clients) -> None:
    app, owner = stack.new_app()
    worker = await clients.open(owner, app)
    started = asyncio.Event()
    never = asyncio.Event()

    async def hang(data: Any) -> Any:
        started.set()
        await never.wait()

    await worker.serve("hang", hang)
    caller = await clients.open(owner, app, kind="webuo")
    with pytest.raises(TimeoutError) as timed_out:
        await caller.api(app, "hang", timeout=0.5)
    assert (timed_out.value.code, timed_out.value.retryable) == ("timeout", True)
    assert isinstance(timed_out.value, asyncio.TimeoutError)

    started.clear()
    call = asyncio.ensure_future(caller.api(app, "hang"))
    await within(started.wait())
    await worker.close()
    with pytest.raises(WorkerGoneError) as gone:
        await within(call)
    assert gone.value.retryable is True


async def test_calls_on_a_closed_client_raise(stack: LocalStack, clients: Clients) -> None:
    app, owner = stack.new_app()
    caller = await clients.open(owner, app, kind="webuo")
    await caller.close()
    assert caller.state == "closed"
    for call in (caller.api(app, "x"), caller.find(), caller.publish("c", "x"), caller.direct(app, "default1", "x")):
        with pytest.raises(DisconnectedError) as raised:
            await call
        assert raised.value.retryable is False
    with pytest.raises(DisconnectedError):
        await caller.subscribe("c")
    with pytest.raises(DisconnectedError):
        await caller.serve("x", lambda d: d)


async def test_a_user_role_worker_serves_its_own_uid(stack: LocalStack, clients: Clients) -> None:
    app, _ = stack.new_app()
    user = new_uid()
    stack.admin("PUT", f"/v1/admin/apps/{app}/grants/{user}", {})
    worker = await clients.open(user, app)
    await worker.serve("mine", lambda data, ctx: ctx.from_.uid)
    same_uid = await clients.open(user, app, kind="webuo")
    resource = worker.identity.resource if worker.identity else ""
    assert await same_uid.api(app, "mine", uid=user, resource=resource) == user
    assert await same_uid.api(app, "mine", uid=user) == user
    assert isinstance(await within(same_uid.find()), list)


async def test_serve_refused_for_a_frontend(stack: LocalStack, clients: Clients) -> None:
    app, owner = stack.new_app()
    frontend = await clients.open(owner, app, kind="webuo")
    with pytest.raises(NotAWorkerError):
        await frontend.serve("x", lambda d: d)
    # The refused method is not declared again (no error on the next call).
    with pytest.raises(NexusError):
        await frontend.api(app, "x", resource=frontend.identity.resource if frontend.identity else "")
