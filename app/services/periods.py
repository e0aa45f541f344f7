"""Periods as users write them — `2026`, `2026Q4`, `2026-11`, or `2026-10-01..2026-12-31` — as date ranges."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from app.errors import ValidationError
from app.i18n import _


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive
    text: str

    @property
    def kind(self) -> str:
        """year, quarter, month or range (a custom range, even one that happens to be a whole month)."""
        if ".." in self.text:
            return "range"
        if "Q" in self.text:
            return "quarter"
        return "month" if "-" in self.text else "year"


def parse_period(text: str) -> Period:
    value = (text or "").strip().upper()
    if m := re.fullmatch(r"(\d{4})", value):
        year = int(m.group(1))
        return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), value)
    if m := re.fullmatch(r"(\d{4})Q([1-4])", value):
        year, quarter = int(m.group(1)), int(m.group(2))
        first = 3 * quarter - 2
        return Period(dt.date(year, first, 1), dt.date(year, first + 2, calendar.monthrange(year, first + 2)[1]), value)
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", value):
        year, month = int(m.group(1)), int(m.group(2))
        if 1 <= month <= 12:
            return Period(dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1]), value)
    if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", value):
        try:
            start, end = dt.date.fromisoformat(m.group(1)), dt.date.fromisoformat(m.group(2))
        except ValueError:
            start = end = dt.date.min
        if start != dt.date.min and start <= end:
            return Period(start, end, value)
    raise ValidationError("period", _("{field} “{value}” is not a period (write 2026, 2026Q4, 2026-11 or 2026-10-01..2026-12-31).").format(
        field=_("Period"), value=text))
