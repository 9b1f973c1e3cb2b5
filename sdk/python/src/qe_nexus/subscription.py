"""One local subscription to a channel: a handler, an async iterator, or both."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Generator
from types import TracebackType
from typing import Any, Literal, overload

from .channel_position import Gap, Resubscribed
from .frames import Message
from .handlers import positional_count

#: A channel handler: ``handler(text, message)``, or ``handler(text)``; sync or async.
MessageHandler = Callable[..., Any]


class Subscription:
    """Messages of one channel, from :meth:`Client.subscribe`.

    Iterate it, give it a handler, or both; leaving ``async with`` or ``break`` out of ``async for``
    does not unsubscribe by itself, :meth:`unsubscribe` does (``async with`` does it on exit)::

        async with await nx.subscribe("prices") as sub:
            async for m in sub:
                print(m.seq, m.text)
    """

    def __init__(
        self,
        channel: str,
        handler: MessageHandler | None,
        release: Callable[[Subscription], Awaitable[None]],
        run: Callable[[Callable[[], Any]], None],
    ) -> None:
        self.channel = channel
        self._handler = handler
        self._takes_message = handler is not None and positional_count(handler) >= 2
        self._release = release
        self._run = run
        # Without a handler the iterator is the only consumer: keep what arrives before the loop starts.
        self._queue: asyncio.Queue[Message | None] | None = asyncio.Queue() if handler is None else None
        self._ended = False
        self._listeners: dict[str, list[Callable[[Any], Any]]] = {"resubscribed": [], "gap": []}
        #: The outcome of the latest resubscribe: ``None`` until the first reconnect, then whether every
        #: message published meanwhile was recovered (see :class:`Resubscribed`).
        self.recovered: bool | None = None

    @property
    def closed(self) -> bool:
        """``True`` once unsubscribed or the client closed."""
        return self._ended

    @overload
    def on(self, event: Literal["resubscribed"], listener: Callable[[Resubscribed], Any]) -> Callable[[], None]: ...
    @overload
    def on(self, event: Literal["gap"], listener: Callable[[Gap], Any]) -> Callable[[], None]: ...
    def on(self, event: str, listener: Callable[[Any], Any]) -> Callable[[], None]:
        """Listens to a subscription's event (``listener`` sync or async); returns the function that stops listening.

        - ``resubscribed``: after every reconnect, once the channel is subscribed again and before any message of
          the new socket, ``listener(Resubscribed)`` says whether nothing was missed.
        - ``gap``: ``listener(Gap)`` when messages were missed: after a resubscribe that did not recover (right
          after its ``resubscribed`` report), or before a live message whose ``seq`` skipped some::

            sub.on("gap", lambda g: reload(g.channel))  # fetch the state afresh: some messages are gone
        """
        listeners = self._listeners.get(event)
        if listeners is None:
            raise ValueError(f"unknown event {event!r}: a subscription has 'resubscribed' and 'gap'")
        listeners.append(listener)
        return lambda: listeners.remove(listener) if listener in listeners else None

    def resubscribed(self, report: Resubscribed) -> None:
        """Records and announces a resubscribe's outcome (internal)."""
        if self._ended:
            return
        self.recovered = report.recovered
        self._emit("resubscribed", report)

    def gap(self, report: Gap) -> None:
        """Announces missed messages (internal)."""
        if not self._ended:
            self._emit("gap", report)

    def _emit(self, event: str, report: Any) -> None:
        for listener in list(self._listeners[event]):
            self._run(functools.partial(listener, report))

    async def unsubscribe(self) -> None:
        """Stops this subscription; the wire ``unsub`` goes out when it was the channel's last one."""
        if self._ended:
            return
        self.end()
        await self._release(self)

    def deliver(self, message: Message) -> None:
        """Hands one message to the handler and the iterator (internal)."""
        if self._ended:
            return
        handler = self._handler
        if handler is not None:
            self._run(lambda: handler(message.text, message) if self._takes_message else handler(message.text))
        if self._queue is not None:
            self._queue.put_nowait(message)

    def end(self) -> None:
        """Ends iteration (internal): on unsubscribe and when the client closes."""
        if self._ended:
            return
        self._ended = True
        if self._queue is not None:
            self._queue.put_nowait(None)

    def __aiter__(self) -> Subscription:
        if self._queue is None:
            self._queue = asyncio.Queue()
            if self._ended:
                self._queue.put_nowait(None)
        return self

    async def __anext__(self) -> Message:
        assert self._queue is not None
        message = await self._queue.get()
        if message is None:
            self._queue.put_nowait(None)  # every later __anext__ ends too
            raise StopAsyncIteration
        return message

    async def __aenter__(self) -> Subscription:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.unsubscribe()


class Subscribing:
    """What :meth:`Client.subscribe` returns: await it for the :class:`Subscription` (after the server's
    ack), or use it directly in ``async with`` (subscribes on enter, unsubscribes on exit)."""

    def __init__(self, ready: Awaitable[Subscription]) -> None:
        self._ready = ready
        self._sub: Subscription | None = None

    def __await__(self) -> Generator[Any, None, Subscription]:
        return self._ready.__await__()

    async def __aenter__(self) -> Subscription:
        self._sub = await self._ready
        return self._sub

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._sub is not None:
            await self._sub.unsubscribe()
