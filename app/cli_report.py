"""`mediation-desk report --period 2026Q4 [--xlsx FILE] [--pdf FILE] [--json]`: the figures of a period, thin
over `statistics.period_report`; the .xlsx (`report_export`) and the printed report (`documents.period_report`).
On a township center the same command compares the villages (`township_stats.township_report`, its .xlsx and
`documents.township_report`); `--village CODE` gives one village's own report there (the drill-down)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.cli_support import Output, actor_for
from app.errors import ValidationError
from app.i18n import _, format_list
from app.models.committee import DeskMode
from app.services import committee, statistics, township_stats
from app.services.periods import parse_period
from app.services.report_export import export_township_xlsx, export_xlsx


def add_parsers(sub: Any) -> None:
    rp = sub.add_parser("report", help=_("the figures of a period (cases, resolution rate, mediators, risk, points)"))
    rp.add_argument("--period", required=True, help=_("2026, 2026Q4, 2026-11 or 2026-10-01..2026-12-31"))
    rp.add_argument("--xlsx", default="", metavar="FILE", help=_("also write the report to this .xlsx file"))
    rp.add_argument("--pdf", default="", metavar="FILE", help=_("also write the printed report (PDF) to this file"))
    rp.add_argument("--village", default="", metavar="CODE",
                    help=_("township center: one village's figures (its committee code, e.g. 甘) instead of the comparison"))
    # also accepted after the command; without it the global --json stands
    rp.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help=_("machine-readable output on stdout"))


def _percent(value: float | None) -> str:
    return _("not computed (nothing to divide by)") if value is None else f"{value * 100:.1f}%"


def report_lines(report: statistics.PeriodReport) -> list[str]:
    """The main figures as text lines."""
    lines = [
        _("{committee}: {period} ({start} to {end})").format(committee=report.committee, period=report.period,
                                                              start=report.start.isoformat(), end=report.end.isoformat()),
        _("Cases accepted: {n}").format(n=report.accepted),
        _("Cases resolved (agreement in force): {n}").format(n=report.resolved),
        _("Resolution rate: {rate}").format(rate=_percent(report.resolution_rate)),
        _("Failed: {failed}; transferred: {transferred}; withdrawn: {withdrawn}").format(
            failed=report.failed, transferred=report.transferred, withdrawn=report.withdrawn),
        _("Follow-up visits: {n}; fully performed: {fully} ({share})").format(
            n=report.follow_ups, fully=report.performed_fully, share=_percent(report.performed_share)),
        _("Median days to resolve: {days}").format(
            days=_("none resolved") if report.median_days is None else f"{report.median_days:g}"),
    ]
    if report.mediators:
        lines.append(_("Cases per mediator:"))
        lines.extend("  " + _("{name} ({role}): {cases} accepted, {resolved} resolved").format(
            name=m.name, role=m.role_label, cases=m.cases, resolved=m.resolved) for m in report.mediators)
    if report.risk is None:
        lines.append(_("Risk: no round in this period."))
    else:
        rs = report.risk
        lines.append(_("Risk {quarter}: high {high}, medium {medium}, low {low}, not assessed {none}").format(
            quarter=rs.quarter, high=rs.high, medium=rs.medium, low=rs.low, none=rs.not_assessed))
        if rs.previous_quarter is not None:
            lines.append(_("Versus {quarter}: {up} went up, {down} went down").format(
                quarter=rs.previous_quarter, up=rs.went_up, down=rs.went_down))
    lines.append(_("Points: +{gained} gained, -{deducted} deducted, {redeemed} redeemed").format(
        gained=report.points.gained, deducted=report.points.deducted, redeemed=report.points.redeemed))
    if report.by_category:
        lines.append(_("By category (accepted / resolved):"))
        lines.extend(_count_line(r.label, r.accepted, r.resolved) for r in report.by_category)
    if report.by_source:
        lines.append(_("By source (accepted / resolved):"))
        lines.extend(_count_line(r.label, r.accepted, r.resolved) for r in report.by_source)
    if report.trend:
        lines.append(_("Trend (accepted / resolved):"))
        lines.extend(_count_line(statistics.slice_label(t.label), t.accepted, t.resolved) for t in report.trend)
    return lines


def _count_line(label: str, accepted: int, resolved: int) -> str:
    return "  " + _("{label}: {accepted} / {resolved}").format(label=label, accepted=accepted, resolved=resolved)


def _rank(rank: int | None) -> str:
    return "—" if rank is None else str(rank)


def township_lines(report: township_stats.TownshipReport) -> list[str]:
    """The comparison as text lines: each village's figures (ranked), the totals, the villages × categories."""
    lines = [_("{committee}: {period} ({start} to {end}), {n} villages").format(
        committee=report.committee, period=report.period, start=report.start.isoformat(), end=report.end.isoformat(),
        n=len(report.villages))]

    def figures(f: township_stats.Figures) -> str:
        return _("accepted {accepted}, resolved {resolved} ({rate}), failed {failed}, transferred {transferred}, "
                 "performed {share}, median {days} days, high-risk households {high}, points +{gained} -{deducted} "
                 "redeemed {redeemed}").format(
            accepted=f.accepted, resolved=f.resolved, rate=_percent(f.resolution_rate), failed=f.failed,
            transferred=f.transferred, share=_percent(f.performed_share),
            days="—" if f.median_days is None else f"{f.median_days:g}", high="—" if f.high_risk is None else f.high_risk,
            gained=f.points.gained, deducted=f.points.deducted, redeemed=f.points.redeemed)

    lines.append(_("Villages ranked by resolution rate:"))
    lines.extend("  " + _("{rank}. {name} ({code}): {figures}").format(rank=_rank(v.rank), name=v.name, code=v.code,
                                                                        figures=figures(v.figures)) for v in report.ranking)
    lines.append(_("Township total: {figures}").format(figures=figures(report.totals)))
    if report.categories:
        lines.append(_("Cases accepted by category:"))
        header = [c.label for c in report.categories]
        lines.extend("  " + _("{name}: {counts}").format(name=v.name, counts=format_list(
            [f"{label} {n}" for label, n in zip(header, v.category_counts, strict=True)])) for v in report.villages)
    return lines


