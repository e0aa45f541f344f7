"""Case numbers: `（2026）甘调字第0012号` — committee code, year, per-year sequence — and the short
form users type, `2026-12`."""

from __future__ import annotations

import re

from sqlalchemy import func
from sqlmodel import Session, select

from app.errors import ValidationError
from app.i18n import _
from app.models.cases import Case

SHORT_RE = re.compile(r"^\s*(\d{4})\s*-\s*(\d{1,5})\s*$")
FULL_RE = re.compile(r"^\s*[（(]\s*(\d{4})\s*[）)]\s*(.*?)调字第\s*(\d{1,5})\s*号\s*$")


def format_case_number(year: int, code: str, seq: int) -> str:
    return f"（{year}）{code}调字第{seq:04d}号"


def parse_case_ref(ref: str) -> tuple[int, int]:
    """(year, sequence) of `2026-12` or `（2026）甘调字第0012号`."""
    m = SHORT_RE.match(ref or "")
    if m:
        return int(m.group(1)), int(m.group(2))
    m = FULL_RE.match(ref or "")
    if m:
        return int(m.group(1)), int(m.group(3))
    message = _("{field} “{value}” is not a case number (write it as 2026-12 or （2026）甘调字第0012号).")
    raise ValidationError("case", message.format(field=_("Case number"), value=ref))


def next_sequence(session: Session, origin: str, year: int) -> int:
    """The next number of the year on this desk. Call inside a write (BEGIN IMMEDIATE) transaction, so two
    windows saving at once cannot read the same maximum; the unique constraint is the last guard."""
    current = session.exec(select(func.max(Case.number_seq)).where(Case.origin == origin, Case.number_year == year)).one()
    return int(current or 0) + 1
