"""When a village desk next tries to push to the township over the network: a regular interval while
pushes succeed, and an exponential back-off after failures (the network is down, the township's PC is
off), capped so that a desk offline for days still tries about once an hour. Pure Python, no Qt: the
window's timer asks it for the next delay."""

from __future__ import annotations

from dataclasses import dataclass

START_DELAY_S = 20.0  # the first push, shortly after the window opens
INTERVAL_S = 300.0  # every 5 minutes while pushes succeed
FIRST_RETRY_S = 60.0  # after the first failure
CAP_S = 3600.0  # never wait longer than an hour


@dataclass
class Backoff:
    interval: float = INTERVAL_S
    first_retry: float = FIRST_RETRY_S
    cap: float = CAP_S
    failures: int = 0

    def succeeded(self) -> float:
        """A push went through: back to the regular interval. Returns the delay until the next push."""
        self.failures = 0
        return self.interval

    def failed(self) -> float:
        """A push failed: wait twice as long as last time (from `first_retry`), at most `cap`."""
        self.failures += 1
        return self.delay()

    def delay(self) -> float:
        """The delay until the next try given the failures so far."""
        if self.failures == 0:
            return self.interval
        return min(self.cap, self.first_retry * 2.0 ** min(self.failures - 1, 30))
