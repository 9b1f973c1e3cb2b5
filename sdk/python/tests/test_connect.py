"""Connecting against the real stack: refusals, states, replaced connections, token expiry."""

from __future__ import annotations

import socket

import pytest

from qe_nexus import (
    BadRequestError,
    DisconnectedError,
    ForbiddenError,
    UnauthorizedError,
    connect,
)

from .helpers import Clients, Recorder, within
from .stack import LocalStack


async def test_async_with_connects_and_closes(stack: LocalStack) -> None:
    app, owner = stack.new_app()
    async with connect(stack.url, stack.token(owner, app), kind="pydefault") as nx:
        events = Recorder(nx)
        assert nx.state in ("connected",)
        assert events.states == []  # connected before the listener was added
        assert nx.identity is not None
        assert nx.identity.kind == "pydefault"
        assert nx.jid == f"{app}-{owner}-owner@qepal.com/{nx.identity.resource}"
        assert nx.limits.api_timeout_ms == 30000
    assert events.states == ["closed"]
    assert str(nx.state) == "closed"
    await within(nx.wait_closed())


async def test_exact_resource_and_token_callable(stack: LocalStack, clients: Clients) -> None:
    app, owner = stack.new_app()
    asked: list[int] = []

    async def token() -> str:
        asked.append(1)
        return stack.token(owner, app)

    nx = clients.adopt(await connect(stack.url, token, resource="pydefaultExact1"))
    assert nx.identity is not None
    assert (nx.identity.resource, len(asked)) == ("pydefaultExact1", 1)


async def test_refusals(stack: LocalStack) -> None:
    app, owner = stack.new_app()
    with pytest.raises(UnauthorizedError) as bad_token:
        await connect(stack.url, "not-a-jwt", kind="pydefault")
    assert (bad_token.value.status, bad_token.value.retryable) == (401, False)
    with pytest.raises(ForbiddenError) as kind_denied:
        await connect(stack.url, stack.token(owner, app, kinds=["webuo"]), kind="pydefault")
    assert kind_denied.value.status == 403
    with pytest.raises(BadRequestError) as unknown_kind:
        await connect(stack.url, stack.token(owner, app), kind="nope")
    assert unknown_kind.value.status == 400
    with pytest.raises(BadRequestError):
        await connect(stack.url, stack.token(owner, app), resource="pydefault-bad")
    with pytest.raises(BadRequestError):
        await connect(stack.url, "t")  # neither kind nor resource


async def test_unreachable_edge() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(DisconnectedError) as raised:
        await connect(f"http://127.0.0.1:{port}", "t", kind="pydefault", connect_timeout=5)
    assert raised.value.retryable is True


async def test_a_second_connection_with_the_same_jid_replaces_the_first(stack: LocalStack, clients: Clients) -> None:
    app, owner = stack.new_app()
    first = await clients.open(owner, app, resource="pydefaultTwin1")
    events = Recorder(first)
    second = await clients.open(owner, app, resource="pydefaultTwin1")
    await events.state("closed")
    error = events.errors[-1]
    assert (type(error), error.close_code, error.retryable) == (DisconnectedError, 4009, False)
    assert second.state == "connected"
    assert first.state == "closed"  # final: it did not reconnect and take the JID back
    with pytest.raises(DisconnectedError):
        await first.find()


async def test_token_expiry_asks_the_callable_again(stack: LocalStack, clients: Clients) -> None:
    app, owner = stack.new_app()
    ttls: list[int] = []

    def token() -> str:
        ttls.append(2 if not ttls else 3600)
        return stack.token(owner, app, ttlSeconds=ttls[-1])

    nx = clients.adopt(await connect(stack.url, token, kind="pydefault"))
    events = Recorder(nx)
    await nx.serve("still", lambda d: "here")
    jid = nx.jid
    await events.state("reconnecting")
    await events.state("connected")
    assert ttls == [2, 3600]
    assert nx.jid == jid
    caller = await clients.open(owner, app, kind="webuo")
    assert await caller.api(app, "still") == "here"


async def test_token_expiry_with_a_fixed_token_is_final(stack: LocalStack, clients: Clients) -> None:
    app, owner = stack.new_app()
    nx = await clients.open(owner, app, token=stack.token(owner, app, ttlSeconds=2))
    events = Recorder(nx)
    await events.state("closed")
    error = events.errors[-1]
    assert (type(error), error.close_code) == (UnauthorizedError, 4001)
