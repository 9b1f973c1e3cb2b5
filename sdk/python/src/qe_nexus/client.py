"""The Nexus client: ``await connect(...)``, then API calls, serving, Directs, channels and Find."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, Literal, TypeVar, overload

from .backoff import Backoff
from .channels import ChannelSubscriptions
from .connection import Connection, Hooks, Options, State
from .errors import BadRequestError, DisconnectedError, NexusError, error_for
from .events import Events
from .frames import (
    Block,
    DirectContext,
    Frame,
    Limits,
    api_frame,
    direct_frame,
    find_frame,
    pub_frame,
)
from .handlers import HandlerTasks, positional_count
from .identity import Identity
from .pending import PendingRequests, answer_data
from .served import ApiHandler, ServedMethods, Serving
from .subscription import MessageHandler, Subscribing, Subscription
from .transport import TokenSource
from .will import LastWill

H = TypeVar("H", bound=ApiHandler)
#: A Direct handler: ``handler(text, ctx)`` or ``handler(text)``, sync or async.
DirectHandler = Callable[..., Any]


class Client:
    """A Nexus client; create it with :func:`qe_nexus.connect`.

    ::

        async with connect("http://127.0.0.1:8787", token, kind="pydefault") as nx:
            @nx.serve("sum")
            def add(data):
                return {"sum": data["a"] + data["b"]}

            print(nx.jid, await nx.api("etest", "sum", {"a": 1, "b": 2}))
    """

    def __init__(
        self,
        url: str,
        token: TokenSource,
        *,
        kind: str | None = None,
        resource: str | None = None,
        reconnect: bool | Backoff = True,
        ping_interval: float | None = None,
        connect_timeout: float = 10.0,
        request_timeout: float = 30.0,
    ) -> None:
        if kind is None and resource is None:
            raise BadRequestError("connect() needs a kind or a resource")
        backoff = reconnect if isinstance(reconnect, Backoff) else Backoff() if reconnect else None
        self._request_timeout = request_timeout
        self._events = Events()
        self._direct_handlers: list[tuple[DirectHandler, int]] = []
        self._close_reason: NexusError | None = None
        self._tasks = HandlerTasks(self._events.report)
        self._declarations: set[asyncio.Future[Any]] = set()
        self._closed = asyncio.Event()
        hooks = Hooks(
            restore=self._on_restore,
            ready=lambda: self._pending.flush(),
            frame=self._on_frame,
            dropped=self._on_dropped,
            state=self._on_state,
            error=self._on_error,
        )
        self._conn = Connection(Options(url, token, kind, resource, backoff, ping_interval, connect_timeout), hooks)
        self._pending = PendingRequests(self._conn.send, lambda: self._conn.state == "connected")
        self._served = ServedMethods(
            self._declare, self._conn.is_open, self._events.report, lambda: self.limits.max_frame_bytes
        )
        self._channels = ChannelSubscriptions(self._declare, self._conn.is_open, self._events.report, self._tasks.run)
        self._will = LastWill(self._declare, self._queue)

    # -- what the client is ------------------------------------------------------------------------------

    @property
    def state(self) -> State:
        """``connecting``, ``connected``, ``reconnecting`` or ``closed``."""
        return self._conn.state

    @property
    def jid(self) -> str:
        """This block's JID, from the latest ``welcome`` (kept across reconnects)."""
        return self._conn.identity.jid if self._conn.identity else ""

    @property
    def identity(self) -> Identity | None:
        """This block's identity as the server stamps it on what it sends."""
        return self._conn.identity

    @property
    def limits(self) -> Limits:
        """The server's limits from ``welcome``."""
        return self._conn.limits

    @overload
    def on(self, event: Literal["state"], listener: Callable[[State], Any]) -> Callable[[], None]: ...
    @overload
    def on(self, event: Literal["error"], listener: Callable[[NexusError], Any]) -> Callable[[], None]: ...
    def on(self, event: str, listener: Callable[[Any], Any]) -> Callable[[], None]:
        """Listens to ``state`` (every state change) or ``error`` (failures no call can carry: a refused
        reconnect, a final close code, a raising handler); returns the function that stops listening."""
        return self._events.on(event, listener)

    # -- Nexus API -----------------------------------------------------------------------------------------

    async def api(
        self,
        app: str,
        method: str,
        data: Any = None,
        *,
        resource: str | None = None,
        uid: str | None = None,
        timeout: float | None = None,
    ) -> Any:
        """Calls ``method`` on a worker of ``app`` and returns its answer's ``data``.

        Raises a :class:`NexusError` subclass: the worker's ``AppError``, ``TimeoutError``,
        ``NoRespondersError``, ``DisconnectedError`` (retryable) when the socket dropped after sending...
        ``timeout`` is in seconds (default and maximum ``limits.api_timeout_ms``); a call made while
        reconnecting waits for the reconnect within it.
        """
        self._check_open()
        ceiling = self.limits.api_timeout_ms / 1000
        budget = min(timeout, ceiling) if timeout is not None else ceiling

        def build(id: str | None, budget_ms: int) -> Frame:
            return api_frame(id or "", app, method, data, resource=resource, uid=uid, timeout_ms=budget_ms)

        return answer_data(
            await self._pending.request(f"api {app}/{method}", build, timeout=budget, expect_answer=True)
        )

    @overload
    def serve(self, method: str) -> Callable[[H], H]: ...
    @overload
    def serve(self, method: str, handler: ApiHandler) -> Serving: ...
    def serve(self, method: str, handler: ApiHandler | None = None) -> Callable[[H], H] | Serving:
        """Serves ``method`` (``"*"``: every method) with a sync or async ``handler(data[, ctx])``.

        Its return value answers ``ok``; a raised :class:`NexusError` answers its code, any other
        exception ``app_error`` with its message. As a call it returns an awaitable (the server's ack,
        then a :class:`Served` handle); as a decorator it registers the function and reports a refusal
        on the ``error`` event (``await client.flush()`` waits for the ack).
        """
        if handler is None:

            def decorator(fn: H) -> H:
                acked = self._serve(method, fn)
                acked.add_done_callback(
                    lambda f: None if f.cancelled() or not f.exception() else self._events.report(f.exception())
                )
                return fn

            return decorator
        return Serving(method, self._serve(method, handler), lambda: self._served.remove(method, handler))

    # -- Nexus Direct --------------------------------------------------------------------------------------

    def on_direct(self, handler: DirectHandler) -> Callable[[], None]:
        """Receives Directs sent to this block with ``handler(text[, ctx])``; returns the remover."""
        entry = (handler, positional_count(handler))
        self._direct_handlers.append(entry)
        return lambda: self._direct_handlers.remove(entry) if entry in self._direct_handlers else None

    async def direct(self, app: str, resource: str, text: str, *, uid: str | None = None, ack: bool = False) -> None:
        """Sends a one-way string to one worker; with ``ack=True`` returns on the server's ack or raises
        its error (``OfflineError``, ``ForbiddenError``, ``NotFoundError``, ``NotAWorkerError``)."""
        self._check_open()
        _check_text(text)
        await self._pending.request(
            "direct",
            lambda id, _: direct_frame(app, resource, text, uid=uid, id=id),
            timeout=self._request_timeout,
            expect_answer=ack,
        )

    # -- Nexus Channel -------------------------------------------------------------------------------------

    def subscribe(self, channel: str, handler: MessageHandler | None = None) -> Subscribing:
        """Subscribes to ``channel``: ``sub = await client.subscribe(...)`` after the server's ack, or
        ``async with client.subscribe(...) as sub``. Messages go to ``handler(text[, message])`` and to the
        subscription's async iterator; the retained value comes first, with ``retained=True``."""
        if self.state == "closed":
            failed: asyncio.Future[Subscription] = asyncio.get_running_loop().create_future()
            failed.set_exception(self._closed_error())
            return Subscribing(failed)
        future = self._channels.add(channel, handler)
        self._track(future)
        return Subscribing(future)

    async def publish(self, channel: str, text: str, *, retain: bool = False, ack: bool = False) -> None:
        """Publishes ``text`` to ``channel``; ``retain`` keeps it as the channel's value (``""`` clears it);
        ``ack=True`` waits for the server (and raises its error, e.g. ``ForbiddenError``)."""
        self._check_open()
        _check_text(text)
        await self._pending.request(
            "pub",
            lambda id, _: pub_frame(channel, text, retain=retain, id=id),
            timeout=self._request_timeout,
            expect_answer=ack,
        )

    # -- Nexus Find ----------------------------------------------------------------------------------------

    async def find(self, *, app: str | None = None, kind: str | None = None, scope: str | None = None) -> list[Block]:
        """Online blocks: the caller's own uid's (default), or with ``scope="app"`` (the app's owner only)
        every block of the app. A worker's :class:`Block` lists the ``methods`` it serves."""
        self._check_open()
        answer = await self._pending.request(
            "find",
            lambda id, _: find_frame(id or "", app=app, kind=kind, scope=scope),
            timeout=self._request_timeout,
            expect_answer=True,
        )
        blocks = answer.get("blocks") if answer else None
        return [Block.from_wire(b) for b in blocks] if isinstance(blocks, list) else []

    # -- lifecycle -----------------------------------------------------------------------------------------

    async def flush(self) -> None:
        """Waits until every ``serve`` and ``subscribe`` made so far is acked (or failed)."""
        while self._declarations:
            await asyncio.gather(*list(self._declarations), return_exceptions=True)

    async def set_will(self, channel: str, text: str, *, retain: bool = False) -> None:
        """Leaves a will: the edge publishes ``text`` to ``channel``, stamped with this block's identity, when
        this connection ends any way other than by :meth:`clear_will` or :meth:`close` first (a crash, a lost
        network, a killed process). Replaces an earlier will; kept across reconnects; returns on the ack."""
        self._check_open()
        _check_text(text)
        await self._will.set(channel, text, retain)

    async def clear_will(self) -> None:
        """Withdraws the will, so that ending the connection publishes nothing."""
        self._check_open()
        await self._will.clear()

    async def close(self, *, clear_will: bool = True) -> None:
        """Closes the connection for good; waiting calls raise a non-retryable ``DisconnectedError``.
        A will is cleared first (a clean leave), unless ``clear_will=False`` asks the edge to publish it."""
        if self.state == "closed":
            return
        if clear_will and self._will.is_set() and self.state == "connected":
            # Bounded: a close must not hang on an edge that stopped answering.
            with contextlib.suppress(NexusError, asyncio.TimeoutError):
                await asyncio.wait_for(self._will.clear(), 1.0)
        if self._conn.is_closed():  # the edge may have closed the connection meanwhile
            return
        self._close_reason = DisconnectedError("the client was closed", retryable=False)
        await self._conn.close()
        self._tasks.cancel_all()

    async def wait_closed(self) -> None:
        """Returns once the client is closed (by ``close()`` or a final close code): a worker's main loop."""
        await self._closed.wait()

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    # -- internals -----------------------------------------------------------------------------------------

    def _serve(self, method: str, handler: ApiHandler) -> asyncio.Future[None]:
        if self.state == "closed":
            failed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            failed.set_exception(self._closed_error())
            return failed
        future = self._served.add(method, handler)
        self._track(future)
        return future

    def _track(self, future: asyncio.Future[Any]) -> None:
        self._declarations.add(future)
        future.add_done_callback(self._declarations.discard)

    def _declare(
        self, what: str, build: Callable[[str], Frame], on_answer: Callable[[Frame], None] | None = None
    ) -> Awaitable[Frame | None]:
        return self._pending.request(
            what,
            lambda id, _: build(id or ""),
            timeout=self._request_timeout,
            expect_answer=True,
            bypass_queue=True,
            on_answer=on_answer,
        )

    def _queue(self, what: str, build: Callable[[str], Frame]) -> Awaitable[Frame | None]:
        return self._pending.request(
            what, lambda id, _: build(id or ""), timeout=self._request_timeout, expect_answer=True
        )

    def _check_open(self) -> None:
        if self.state == "closed":
            raise self._closed_error()

    def _closed_error(self) -> NexusError:
        reason = self._close_reason
        if reason is None:
            return DisconnectedError("the client is closed", retryable=False)
        return error_for(
            reason.code, f"the client is closed ({reason.message})", retryable=False, close_code=reason.close_code
        )

    # -- Connection hooks -----------------------------------------------------------------

    async def _on_restore(self) -> None:
        await asyncio.gather(self._served.restore(), self._channels.restore(), self._will.restore())

    def _on_frame(self, frame: Frame) -> None:
        t = frame.get("t")
        if t in ("ack", "api.result", "find.result"):
            self._pending.settle(frame)
        elif t == "error":
            if not self._pending.settle(frame):
                self._events.report(error_for(str(frame.get("code", "internal")), str(frame.get("message", ""))))
        elif t == "api.req":
            self._tasks.spawn(self._answer(frame, self._conn.generation))
        elif t == "direct":
            text, ctx = str(frame.get("data", "")), DirectContext(from_=Identity.from_wire(frame.get("from")))
            for handler, arity in list(self._direct_handlers):
                self._tasks.run(_bind(handler, (text,) if arity < 2 else (text, ctx)))
        elif t == "msg":
            self._channels.deliver(frame)

    def _on_dropped(self) -> None:
        self._pending.drop_in_flight(DisconnectedError("the connection dropped before the answer arrived"))
        self._channels.dropped()

    def _on_state(self, state: State) -> None:
        if state == "closed":
            error = self._closed_error()
            self._pending.reject_all(error)
            self._channels.close_all(error)
            self._served.close(error)
            self._closed.set()
        self._events.emit("state", state)

    def _on_error(self, error: NexusError) -> None:
        self._close_reason = error
        self._events.emit("error", error)

    async def _answer(self, frame: Frame, generation: int) -> None:
        text = await self._served.handle(frame)
        if generation == self._conn.generation:
            self._conn.send(text)


def _check_text(text: object) -> None:
    if not isinstance(text, str):
        raise BadRequestError("data must be a str (serialize objects yourself)")


def _bind(handler: Callable[..., Any], args: tuple[Any, ...]) -> Callable[[], Any]:
    return lambda: handler(*args)
