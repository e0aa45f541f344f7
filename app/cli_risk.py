"""`mediation-desk risk ...`: rounds, assessments at the three levels, visits, lists and the ledger."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from app.cli_support import Output, actor_for
from app.clock import today
from app.errors import ValidationError
from app.i18n import _
from app.models.grid import GridLevel
from app.models.risk import LEVEL_LABELS, STAGE_LABELS, RiskLevel, Stage
from app.services import grid, households, risk
from app.services.validation import parse_date


def add_parsers(sub: Any) -> None:
    rk = sub.add_parser("risk", help=_("quarterly risk ratings")).add_subparsers(dest="action", metavar="ACTION", required=True)
    rnd = rk.add_parser("round", help=_("open or close a round")).add_subparsers(dest="round_action", metavar="ACTION", required=True)
    ro = rnd.add_parser("open", help=_("open the round of a quarter"))
    ro.add_argument("quarter", help=_("e.g. 2026Q4"))
    rc = rnd.add_parser("close", help=_("close a round"))
    rc.add_argument("quarter")
    rc.add_argument("--reason", default="", help=_("why households are left unassessed"))
    for name, help_text in (("assess", _("rate a household (villager group level)")),
                            ("review", _("confirm or change the level (village committee, then town work team)"))):
        a = rk.add_parser(name, help=help_text)
        a.add_argument("household", help=_("household number (户号)"))
        a.add_argument("--factor", action="append", default=[], help=_("factor code, e.g. serious_debt (repeatable)"))
        a.add_argument("--level", choices=["low", "medium", "high"], default=None)
        a.add_argument("--reason", default="")
        a.add_argument("--note", default="")
        a.add_argument("--by", default="", help=_("who rated (e.g. the town work team member)"))
        a.add_argument("--quarter", default="", help=_("the round (default: the open one)"))
    v = rk.add_parser("visit", help=_("record a visit to a household"))
    v.add_argument("household")
    v.add_argument("--visitor", required=True)
    v.add_argument("--findings", required=True)
    v.add_argument("--measures", default="")
    v.add_argument("--date", default="")
    ls = rk.add_parser("list", help=_("households of a round"))
    ls.add_argument("--level", choices=["low", "medium", "high"], default=None)
    ls.add_argument("--group", default="")
    ls.add_argument("--quarter", default="")
    ls.add_argument("--overdue", action="store_true", help=_("only households whose visit is overdue"))
    led = rk.add_parser("ledger", help=_("the risk ledger (风险排查台账) as .pdf or .xlsx"))
    led.add_argument("--quarter", default="")
    led.add_argument("--group", default="")
    led.add_argument("-o", "--output", required=True)


def _group(session: Any, name: str) -> str | None:
    if not name:
        return None
    cell = grid.find_by_name(session, name, GridLevel.GROUP)
    if cell is None:
        raise ValidationError("group", _("{field} “{value}” does not exist.").format(field=_("Villager group"), value=name))
    return cell.id


def cmd_risk(args: argparse.Namespace, store: Any, out: Output) -> int:
    actor = actor_for(store, args.user)
    if args.action == "round":
        with store.write() as session:
            if args.round_action == "open":
                row = risk.open_round(session, actor, args.quarter)
            else:
                row = risk.close_round(session, actor, risk.get_round(session, args.quarter).id, args.reason)
        out.say(_("Round {quarter}: {state}.").format(quarter=row.quarter, state=_("closed") if row.closed_on else _("open")))
        out.emit({"quarter": row.quarter, "closed_on": row.closed_on}, lambda: [])
        return 0
    if args.action in ("assess", "review"):
        with store.write() as session:
            rnd = risk.get_round(session, args.quarter or None)
            household = households.get_by_number(session, args.household)
            rated = risk.assess(session, actor, rnd.id, risk.AssessInput(household.id, tuple(args.factor), args.level, args.reason,
                                                                          args.note, args.by))
        out.say(_("{number}: {level} — {stage}.").format(number=household.number, level=_(LEVEL_LABELS[RiskLevel(rated.level)]),
                                                       stage=_(STAGE_LABELS[Stage(rated.stage)])))
        out.emit({"household": household.number, "stage": rated.stage, "level": rated.level, "suggested": rated.suggested_level},
                 lambda: [])
        return 0
    if args.action == "visit":
        with store.write() as session:
            household = households.get_by_number(session, args.household)
            visit = risk.record_visit(session, actor, household.id, parse_date(args.date, "date", "Date") or today(), args.visitor,
                                      args.findings, args.measures)
        out.emit({"household": household.number, "visited_on": visit.visited_on}, lambda: [])
        return 0
    if args.action == "list":
        with store.read() as session:
            if args.overdue:
                rows = risk.overdue_visits(session, actor)
            else:
                rnd = risk.get_round(session, args.quarter or None)
                rows = risk.households_in_round(session, actor, rnd.id, group_id=_group(session, args.group), level=args.level)
        out.emit({"households": rows}, lambda: [
            "{:<8} {:<6} {:<6} {:<4} {} {}".format(r.number, r.head_name, r.group_name,
                                                  _(LEVEL_LABELS[RiskLevel(r.level)]) if r.level else _("not assessed"),
                                                  "、".join(r.factors), r.next_visit_due or "") for r in rows])
        return 0
    if args.action == "ledger":
        target = Path(args.output)
        with store.write() as session:  # the export is audited
            rnd = risk.get_round(session, args.quarter or None)
            group_id = _group(session, args.group)
            if target.suffix.lower() == ".xlsx":
                from app.services.risk_export import export_ledger

                n = export_ledger(session, actor, rnd.id, target, group_id=group_id)
            elif target.suffix.lower() == ".pdf":
                from app.documents.risk_ledger import collect_ledger, render_ledger

                data = collect_ledger(session, actor, rnd.id, group_id)
                tmp = target.with_name(target.name + ".part")
                with tmp.open("wb") as fh:
                    render_ledger(data, fh)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, target)
                n = len(data.rows)
            else:
                raise ValidationError("output", _("Write the ledger to a .pdf or .xlsx file."))
        out.say(_("Wrote {n} households to {path}.").format(n=n, path=target))
        out.emit({"households": n, "file": str(target)}, lambda: [])
        return 0
    return 2
