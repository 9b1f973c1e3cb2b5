"""Helpers: clients that are closed after each test, and waits on events (never on time)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from websockets.asyncio.client import connect as ws_connect

from qe_nexus import Backoff, Client, NexusError, State, connect

from .stack import LocalStack

# Every wait is bounded, so a broken behaviour fails the test instead of hanging the run.
WAIT_S = 30.0

# The sender a scripted edge puts on the channel messages it sends.
SENDER = {
    "jid": "etest-u1-owner@qepal.com/default1",
    "app": "etest",
    "uid": "u1",
    "role": "owner",
    "resource": "default1",
    "kind": "default",
}


class Clients:
    """Opens clients against the stack (fast reconnects) and closes them all at the end of a test."""

    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self._open: list[Client] = []

    async def open(
        self, uid: str, app: str, *, kind: str | None = "pydefault", url: str | None = None, **options: Any
    ) -> Client:
        """A client of ``uid`` in ``app``, on the stack or through ``url`` (a proxy in front of it)."""
        token = options.pop("token", None) or self.stack.token(uid, app)
        options.setdefault("reconnect", Backoff(initial=0.05, maximum=0.5))
        kind = kind if "resource" not in options else None
        nx = await connect(url or self.stack.url, token, kind=kind, **options)
        self._open.append(nx)
        return nx

    def adopt(self, nx: Client) -> Client:
        self._open.append(nx)
        return nx

    async def close_all(self) -> None:
        await asyncio.gather(*(nx.close() for nx in self._open), return_exceptions=True)


class Recorder:
    """Every state change and error event of a client, with waits on them."""

    def __init__(self, nx: Client) -> None:
        self.states: list[State] = []
        self.errors: list[NexusError] = []
        self._changed = asyncio.Condition()
        nx.on("state", lambda s: self._add(self.states, s))
        nx.on("error", lambda e: self._add(self.errors, e))

    def _add(self, into: list[Any], value: Any) -> None:
        into.append(value)
        asyncio.get_running_loop().create_task(self._notify())

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def state(self, state: State, count: int = 1) -> None:
        """Waits until the client has entered ``state`` ``count`` times."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: self.states.count(state) >= count), WAIT_S)

    async def error(self, count: int = 1) -> NexusError:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: len(self.errors) >= count), WAIT_S)
        return self.errors[count - 1]


async def within(awaitable: Any) -> Any:
    """Awaits with the test's bound."""
    return await asyncio.wait_for(awaitable, WAIT_S)


async def channel_position(stack: LocalStack, token: str, channel: str) -> tuple[str | None, int | None]:
    """The channel's ``(epoch, seq)`` now, from the ``sub`` ack the edge gives a raw socket of its own: an
    observer beside the SDK under test. The socket is closed before this returns."""
    url = stack.url.replace("http", "ws", 1) + "/v1/connect?kind=webuo"
    async with ws_connect(url, additional_headers={"Authorization": f"Bearer {token}"}) as ws:
        welcome = json.loads(await within(ws.recv()))
        assert welcome["t"] == "welcome", welcome
        await ws.send(json.dumps({"t": "sub", "id": "observer", "channel": channel}))
        while (frame := json.loads(await within(ws.recv()))).get("id") != "observer":
            pass  # the retained value, if any
    assert frame["t"] == "ack", frame
    return frame.get("epoch"), frame.get("seq")
