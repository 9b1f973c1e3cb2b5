"""One logical connection over successive sockets: open, welcome, restore, keepalive, reconnect."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from .backoff import Backoff
from .errors import DisconnectedError, InternalError, NexusError
from .frames import PING, Frame, Limits
from .identity import Identity
from .transport import TokenSource, await_welcome, open_socket, resolve_token, terminal_error

#: ``connecting`` (first connect, until restored), ``connected``, ``reconnecting`` (after a drop, until
#: restored again), ``closed`` (by ``close()``, a final refusal, or close code 4001/4008/4009).
State = Literal["connecting", "connected", "reconnecting", "closed"]


#: A ping after every this many characters read (well under the edge's default 16 MiB bound).
READ_ACK_CHARS = 1024 * 1024


@dataclass(frozen=True)
class Hooks:
    """What the connection tells its owner."""

    restore: Callable[[], Awaitable[None]]  # a socket was welcomed: declare everything again on it
    ready: Callable[[], None]  # restored: queued calls may go out
    frame: Callable[[Frame], None]
    dropped: Callable[[], None]  # the welcomed socket dropped: what was in flight on it is lost
    state: Callable[[State], None]
    error: Callable[[NexusError], None]  # a failure not tied to one call (a refused reconnect, a final close)


@dataclass
class Options:
    url: str
    token: TokenSource
    kind: str | None
    resource: str | None
    backoff: Backoff | None
    ping_interval: float | None
    connect_timeout: float


class Connection:
    """Opens a socket, waits for ``welcome``, lets the client restore its declarations, keeps the socket
    alive with ``{"t":"ping"}`` every ``pingIntervalMs`` and reconnects with full-jitter backoff until closed.
    Close codes 4008 and 4009 are final; 4001 asks a token callable again, else is final.
    """

    def __init__(self, options: Options, hooks: Hooks) -> None:
        self.options = options
        self.hooks = hooks
        self.state: State = "connecting"
        self.identity: Identity | None = None
        self.limits = Limits()
        self.generation = 0
        self._ws: ClientConnection | None = None
        self._outbox: asyncio.Queue[str] | None = None
        self._task: asyncio.Task[None] | None = None
        self._first: asyncio.Future[None] | None = None
        self._last_rx = 0.0

    async def start(self) -> None:
        """Connects for the first time; raises the refusal or failure instead of retrying."""
        self._first = asyncio.get_running_loop().create_future()
        self._task = asyncio.create_task(self._run())
        await self._first

    def is_open(self) -> bool:
        """``True`` while a welcomed socket is open (declarations may be written, even before ``connected``)."""
        return self._outbox is not None

    def send(self, text: str) -> bool:
        """Queues one frame for the welcomed socket's writer; ``False`` when there is none."""
        if self._outbox is None:
            return False
        self._outbox.put_nowait(text)
        return True

    async def close(self) -> None:
        """Closes for good: a 1000 close to the edge, bounded by the socket's close timeout (1 s)."""
        if self.state == "closed":
            return
        self._set_state("closed")
        self._fail_first(DisconnectedError("closed before connecting", retryable=False))
        ws, outbox = self._ws, self._outbox
        if ws is not None:
            # What was queued before close() goes out first (a publish without ack, an answer), within 1 s.
            if outbox is not None:
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(outbox.join(), 1.0)
            with contextlib.suppress(Exception):
                await ws.close(1000, "client closed")
        if self._task is not None and self._task is not asyncio.current_task():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    def is_closed(self) -> bool:
        return self.state == "closed"

    async def _run(self) -> None:
        while not self.is_closed():
            self.generation += 1
            try:
                ws = await self._open()
            except Exception as failure:
                err = failure if isinstance(failure, NexusError) else InternalError(f"connect failed: {failure!r}")
                if self._first is not None and not self._first.done():
                    self._set_state("closed")
                    self._fail_first(err)
                    return
                if not err.retryable:
                    self._terminate(err)
                    return
                self.hooks.error(err)
                if not await self._wait_backoff():
                    return
                continue
            try:
                code, reason = await self._serve(ws)
            except Exception as failure:  # a bug must not leave the client stuck: reconnect instead
                self.hooks.error(InternalError(f"the connection failed: {failure!r}"))
                code, reason = 1006, ""
            if self.is_closed():
                return
            if code == 4001 and callable(self.options.token):
                self._set_state("reconnecting")
                continue  # the token callable is asked again; a refusal of its new token is final
            terminal = terminal_error(code, reason)
            if terminal is not None:
                self._terminate(terminal)
                return
            if not await self._wait_backoff():
                return

    async def _wait_backoff(self) -> bool:
        backoff = self.options.backoff
        if backoff is None:
            self._terminate(DisconnectedError("connection lost and reconnect is off", retryable=False))
            return False
        self._set_state("reconnecting")
        await asyncio.sleep(backoff.next())
        return not self.is_closed()

    async def _open(self) -> ClientConnection:
        token = await resolve_token(self.options.token)
        # After the first welcome, reconnect to the same resource so the JID (and what others know of it) survives.
        if self.identity is not None:
            target = {"resource": self.identity.resource}
        elif self.options.resource is not None:
            target = {"resource": self.options.resource}
        else:
            target = {"kind": self.options.kind or ""}
        ws = await open_socket(self.options.url, target, token, self.options.connect_timeout)
        welcome = await await_welcome(ws, self.options.url, self.options.connect_timeout)
        self.identity = Identity.from_wire(welcome.get("from"))
        self.limits = Limits.from_wire(welcome.get("limits"))
        return ws

    async def _serve(self, ws: ClientConnection) -> tuple[int, str]:
        """Runs one welcomed socket until it closes; returns its close code and reason."""
        generation = self.generation
        self._ws = ws
        self._outbox = asyncio.Queue()
        loop = asyncio.get_running_loop()
        self._last_rx = loop.time()
        writer = asyncio.create_task(self._write(ws, self._outbox))
        keepalive = asyncio.create_task(self._keepalive(ws))
        restore = asyncio.create_task(self._restore(generation))
        try:
            await self._read(ws)
        finally:
            self._outbox = None
            self._ws = None
            for task in (writer, keepalive):
                task.cancel()
            self.hooks.dropped()
            if not restore.done():
                restore.cancel()
            await asyncio.gather(writer, keepalive, restore, return_exceptions=True)
        return ws.close_code or 1006, ws.close_reason or ""

    async def _restore(self, generation: int) -> None:
        try:
            await self.hooks.restore()
        except NexusError as err:
            self.hooks.error(err)
        if generation != self.generation or self._outbox is None or self.state == "closed":
            return
        if self.options.backoff is not None:
            self.options.backoff.reset()
        self._set_state("connected")
        self.hooks.ready()
        if self._first is not None and not self._first.done():
            self._first.set_result(None)

    async def _read(self, ws: ClientConnection) -> None:
        loop = asyncio.get_running_loop()
        unacked = 0
        with contextlib.suppress(ConnectionClosed):
            async for text in ws:
                self._last_rx = loop.time()
                if not isinstance(text, str):
                    continue
                # The edge closes (4013) a client that receives maxOutboundBytes without sending anything
                # (a slow consumer); a ping after every MiB read tells it this client reads.
                unacked += len(text)
                if unacked >= READ_ACK_CHARS:
                    unacked = 0
                    self.send(PING)
                try:
                    frame: Any = json.loads(text)
                except ValueError:
                    continue
                if isinstance(frame, dict):
                    try:
                        self.hooks.frame(frame)
                    except Exception as failure:
                        self.hooks.error(InternalError(f"a {frame.get('t')!r} frame could not be handled: {failure!r}"))

    @staticmethod
    async def _write(ws: ClientConnection, outbox: asyncio.Queue[str]) -> None:
        # One writer per socket: frames go out in the order they were queued (Directs, publishes).
        with contextlib.suppress(ConnectionClosed):
            while True:
                text = await outbox.get()
                try:
                    await ws.send(text)
                finally:
                    outbox.task_done()

    async def _keepalive(self, ws: ClientConnection) -> None:
        interval = self.options.ping_interval or self.limits.ping_interval_ms / 1000
        loop = asyncio.get_running_loop()
        pinged_at: float | None = None
        while True:
            await asyncio.sleep(interval)
            if pinged_at is not None and self._last_rx < pinged_at:
                # Nothing at all came back for a whole interval after a ping: the socket is dead.
                ws.transport.abort()
                return
            pinged_at = loop.time()
            self.send(PING)

    def _terminate(self, error: NexusError) -> None:
        self.hooks.error(error)
        self._set_state("closed")
        self._fail_first(error)

    def _fail_first(self, error: NexusError) -> None:
        if self._first is not None and not self._first.done():
            self._first.set_exception(error)

    def _set_state(self, state: State) -> None:
        if self.state == state:
            return
        self.state = state
        self.hooks.state(state)
