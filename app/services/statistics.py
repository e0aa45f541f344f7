"""The figures of a period for the committee's reports (统计报表): cases accepted and resolved, the
resolution rate (化解率 = resolved ÷ accepted), failures, transfers and withdrawals, breakdowns by
category and source, cases per mediator (for the per-case subsidy, 诉前调解个案补贴), follow-ups,
the risk round of the period and the points ledger's movements.

Every figure is counted in SQL (grouped aggregates); only the handful of resolved cases' durations are
read to take their median. Which date places a case in the period:

* accepted — `received_on`;
* resolved — the day its agreement took effect (`Agreement.effective_on`);
* failed / transferred / withdrawn — the local (Asia/Shanghai) date of the case event that moved it there;
* follow-ups — the day of the visit (`visited_on`);
* points — the entry's `occurred_on` (counted entries only, as in the ledger).

The trend (`PeriodReport.trend`, for the charts) counts the same case figures slice by slice: the 12
months of a year; the 8 quarters ending with a quarter; the 12 months ending with a month; a custom
range month by month (clipped to the range), by quarter beyond 24 months, by year beyond 10 years.

The failure, transfer and withdrawal events of the period and of the trend are read once (they are few)
and counted in Python; everything else is a grouped aggregate.

Every figure belongs to one origin (the desk whose rows they are): each aggregate is grouped by the rows'
`origin` as well (`reports_by_origin`), so a township center counts all its villages in one pass and a
village desk counts only its own rows. The origin is a GROUP BY key rather than a WHERE filter: with
SQLite's planner an `origin = ?` filter would choose the per-origin unique index over the date index and
read the whole table. Points entries take their household's origin (an entry is made by the village of
its household), so the date index stays a covering one.
"""

from __future__ import annotations

import bisect
import datetime as dt
import statistics as stats
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import and_, case, distinct, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.clock import LOCAL_TZ
from app.i18n import _, format_date, language
from app.models.cases import (
    MEDIATOR_ROLE_LABELS,
    SOURCE_LABELS,
    Agreement,
    Case,
    CaseCategory,
    CaseEvent,
    CaseMediator,
    CaseSource,
    CaseStatus,
    FollowUp,
    MediatorRole,
)
from app.models.committee import Committee
from app.models.points import EntryKind, PointsEntry
from app.models.risk import LEVEL_ORDER, RiskLevel, RiskRound
from app.models.roster import Household
from app.models.sync import SyncPeer
from app.services import committee, risk
from app.services.cases import category_label
from app.services.context import Actor, require
from app.services.identity import device_id
from app.services.periods import Period, parse_period
from app.services.points import counted_clause

ENDED_STATUSES = (CaseStatus.FAILED, CaseStatus.TRANSFERRED, CaseStatus.WITHDRAWN)


@dataclass(frozen=True)
class BreakdownRow:
    """One line of the table by category or by source."""

    key: str
    label: str  # in the UI language
    accepted: int
    resolved: int
    failed: int
    transferred: int
    name: str = ""  # a category as the committee named it (Chinese: for the printed report); "" for a source

    @property
    def resolution_rate(self) -> float | None:
        return _ratio(self.resolved, self.accepted)


@dataclass(frozen=True)
class MediatorRow:
    name: str
    role: str
    role_label: str
    cases: int  # distinct cases accepted in the period that this mediator sits on
    resolved: int = 0  # distinct cases resolved in the period (agreement in force) that this mediator sits on


@dataclass(frozen=True)
class RiskSummary:
    quarter: str
    low: int
    medium: int
    high: int
    not_assessed: int
    previous_quarter: str | None  # the round before, when there is one
    went_up: int | None  # None when there is no earlier round to compare with
    went_down: int | None


@dataclass(frozen=True)
class PointsSummary:
    gained: int
    deducted: int  # as a positive number
    redeemed: int  # as a positive number


@dataclass(frozen=True)
class TrendPoint:
    """One slice of the trend: a month, a quarter or a year (clipped to a custom range)."""

    label: str  # 2026-11, 2026Q4 or 2026
    start: dt.date
    end: dt.date
    accepted: int
    resolved: int
    failed: int
    transferred: int

    @property
    def resolution_rate(self) -> float | None:
        return _ratio(self.resolved, self.accepted)

    @property
    def whole(self) -> bool:
        """False when a custom range cuts this month (quarter, year) short."""
        full = parse_period(self.label)
        return (full.start, full.end) == (self.start, self.end)