def township_json(report: township_stats.TownshipReport) -> dict[str, Any]:
    """The comparison as one JSON document: each village's figures, rank, categories and trend; the totals."""
    import dataclasses

    def figures(f: township_stats.Figures) -> dict[str, Any]:
        return {**dataclasses.asdict(f), "resolution_rate": f.resolution_rate, "performed_share": f.performed_share}

    def trend(points: tuple[statistics.TrendPoint, ...]) -> list[dict[str, Any]]:
        return [{"label": t.label, "start": t.start, "end": t.end, "accepted": t.accepted, "resolved": t.resolved,
                 "failed": t.failed, "transferred": t.transferred, "resolution_rate": t.resolution_rate} for t in points]

    names = [c.name for c in report.categories]
    return {
        "committee": report.committee, "period": report.period, "start": report.start, "end": report.end, "kind": report.kind,
        "categories": names,
        "villages": [{"device_id": v.device_id, "name": v.name, "village": v.village, "code": v.code, "revoked": v.revoked,
                      "rank": v.rank, **figures(v.figures), "by_category": dict(zip(names, v.category_counts, strict=True)),
                      "trend": trend(v.trend)} for v in report.villages],
        "totals": {**figures(report.totals), "by_category": dict(zip(names, report.category_totals, strict=True)),
                   "trend": trend(report.trend)},
    }


def _write(args: argparse.Namespace, out: Output, xlsx: Callable[[Path], None], pdf: Callable[[Path], None]) -> None:
    for path, write in ((args.xlsx, xlsx), (getattr(args, "pdf", ""), pdf)):
        if path:
            write(Path(path))
            out.say(_("Wrote {path}.").format(path=path))


def cmd_report(args: argparse.Namespace, store: Any, out: Output) -> int:
    from app.documents.period_report import write_period_report
    from app.documents.township_report import write_township_report

    period = parse_period(args.period)
    actor = actor_for(store, args.user)
    village = getattr(args, "village", "")
    with store.read() as session:
        township = committee.require_current(session).mode == DeskMode.TOWNSHIP
        if village and not township:
            raise ValidationError("village", _("--village is for a township center; this desk is a village's."))
        if township and not village:
            comparison = township_stats.township_report(session, actor, period)
        else:
            comparison = None
            report = (township_stats.village_report(session, actor, period, village) if village
                      else statistics.period_report(session, actor, period))
    if getattr(args, "json", False):
        out = Output(as_json=True)
    if comparison is not None:
        _write(args, out, lambda p: export_township_xlsx(comparison, p), lambda p: write_township_report(comparison, p))
        out.emit(township_json(comparison), lambda: township_lines(comparison))
        return 0
    _write(args, out, lambda p: export_xlsx(report, p), lambda p: write_period_report(report, p))
    out.emit(report, lambda: report_lines(report))
    return 0
