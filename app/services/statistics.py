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
"""

from __future__ import annotations

import datetime as dt
import statistics as stats
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, distinct, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.clock import LOCAL_TZ
from app.i18n import _
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
from app.models.points import EntryKind, PointsEntry
from app.models.risk import LEVEL_ORDER, RiskLevel, RiskRound
from app.models.roster import Household
from app.services import committee, risk
from app.services.cases import category_label
from app.services.context import Actor, require
from app.services.periods import Period, parse_period
from app.services.points import counted_clause

ENDED_STATUSES = (CaseStatus.FAILED, CaseStatus.TRANSFERRED, CaseStatus.WITHDRAWN)


@dataclass(frozen=True)
class BreakdownRow:
    """One line of the table by category or by source."""

    key: str
    label: str
    accepted: int
    resolved: int
    failed: int
    transferred: int


@dataclass(frozen=True)
class MediatorRow:
    name: str
    role: str
    role_label: str
    cases: int  # distinct cases accepted in the period that this mediator sits on


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


def _ratio(part: int, whole: int) -> float | None:
    """part ÷ whole, or None when the whole is 0 (a rate of nothing is not 0 %)."""
    return part / whole if whole else None


def _event_bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    """The period as aware datetimes: from local midnight of its first day to local midnight after its last."""
    start = dt.datetime.combine(period.start, dt.time(0), LOCAL_TZ)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(0), LOCAL_TZ)
    return start, end


def _grouped(session: Session, key: Any, period: Period) -> dict[str, dict[str, int]]:
    """{key value: {"accepted", "resolved", "failed", "transferred"}} for `key` a column of Case."""
    figures: dict[str, dict[str, int]] = {}

    def put(rows: Any, name: str) -> None:
        for value, n in rows:
            figures.setdefault(value, {"accepted": 0, "resolved": 0, "failed": 0, "transferred": 0})[name] = int(n)

    put(session.execute(sa_select(key, func.count()).where(col(Case.received_on) >= period.start,
                                                           col(Case.received_on) <= period.end).group_by(key)).all(), "accepted")
    put(session.execute(sa_select(key, func.count(distinct(col(Agreement.case_id))))
                        .join(Case, col(Case.id) == col(Agreement.case_id))
                        .where(col(Agreement.effective_on) >= period.start, col(Agreement.effective_on) <= period.end)
                        .group_by(key)).all(), "resolved")
    start, end = _event_bounds(period)
    for status in (CaseStatus.FAILED, CaseStatus.TRANSFERRED):
        put(session.execute(sa_select(key, func.count(distinct(col(CaseEvent.case_id))))
                            .join(Case, col(Case.id) == col(CaseEvent.case_id))
                            .where(col(CaseEvent.to_status) == status, col(CaseEvent.at) >= start, col(CaseEvent.at) < end)
                            .group_by(key)).all(), status.value)
    return figures


def _by_category(session: Session, period: Period) -> tuple[BreakdownRow, ...]:
    figures = _grouped(session, col(Case.category_code), period)
    if not figures:
        return ()
    known = {c.code: (c.position, c.name) for c in session.exec(
        select(CaseCategory).where(col(CaseCategory.code).in_(list(figures)))).all()}
    order = sorted(figures, key=lambda code: (known.get(code, (10_000, ""))[0], code))
    return tuple(BreakdownRow(code, category_label(code, known.get(code, (0, ""))[1]), **figures[code]) for code in order)


def _by_source(session: Session, period: Period) -> tuple[BreakdownRow, ...]:
    figures = _grouped(session, col(Case.source), period)
    position = {s.value: i for i, s in enumerate(CaseSource)}
    order = sorted(figures, key=lambda s: (position.get(s, len(position)), s))
    return tuple(BreakdownRow(s, _(SOURCE_LABELS[CaseSource(s)]) if s in position else s, **figures[s]) for s in order)


def _count_events(session: Session, period: Period) -> dict[str, int]:
    start, end = _event_bounds(period)
    rows = session.execute(sa_select(col(CaseEvent.to_status), func.count(distinct(col(CaseEvent.case_id))))
                           .where(col(CaseEvent.to_status).in_([s.value for s in ENDED_STATUSES]),
                                  col(CaseEvent.at) >= start, col(CaseEvent.at) < end)
                           .group_by(col(CaseEvent.to_status))).all()
    counts = {s.value: 0 for s in ENDED_STATUSES}
    counts.update({status: int(n) for status, n in rows})
    return counts


def _median_days(session: Session, period: Period) -> float | None:
    """Median of (effective_on − received_on) in days over the cases resolved in the period."""
    rows = session.execute(sa_select(col(Case.received_on), col(Agreement.effective_on))
                           .join(Case, col(Case.id) == col(Agreement.case_id))
                           .where(col(Agreement.effective_on) >= period.start, col(Agreement.effective_on) <= period.end)).all()
    days = [(effective - received).days for received, effective in rows if effective is not None]
    return float(stats.median(days)) if days else None


def _mediators(session: Session, period: Period) -> tuple[MediatorRow, ...]:
    n = func.count(distinct(col(CaseMediator.case_id)))
    rows = session.execute(sa_select(col(CaseMediator.name), col(CaseMediator.role), n)
                           .join(Case, col(Case.id) == col(CaseMediator.case_id))
                           .where(col(Case.received_on) >= period.start, col(Case.received_on) <= period.end)
                           .group_by(col(CaseMediator.name), col(CaseMediator.role))
                           .order_by(n.desc(), col(CaseMediator.name), col(CaseMediator.role))).all()
    roles = {r.value for r in MediatorRole}
    return tuple(MediatorRow(name, role, _(MEDIATOR_ROLE_LABELS[MediatorRole(role)]) if role in roles else role, int(count))
                 for name, role, count in rows)


def _quarters(period: Period) -> list[str]:
    """The quarters (2026Q4) that overlap the period, latest first."""
    result = []
    year, quarter = period.start.year, (period.start.month - 1) // 3 + 1
    while (year, quarter) <= (period.end.year, (period.end.month - 1) // 3 + 1):
        result.append(f"{year}Q{quarter}")
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return result[::-1]


def _risk(session: Session, actor: Actor, period: Period) -> RiskSummary | None:
    rnd = session.exec(select(RiskRound).where(col(RiskRound.quarter).in_(_quarters(period)))
                       .order_by(col(RiskRound.quarter).desc())).first()
    if rnd is None:
        return None
    latest = risk._latest_query(rnd.id).subquery()
    levels = {lv: int(n) for lv, n in session.execute(
        sa_select(latest.c.level, func.count()).group_by(latest.c.level)).all()}
    live = int(session.execute(sa_select(func.count()).select_from(Household)
                               .where(col(Household.retired).is_(False))).scalar_one())
    assessed = int(session.execute(
        sa_select(func.count()).select_from(latest).join(Household, col(Household.id) == latest.c.household_id)
        .where(col(Household.retired).is_(False))).scalar_one())
    previous = session.exec(select(RiskRound).where(col(RiskRound.quarter) < rnd.quarter)
                            .order_by(col(RiskRound.quarter).desc())).first()
    up: int | None = None
    down: int | None = None
    if previous is not None:
        changes = risk.changes_between(session, actor, previous.quarter, rnd.quarter)
        up = sum(1 for _n, _h, before, after in changes if LEVEL_ORDER[RiskLevel(after)] > LEVEL_ORDER[RiskLevel(before)])
        down = len(changes) - up
    return RiskSummary(rnd.quarter, levels.get(RiskLevel.LOW, 0), levels.get(RiskLevel.MEDIUM, 0),
                       levels.get(RiskLevel.HIGH, 0), max(live - assessed, 0),
                       previous.quarter if previous else None, up, down)


def _points(session: Session, period: Period) -> PointsSummary:
    earning = col(PointsEntry.kind).in_([EntryKind.RULE.value, EntryKind.FREE.value, EntryKind.REVERSAL.value])
    spent = col(PointsEntry.kind) == EntryKind.REDEMPTION.value
    pts = col(PointsEntry.points)
    gained, deducted, redeemed = session.execute(
        sa_select(func.coalesce(func.sum(case((and_(earning, pts > 0), pts), else_=0)), 0),
                  func.coalesce(func.sum(case((and_(earning, pts < 0), -pts), else_=0)), 0),
                  func.coalesce(func.sum(case((spent, -pts), else_=0)), 0))
        .where(counted_clause(), col(PointsEntry.occurred_on) >= period.start, col(PointsEntry.occurred_on) <= period.end)).one()
    return PointsSummary(int(gained), int(deducted), int(redeemed))


def period_report(session: Session, actor: Actor, period: Period | str) -> PeriodReport:
    """Every figure of the committee's report for `period` (a Period, or text such as 2026Q4)."""
    require(actor, "cases.read")
    p = parse_period(period) if isinstance(period, str) else period
    desk = committee.require_current(session)
    accepted = int(session.execute(sa_select(func.count()).select_from(Case).where(
        col(Case.received_on) >= p.start, col(Case.received_on) <= p.end)).scalar_one())
    resolved = int(session.execute(sa_select(func.count(distinct(col(Agreement.case_id)))).where(
        col(Agreement.effective_on) >= p.start, col(Agreement.effective_on) <= p.end)).scalar_one())
    ended = _count_events(session, p)
    visits, fully = session.execute(
        sa_select(func.count(), func.coalesce(func.sum(case((col(FollowUp.performance) == "fully", 1), else_=0)), 0))
        .where(col(FollowUp.visited_on) >= p.start, col(FollowUp.visited_on) <= p.end)).one()
    return PeriodReport(
        committee=desk.name, period=p.text, start=p.start, end=p.end,
        accepted=accepted, resolved=resolved, failed=ended[CaseStatus.FAILED], transferred=ended[CaseStatus.TRANSFERRED],
        withdrawn=ended[CaseStatus.WITHDRAWN], resolution_rate=_ratio(resolved, accepted),
        follow_ups=int(visits), performed_fully=int(fully), performed_share=_ratio(int(fully), int(visits)),
        median_days=_median_days(session, p), by_category=_by_category(session, p), by_source=_by_source(session, p),
        mediators=_mediators(session, p), risk=_risk(session, actor, p), points=_points(session, p))