@dataclass(frozen=True)
class PeriodReport:
    committee: str
    period: str
    start: dt.date
    end: dt.date
    accepted: int
    resolved: int
    failed: int
    transferred: int
    withdrawn: int
    resolution_rate: float | None  # resolved ÷ accepted; None when nothing was accepted
    follow_ups: int  # follow-up visits recorded in the period
    performed_fully: int
    performed_share: float | None  # performed_fully ÷ follow_ups; None when no visit was recorded
    median_days: float | None  # received → agreement in force, of the cases resolved in the period
    by_category: tuple[BreakdownRow, ...]
    by_source: tuple[BreakdownRow, ...]
    mediators: tuple[MediatorRow, ...]
    risk: RiskSummary | None  # None when no round's quarter overlaps the period
    points: PointsSummary
    trend: tuple[TrendPoint, ...] = ()
    kind: str = "range"  # year, quarter, month or range (Period.kind)


def _ratio(part: int, whole: int) -> float | None:
    """part ÷ whole, or None when the whole is 0 (a rate of nothing is not 0 %)."""
    return part / whole if whole else None


def _event_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """start..end (inclusive dates) as aware datetimes: local midnight of `start` to local midnight after `end`."""
    return (dt.datetime.combine(start, dt.time(0), LOCAL_TZ),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), LOCAL_TZ))


# ---------------------------------------------------------------- slices of the trend

def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + n
    return index // 12, index % 12 + 1


def _slice_label(year: int, month: int, step: int) -> str:
    if step == 12:
        return str(year)
    if step == 3:
        return f"{year}Q{(month - 1) // 3 + 1}"
    return f"{year}-{month:02d}"


def _slices(start: dt.date, end: dt.date, step: int) -> list[Period]:
    """Calendar months (step 1), quarters (3) or years (12) from the one holding `start` to the one holding
    `end`, each clipped to start..end."""
    if step == 12:
        year, month = start.year, 1
    else:
        year, month = start.year, (start.month - 1) // step * step + 1
    result: list[Period] = []
    while dt.date(year, month, 1) <= end:
        next_year, next_month = _add_months(year, month, step)
        first = dt.date(year, month, 1)
        last = dt.date(next_year, next_month, 1) - dt.timedelta(days=1)
        result.append(Period(max(first, start), min(last, end), _slice_label(year, month, step)))
        year, month = next_year, next_month
    return result


def trend_slices(period: Period) -> list[Period]:
    """The slices of the trend shown with `period` (see the module's docstring)."""
    kind = period.kind
    if kind == "year":
        return _slices(period.start, period.end, 1)
    if kind == "quarter":
        year, month = _add_months(period.start.year, period.start.month, -21)
        return _slices(dt.date(year, month, 1), period.end, 3)
    if kind == "month":
        year, month = _add_months(period.start.year, period.start.month, -11)
        return _slices(dt.date(year, month, 1), period.end, 1)
    months = (period.end.year - period.start.year) * 12 + period.end.month - period.start.month + 1
    return _slices(period.start, period.end, 1 if months <= 24 else 3 if months <= 120 else 12)


def slice_label(text: str) -> str:
    """A slice of the trend in the user's language: 2026-11 → 2026年11月 (Nov 2026), 2026Q4 → 2026年第4季度
    (Q4 2026), 2026 → 2026."""
    if "Q" in text:
        year, quarter = text.split("Q")
        return _("Q{quarter} {year}").format(quarter=quarter, year=year)
    if "-" in text:
        year, month = text.split("-")
        return format_date(dt.date(int(year), int(month), 1), "y年M月" if language() == "zh_CN" else "MMM y")
    return text


class _Slicer:
    """Which slice a date falls in (None: outside them all)."""

    def __init__(self, slices: list[Period]) -> None:
        self.starts = [s.start for s in slices]
        self.slices = slices

    def __call__(self, day: dt.date) -> int | None:
        i = bisect.bisect_right(self.starts, day) - 1
        return i if i >= 0 and day <= self.slices[i].end else None


