"""`mediation-desk points ...`: the village-rule points commands, thin over the services."""

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
from app.services import grid, households, points, points_catalog, points_notice, points_shop, township_notices
from app.services.validation import parse_date


def add_parsers(sub: Any) -> None:
    pts = sub.add_parser("points", help=_("village-rule points")).add_subparsers(dest="action", metavar="ACTION", required=True)
    rules = pts.add_parser("rules", help=_("the rule catalog")).add_subparsers(dest="rules_action", metavar="ACTION", required=True)
    rules.add_parser("list", help=_("list the rules in force"))
    ri = rules.add_parser("import", help=_("adopt a new version of the rules from .xlsx"))
    ri.add_argument("file")
    ri.add_argument("--name", required=True, help=_("name of the version"))
    ri.add_argument("--adopted-on", default="", help=_("date adopted (default: today)"))
    ri.add_argument("--adopted-by", default="", help=_("the assembly that adopted it"))
    re_ = rules.add_parser("export", help=_("export the rules to .xlsx"))
    re_.add_argument("-o", "--output", required=True)
    rp = rules.add_parser("publish", help=_("township: publish a reference catalog from .xlsx to every village"))
    rp.add_argument("file")
    rp.add_argument("--name", required=True, help=_("name of the catalog"))
    rp.add_argument("--issued-on", default="", help=_("date issued (default: today)"))
    rp.add_argument("--note", default="")
    rr = rules.add_parser("releases", help=_("the township's reference catalogs"))
    rr.add_argument("--all", action="store_true", help=_("also those withdrawn"))
    rw = rules.add_parser("withdraw", help=_("township: withdraw a reference catalog"))
    rw.add_argument("release", help=_("catalog id"))
    ra = rules.add_parser("adopt-release", help=_("village: the assembly adopted the township's catalog as the new rules"))
    ra.add_argument("release", help=_("catalog id"))
    ra.add_argument("--name", required=True, help=_("name of the version"))
    ra.add_argument("--adopted-on", default="", help=_("date adopted (default: today)"))
    ra.add_argument("--adopted-by", default="", help=_("the assembly that adopted it"))
    add = pts.add_parser("add", help=_("record points for households"))
    add.add_argument("households", nargs="+", metavar="HOUSEHOLD", help=_("household numbers (户号)"))
    add.add_argument("--rule", default="", help=_("rule code, e.g. A01"))
    add.add_argument("--reason", default="", help=_("a reason not in the rules (then --points, and a review is needed)"))
    add.add_argument("--points", type=int, default=None)
    add.add_argument("--date", default="", help=_("when it happened (default: today)"))
    add.add_argument("--note", default="")
    rev = pts.add_parser("reverse", help=_("correct an entry by reversing it"))
    rev.add_argument("entry", help=_("entry id"))
    rev.add_argument("--reason", required=True)
    bal = pts.add_parser("balance", help=_("a household's balance and ledger"))
    bal.add_argument("household", help=_("household number (户号)"))
    rk = pts.add_parser("ranking", help=_("ranking for a period"))
    rk.add_argument("--period", required=True, help=_("2026, 2026Q4 or 2026-11"))
    rk.add_argument("--group", default="", help=_("villager group name"))
    rk.add_argument("--limit", type=int, default=0)
    no = pts.add_parser("notice", help=_("post the public notice of a period and print it"))
    no.add_argument("--period", required=True)
    no.add_argument("--group", default="", help=_("villager group name (default: the whole village)"))
    no.add_argument("--days", type=int, default=7, help=_("notice period in days"))
    no.add_argument("-o", "--output", required=True)
    rd = pts.add_parser("redeem", help=_("redeem points at the points shop"))
    rd.add_argument("household", help=_("household number (户号)"))
    rd.add_argument("--item", required=True, help=_("name of the goods"))
    rd.add_argument("--quantity", type=int, default=1)
    rd.add_argument("-o", "--output", default="", help=_("also print the receipt to this PDF"))


def _group_id(session: Any, name: str) -> str | None:
    if not name:
        return None
    cell = grid.find_by_name(session, name, GridLevel.GROUP)
    if cell is None:
        raise ValidationError("group", _("{field} “{value}” does not exist.").format(field=_("Villager group"), value=name))
    return cell.id


