"""Requests waiting for their answer, keyed by ``id``."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import NexusError, TimeoutError, from_wire
from .frames import Frame, encode

#: Builds a request's frame from its id (``None`` for fire-and-forget) and the budget left, in ms.
FrameBuilder = Callable[[str | None, int], Frame]

# The server times a call out itself at ``timeoutMs``; the local timer waits a little longer so its answer wins.
SENT_GRACE_S = 1.0


@dataclass
class _Entry:
    id: str
    what: str
    build: FrameBuilder
    timeout: float
    deadline: float
    expect_answer: bool
    future: asyncio.Future[Frame | None]
    on_answer: Callable[[Frame], None] | None = None
    sent: bool = False
    timer: asyncio.TimerHandle | None = field(default=None, repr=False)


class PendingRequests:
    """Queued while disconnected (bounded by their timeout), rejected with a retryable ``disconnected``
    when the socket drops after they were written; answered by ``settle`` on ack/error/result frames.

    ``send`` writes one frame and answers whether a socket took it; ``ready`` tells whether calls may go out.
    """

    def __init__(self, send: Callable[[str], bool], ready: Callable[[], bool]) -> None:
        self._send = send
        self._ready = ready
        self._entries: dict[str, _Entry] = {}
        self._next = 0

    def __len__(self) -> int:
        return len(self._entries)

    def request(
        self,
        what: str,
        build: FrameBuilder,
        *,
        timeout: float,
        expect_answer: bool,
        bypass_queue: bool = False,
        on_answer: Callable[[Frame], None] | None = None,
    ) -> asyncio.Future[Frame | None]:
        """Writes (or queues) a frame; the future gets its answer frame, ``None`` for fire-and-forget.

        ``on_answer`` sees a successful answer at once, before the reader handles the next frame (a
        future's waiter runs only later), so what a ``sub`` ack says is in force for the frames behind it."""
        loop = asyncio.get_running_loop()
        self._next += 1
        prefix = "c" if what.startswith("api ") else what[0]
        entry = _Entry(
            id=f"{prefix}{self._next}",
            what=what,
            build=build,
            timeout=timeout,
            deadline=loop.time() + timeout,
            expect_answer=expect_answer,
            future=loop.create_future(),
            on_answer=on_answer,
        )
        self._entries[entry.id] = entry
        # A caller that stops waiting (cancelled, wait_for) frees its entry at once.
        entry.future.add_done_callback(lambda f: self._forget(entry.id) if f.cancelled() else None)
        self._arm(entry, timeout)
        if bypass_queue or self._ready():
            self._write(entry)
        return entry.future

    def flush(self) -> None:
        """Writes every queued request, in the order they were made (the connection is ready)."""
        for entry in list(self._entries.values()):
            if not entry.sent:
                self._write(entry)

    def settle(self, frame: Frame) -> bool:
        """Settles the request an answer belongs to; ``False`` when none has that id (late or foreign)."""
        frame_id = frame.get("id")
        entry = self._entries.get(frame_id) if isinstance(frame_id, str) else None
        if entry is None:
            return False
        if frame.get("t") == "error":
            self._finish(entry, error=from_wire(frame))
        elif frame.get("t") == "api.result" and frame.get("ok") is not True:
            self._finish(entry, error=from_wire(frame.get("error")))
        else:
            if entry.on_answer is not None and not entry.future.done():
                entry.on_answer(frame)
            self._finish(entry, result=frame)
        return True

    def drop_in_flight(self, error: NexusError) -> None:
        """Rejects what was written on a socket that dropped; queued requests wait for the next one."""
        for entry in list(self._entries.values()):
            if entry.sent:
                self._finish(entry, error=error)

    def reject_all(self, error: NexusError) -> None:
        """Rejects everything, written or queued (the client is closing)."""
        for entry in list(self._entries.values()):
            self._finish(entry, error=error)

    def _write(self, entry: _Entry) -> None:
        remaining = entry.deadline - asyncio.get_running_loop().time()
        budget_ms = max(1, round(min(remaining, entry.timeout) * 1000))
        if not self._send(encode(entry.build(entry.id if entry.expect_answer else None, budget_ms))):
            return  # no socket took it: it stays queued for the next one
        entry.sent = True
        if not entry.expect_answer:
            self._finish(entry, result=None)
            return
        self._arm(entry, remaining + SENT_GRACE_S)

    def _arm(self, entry: _Entry, delay: float) -> None:
        if entry.timer is not None:
            entry.timer.cancel()

        def expire() -> None:
            where = "no answer" if entry.sent else "not connected"
            self._finish(entry, error=TimeoutError(f"{entry.what}: {where} within {entry.timeout:g} s"))

        entry.timer = asyncio.get_running_loop().call_later(max(0.0, delay), expire)

    def _finish(self, entry: _Entry, *, result: Frame | None = None, error: NexusError | None = None) -> None:
        if self._entries.pop(entry.id, None) is None:
            return
        if entry.timer is not None:
            entry.timer.cancel()
        if entry.future.done():
            return
        if error is not None:
            entry.future.set_exception(error)
        else:
            entry.future.set_result(result)

    def _forget(self, entry_id: str) -> None:
        entry = self._entries.pop(entry_id, None)
        if entry is not None and entry.timer is not None:
            entry.timer.cancel()


def answer_data(frame: Frame | None) -> Any:
    """The ``data`` of an ``api.result`` answer."""
    return frame.get("data") if frame is not None else None
