"""The methods this worker serves and their handlers."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass
from typing import Any

from .errors import BadRequestError, DisconnectedError, NexusError
from .frames import CallContext, Frame, answer_frame, encode, serve_frame
from .handlers import positional_count
from .identity import NAME_PATTERN, Identity

_WORKER_CODES = ("app_error", "bad_request")

#: A served method: ``handler(data, ctx)`` or ``handler(data)``, sync or async; its return value answers.
ApiHandler = Callable[..., Any]


@dataclass
class _Waiter:
    version: int
    method: str
    handler: ApiHandler
    future: asyncio.Future[None]


class ServedMethods:
    """Every change sends one ``serve`` frame with the whole set (a ``serve`` replaces the previous set),
    and so does every reconnect, so a restored worker is declared exactly once.

    ``declare`` writes a frame on the open socket (before ``connected`` too) and resolves with its ack.
    """

    def __init__(
        self,
        declare: Callable[[str, Callable[[str], Frame]], Awaitable[Frame | None]],
        is_open: Callable[[], bool],
        report: Callable[[BaseException], None],
        max_frame_bytes: Callable[[], int],
    ) -> None:
        self._declare = declare
        self._is_open = is_open
        self._report = report
        self._max_frame_bytes = max_frame_bytes
        self._handlers: dict[str, tuple[ApiHandler, int]] = {}
        self._waiters: list[_Waiter] = []
        self._version = 0
        self._tasks: set[asyncio.Task[None]] = set()

    def methods(self) -> list[str]:
        """The served method names (``"*"`` serves every method)."""
        return list(self._handlers)

    def add(self, method: str, handler: ApiHandler) -> asyncio.Future[None]:
        """Serves ``method`` with ``handler`` (replacing an earlier one); the future resolves on the ack."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if method != "*" and not NAME_PATTERN.fullmatch(method):
            future.set_exception(BadRequestError(f'method must be "*" or match {NAME_PATTERN.pattern}: {method!r}'))
            return future
        self._handlers[method] = (handler, positional_count(handler))
        self._version += 1
        self._waiters.append(_Waiter(self._version, method, handler, future))
        if self._is_open():
            self._spawn(self._sync())
        return future

    async def remove(self, method: str, handler: ApiHandler) -> None:
        """Stops serving ``method`` if ``handler`` still serves it."""
        current = self._handlers.get(method)
        if current is None or current[0] is not handler:
            return
        del self._handlers[method]
        if self._is_open():
            await self._sync()

    async def restore(self) -> None:
        """Declares the whole set again on a fresh socket."""
        if self._handlers or self._waiters:
            await self._sync()

    async def handle(self, frame: Frame) -> str:
        """Runs the handler of an ``api.req`` and returns the encoded ``api.res``."""
        rid = str(frame.get("rid", ""))
        method = str(frame.get("method", ""))
        entry = self._handlers.get(method) or self._handlers.get("*")
        if entry is None:
            return encode(answer_frame(rid, False, code="app_error", message=f"{method} is not served here"))
        handler, arity = entry
        ctx = CallContext(from_=Identity.from_wire(frame.get("from")), method=method)
        data = frame.get("data")
        try:
            result = handler(data) if arity < 2 else handler(data, ctx)
            if inspect.isawaitable(result):
                result = await result
        except NexusError as err:
            # [contract] a worker may answer only app_error or bad_request; the edge turns any other code
            # into app_error (a worker cannot fake a retryable server condition), so say so at the source.
            if err.code in _WORKER_CODES:
                return encode(answer_frame(rid, False, code=err.code, message=err.message))
            return encode(answer_frame(rid, False, code="app_error", message=f"{err.code}: {err.message}"))
        except Exception as err:
            return encode(answer_frame(rid, False, code="app_error", message=str(err) or type(err).__name__))
        try:
            text = encode(answer_frame(rid, True, result))
        except (TypeError, ValueError) as err:
            return encode(answer_frame(rid, False, code="app_error", message=f"answer is not JSON: {err}"))
        # The edge would refuse an oversize answer with an error the caller never sees; tell the caller instead.
        if len(text.encode()) > self._max_frame_bytes():
            limit = self._max_frame_bytes()
            return encode(answer_frame(rid, False, code="app_error", message=f"answer exceeds maxFrameBytes ({limit})"))
        return text

    def close(self, error: NexusError) -> None:
        for waiter in self._take(self._version):
            if not waiter.future.done():
                waiter.future.set_exception(error)
        for task in list(self._tasks):
            task.cancel()

    async def _sync(self) -> None:
        version = self._version
        try:
            methods = self.methods()
            await self._declare("serve", lambda id: serve_frame(id, methods))
        except DisconnectedError as err:
            if err.retryable:
                return  # after a drop, restore declares the set again and the waiters keep waiting
            self._fail(version, err)
        except NexusError as err:
            self._fail(version, err)
        else:
            for waiter in self._take(version):
                if not waiter.future.done():
                    waiter.future.set_result(None)

    def _fail(self, version: int, err: NexusError) -> None:
        failed = self._take(version)
        # A refused set (e.g. not_a_worker) must not be declared again on every reconnect.
        for waiter in failed:
            current = self._handlers.get(waiter.method)
            if current is not None and current[0] is waiter.handler:
                del self._handlers[waiter.method]
        for waiter in failed:
            if not waiter.future.done():
                waiter.future.set_exception(err)
        if not failed:
            self._report(err)

    def _take(self, version: int) -> list[_Waiter]:
        taken = [w for w in self._waiters if w.version <= version]
        self._waiters = [w for w in self._waiters if w.version > version]
        return taken

    def _spawn(self, coro: Any) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


class Served:
    """A served method, from ``await client.serve(method, handler)``; ``await served.stop()`` stops serving it."""

    def __init__(self, method: str, stop: Callable[[], Awaitable[None]]) -> None:
        self.method = method
        self._stop = stop

    async def stop(self) -> None:
        await self._stop()


class Serving:
    """What ``client.serve(method, handler)`` returns: the method is registered at once; await this for
    the server's ack (then the worker is in the pool), which gives the :class:`Served` handle."""

    def __init__(self, method: str, acked: asyncio.Future[None], stop: Callable[[], Awaitable[None]]) -> None:
        self._method = method
        self._acked = acked
        self._stop = stop

    def __await__(self) -> Generator[Any, None, Served]:
        return self._wait().__await__()

    async def _wait(self) -> Served:
        await self._acked
        return Served(self._method, self._stop)