# ---------------------------------------------------------------- case figures

def _blank() -> dict[str, int]:
    return {"accepted": 0, "resolved": 0, "failed": 0, "transferred": 0}


@dataclass(frozen=True)
class _Event:
    origin: str
    case_id: str
    status: str
    on: dt.date  # local date
    category: str
    source: str


def _events(session: Session, start: dt.date, end: dt.date) -> list[_Event]:
    """The failure, transfer and withdrawal events from `start` to `end`, each with its case's origin, category and source."""
    lo, hi = _event_bounds(start, end)
    rows = session.execute(sa_select(col(Case.origin), col(CaseEvent.case_id), col(CaseEvent.to_status), col(CaseEvent.at),
                                     col(Case.category_code), col(Case.source))
                           .join(Case, col(Case.id) == col(CaseEvent.case_id))
                           .where(col(CaseEvent.to_status).in_([s.value for s in ENDED_STATUSES]),
                                  col(CaseEvent.at) >= lo, col(CaseEvent.at) < hi)).all()
    return [_Event(origin, case_id, str(status), at.astimezone(LOCAL_TZ).date(), category, source)
            for origin, case_id, status, at, category, source in rows]


def _in(period: Period, events: Iterable[_Event]) -> list[_Event]:
    return [e for e in events if period.start <= e.on <= period.end]


def _distinct(events: Iterable[_Event], key: str | None = None) -> dict[tuple[str, str, str], int]:
    """{(origin, group, status): distinct cases} with group the event's category, source, or "" for all."""
    seen: set[tuple[str, str, str, str]] = set()
    for e in events:
        seen.add((e.origin, getattr(e, key) if key else "", e.status, e.case_id))
    counts: dict[tuple[str, str, str], int] = {}
    for origin, group, status, _case in seen:
        counts[origin, group, status] = counts.get((origin, group, status), 0) + 1
    return counts


def _row(key: str, label: str, figures: dict[str, int], name: str = "") -> BreakdownRow:
    return BreakdownRow(key, label, figures["accepted"], figures["resolved"], figures["failed"], figures["transferred"], name)


_Breakdowns = tuple[tuple[BreakdownRow, ...], tuple[BreakdownRow, ...]]


def _breakdowns(session: Session, period: Period, events: list[_Event]) -> dict[str, _Breakdowns]:
    """Per origin, the tables by category and by source: two grouped counts (accepted, resolved) by origin ×
    category × source, folded both ways, and the period's events."""
    by: dict[str, dict[str, dict[str, dict[str, int]]]] = {}

    def put(origin: str, group: str, value: str, name: str, n: int) -> None:
        row = by.setdefault(origin, {"category": {}, "source": {}})[group].setdefault(value, _blank())
        row[name] += n

    key = (col(Case.origin), col(Case.category_code), col(Case.source))
    accepted = session.execute(sa_select(*key, func.count())
                               .where(col(Case.received_on) >= period.start, col(Case.received_on) <= period.end)
                               .group_by(*key)).all()
    resolved = session.execute(sa_select(*key, func.count(distinct(col(Agreement.case_id))))
                               .join(Case, col(Case.id) == col(Agreement.case_id))
                               .where(col(Agreement.effective_on) >= period.start, col(Agreement.effective_on) <= period.end)
                               .group_by(*key)).all()
    for name, rows in (("accepted", accepted), ("resolved", resolved)):
        for origin, category, source, n in rows:
            put(origin, "category", category, name, int(n))
            put(origin, "source", source, name, int(n))
    for group in ("category", "source"):
        for (origin, value, status), n in _distinct(events, group).items():
            if status in (CaseStatus.FAILED, CaseStatus.TRANSFERRED):
                put(origin, group, value, str(status), n)

    codes = sorted({code for groups in by.values() for code in groups["category"]})
    known = {(c.origin, c.code): (c.position, c.name) for c in session.exec(
        select(CaseCategory).where(col(CaseCategory.code).in_(codes))).all()} if codes else {}
    position = {s.value: i for i, s in enumerate(CaseSource)}
    result: dict[str, _Breakdowns] = {}
    for origin, groups in by.items():
        categories = groups["category"]

        def of(code: str, origin: str = origin) -> tuple[int, str]:
            return known.get((origin, code), (10_000, ""))

        order = sorted(categories, key=lambda code: (of(code)[0], code))
        by_category = tuple(_row(code, category_label(code, of(code)[1]), categories[code], of(code)[1] or code)
                            for code in order)
        sources = groups["source"]
        order = sorted(sources, key=lambda s: (position.get(s, len(position)), s))
        by_source = tuple(_row(s, _(SOURCE_LABELS[CaseSource(s)]) if s in position else s, sources[s]) for s in order)
        result[origin] = (by_category, by_source)
    return result


