"""`mediation-desk report --period 2026Q4 [--xlsx FILE] [--pdf FILE] [--json]`: the figures of a period, thin
over `statistics.period_report`; the .xlsx (`report_export`) and the printed report (`documents.period_report`)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.cli_support import Output, actor_for
from app.i18n import _
from app.services import statistics
from app.services.periods import parse_period
from app.services.report_export import export_xlsx


def add_parsers(sub: Any) -> None:
    rp = sub.add_parser("report", help=_("the figures of a period (cases, resolution rate, mediators, risk, points)"))
    rp.add_argument("--period", required=True, help=_("2026, 2026Q4, 2026-11 or 2026-10-01..2026-12-31"))
    rp.add_argument("--xlsx", default="", metavar="FILE", help=_("also write the report to this .xlsx file"))
    rp.add_argument("--pdf", default="", metavar="FILE", help=_("also write the printed report (PDF) to this file"))
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
        lines.extend(f"  {r.label}: {r.accepted} / {r.resolved}" for r in report.by_category)
    if report.by_source:
        lines.append(_("By source (accepted / resolved):"))
        lines.extend(f"  {r.label}: {r.accepted} / {r.resolved}" for r in report.by_source)
    if report.trend:
        lines.append(_("Trend (accepted / resolved):"))
        lines.extend(f"  {statistics.slice_label(t.label)}: {t.accepted} / {t.resolved}" for t in report.trend)
    return lines


def cmd_report(args: argparse.Namespace, store: Any, out: Output) -> int:
    period = parse_period(args.period)
    actor = actor_for(store, args.user)
    with store.read() as session:
        report = statistics.period_report(session, actor, period)
    if args.xlsx:
        export_xlsx(report, Path(args.xlsx))
        out.say(_("Wrote {path}.").format(path=args.xlsx))
    if getattr(args, "pdf", ""):
        from app.documents.period_report import write_period_report

        write_period_report(report, Path(args.pdf))
        out.say(_("Wrote {path}.").format(path=args.pdf))
    if getattr(args, "json", False):
        out = Output(as_json=True)
    out.emit(report, lambda: report_lines(report))
    return 0
