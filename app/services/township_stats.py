"""The township center's comparison of its villages (乡镇各村统计对比): for a period, every enrolled village's
figures side by side (the same figures as a village's own report, counted the same way by
`statistics.reports_by_origin`, each over the rows that village's bundles brought), the villages ranked by
resolution rate (化解率; a village that accepted nothing has no rate and ranks last), a villages × categories
table of cases accepted, the township's totals (the sum of its villages — the rates and the median are taken
over the pooled cases, not averaged) and each village's trend.

Each village's whole `PeriodReport` is kept in its row, so drilling down into one village shows exactly the
figures of the comparison without counting again (`period_report(origin=…)` gives the same).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlmodel import Session, col, select

from app.errors import NotFound, ValidationError
from app.i18n import _
from app.models.committee import Committee, DeskMode
from app.models.sync import PeerKind, SyncPeer
from app.services import committee
from app.services.context import Actor, require
from app.services.periods import Period, parse_period
from app.services.statistics import (
    PeriodReport,
    PointsSummary,
    TrendPoint,
    committee_name,
    median_of,
    period_report,
    reports_by_origin,
)


@dataclass(frozen=True)
class Figures:
    """The compared figures of one village, or of the whole township."""

    accepted: int
    resolved: int
    failed: int
    transferred: int
    withdrawn: int
    follow_ups: int
    performed_fully: int
    median_days: float | None  # received → agreement in force, of the cases resolved in the period
    high_risk: int | None  # high-risk households in the latest round overlapping the period; None: no such round
    points: PointsSummary

    @property
    def resolution_rate(self) -> float | None:
        return self.resolved / self.accepted if self.accepted else None

    @property
    def performed_share(self) -> float | None:
        return self.performed_fully / self.follow_ups if self.follow_ups else None

    @classmethod
    def of(cls, r: PeriodReport) -> Figures:
        return cls(r.accepted, r.resolved, r.failed, r.transferred, r.withdrawn, r.follow_ups, r.performed_fully,
                   r.median_days, r.risk.high if r.risk is not None else None, r.points)


@dataclass(frozen=True)
class VillageFigures:
    device_id: str
    name: str  # the village's committee
    code: str  # its committee code (甘), how the CLI names it
    revoked: bool  # its key was revoked (a lost laptop): what it sent before still counts
    figures: Figures
    category_counts: tuple[int, ...]  # cases accepted per column of TownshipReport.categories
    village: str  # the village's own name (庄墩村), for narrow tables; the committee's name when not known
    report: PeriodReport  # the village's whole report: the drill-down
    rank: int | None = None  # by resolution rate, 1 the highest (equal rates share a rank); None: nothing accepted

    @property
    def trend(self) -> tuple[TrendPoint, ...]:
        return self.report.trend


@dataclass(frozen=True)
class CategoryColumn:
    name: str  # as the villages named the category (Chinese: the printed report)
    label: str  # in the UI language


@dataclass(frozen=True)
class TownshipReport:
    committee: str  # the township center
    period: str
    start: dt.date
    end: dt.date
    kind: str
    villages: tuple[VillageFigures, ...]  # by name
    totals: Figures
    categories: tuple[CategoryColumn, ...]
    category_totals: tuple[int, ...]
    trend: tuple[TrendPoint, ...]  # the township's totals per slice

    @property
    def ranking(self) -> tuple[VillageFigures, ...]:
        """Highest resolution rate first; villages without a rate last; ties by cases accepted, then name."""
        return tuple(sorted(self.villages, key=_rank_key))

    def village(self, key: str) -> VillageFigures:
        """A village by its committee code, device id or committee name."""
        for v in self.villages:
            if key in (v.code, v.device_id, v.name):
                return v
        raise NotFound(_("No village “{key}” is enrolled at this township center.").format(key=key))


def _rank_key(v: VillageFigures) -> tuple[bool, float, int, str]:
    rate = v.figures.resolution_rate
    return rate is None, -(rate or 0.0), -v.figures.accepted, v.name


def require_township(session: Session) -> str:
    """The township center's name; a village desk is refused."""
    own = committee.require_current(session)
    if own.mode != DeskMode.TOWNSHIP:
        raise ValidationError("mode", _("This is a village desk; only a township center compares villages."))
    return own.name


def village_peers(session: Session) -> list[SyncPeer]:
    """The enrolled villages (revoked ones too: what they sent before still counts), by name."""
    return list(session.exec(select(SyncPeer).where(col(SyncPeer.kind) == PeerKind.VILLAGE)
                             .order_by(col(SyncPeer.committee_name), col(SyncPeer.device_id))).all())


