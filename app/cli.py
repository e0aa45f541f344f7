"""The headless front-end: `mediation-desk <command> ...`. Thin: parses, calls services, prints.

Exit codes (DESIGN.md): 0 done, 2 usage error, 3 invalid input (nothing written), 4 verification
failed, 1 anything else. Messages go to stderr in the chosen language; `--json` puts one JSON
document on stdout.

The CLI acts as a desk user (`--user NAME`, default: the first active admin). It does not ask for
a password: whoever can run it can read the database file anyway (see docs/decisions.md).
"""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from app import __version__
from app.cli_backup import add_parsers as add_backup_parsers
from app.cli_backup import cmd_backup, cmd_restore
from app.cli_cases import cmd_case, cmd_print
from app.cli_points import add_parsers as add_points_parsers
from app.cli_points import cmd_points
from app.cli_report import add_parsers as add_report_parsers
from app.cli_report import cmd_report
from app.cli_risk import add_parsers as add_risk_parsers
from app.cli_risk import cmd_risk
from app.cli_support import Output, actor_for
from app.cli_sync import add_parsers as add_sync_parsers
from app.cli_sync import cmd_identity, cmd_sync
from app.errors import DeskError, ValidationError
from app.i18n import LANGUAGES, _, set_language
from app.paths import data_dir as resolve_data_dir
from app.paths import log_file

log = logging.getLogger("mediation_desk")
PASSWORD_ENV = "MEDIATION_DESK_PASSWORD"


class UsageError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, _("{prog}: error: {message}").format(prog=self.prog, message=message) + "\n")


def build_parser() -> argparse.ArgumentParser:
    p = Parser(prog="mediation-desk", description=_("Mediation Desk: the people's mediation room's desk."))
    p.add_argument("--version", action="version", version=f"mediation-desk {__version__}")
    p.add_argument("--data-dir", help=_("data directory (default: the user data folder, or $MEDIATION_DESK_HOME)"))
    p.add_argument("--lang", choices=LANGUAGES, help=_("language of messages"))
    p.add_argument("--json", action="store_true", help=_("machine-readable output on stdout"))
    p.add_argument("--user", help=_("act as this desk user (default: the first committee director)"))
    p.add_argument("--db", help=_("database URL instead of the SQLite file (a township on PostgreSQL: postgresql+psycopg://...)"))
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    init = sub.add_parser("init", help=_("set up this desk for a committee"))
    init.add_argument("--committee", required=True, help=_("committee name, e.g. 庄墩村人民调解委员会"))
    init.add_argument("--code", required=True, help=_("short code used in case numbers, e.g. 甘"))
    init.add_argument("--seal", default="", help=_("text of the committee seal (default: the name)"))
    init.add_argument("--village", default="", help=_("village name"))
    init.add_argument("--town", required=True, help=_("township name"))
    init.add_argument("--township", action="store_true", help=_("set up a township center instead of a village desk"))
    init.add_argument("--admin", required=True, help=_("user name of the committee director"))
    init.add_argument("--admin-name", required=True, help=_("full name of the committee director"))
    init.add_argument("--password", help=_("password (or ${env}, or asked)").format(env=PASSWORD_ENV))

    demo = sub.add_parser("demo", help=_("fill the desk with a believable demo village"))
    demo.add_argument("--households", type=int, default=600, help=_("number of households"))
    demo.add_argument("--cases", type=int, default=300, help=_("number of mediation cases"))
    demo.add_argument("--entries", type=int, default=20_000, help=_("number of points entries"))
    demo.add_argument("--seed", type=int, default=20261125)
    demo.add_argument("--if-empty", action="store_true", help=_("only when the desk is not set up yet (used by make run)"))

    user = sub.add_parser("user", help=_("users of the desk")).add_subparsers(dest="action", metavar="ACTION", required=True)
    ua = user.add_parser("add", help=_("add a user"))
    ua.add_argument("username")
    ua.add_argument("--name", required=True, help=_("full name"))
    ua.add_argument("--role", required=True, choices=["admin", "mediator", "grid_worker", "viewer"])
    ua.add_argument("--password", help=_("password (or ${env}, or asked)").format(env=PASSWORD_ENV))
    user.add_parser("list", help=_("list users"))
    up = user.add_parser("passwd", help=_("set a user's password"))
    up.add_argument("username")
    up.add_argument("--password", help=_("new password (or ${env}, or asked)").format(env=PASSWORD_ENV))

    hh = sub.add_parser("household", help=_("the roster")).add_subparsers(dest="action", metavar="ACTION", required=True)
    hl = hh.add_parser("list", help=_("list households"))
    hl.add_argument("--query", default="", help=_("name, pinyin, initials, household number, phone or ID number"))
    hl.add_argument("--group", default="", help=_("villager group name"))
    hl.add_argument("--limit", type=int, default=50)
    hl.add_argument("--offset", type=int, default=0)
    hs = hh.add_parser("show", help=_("show one household"))
    hs.add_argument("number", help=_("household number (户号)"))
    hs.add_argument("--show-ids", action="store_true",
                    help=_("show ID numbers in full (roles that may read them; recorded in the audit trail)"))
    hi = hh.add_parser("import", help=_("import a roster from .xlsx or .csv"))
    hi.add_argument("file")
    hi.add_argument("--sheet", help=_("worksheet name (default: the first)"))
    hi.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN",
                    help=_("map a field to a column header, e.g. name=户主姓名"))
    hi.add_argument("--dry-run", action="store_true", help=_("check and preview only; write nothing"))
    he = hh.add_parser("export", help=_("export the roster to .xlsx"))
    he.add_argument("-o", "--output", required=True)

    sub.add_parser("check", help=_("check the database and the audit trail"))
    _case_parsers(sub)
    add_points_parsers(sub)
    add_risk_parsers(sub)
    add_report_parsers(sub)
    add_backup_parsers(sub)
    add_sync_parsers(sub)
    pr = sub.add_parser("print", help=_("print a document of a case to a PDF file"))
    pr.add_argument("document", help=_("application, intake, session, investigation, agreement, oral, follow_up, cover, "
                                       "contents or case_file"))
    pr.add_argument("case", help=_("case number, e.g. 2026-12"))
    pr.add_argument("-o", "--output", required=True)
    return p