def _write_pdf(path: Path, render: Any) -> None:
    tmp = path.with_name(path.name + ".part")
    try:
        with tmp.open("wb") as fh:
            render(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ValidationError("output", _("Cannot write {path}: {error}").format(path=path, error=exc.strerror or exc)) from exc


def cmd_points(args: argparse.Namespace, store: Any, out: Output) -> int:
    actor = actor_for(store, args.user)
    if args.action == "rules":
        return _cmd_rules(args, store, actor, out)
    if args.action == "add":
        day = parse_date(args.date, "date", "Date") or today()
        with store.write() as session:
            ids = [households.get_by_number(session, n).id for n in args.households]
            if args.rule and len(ids) > 1:
                entries = points.add_batch(session, actor, ids, args.rule, day, args.note)
            else:
                entries = [points.add_entry(session, actor, points.EntryInput(hid, day, args.rule, args.reason, args.points, args.note))
                           for hid in ids]
        out.emit({"entries": [{"id": e.id, "points": e.points, "needs_review": e.needs_review} for e in entries]},
                 lambda: [f"{e.id}  {e.points:+d}" + ("  (" + _("awaiting review") + ")" if e.needs_review else "") for e in entries])
        return 0
    if args.action == "reverse":
        with store.write() as session:
            reversal = points.reverse(session, actor, args.entry, args.reason)
        out.emit({"id": reversal.id, "points": reversal.points}, lambda: [f"{reversal.id}  {reversal.points:+d}"])
        return 0
    if args.action == "balance":
        with store.read() as session:
            household = households.get_by_number(session, args.household)
            total = points.balance(session, household.id)
            lines = points.ledger(session, actor, household.id)
        out.emit({"household": household.number, "balance": total, "entries": lines}, lambda: [_("Balance: {n}").format(n=total)] + [
            f"{line.occurred_on}  {line.points:+5d}  {line.status:<8} {line.rule_code:<4} {line.reason}" for line in lines])
        return 0
    if args.action == "ranking":
        with store.read() as session:
            ranked = points.ranking(session, actor, args.period, scope_id=_group_id(session, args.group))
        ranked = ranked[: args.limit] if args.limit > 0 else ranked
        out.emit({"period": args.period, "ranking": ranked}, lambda: [
            f"{r.rank:>4}  {r.number:<8} {r.head_name:<6} +{r.gained:<5} -{r.deducted:<5} {r.balance:>6}  {'★' * r.stars}" for r in ranked])
        return 0
    if args.action == "notice":
        from app.documents.points_notice import collect_notice, render_notice

        with store.write() as session:
            notice = points_notice.post_notice(session, actor, args.period, _group_id(session, args.group), days=args.days)
            data = collect_notice(session, actor, notice.id)
        _write_pdf(Path(args.output), lambda fh: render_notice(data, fh))
        out.say(_("Posted the notice of {period}; objections until {until}. Wrote {path}.").format(
            period=notice.period, until=notice.objections_until.isoformat(), path=args.output))
        out.emit({"notice": notice.id, "objections_until": notice.objections_until, "file": args.output}, lambda: [])
        return 0
    if args.action == "redeem":
        with store.write() as session:
            household = households.get_by_number(session, args.household)
            receipt = points_shop.redeem(session, actor, household.id, points_shop.find_item(session, args.item).id, args.quantity)
            from app.services import committee

            desk = committee.require_current(session)
        if args.output:
            from app.documents.points_receipt import render_receipt

            _write_pdf(Path(args.output), lambda fh: render_receipt(receipt, desk, fh))
        out.emit(receipt, lambda: [_("Receipt {no}: {item} × {n}, {points} points; balance {balance}.").format(
            no=receipt.receipt_no, item=receipt.item, n=receipt.quantity, points=receipt.points, balance=receipt.balance_after)])
        return 0
    return 2


def _cmd_rules(args: argparse.Namespace, store: Any, actor: Any, out: Output) -> int:
    action = args.rules_action
    if action == "list":
        with store.write() as session:  # the default catalog is made on first use
            rows = points_catalog.items(session)
        out.emit({"rules": [r.model_dump(exclude={"origin", "created_at", "updated_at"}) for r in rows]}, lambda: [
            f"{r.code:<5} {r.points:+4d}  {r.category:<6} {r.wording}"
            + ("  (" + _("cap {cap}/{period}").format(cap=r.cap, period=r.cap_period) + ")" if r.cap else "")
            + ("  [" + _("review") + "]" if r.needs_review else "") for r in rows])
    elif action == "export":
        with store.write() as session:
            n = points_catalog.export_xlsx(session, actor, Path(args.output))
        out.say(_("Exported {n} rules to {path}.").format(n=n, path=args.output))
        out.emit({"rules": n, "file": args.output}, lambda: [])
    elif action == "import":
        new_items = points_catalog.read_xlsx(Path(args.file))
        with store.write() as session:
            version = points_catalog.adopt_version(session, actor, args.name, parse_date(args.adopted_on, "adopted_on", "Adopted on")
                                                   or today(), args.adopted_by, new_items)
        out.say(_("Adopted {name} with {n} rules.").format(name=version.name, n=len(new_items)))
        out.emit({"version": version.name, "rules": len(new_items)}, lambda: [])
    elif action == "publish":
        new_items = points_catalog.read_xlsx(Path(args.file))
        with store.write() as session:
            release = township_notices.publish_catalog(session, actor, args.name, parse_date(args.issued_on, "issued_on", "Issued on")
                                                       or today(), new_items, args.note)
        out.say(_("Published {name} with {n} rules; it goes to every village with the next return bundle.").format(
            name=release.name, n=release.item_count))
        out.emit({"release": release.id, "name": release.name, "rules": release.item_count}, lambda: [])
    elif action == "releases":
        with store.read() as session:
            found = township_notices.releases(session, actor, include_withdrawn=args.all)
        out.emit({"releases": [{"id": r.id, "name": r.name, "issued_on": r.issued_on, "rules": r.item_count,
                                "withdrawn": r.withdrawn} for r in found]},
                 lambda: [f"{r.id}  {r.issued_on.isoformat()}  {r.name}  ({r.item_count})"
                          + ("  [" + _("withdrawn") + "]" if r.withdrawn else "") for r in found])
    elif action == "withdraw":
        with store.write() as session:
            release = township_notices.withdraw_catalog(session, actor, args.release)
        out.say(_("Withdrew {name}.").format(name=release.name))
        out.emit({"release": release.id, "withdrawn": True}, lambda: [])
    else:
        with store.write() as session:
            version = township_notices.adopt_release(session, actor, args.release, args.name,
                                                     parse_date(args.adopted_on, "adopted_on", "Adopted on") or today(), args.adopted_by)
            n = len(points_catalog.items(session, version.id))
        out.say(_("Adopted {name} with {n} rules.").format(name=version.name, n=n))
        out.emit({"version": version.name, "rules": n}, lambda: [])
    return 0