def find_village(session: Session, key: str) -> SyncPeer:
    """An enrolled village by its committee code, device id or committee name."""
    for peer in village_peers(session):
        if key in (peer.committee_code, peer.device_id, peer.committee_name):
            return peer
    raise NotFound(_("No village “{key}” is enrolled at this township center.").format(key=key))


def _sum_figures(items: list[Figures], durations: list[int]) -> Figures:
    def total(name: str) -> int:
        return sum(getattr(f, name) for f in items)

    risks = [f.high_risk for f in items if f.high_risk is not None]
    return Figures(total("accepted"), total("resolved"), total("failed"), total("transferred"), total("withdrawn"),
                   total("follow_ups"), total("performed_fully"), median_of(durations), sum(risks) if risks else None,
                   PointsSummary(sum(f.points.gained for f in items), sum(f.points.deducted for f in items),
                                 sum(f.points.redeemed for f in items)))


def _sum_trend(trends: list[tuple[TrendPoint, ...]]) -> tuple[TrendPoint, ...]:
    if not trends:
        return ()
    return tuple(TrendPoint(points[0].label, points[0].start, points[0].end,
                            *(sum(getattr(p, name) for p in points) for name in ("accepted", "resolved", "failed", "transferred")))
                 for points in zip(*trends, strict=True))


def township_report(session: Session, actor: Actor, period: Period | str, *, with_trend: bool = True) -> TownshipReport:
    """Every enrolled village's figures for `period`, side by side, with the township's totals."""
    require(actor, "reports.read")
    p = parse_period(period) if isinstance(period, str) else period
    township = require_township(session)
    peers = village_peers(session)
    names_of = {peer.device_id: committee_name(session, peer.device_id) or peer.committee_name for peer in peers}
    peers.sort(key=lambda peer: (names_of[peer.device_id], peer.device_id))
    village_names = {c.origin: c.village for c in session.exec(
        select(Committee).where(col(Committee.origin).in_(list(names_of)))).all()}
    counted = reports_by_origin(session, actor, p, names_of, with_trend=with_trend)
    # the columns of the villages × categories table: every category any village counted, by its name, the
    # most accepted first (then as the first village lists them)
    columns: dict[str, tuple[int, int, str]] = {}  # name → (accepted in all villages, first seen, label)
    for peer in peers:
        for row in counted[peer.device_id].report.by_category:
            name = row.name or row.label
            count, seen, label = columns.get(name, (0, len(columns), row.label))
            columns[name] = (count + row.accepted, seen, label)
    names = sorted(columns, key=lambda n: (-columns[n][0], columns[n][1]))
    villages = []
    for peer in peers:
        r = counted[peer.device_id].report
        per_name: dict[str, int] = {}
        for row in r.by_category:
            per_name[row.name or row.label] = per_name.get(row.name or row.label, 0) + row.accepted
        villages.append(VillageFigures(peer.device_id, names_of[peer.device_id], peer.committee_code, peer.revoked_at is not None,
                                       Figures.of(r), tuple(per_name.get(n, 0) for n in names),
                                       village_names.get(peer.device_id) or peer.village or names_of[peer.device_id], r))
    # competition ranking by resolution rate: 1, 2, 2, 4 …
    ranks: dict[str, int] = {}
    last_rate: float | None = None
    last_rank = 0
    for position, v in enumerate(sorted(villages, key=_rank_key), start=1):
        rate = v.figures.resolution_rate
        if rate is None:
            break
        if rate != last_rate:
            last_rank, last_rate = position, rate
        ranks[v.device_id] = last_rank
    villages = [replace(v, rank=ranks.get(v.device_id)) for v in villages]
    durations = [d for peer in peers for d in counted[peer.device_id].durations]
    return TownshipReport(
        committee=township, period=p.text, start=p.start, end=p.end, kind=p.kind, villages=tuple(villages),
        totals=_sum_figures([v.figures for v in villages], durations),
        categories=tuple(CategoryColumn(n, columns[n][2]) for n in names),
        category_totals=tuple(sum(v.category_counts[i] for v in villages) for i in range(len(names))),
        trend=_sum_trend([v.trend for v in villages]))


def village_report(session: Session, actor: Actor, period: Period | str, key: str, *, with_trend: bool = True) -> PeriodReport:
    """One village's report at the township (the drill-down), the village named by code, device id or name."""
    require_township(session)
    peer = find_village(session, key)
    return period_report(session, actor, period, origin=peer.device_id, with_trend=with_trend)