def _case_parsers(sub: Any) -> None:
    case = sub.add_parser("case", help=_("mediation cases")).add_subparsers(dest="action", metavar="ACTION", required=True)
    add = case.add_parser("add", help=_("register a case"))
    add.add_argument("--received", default="", help=_("date received (default: today)"))
    add.add_argument("--source", default="party_applied",
                     help=_("party_applied, committee_initiated, screening, police_transfer, court_entrusted, "
                            "government_assigned, petition_qr"))
    add.add_argument("--category", required=True, help=_("category code, e.g. homestead, neighbours, debt"))
    add.add_argument("--summary", required=True, help=_("short account"))
    add.add_argument("--facts", default="")
    add.add_argument("--points", default="", help=_("points in dispute"))
    add.add_argument("--requests", default="", help=_("what the applicant asks for"))
    for role in ("applicant", "respondent", "third-party"):
        add.add_argument(f"--{role}", action="append", default=[], metavar="PERSON",
                         help=_("ID number, or HOUSEHOLD:NAME from the roster, or new:NAME[:MOBILE]"))
    add.add_argument("--mediator", action="append", default=[], metavar="NAME[:ROLE]",
                     help=_("mediator (default: the acting user as people's mediator)"))
    add.add_argument("--deadline", default="")
    add.add_argument("--force", action="store_true", help=_("register even if an open case with the same parties exists"))
    ls = case.add_parser("list", help=_("list cases"))
    ls.add_argument("--query", default="")
    ls.add_argument("--status", action="append", default=[])
    ls.add_argument("--category", default=None)
    ls.add_argument("--period", default=None, help=_("2026, 2026Q4, 2026-11"))
    ls.add_argument("--overdue", action="store_true")
    ls.add_argument("--limit", type=int, default=50)
    ls.add_argument("--offset", type=int, default=0)
    show = case.add_parser("show", help=_("show a case"))
    show.add_argument("case")
    ses = case.add_parser("session", help=_("record a mediation session"))
    ses.add_argument("case")
    ses.add_argument("--at", default="", help=_("when, e.g. \"2026-11-25 09:30\" (default: now)"))
    ses.add_argument("--place", required=True)
    ses.add_argument("--attendees", default="")
    ses.add_argument("--applicant-said", default="")
    ses.add_argument("--respondent-said", default="")
    ses.add_argument("--facts", default="", help=_("facts checked"))
    ses.add_argument("--outcome", default="")
    ses.add_argument("--recorder", default="")
    ses.add_argument("--planned", action="store_true", help=_("a session planned for later"))
    agree = case.add_parser("agree", help=_("record the agreement"))
    agree.add_argument("case")
    agree.add_argument("--term", action="append", required=True, metavar="TEXT[=AMOUNT]")
    agree.add_argument("--facts", default="")
    agree.add_argument("--responsibilities", default="")
    agree.add_argument("--manner", default="", help=_("manner of performance"))
    agree.add_argument("--deadline", default="", help=_("performance deadline"))
    agree.add_argument("--oral", action="store_true", help=_("an oral agreement (in force at once)"))
    agree.add_argument("--signed", action="store_true",
                       help=_("every party, the mediator and the seal have signed: the agreement takes effect"))
    fail = case.add_parser("fail", help=_("mediation failed"))
    fail.add_argument("case")
    fail.add_argument("--reason", required=True)
    fail.add_argument("--routes", required=True, help=_("routes the parties were told of: arbitration,administrative,lawsuit"))
    tr = case.add_parser("transfer", help=_("transfer the case"))
    tr.add_argument("case")
    tr.add_argument("--to", required=True, help=_("township_center, court, police or trade_committee"))
    tr.add_argument("--reason", required=True)
    fu = case.add_parser("follow-up", help=_("record a follow-up visit"))
    fu.add_argument("case")
    fu.add_argument("--visited", default="", help=_("date of the visit (default: today)"))
    fu.add_argument("--visitor", required=True)
    fu.add_argument("--performance", required=True, help=_("fully, partly, not_yet or refused"))
    fu.add_argument("--satisfaction", required=True, help=_("satisfied, basically or dissatisfied"))
    fu.add_argument("--lawsuit", action="store_true")
    fu.add_argument("--signs", default="", help=_("signs of escalation"))
    fu.add_argument("--measures", default="")
    cl = case.add_parser("close", help=_("close the case"))
    cl.add_argument("case")


