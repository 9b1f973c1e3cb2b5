"""Where a subscription stands in a channel's sequence (pure): duplicates, resume points, and the gaps it
reports, by the same rules as the TypeScript SDK's ``ChannelPosition``."""

from __future__ import annotations

from qe_nexus import Gap, Resubscribed
from qe_nexus.channel_position import Accepted, Acked, ChannelPosition


def subscribed(seq: int | None = 40, epoch: str | None = "e1") -> ChannelPosition:
    pos = ChannelPosition("prices")
    assert pos.acked(seq, epoch, recovered=False) == Acked(report=None, gap=None)
    return pos


def test_the_first_subscribe_reports_nothing_and_resumes_from_the_acks_seq() -> None:
    pos = ChannelPosition("prices")
    assert pos.resume_fields() == (None, None)
    assert pos.acked(40, "e1", recovered=False) == Acked(None, None)
    assert pos.resume_fields() == (40, "e1")


def test_consecutive_live_messages_have_no_gap_and_duplicates_are_dropped() -> None:
    pos = subscribed(40)
    assert pos.accept(41, retained=False) == Accepted(True, None)
    assert pos.accept(42, retained=False) == Accepted(True, None)
    assert pos.accept(42, retained=False) == Accepted(False, None)
    assert pos.accept(30, retained=False) == Accepted(False, None)
    assert pos.resume_fields() == (42, "e1")


def test_a_live_seq_that_skips_reports_a_seq_jump_before_the_message() -> None:
    pos = subscribed(0)
    assert pos.accept(1, retained=False) == Accepted(True, None)
    assert pos.accept(4, retained=False) == Accepted(True, Gap("prices", "seq_jump", 1, 4, epoch_changed=False))
    assert pos.accept(5, retained=False) == Accepted(True, None)  # the run goes on from 4


def test_a_jump_right_after_the_ack_counts_from_the_acks_seq() -> None:
    pos = subscribed(40)
    assert pos.accept(43, retained=False).gap == Gap("prices", "seq_jump", 40, 43, False)


def test_the_retained_value_neither_moves_nor_breaks_the_run() -> None:
    pos = subscribed(40)
    assert pos.accept(12, retained=True) == Accepted(True, None)  # older than the ack: no gap
    assert pos.resume_fields() == (40, "e1")
    assert pos.accept(41, retained=False) == Accepted(True, None)


def test_a_recovered_resubscribe_has_no_gap() -> None:
    pos = subscribed(40)
    pos.accept(41, retained=False)
    assert pos.acked(44, "e1", recovered=True) == Acked(Resubscribed("prices", True, epoch="e1", seq=44), None)
    assert [pos.accept(s, retained=False) for s in (41, 42, 43, 44)] == [
        Accepted(False, None),
        Accepted(True, None),
        Accepted(True, None),
        Accepted(True, None),
    ]


def test_a_resubscribe_that_did_not_recover_reports_not_recovered_from_the_last_seq_to_after_the_ack() -> None:
    pos = subscribed(5)
    pos.accept(5, retained=True)
    pos.accept(6, retained=False)
    assert pos.acked(900, "e1", recovered=False) == Acked(
        Resubscribed("prices", False, epoch="e1", seq=900), Gap("prices", "not_recovered", 6, 901, False)
    )
    assert pos.accept(5, retained=True) == Accepted(False, None)  # the retained value it had already
    assert pos.accept(901, retained=False) == Accepted(True, None)  # no second gap for the same loss
    assert pos.resume_fields() == (901, "e1")


def test_a_new_epoch_starts_over_and_says_so() -> None:
    pos = subscribed(50, "old")
    pos.accept(51, retained=False)
    assert pos.acked(2, "new", recovered=False) == Acked(
        Resubscribed("prices", False, epoch="new", seq=2), Gap("prices", "not_recovered", 51, 3, epoch_changed=True)
    )
    assert pos.accept(2, retained=True) == Accepted(True, None)  # a lower seq of the new run is new
    assert pos.accept(3, retained=False) == Accepted(True, None)
    assert pos.resume_fields() == (3, "new")


def test_without_an_epoch_a_seq_that_went_back_starts_over() -> None:
    pos = subscribed(10, None)
    pos.accept(11, retained=False)
    assert pos.acked(3, None, recovered=False).gap == Gap("prices", "not_recovered", 11, 4, epoch_changed=True)
    assert pos.accept(4, retained=False) == Accepted(True, None)


def test_an_edge_without_history_never_resumes_and_every_resubscribe_is_a_gap() -> None:
    pos = subscribed(None, None)
    pos.accept(3, retained=False)
    assert pos.resume_fields() == (None, None)
    assert pos.acked(None, None, recovered=False) == Acked(
        Resubscribed("prices", False, epoch=None, seq=None), Gap("prices", "not_recovered", 3, None, False)
    )


def test_the_report_carries_the_acks_epoch_and_seq_not_the_last_one_delivered() -> None:
    pos = subscribed(40)
    pos.accept(41, retained=False)
    report = pos.acked(47, "e1", recovered=True).report
    assert report is not None
    assert (report.epoch, report.seq) == ("e1", 47)  # the channel's position, not the client's 41


def test_an_ack_without_epoch_or_seq_reports_neither() -> None:
    pos = subscribed(40)
    assert pos.acked(None, None, recovered=False).report == Resubscribed("prices", False, epoch=None, seq=None)
