"""This connection's last will, held by the edge: published when the connection ends without a clean leave."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from .errors import BadRequestError, DisconnectedError
from .frames import Frame, clear_will_frame, will_frame
from .identity import NAME_PATTERN

#: Writes a request built from its id and resolves with the answer.
Declare = Callable[[str, Callable[[str], Frame]], Awaitable[Frame | None]]


@dataclass(frozen=True)
class _Will:
    channel: str
    data: str
    retain: bool


class LastWill:
    """Declared with a ``will`` frame, declared again on every reconnect (the edge forgets a connection's
    will when it ends), withdrawn with ``{"t":"will","clear":true}``.

    ``declare`` writes on the open socket at once (a restore); ``queue`` waits for ``connected``.
    """

    def __init__(self, declare: Declare, queue: Declare) -> None:
        self._declare = declare
        self._queue = queue
        self._will: _Will | None = None

    def is_set(self) -> bool:
        return self._will is not None

    async def set(self, channel: str, data: str, retain: bool) -> None:
        """Declares a will, replacing the previous one; returns on the server's ack."""
        if not NAME_PATTERN.fullmatch(channel):
            raise BadRequestError(f"channel must match {NAME_PATTERN.pattern}: {channel!r}")
        previous, will = self._will, _Will(channel, data, retain)
        self._will = will
        try:
            await self._queue("will", lambda id: will_frame(id, channel, data, retain=retain))
        except Exception as err:
            # A refused will (forbidden, too_large) leaves the previous one in force, on the edge as here.
            if self._will is will and not (isinstance(err, DisconnectedError) and err.retryable):
                self._will = previous
            raise

    async def clear(self) -> None:
        """Withdraws the will; returns on the server's ack."""
        self._will = None
        await self._queue("will", clear_will_frame)

    async def restore(self) -> None:
        """Declares the will again on a fresh socket."""
        will = self._will
        if will is None:
            return
        try:
            await self._declare("will", lambda id: will_frame(id, will.channel, will.data, retain=will.retain))
        except DisconnectedError as err:
            if not err.retryable:
                raise