def _password(given: str | None, confirm: bool = True) -> str:
    if given:
        return given
    env = os.environ.get(PASSWORD_ENV)
    if env:
        return env
    if not sys.stdin.isatty():
        raise ValidationError("password", _("{field} is required (use --password or ${env}).").format(
            field=_("Password"), env=PASSWORD_ENV))
    first = getpass.getpass(_("Password: "))
    if confirm and getpass.getpass(_("Repeat password: ")) != first:
        raise ValidationError("password", _("The two passwords differ."))
    return first


def _setup_logging(base: Path) -> None:
    path = log_file(base)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(path, encoding="utf-8")
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)


def run(argv: Sequence[str]) -> int:
    # Parse with the language asked for, so help and errors are in it.
    lang = None
    if "--lang" in argv:
        i = list(argv).index("--lang")
        lang = argv[i + 1] if i + 1 < len(argv) and argv[i + 1] in LANGUAGES else None
    set_language(lang)
    parser = build_parser()
    args = parser.parse_args(list(argv))
    if not args.command:
        parser.print_help(sys.stderr)
        return 2
    out = Output(args.json)
    base = resolve_data_dir(args.data_dir)
    _setup_logging(base)
    try:
        return _dispatch(args, base, out)
    except DeskError as exc:
        where = _(" (row {row})").format(row=exc.row) if isinstance(exc, ValidationError) and exc.row else ""
        out.say(_("Error: {message}").format(message=exc.message) + where)
        if args.json:
            json.dump({"error": exc.message, "field": getattr(exc, "field", None)}, sys.stdout, ensure_ascii=False)
            sys.stdout.write("\n")
        return exc.exit_code
    except BrokenPipeError:  # the output was piped into `head`: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        out.say(_("Interrupted; nothing more was written."))
        return 1
    except Exception:
        log.exception("unexpected error in command %s", args.command)
        out.say(_("Something went wrong. The details are saved in {path}.").format(path=log_file(base)))
        return 1


