"""Running user handlers: sync or async, one or two positional arguments, never crashing the client."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from typing import Any


def positional_count(fn: Callable[..., Any]) -> int:
    """How many positional arguments a handler takes (2 when it takes ``*args`` or cannot be inspected).

    Handlers may take ``(data)`` or ``(data, ctx)``: ``positional_count(lambda data: data)`` is 1.
    """
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return 2
    count = 0
    for p in params:
        if p.kind is inspect.Parameter.VAR_POSITIONAL:
            return 2
        if p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD):
            count += 1
    return count


class HandlerTasks:
    """Runs handler calls; a coroutine result runs as a task, kept until done (and cancelled on close).

    An exception goes to ``report`` instead of the event loop's "exception was never retrieved".
    """

    def __init__(self, report: Callable[[BaseException], None]) -> None:
        self._report = report
        self._tasks: set[asyncio.Task[Any]] = set()

    def run(self, call: Callable[[], Any]) -> None:
        try:
            result = call()
        except Exception as err:
            self._report(err)
            return
        if inspect.isawaitable(result):
            self.spawn(_await(result, self._report))

    def spawn(self, coro: Any) -> asyncio.Task[Any]:
        task: asyncio.Task[Any] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()


async def _await(awaitable: Any, report: Callable[[BaseException], None]) -> None:
    try:
        await awaitable
    except asyncio.CancelledError:
        raise
    except Exception as err:
        report(err)
