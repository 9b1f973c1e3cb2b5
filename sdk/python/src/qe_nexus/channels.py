"""The channels this client wants, each with its local subscriptions."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from .backoff import Backoff
from .channel_position import ChannelPosition, wire_int
from .errors import BadRequestError, DisconnectedError, NexusError
from .frames import Frame, Message, sub_frame, unsub_frame
from .identity import NAME_PATTERN
from .subscription import MessageHandler, Subscription


class Declare(Protocol):
    """Writes a declaration (``sub``, ``unsub``) past the call queue; ``on_answer`` sees its ack at once."""

    def __call__(
        self, what: str, build: Callable[[str], Frame], on_answer: Callable[[Frame], None] | None = None, /
    ) -> Awaitable[Frame | None]: ...


@dataclass
class _Channel:
    position: ChannelPosition
    subs: set[Subscription] = field(default_factory=set)
    active: bool = False
    waiters: list[tuple[Subscription, asyncio.Future[Subscription]]] = field(default_factory=list)
    #: A resubscribe the edge refused for now (``rate_limited``): how long the tries wait, and the next one.
    retry: _Retry | None = None


@dataclass
class _Retry:
    backoff: Backoff
    timer: asyncio.TimerHandle | None = None


def _resubscribe_backoff() -> Backoff:
    """How a refused resubscribe waits before it tries again: 0.5 s doubling to 5 s, full jitter."""
    return Backoff(initial=0.5, maximum=5.0)


def _stop_retry(entry: _Channel) -> None:
    if entry.retry is not None and entry.retry.timer is not None:
        entry.retry.timer.cancel()
    entry.retry = None


class ChannelSubscriptions:
    """One wire ``sub`` per channel however many local subscriptions share it, all restored after a
    reconnect (with ``since``/``epoch`` when the edge told an epoch), ``unsub`` when the last one goes.

    A reconnect never delivers a message twice: a message at or below the last ``seq`` delivered under the
    same epoch is dropped (see :class:`ChannelPosition`). Each resubscribe tells the channel's subscriptions
    whether it recovered (``ack.recovered``), and of the gap when it did not, before the messages that follow
    the ack; a live message whose ``seq`` skipped some is announced as a gap before it is delivered.

    A resubscribe the edge refuses with a retryable error (it paces joins of channels new to the app, so a
    restore of many channels is partly ``rate_limited``) is reported and tried again after a backoff, with the
    same ``since``/``epoch``, while the socket is up; a first subscribe's refusal goes to its caller instead.
    """

    def __init__(
        self,
        declare: Declare,
        is_open: Callable[[], bool],
        report: Callable[[BaseException], None],
        run: Callable[[Callable[[], Any]], None],
    ) -> None:
        self._declare = declare
        self._is_open = is_open
        self._report = report
        self._run = run
        self._channels: dict[str, _Channel] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def names(self) -> list[str]:
        return list(self._channels)

    def add(self, channel: str, handler: MessageHandler | None) -> asyncio.Future[Subscription]:
        """A local subscription; the future resolves once the server's ack says messages flow."""
        future: asyncio.Future[Subscription] = asyncio.get_running_loop().create_future()
        if not NAME_PATTERN.fullmatch(channel):
            future.set_exception(BadRequestError(f"channel must match {NAME_PATTERN.pattern}: {channel!r}"))
            return future
        sub = Subscription(channel, handler, self._remove, self._run)
        entry = self._channels.get(channel)
        if entry is not None and entry.active:
            entry.subs.add(sub)
            future.set_result(sub)
            return future
        is_new = entry is None
        if entry is None:
            entry = self._channels[channel] = _Channel(ChannelPosition(channel))
        entry.subs.add(sub)
        entry.waiters.append((sub, future))
        if is_new and self._is_open():
            self._spawn(self._send_sub(channel, entry))
        return future

    async def restore(self) -> None:
        """Sends one ``sub`` per channel on a fresh socket; returns when every channel is acked or failed."""
        await asyncio.gather(*(self._send_sub(name, entry) for name, entry in list(self._channels.items())))

    def dropped(self) -> None:
        """The socket dropped: every channel must be subscribed again on the next one."""
        for entry in self._channels.values():
            entry.active = False
            _stop_retry(entry)  # the next socket's restore subscribes again anyway

    def deliver(self, frame: Frame) -> None:
        """Hands a ``msg`` frame to the channel's local subscriptions."""
        message = Message.from_wire(frame)
        entry = self._channels.get(message.channel)
        if entry is None:
            return
        deliver, gap = entry.position.accept(message.seq, message.retained)
        if not deliver:
            return  # delivered already
        subs = list(entry.subs)
        if gap is not None:
            for sub in subs:
                sub.gap(gap)
        for sub in subs:
            sub.deliver(message)

    def close_all(self, error: NexusError) -> None:
        """Ends every subscription and fails every waiting ``subscribe()`` (the client closed)."""
        for entry in self._channels.values():
            _stop_retry(entry)
            for sub in entry.subs:
                sub.end()
            for _, future in entry.waiters:
                if not future.done():
                    future.set_exception(error)
        self._channels.clear()
        for task in list(self._tasks):
            task.cancel()

    async def _send_sub(self, name: str, entry: _Channel) -> None:
        since, epoch = entry.position.resume_fields()

        def on_ack(ack: Frame) -> None:
            if self._channels.get(name) is entry:
                self._on_ack(name, entry, ack, since is not None)

        try:
            await self._declare("sub", lambda id: sub_frame(id, name, since=since, epoch=epoch), on_ack)
        except DisconnectedError as err:
            if err.retryable:
                return  # the next socket's restore subscribes again; the waiters keep waiting
            self._fail(name, entry, err)
            return
        except NexusError as err:
            self._fail(name, entry, err)
            return
        if self._channels.get(name) is not entry:
            return
        entry.active = True
        entry.retry = None  # the next refusal starts from the first delay again
        for sub, future in entry.waiters:
            if not future.done():
                future.set_result(sub)
        entry.waiters.clear()

    def _on_ack(self, name: str, entry: _Channel, ack: Frame, asked: bool) -> None:
        # Runs as the ack arrives, before the frames behind it: the listener hears of a gap before what follows.
        epoch = ack.get("epoch")
        report, gap = entry.position.acked(
            wire_int(ack.get("seq")), epoch if isinstance(epoch, str) else None, asked and ack.get("recovered") is True
        )
        if report is None:
            return
        waiting = {sub for sub, _ in entry.waiters}
        subs = [sub for sub in entry.subs if sub not in waiting]
        for sub in subs:
            sub.resubscribed(report)
        if gap is not None:
            for sub in subs:
                sub.gap(gap)

    def _fail(self, name: str, entry: _Channel, err: NexusError) -> None:
        if self._channels.get(name) is not entry:
            return
        waiters, entry.waiters = entry.waiters, []
        for sub, future in waiters:
            entry.subs.discard(sub)
            sub.end()
            if not future.done():
                future.set_exception(err)
        if not entry.subs:
            del self._channels[name]
            return
        if err.retryable:
            # Subscriptions that flowed before the drop remain: a refusal for now (rate_limited) is tried again.
            self._retry_later(name, entry)
            self._report(err)
        elif not waiters:
            self._report(err)

    def _retry_later(self, name: str, entry: _Channel) -> None:
        retry = entry.retry = entry.retry or _Retry(_resubscribe_backoff())

        def again() -> None:
            retry.timer = None
            if self._channels.get(name) is entry and not entry.active and self._is_open():
                self._spawn(self._send_sub(name, entry))

        retry.timer = asyncio.get_running_loop().call_later(retry.backoff.next(), again)

    async def _remove(self, sub: Subscription) -> None:
        entry = self._channels.get(sub.channel)
        if entry is None or sub not in entry.subs:
            return
        entry.subs.discard(sub)
        if entry.subs:
            return
        del self._channels[sub.channel]
        _stop_retry(entry)
        for _, future in entry.waiters:
            if not future.done():
                future.set_exception(BadRequestError("unsubscribed before the ack"))
        if not self._is_open():
            return
        # After a drop the server has forgotten the subscription anyway.
        with contextlib.suppress(DisconnectedError):
            await self._declare("unsub", lambda id: unsub_frame(id, sub.channel))

    def _spawn(self, coro: Any) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