def _dispatch(args: argparse.Namespace, base: Path, out: Output) -> int:
    from app.store.engine import open_store

    store = open_store(base, db_url=args.db)
    try:
        handler = HANDLERS[args.command]
        return handler(args, store, out)
    finally:
        store.dispose()


def cmd_init(args: argparse.Namespace, store: Any, out: Output) -> int:
    from app.models.committee import DeskMode
    from app.services import committee

    password = _password(args.password)
    data = committee.CommitteeInput(args.committee, args.code, args.seal, args.village, args.town,
                                    DeskMode.TOWNSHIP if args.township else DeskMode.VILLAGE)
    with store.write() as session:
        c = committee.set_up(session, data, committee.AdminInput(args.admin, args.admin_name, password))
    out.say(_("Set up {name} in {path}.").format(name=c.name, path=store.data_dir))
    out.emit({"committee": c.name, "code": c.code, "mode": c.mode, "data_dir": str(store.data_dir)}, lambda: [])
    return 0


def cmd_demo(args: argparse.Namespace, store: Any, out: Output) -> int:
    from app.services import demo

    if args.if_empty:
        from app.services import committee

        with store.read() as session:
            if committee.is_set_up(session):
                out.emit({"skipped": True}, lambda: [])
                return 0
    if args.households < 1 or args.households > 200_000:
        raise ValidationError("households", _("{field} must be from 1 to 200,000.").format(field="--households"))
    if args.cases < 0 or args.cases > 1_000_000:
        raise ValidationError("cases", _("{field} must be from 0 to 1,000,000.").format(field="--cases"))
    if args.entries < 0 or args.entries > 5_000_000:
        raise ValidationError("entries", _("{field} must be from 0 to 5,000,000.").format(field="--entries"))
    from app.services import demo_cases, demo_points, demo_risk

    summary = demo.build_demo(store, households=args.households, seed=args.seed)
    case_summary = demo_cases.build_cases(store, cases=args.cases, seed=args.seed) if args.cases else None
    points_summary = demo_points.build_points(store, entries=args.entries, seed=args.seed) if args.entries else None
    risk_summary = demo_risk.build_risk(store, seed=args.seed)
    result = {"village": summary, "cases": case_summary, "points": points_summary, "risk": risk_summary}
    out.emit(result, lambda: [_("Demo village: {h} households, {p} persons, {c} cases, {e} points entries.").format(
        h=summary.households, p=summary.persons, c=case_summary.cases if case_summary else 0,
        e=points_summary.entries if points_summary else 0)] + [
        _("User {username} ({role}), password {password}").format(username=u.username, role=u.role, password=u.password)
        for u in summary.users])
    return 0


def cmd_user(args: argparse.Namespace, store: Any, out: Output) -> int:
    from app.services import users

    actor = actor_for(store, args.user)
    if args.action == "add":
        password = _password(args.password)
        with store.write() as session:
            u = users.create_user(session, actor, args.username, args.name, args.role, password)
        out.say(_("Added user {name}.").format(name=u.username))
        out.emit({"username": u.username, "display_name": u.display_name, "role": u.role}, lambda: [])
    elif args.action == "list":
        with store.read() as session:
            rows = users.list_users(session, actor)
        out.emit({"users": rows}, lambda: [
            "{:<16} {:<10} {:<12} {}{}".format(r.username, r.display_name, r.role, "" if r.active else _("inactive"),
                                               " " + _("locked") if r.locked else "") for r in rows])
    elif args.action == "passwd":
        password = _password(args.password)
        with store.write() as session:
            users.change_password(session, actor, args.username, password)
        out.say(_("Password changed for {name}.").format(name=args.username))
        out.emit({"username": args.username, "changed": True}, lambda: [])
    return 0


