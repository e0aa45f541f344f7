"""The one place that reads the wall clock, so tests can pass a fixed time instead."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    """Business dates are local dates in Asia/Shanghai, whatever the PC's own time zone."""
    return dt.datetime.now(LOCAL_TZ).date()
