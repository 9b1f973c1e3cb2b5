"""One logical connection over successive sockets: open, welcome, restore, keepalive, reconnect."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol
from urllib.parse import urlencode, urlsplit, urlunsplit

from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI

from .backoff import Backoff
from .errors import (
    BadRequestError,
    DisconnectedError,
    ForbiddenError,
    NexusError,
    UnauthorizedError,
    refusal_error,
)
from .frames import PING, Frame, Limits
from .identity import Identity

#: ``connecting`` (first connect, until restored), ``connected``, ``reconnecting`` (after a drop, until
#: restored again), ``closed`` (by ``close()``, a final refusal, or close code 4001/4008/4009).
State = Literal["connecting", "connected", "reconnecting", "closed"]

#: A fixed token, or a callable (sync or async) asked again on every reconnect and on close 4001.
TokenSource = str | Callable[[], str] | Callable[[], Awaitable[str]]

# Frames above 1 MiB may be refused by the edge with 1009; accept what the edge may send (large Find results).
_MAX_INCOMING = 16 * 1024 * 1024
_VERSION = "0.1.0"


class _Socket(ClientConnection):
    """A client connection that ends as soon as both close frames are out: workerd keeps the TCP
    connection open for ~10 s after its close frame, which would hide a 4009 or 4001 that long."""

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.protocol.close_rcvd is not None and self.protocol.close_sent is not None:
            self.transport.close()  # flushes our close reply first


def terminal_error(code: int, reason: str) -> NexusError | None:
    """The error for a close code after which the client must not reconnect by itself, else ``None``.

    4001 (token expired) is final only with a fixed token; the caller asks a token callable again instead.
    """
    why = f": {reason}" if reason else ""
    if code == 4001:
        return UnauthorizedError(f"token expired (close 4001){why}", close_code=code)
    if code == 4008:
        return ForbiddenError(f"closed by policy (close 4008){why}", close_code=code, retryable=False)
    if code == 4009:
        message = f"replaced by a newer connection with the same JID (close 4009){why}"
        return DisconnectedError(message, close_code=code, retryable=False)
    return None


def connect_url(base: str, target: dict[str, str]) -> str:
    """``http(s)://host[:port]`` or ``ws(s)://...`` plus ``/v1/connect?kind=...`` (or ``resource=``)."""
    parts = urlsplit(base)
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
    if scheme not in ("ws", "wss"):
        raise BadRequestError(f"url must be http(s):// or ws(s)://, not {base!r}")
    path = parts.path.rstrip("/")
    if not path.endswith("/v1/connect"):
        path += "/v1/connect"
    return urlunsplit((scheme, parts.netloc, path, urlencode(target), ""))


class Hooks(Protocol):
    async def restore(self) -> None: ...
    def ready(self) -> None: ...
    def frame(self, frame: Frame) -> None: ...
    def dropped(self) -> None: ...
    def state(self, state: State) -> None: ...
    def error(self, error: NexusError) -> None: ...


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
        ws = self._ws
        if ws is not None:
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
            except NexusError as err:
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
            code, reason = await self._serve(ws)
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
        token = await self._token()
        # After the first welcome, reconnect to the same resource so the JID (and what others know of it) survives.
        if self.identity is not None:
            target = {"resource": self.identity.resource}
        elif self.options.resource is not None:
            target = {"resource": self.options.resource}
        else:
            target = {"kind": self.options.kind or ""}
        url = connect_url(self.options.url, target)
        try:
            ws = await ws_connect(
                url,
                additional_headers={"Authorization": f"Bearer {token}"},
                user_agent_header=f"qe-nexus-python/{_VERSION}",
                compression=None,
                proxy=None,
                open_timeout=self.options.connect_timeout,
                ping_interval=None,  # the contract's keepalive is the {"t":"ping"} text frame
                close_timeout=1,
                max_size=_MAX_INCOMING,
                create_connection=_Socket,
            )
        except InvalidStatus as err:
            raise refusal_error(err.response.status_code, bytes(err.response.body or b"")) from err
        except InvalidURI as err:
            raise BadRequestError(f"invalid url {self.options.url!r}") from err
        except (OSError, InvalidHandshake, asyncio.TimeoutError) as err:
            raise DisconnectedError(f"could not connect to {self.options.url}: {err!r}", retryable=True) from err
        try:
            welcome = await asyncio.wait_for(self._welcome(ws), self.options.connect_timeout)
        except asyncio.TimeoutError as err:
            await ws.close(4000, "no welcome")
            raise DisconnectedError(f"no welcome from {self.options.url}", retryable=True) from err
        except ConnectionClosed as err:
            code = err.rcvd.code if err.rcvd is not None else 1006
            reason = err.rcvd.reason if err.rcvd is not None else ""
            terminal = terminal_error(code, reason)
            raise terminal or DisconnectedError(f"closed before welcome ({code})", close_code=code) from err
        self.identity = Identity.from_wire(welcome.get("from"))
        self.limits = Limits.from_wire(welcome.get("limits"))
        return ws

    async def _token(self) -> str:
        source = self.options.token
        if isinstance(source, str):
            return source
        try:
            value = source()
            token = await value if inspect.isawaitable(value) else value
        except NexusError:
            raise
        except Exception as err:
            raise UnauthorizedError(f"the token callable failed: {err!r}", retryable=True) from err
        if not isinstance(token, str):
            raise UnauthorizedError("the token callable must return a str", retryable=False)
        return token

    @staticmethod
    async def _welcome(ws: ClientConnection) -> Frame:
        while True:
            text = await ws.recv()
            with contextlib.suppress(ValueError):
                frame = json.loads(text)
                if isinstance(frame, dict) and frame.get("t") == "welcome":
                    return frame

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
        with contextlib.suppress(ConnectionClosed):
            async for text in ws:
                self._last_rx = loop.time()
                if not isinstance(text, str):
                    continue
                try:
                    frame: Any = json.loads(text)
                except ValueError:
                    continue
                if isinstance(frame, dict):
                    self.hooks.frame(frame)

    @staticmethod
    async def _write(ws: ClientConnection, outbox: asyncio.Queue[str]) -> None:
        # One writer per socket: frames go out in the order they were queued (Directs, publishes).
        with contextlib.suppress(ConnectionClosed):
            while True:
                await ws.send(await outbox.get())

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
