"""The reconnect backoff: full jitter below a ceiling that doubles up to a cap."""

from __future__ import annotations

from qe_nexus import Backoff


def test_full_jitter_below_a_doubling_ceiling() -> None:
    draws = iter([0.5, 0.5, 0.5, 0.999, 0.0])
    b = Backoff(initial=0.1, maximum=1.0, random=lambda: next(draws))
    assert [round(b.next(), 4) for _ in range(5)] == [0.05, 0.1, 0.2, 0.7992, 0.0]


def test_defaults_reach_a_two_second_cap_so_a_client_is_back_within_two_seconds_of_the_edge() -> None:
    b = Backoff(random=lambda: 0.999999)
    ceilings = []
    for _ in range(6):
        ceilings.append(b.ceiling())
        b.next()
    assert ceilings == [0.5, 1.0, 2.0, 2.0, 2.0, 2.0]
    assert all(b.next() < 2.0 for _ in range(1000))


def test_reset_starts_over() -> None:
    b = Backoff(initial=0.1, maximum=1.0, random=lambda: 0.5)
    b.next()
    b.next()
    b.reset()
    assert b.next() == 0.05
