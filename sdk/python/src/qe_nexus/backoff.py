"""Reconnect delays: exponential backoff with full jitter."""

from __future__ import annotations

import random as _random
from collections.abc import Callable


class Backoff:
    """The n-th delay is uniform in ``[0, min(maximum, initial * factor**n))`` seconds (AWS's "full jitter").

    Full jitter spreads the reconnects of many clients after an edge restart instead of bunching them.
    The defaults (0.5 s doubling to 2 s, as NATS's 2 s reconnect wait) bring a client back within 2 s of
    the edge however long the outage was, while a herd of N clients arrives at about N/2 per second.

    >>> b = Backoff(initial=0.1, maximum=1.0, random=lambda: 0.5)
    >>> b.next(), b.next()
    (0.05, 0.1)
    """

    def __init__(
        self,
        *,
        initial: float = 0.5,
        maximum: float = 2.0,
        factor: float = 2.0,
        random: Callable[[], float] = _random.random,
    ) -> None:
        self.initial = initial
        self.maximum = maximum
        self.factor = factor
        self._random = random
        self._attempt = 0

    def ceiling(self) -> float:
        """The upper bound of the next delay, without consuming an attempt."""
        return float(min(self.maximum, self.initial * self.factor**self._attempt))

    def next(self) -> float:
        """The next delay in seconds; each call counts one failed attempt."""
        ceiling = self.ceiling()
        if ceiling < self.maximum:  # stop growing once capped, so a long outage cannot overflow
            self._attempt += 1
        return self._random() * ceiling

    def reset(self) -> None:
        """Starts over from the first delay (after a successful connect)."""
        self._attempt = 0