def cmd_household(args: argparse.Namespace, store: Any, out: Output) -> int:
    from app.models.grid import GridLevel
    from app.services import grid, households

    actor = actor_for(store, args.user)
    if args.action == "list":
        with store.read() as session:
            cell_id = None
            if args.group:
                cell = grid.find_by_name(session, args.group, GridLevel.GROUP)
                if cell is None:
                    raise ValidationError("group", _("{field} “{value}” does not exist.").format(
                        field=_("Villager group"), value=args.group))
                cell_id = cell.id
            total = households.count_households(session, actor, query=args.query, cell_id=cell_id)
            rows = households.list_households(session, actor, query=args.query, cell_id=cell_id,
                                              offset=args.offset, limit=args.limit)
        out.emit({"total": total, "households": rows}, lambda: [
            f"{r.number:<10} {r.head_name:<8} {r.group_name:<8} {r.members:>2}  {r.head_mobile:<11}  {r.address}"
            for r in rows] + [_("{shown} of {total} households").format(shown=len(rows), total=total)])
    elif args.action == "show":
        with store.write() as session:  # revealing ID numbers is audited
            h = households.get_by_number(session, args.number)
            detail = households.household_detail(session, actor, h.id)
            if args.show_ids:
                detail.members = [dataclasses.replace(m, id_number=households.reveal_id_number(session, actor, m.id))
                                  for m in detail.members]
        out.emit(detail, lambda: [
            _("Household number: {value}").format(value=detail.number), _("Address: {value}").format(value=detail.address),
            _("Villager group: {group}  Micro-grid: {micro}").format(group=detail.group_name, micro=detail.micro_grid_name),
        ] + [f"  {'*' if m.is_head else ' '} {m.name:<8} {m.relation_to_head:<6} {m.id_number:<18} {m.mobile}"
             for m in detail.members])
    elif args.action == "import":
        return _household_import(args, store, out, actor)
    elif args.action == "export":
        from app.services import roster_export

        with store.write() as session:  # the export is audited
            count = roster_export.export_roster(session, actor, Path(args.output))
        out.say(_("Exported {n} persons to {path}.").format(n=count, path=args.output))
        out.emit({"persons": count, "file": args.output}, lambda: [])
    return 0


def _household_import(args: argparse.Namespace, store: Any, out: Output, actor: Any) -> int:
    from app.services import roster_import

    table = roster_import.read_table(Path(args.file), sheet=args.sheet)
    mapping = roster_import.guess_mapping(table.headers)
    for item in args.map:
        field, sep, column = item.partition("=")
        if not sep:
            raise ValidationError("map", _("--map takes FIELD=COLUMN, e.g. name=姓名."))
        mapping = roster_import.map_column(mapping, table.headers, field.strip(), column.strip())
    with store.write() as session:
        plan = roster_import.plan_import(session, actor, table, mapping)
        if plan.errors:
            for e in plan.errors:
                out.say(_("Row {row}: {message}").format(row=e.row, message=e.message))
            session.rollback()
            out.emit({"errors": plan.errors, "summary": plan.summary()}, lambda: [])
            out.say(_("{n} row(s) have errors; nothing was imported.").format(n=len({e.row for e in plan.errors})))
            return 3
        if args.dry_run:
            session.rollback()
            out.emit({"dry_run": True, "summary": plan.summary()}, lambda: [f"{k}: {v}" for k, v in plan.summary().items()])
            return 0
        result = roster_import.apply_import(session, actor, plan)
    out.emit({"imported": result}, lambda: [f"{k}: {v}" for k, v in dataclasses.asdict(result).items()])
    return 0


def cmd_check(args: argparse.Namespace, store: Any, out: Output) -> int:
    from app.services import check

    report = check.run_checks(store)
    out.emit(report, lambda: [_("Database integrity: {result}").format(result=report.integrity),
                              _("Audit trail: {n} events, {state}").format(
                                  n=report.audit_events, state=_("chain intact") if report.audit_ok else report.audit_problem),
                              _("Points balances: {state}").format(state=_("agree with the ledger") if not report.points_mismatches
                                                                   else _("{n} households differ from the ledger").format(
                                                                       n=len(report.points_mismatches))),
                              _("Sync change log: {n} changes, {state}").format(
                                  n=report.changes, state=report.changes_problem or _("chain intact"))])
    if not report.ok:
        out.say(_("The check failed."))
        return 4
    return 0


HANDLERS: dict[str, Callable[[argparse.Namespace, Any, Output], int]] = {
    "init": cmd_init, "demo": cmd_demo, "user": cmd_user, "household": cmd_household, "check": cmd_check,
    "case": cmd_case, "print": cmd_print, "points": cmd_points, "risk": cmd_risk, "report": cmd_report,
    "backup": cmd_backup, "restore": cmd_restore, "identity": cmd_identity, "sync": cmd_sync,
}

