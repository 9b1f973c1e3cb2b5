"""Where one channel's subscription stands in the channel's sequence, and what it reports (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

#: Why messages are missing: a resubscribe the edge could not recover, or a live ``seq`` that skipped some.
GapReason = Literal["not_recovered", "seq_jump"]


@dataclass(frozen=True)
class Gap:
    """Messages this subscription did not get (the ``gap`` event; the TypeScript SDK's ``GapEvent``).

    ``not_recovered``: after a reconnect the edge could not replay what was published meanwhile (its history
    no longer holds it, or the channel started a new epoch); it comes right after the ``resubscribed`` report.
    ``seq_jump``: a live message whose ``seq`` skipped some (a delivery lost in the edge, or the numbers an
    edge crash skipped); it comes right before that message. Either way, fetch the state afresh rather than
    trust the stream.

    ``after_seq`` is the last seq this client had (``None`` when it had none); ``next_seq`` the first seq after
    the gap, when known (the jumping message's seq, or the ack's seq + 1); ``epoch_changed`` is ``True`` when the
    channel's sequence started again, so seqs before and after do not compare.

    >>> Gap("prices", "seq_jump", after_seq=1, next_seq=4, epoch_changed=False)
    Gap(channel='prices', reason='seq_jump', after_seq=1, next_seq=4, epoch_changed=False)
    """

    channel: str
    reason: GapReason
    after_seq: int | None
    next_seq: int | None
    epoch_changed: bool


@dataclass(frozen=True)
class Resubscribed:
    """How a subscription came back after a reconnect (the ``resubscribed`` event, as centrifuge's
    ``subscribed`` context with ``recovered``; the TypeScript SDK's ``ResubscribedEvent``).

    ``recovered`` is ``True`` when the edge delivered, from the channel's history, every message published
    while this client was away: they follow, in order, before live ones, none twice. ``False`` means some
    may be missing (the history no longer reached back, the channel started again, or nothing had told
    the client where it stood); the retained value, if any, follows instead.

    ``epoch`` and ``seq`` are the channel's epoch and its seq when the resubscription took effect, from the
    edge's ``sub`` ack (not the last message this client had): after a recovery the missed messages up to
    ``seq`` follow, otherwise live messages start after it. Both are ``None`` when the ack had none (an edge
    without history).

    >>> Resubscribed("prices", recovered=True, epoch="k3x9", seq=41)
    Resubscribed(channel='prices', recovered=True, epoch='k3x9', seq=41)
    >>> Resubscribed("prices", recovered=False)  # an ack without epoch or seq
    Resubscribed(channel='prices', recovered=False, epoch=None, seq=None)
    """

    channel: str
    recovered: bool
    epoch: str | None = None
    seq: int | None = None


class Acked(NamedTuple):
    """What a ``sub`` ack means for the subscription: after a reconnect, the report for its listeners
    (``None`` after the first subscribe), and the gap when the resubscribe did not recover."""

    report: Resubscribed | None
    gap: Gap | None


class Accepted(NamedTuple):
    """Whether to deliver a message (``False``: a duplicate), and the gap its seq reveals, if any."""

    deliver: bool
    gap: Gap | None


def wire_int(value: Any) -> int | None:
    """An integer field of a frame (``bool`` is not one)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class ChannelPosition:
    """The epoch the edge told, the last seq delivered under it (what is at or below is a duplicate), and
    where a resubscribe resumes: the last seq delivered, or the ack's seq when nothing later came (older
    messages were never this subscription's). The same rules as the TypeScript SDK's ``ChannelPosition``.

    >>> pos = ChannelPosition("prices")
    >>> pos.acked(seq=41, epoch="k3x9", recovered=False)  # the first subscribe
    Acked(report=None, gap=None)
    >>> pos.accept(43, retained=False).gap
    Gap(channel='prices', reason='seq_jump', after_seq=41, next_seq=43, epoch_changed=False)
    >>> pos.resume_fields()  # the since/epoch of the sub after a reconnect
    (43, 'k3x9')
    """

    def __init__(self, channel: str) -> None:
        self.channel = channel
        self._epoch: str | None = None
        self._delivered: int | None = None  # the highest seq delivered under _epoch
        self._resume: int | None = None
        self._subscribed_before = False

    def resume_fields(self) -> tuple[int | None, str | None]:
        """``(since, epoch)`` for the next ``sub``: none until the edge has told an epoch."""
        if self._epoch is None or self._resume is None:
            return None, None
        return self._resume, self._epoch

    def acked(self, seq: int | None, epoch: str | None, recovered: bool) -> Acked:
        """Takes a ``sub`` ack's ``seq``, ``epoch`` and ``recovered``; after a reconnect, says what to report."""
        resubscribed, self._subscribed_before = self._subscribed_before, True
        before = self._resume
        # Without an epoch (an edge without history), a seq that went back also means the sequence started again.
        went_back = seq is not None and self._delivered is not None and seq < self._delivered
        same_run = epoch == self._epoch and not went_back
        if not same_run:
            self._epoch, self._delivered, self._resume = epoch, None, None
        # Unless recovered messages follow, live ones start after the ack's seq.
        if not recovered and seq is not None:
            self._resume = seq if self._resume is None else max(self._resume, seq)
        if not resubscribed:
            return Acked(None, None)
        report = Resubscribed(self.channel, recovered, epoch, seq)
        if recovered:
            return Acked(report, None)
        following = None if seq is None else seq + 1
        return Acked(report, Gap(self.channel, "not_recovered", before, following, not same_run))

    def accept(self, seq: int, retained: bool) -> Accepted:
        """Takes a message's ``seq``: deliver it unless a duplicate; a gap when it skipped some."""
        if self._delivered is not None and seq <= self._delivered:
            return Accepted(False, None)
        self._delivered = seq
        # The retained value is older than the subscription's start: it neither moves nor breaks the run.
        if retained:
            return Accepted(True, None)
        after = self._resume
        self._resume = seq if after is None else max(after, seq)
        if after is None or seq <= after + 1:
            return Accepted(True, None)
        return Accepted(True, Gap(self.channel, "seq_jump", after, seq, epoch_changed=False))