def _trend(session: Session, slices: list[Period], events: list[_Event]) -> dict[str, tuple[TrendPoint, ...]]:
    """Per origin, the case figures of each slice (an origin with nothing in them is left out)."""
    if not slices:
        return {}
    start, end = slices[0].start, slices[-1].end
    slicer = _Slicer(slices)
    figures: dict[str, list[dict[str, int]]] = {}

    def of(origin: str) -> list[dict[str, int]]:
        return figures.setdefault(origin, [_blank() for _s in slices])

    for name, column, origin_column, count in (
            ("accepted", col(Case.received_on), col(Case.origin), func.count()),
            ("resolved", col(Agreement.effective_on), col(Agreement.origin), func.count(distinct(col(Agreement.case_id))))):
        q = sa_select(origin_column, column, count).where(column >= start, column <= end).group_by(origin_column, column)
        for origin, day, n in session.execute(q).all():
            i = slicer(day)
            if i is not None:
                of(origin)[i][name] += int(n)
    seen: set[tuple[str, int, str, str]] = set()
    for e in events:
        i = slicer(e.on)
        if i is not None and e.status in (CaseStatus.FAILED, CaseStatus.TRANSFERRED) and (e.origin, i, e.status, e.case_id) not in seen:
            seen.add((e.origin, i, e.status, e.case_id))
            of(e.origin)[i][e.status] += 1
    return {origin: tuple(TrendPoint(s.text, s.start, s.end, **f) for s, f in zip(slices, rows, strict=True))
            for origin, rows in figures.items()}


def _durations(session: Session, period: Period) -> dict[str, list[int]]:
    """Per origin, (effective_on − received_on) in days of the cases resolved in the period (their median is
    the report's median days)."""
    rows = session.execute(sa_select(col(Case.origin), col(Case.received_on), col(Agreement.effective_on))
                           .join(Case, col(Case.id) == col(Agreement.case_id))
                           .where(col(Agreement.effective_on) >= period.start, col(Agreement.effective_on) <= period.end)).all()
    result: dict[str, list[int]] = {}
    for origin, received, effective in rows:
        if effective is not None:
            result.setdefault(origin, []).append((effective - received).days)
    return result


def median_of(days: Sequence[int]) -> float | None:
    return float(stats.median(days)) if days else None


def _mediators(session: Session, period: Period) -> dict[str, tuple[MediatorRow, ...]]:
    """Per origin, each mediator (name and role) with the cases accepted and the cases resolved in the period they sit on."""
    n = func.count(distinct(col(CaseMediator.case_id)))
    key = (col(CaseMediator.name), col(CaseMediator.role))
    figures: dict[str, dict[tuple[str, str], list[int]]] = {}
    for origin, name, role, count in session.execute(
            sa_select(col(Case.origin), *key, n).join(Case, col(Case.id) == col(CaseMediator.case_id))
            .where(col(Case.received_on) >= period.start, col(Case.received_on) <= period.end)
            .group_by(col(Case.origin), *key)).all():
        figures.setdefault(origin, {}).setdefault((name, role), [0, 0])[0] = int(count)
    for origin, name, role, count in session.execute(
            sa_select(col(Agreement.origin), *key, n).join(Agreement, col(Agreement.case_id) == col(CaseMediator.case_id))
            .where(col(Agreement.effective_on) >= period.start, col(Agreement.effective_on) <= period.end)
            .group_by(col(Agreement.origin), *key)).all():
        figures.setdefault(origin, {}).setdefault((name, role), [0, 0])[1] = int(count)
    roles = {r.value for r in MediatorRole}
    result: dict[str, tuple[MediatorRow, ...]] = {}
    for origin, rows in figures.items():
        order = sorted(rows, key=lambda k, rows=rows: (-rows[k][0], -rows[k][1], k[0], k[1]))  # type: ignore[misc]
        result[origin] = tuple(MediatorRow(name, role, _(MEDIATOR_ROLE_LABELS[MediatorRole(role)]) if role in roles else role,
                                           rows[name, role][0], rows[name, role][1]) for name, role in order)
    return result


