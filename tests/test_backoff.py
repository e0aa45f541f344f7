"""The village desk's push schedule: a regular interval, exponential back-off after failures, capped at an hour."""

from __future__ import annotations

from app.sync.backoff import CAP_S, FIRST_RETRY_S, INTERVAL_S, Backoff


def test_back_off_doubles_from_the_first_retry_up_to_the_cap_and_resets_on_success() -> None:
    b = Backoff()
    assert b.delay() == INTERVAL_S == 300
    delays = [b.failed() for _ in range(10)]
    assert delays[:6] == [FIRST_RETRY_S * 2**i for i in range(6)] == [60, 120, 240, 480, 960, 1920]
    assert delays[6:] == [CAP_S] * 4 and max(delays) == 3600
    assert b.failures == 10
    assert b.succeeded() == INTERVAL_S and b.failures == 0 and b.delay() == INTERVAL_S
    assert b.failed() == FIRST_RETRY_S  # a new run of failures starts again from the first retry


def test_many_failures_never_overflow() -> None:
    b = Backoff(interval=10, first_retry=1, cap=50)
    for _ in range(5000):
        b.failed()
    assert b.delay() == 50
