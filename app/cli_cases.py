"""`mediation-desk case ...` and `mediation-desk print ...`: the case commands, thin over the services."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from app.cli_support import Output, actor_for
from app.clock import LOCAL_TZ, today, utcnow
from app.errors import NotFound, ValidationError
from app.i18n import _
from app.models.cases import STATUS_LABELS, CaseStatus, MediatorRole
from app.models.roster import Person
from app.services import case_flow, cases, households
from app.services.cases import CaseFilter, CaseInput, MediatorInput, PartyInput
from app.services.context import Actor
from app.services.periods import parse_period
from app.services.validation import parse_date


def _party(session: Session, role: str, ref: str) -> PartyInput:
    """ID number, HOUSEHOLD:NAME, new:NAME[:MOBILE] or org:NAME:CREDIT_CODE:LEGAL_REPRESENTATIVE."""
    ref = ref.strip()
    if re.fullmatch(r"\d{17}[\dXx]", ref):
        person = session.exec(select(Person).where(Person.id_number == ref.upper(), col(Person.retired).is_(False))).first()
        if person is None:
            raise ValidationError(role, _("Nobody with ID number {number} is in the roster.").format(number=ref))
        return PartyInput(role, person_id=person.id)
    kind, _sep, rest = ref.partition(":")
    if kind == "new" and rest:
        name, _s, mobile = rest.partition(":")
        return PartyInput(role, person=households.PersonInput(name, mobile=mobile))
    if kind == "org":
        parts = rest.split(":")
        if len(parts) != 3:
            raise ValidationError(role, _("Write an organisation as org:NAME:CREDIT_CODE:LEGAL_REPRESENTATIVE."))
        return PartyInput(role, is_organisation=True, organisation_name=parts[0], credit_code=parts[1],
                          agent_name=parts[2], agent_kind="legal_representative")
    if rest:
        household = households.get_by_number(session, kind)
        person = session.exec(select(Person).where(Person.household_id == household.id, Person.name == rest,
                                                   col(Person.retired).is_(False))).first()
        if person is None:
            raise ValidationError(role, _("Household {number} has no member named {name}.").format(number=kind, name=rest))
        return PartyInput(role, person_id=person.id)
    message = _("Name a party by ID number, HOUSEHOLD:NAME, new:NAME[:MOBILE] or org:NAME:CODE:REPRESENTATIVE.")
    raise ValidationError(role, message)


def _mediator(actor: Actor, spec: str) -> MediatorInput:
    name, _sep, role = spec.partition(":")
    return MediatorInput(name.strip(), role.strip() or MediatorRole.PEOPLES_MEDIATOR)


def _when(text: str) -> dt.datetime:
    if not text.strip():
        return utcnow()
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text.strip(), fmt).replace(tzinfo=LOCAL_TZ)
        except ValueError:
            continue
    raise ValidationError("at", _("{field} is not a time (write it as 2026-11-25 09:30).").format(field=_("Time")))


def _show_lines(view: cases.CaseView, actions: list[case_flow.Action]) -> list[str]:
    status = _(STATUS_LABELS[CaseStatus(view.status)])
    lines = [f"{view.number}  {status}  {view.category}",
             _("Received on: {received}  Deadline: {deadline}").format(received=view.received_on, deadline=view.deadline),
             _("Short account: {summary}").format(summary=view.summary)]
    lines += [f"  {p.role:<11} {p.name:<10} {p.id_number:<18} {p.mobile}" for p in view.parties]
    lines += ["  " + _("Mediator: {name} ({role})").format(name=m.name, role=m.role) for m in view.mediators]
    lines += [f"  [{'x' if a.allowed else ' '}] {a.label}" + ("" if a.allowed else f" — {a.reason}") for a in actions]
    return lines


def cmd_case(args: argparse.Namespace, store: Any, out: Output) -> int:
    actor = actor_for(store, args.user)
    if args.action == "list":
        return _list(args, store, out, actor)
    if args.action == "add":
        with store.write() as session:
            received = parse_date(args.received, "received", "Received on") or today()
            parties = ([_party(session, "applicant", r) for r in args.applicant]
                       + [_party(session, "respondent", r) for r in args.respondent]
                       + [_party(session, "third_party", r) for r in args.third_party])
            mediators = [_mediator(actor, m) for m in args.mediator] or [
                MediatorInput(actor.display_name, MediatorRole.PEOPLES_MEDIATOR, actor.user_id, True)]
            case = cases.register_case(
                session, actor,
                CaseInput(received, args.source, args.category, args.summary, args.facts, args.points, args.requests,
                          deadline=parse_date(args.deadline, "deadline", "Deadline")),
                parties, mediators, confirm_duplicate=args.force)
        out.say(_("Registered case {number}.").format(number=case.number))
        out.emit({"id": case.id, "number": case.number, "deadline": case.deadline}, lambda: [case.number])
        return 0
    if args.action == "show":
        with store.read() as session:
            case = cases.find_case(session, args.case)
            view = cases.case_view(session, actor, case.id)
            acts = case_flow.actions(session, case.id)
            contents = case_flow.contents_list(session, case.id)
        out.emit({"case": view, "actions": acts, "contents": contents}, lambda: _show_lines(view, acts))
        return 0
    with store.write() as session:
        case = cases.find_case(session, args.case)
        if args.action == "session":
            case_flow.record_session(session, actor, case.id, case_flow.SessionInput(
                _when(args.at), args.place, args.attendees, True, args.applicant_said, args.respondent_said, "",
                args.facts, args.outcome, args.recorder, args.planned))
        elif args.action == "agree":
            terms = []
            for spec in args.term:
                text, _sep, amount = spec.rpartition("=") if re.search(r"=\s*[\d.,]+\s*$", spec) else (spec, "", "")
                terms.append(case_flow.Term(text, amount))
            data = case_flow.AgreementInput(tuple(terms), args.facts, args.responsibilities, args.manner,
                                            parse_date(args.deadline, "deadline", "Performance deadline"))
            if args.oral:
                case_flow.register_oral_agreement(session, actor, case.id, data)
            else:
                case_flow.draft_agreement(session, actor, case.id, data)
                if args.signed:
                    for item in case_flow.checklist(session, case.id):
                        if item.required and not item.done:
                            case_flow.tick(session, actor, case.id, item.key)
        elif args.action == "fail":
            case_flow.fail(session, actor, case.id, args.reason, [r.strip() for r in args.routes.split(",") if r.strip()])
        elif args.action == "transfer":
            case_flow.transfer(session, actor, case.id, args.to, args.reason)
        elif args.action == "follow-up":
            case_flow.record_follow_up(session, actor, case.id, case_flow.FollowUpInput(
                parse_date(args.visited, "visited", "Visited on") or today(), args.visitor, args.performance,
                args.satisfaction, args.lawsuit, args.signs, args.measures))
        elif args.action == "close":
            case_flow.close(session, actor, case.id)
        status = case.status
    out.say(_("{number}: {status}.").format(number=case.number, status=_(STATUS_LABELS[CaseStatus(status)])))
    out.emit({"number": case.number, "status": status}, lambda: [])
    return 0


def _list(args: argparse.Namespace, store: Any, out: Output, actor: Actor) -> int:
    period = parse_period(args.period) if args.period else None
    for status in args.status:
        if status not in {s.value for s in CaseStatus}:
            raise ValidationError("status", _("{field} must be one of: {choices}.").format(
                field=_("Status"), choices=", ".join(s.value for s in CaseStatus)))
    flt = CaseFilter(query=args.query, statuses=tuple(args.status), category_code=args.category,
                     received_from=period.start if period else None, received_to=period.end if period else None,
                     overdue_only=args.overdue)
    with store.read() as session:
        total = cases.count_cases(session, actor, flt)
        rows = cases.list_cases(session, actor, flt, offset=args.offset, limit=args.limit)
    out.emit({"total": total, "cases": rows}, lambda: [
        f"{r.number}  {r.received_on}  {_(STATUS_LABELS[CaseStatus(r.status)]):<8} {r.category:<6} {r.parties}  {r.summary}"
        + ("  [" + _("overdue {n} days").format(n=r.overdue_days) + "]" if r.overdue_days else "")
        for r in rows] + [_("{shown} of {total} cases").format(shown=len(rows), total=total)])
    return 0


def cmd_print(args: argparse.Namespace, store: Any, out: Output) -> int:
    from app.documents import DOCUMENTS
    from app.documents.case_data import collect

    if args.document not in DOCUMENTS:
        raise ValidationError("document", _("{field} must be one of: {choices}.").format(
            field=_("Document"), choices=", ".join(DOCUMENTS)))
    actor = actor_for(store, args.user)
    with store.read() as session:
        case = cases.find_case(session, args.case)
        data = collect(session, actor, case.id)
    title, render, applicable = DOCUMENTS[args.document]
    if not applicable(data):
        raise NotFound(_("Case {number} has no {document} yet.").format(number=case.number, document=_(title)))
    target = Path(args.output)
    tmp = target.with_name(target.name + ".part")
    try:
        with tmp.open("wb") as fh:
            render(data, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ValidationError("output", _("Cannot write {path}: {error}").format(path=target, error=exc.strerror or exc)) from exc
    out.say(_("Wrote {path}.").format(path=target))
    out.emit({"file": str(target), "document": args.document, "case": case.number}, lambda: [])
    return 0