def _follow_ups(session: Session, period: Period) -> dict[str, tuple[int, int]]:
    """Per origin, (visits, of which the agreement was fully performed) in the period."""
    rows = session.execute(
        sa_select(col(FollowUp.origin), func.count(),
                  func.coalesce(func.sum(case((col(FollowUp.performance) == "fully", 1), else_=0)), 0))
        .where(col(FollowUp.visited_on) >= period.start, col(FollowUp.visited_on) <= period.end)
        .group_by(col(FollowUp.origin))).all()
    return {origin: (int(visits), int(fully)) for origin, visits, fully in rows}


def _quarters(period: Period) -> list[str]:
    """The quarters (2026Q4) that overlap the period, latest first."""
    result = []
    year, quarter = period.start.year, (period.start.month - 1) // 3 + 1
    while (year, quarter) <= (period.end.year, (period.end.month - 1) // 3 + 1):
        result.append(f"{year}Q{quarter}")
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return result[::-1]


def _risk(session: Session, actor: Actor, period: Period, origin: str) -> RiskSummary | None:
    """The origin's latest round whose quarter overlaps the period: households at each level (their highest
    stage), those not assessed, and — against the round before — how many went up or down (in SQL: no
    household rows are read)."""
    require(actor, "risk.read")
    rnd = session.exec(select(RiskRound).where(col(RiskRound.origin) == origin, col(RiskRound.quarter).in_(_quarters(period)))
                       .order_by(col(RiskRound.quarter).desc())).first()
    if rnd is None:
        return None
    latest = risk._latest_query(rnd.id).subquery()
    levels: dict[str, int] = {}
    assessed = 0
    for level, retired, n in session.execute(
            sa_select(latest.c.level, col(Household.retired), func.count())
            .select_from(latest).outerjoin(Household, col(Household.id) == latest.c.household_id)
            .group_by(latest.c.level, col(Household.retired))).all():
        levels[level] = levels.get(level, 0) + int(n)
        assessed += int(n) if retired is not None and not retired else 0  # live households only
    live = int(session.execute(sa_select(func.count()).select_from(Household)
                               .where(col(Household.origin) == origin, col(Household.retired).is_(False))).scalar_one())
    previous = session.exec(select(RiskRound).where(col(RiskRound.origin) == origin, col(RiskRound.quarter) < rnd.quarter)
                            .order_by(col(RiskRound.quarter).desc())).first()
    up: int | None = None
    down: int | None = None
    if previous is not None:
        before = risk._latest_query(previous.id).subquery()
        up = down = 0
        for old, new, n in session.execute(
                sa_select(before.c.level, latest.c.level, func.count())
                .select_from(latest).join(before, before.c.household_id == latest.c.household_id)
                .where(before.c.level != latest.c.level).group_by(before.c.level, latest.c.level)).all():
            if LEVEL_ORDER[RiskLevel(new)] > LEVEL_ORDER[RiskLevel(old)]:
                up += int(n)
            else:
                down += int(n)
    return RiskSummary(rnd.quarter, levels.get(RiskLevel.LOW, 0), levels.get(RiskLevel.MEDIUM, 0),
                       levels.get(RiskLevel.HIGH, 0), max(live - assessed, 0),
                       previous.quarter if previous else None, up, down)


def _points(session: Session, period: Period) -> dict[str, PointsSummary]:
    """Per origin (the household's), the points gained, deducted and redeemed: summed per household on the
    covering date index first, then per origin over those few rows."""
    earning = col(PointsEntry.kind).in_([EntryKind.RULE.value, EntryKind.FREE.value, EntryKind.REVERSAL.value])
    spent = col(PointsEntry.kind) == EntryKind.REDEMPTION.value
    pts = col(PointsEntry.points)
    per_household = (
        sa_select(col(PointsEntry.household_id).label("household_id"),
                  func.sum(case((and_(earning, pts > 0), pts), else_=0)).label("gained"),
                  func.sum(case((and_(earning, pts < 0), -pts), else_=0)).label("deducted"),
                  func.sum(case((spent, -pts), else_=0)).label("redeemed"))
        .where(counted_clause(), col(PointsEntry.occurred_on) >= period.start, col(PointsEntry.occurred_on) <= period.end)
        .group_by(col(PointsEntry.household_id))).subquery()
    rows = session.execute(
        sa_select(col(Household.origin), func.sum(per_household.c.gained), func.sum(per_household.c.deducted),
                  func.sum(per_household.c.redeemed))
        .select_from(per_household).join(Household, col(Household.id) == per_household.c.household_id)
        .group_by(col(Household.origin))).all()
    return {origin: PointsSummary(int(gained or 0), int(deducted or 0), int(redeemed or 0))
            for origin, gained, deducted, redeemed in rows}


def committee_name(session: Session, origin: str) -> str:
    """The committee a desk's rows come from: its own Committee row (it travels with its bundles), else the
    name it was enrolled under, else ""."""
    own = session.exec(select(Committee).where(col(Committee.origin) == origin)).first()
    if own is not None:
        return own.name
    peer = session.get(SyncPeer, origin)
    return peer.committee_name if peer is not None else ""


@dataclass(frozen=True)
class OriginReport:
    """The report of one origin, with the days each resolved case took (to pool a median over several)."""

    report: PeriodReport
    durations: tuple[int, ...]


def reports_by_origin(session: Session, actor: Actor, p: Period, names: dict[str, str], *,
                      with_trend: bool = True) -> dict[str, OriginReport]:
    """The report of each origin in `names` ({origin: committee name}), every aggregate counted once for all."""
    require(actor, "reports.read")
    slices = trend_slices(p) if with_trend else []
    first = min(p.start, slices[0].start) if slices else p.start
    last = max(p.end, slices[-1].end) if slices else p.end
    events = _events(session, first, last)
    in_period = _in(p, events)
    ended = _distinct(in_period)
    breakdowns = _breakdowns(session, p, in_period)
    trends = _trend(session, slices, events)
    visits = _follow_ups(session, p)
    durations = _durations(session, p)
    mediators = _mediators(session, p)
    points = _points(session, p)
    empty_trend = tuple(TrendPoint(s.text, s.start, s.end, **_blank()) for s in slices)
    result: dict[str, OriginReport] = {}
    for origin, name in names.items():
        by_category, by_source = breakdowns.get(origin, ((), ()))
        accepted = sum(row.accepted for row in by_category)
        resolved = sum(row.resolved for row in by_category)
        follow_ups, fully = visits.get(origin, (0, 0))
        days = durations.get(origin, [])
        report = PeriodReport(
            committee=name, period=p.text, start=p.start, end=p.end,
            accepted=accepted, resolved=resolved, failed=ended.get((origin, "", CaseStatus.FAILED), 0),
            transferred=ended.get((origin, "", CaseStatus.TRANSFERRED), 0),
            withdrawn=ended.get((origin, "", CaseStatus.WITHDRAWN), 0),
            resolution_rate=_ratio(resolved, accepted),
            follow_ups=follow_ups, performed_fully=fully, performed_share=_ratio(fully, follow_ups),
            median_days=median_of(days), by_category=by_category, by_source=by_source,
            mediators=mediators.get(origin, ()), risk=_risk(session, actor, p, origin),
            points=points.get(origin, PointsSummary(0, 0, 0)), trend=trends.get(origin, empty_trend), kind=p.kind)
        result[origin] = OriginReport(report, tuple(days))
    return result


def period_report(session: Session, actor: Actor, period: Period | str, *, with_trend: bool = True,
                  origin: str | None = None) -> PeriodReport:
    """Every figure of the committee's report for `period` (a Period, or text such as 2026Q4), counted over
    the rows of `origin` — by default this desk's own (on a township: one village's, for the drill-down)."""
    require(actor, "reports.read")
    p = parse_period(period) if isinstance(period, str) else period
    desk = committee.require_current(session)
    own = device_id(session)
    who = origin or own
    name = desk.name if who == own else committee_name(session, who)
    return reports_by_origin(session, actor, p, {who: name}, with_trend=with_trend)[who].report
