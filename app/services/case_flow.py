"""The work on a case and its state machine: sessions, investigations, attachments, the agreement and
its signature checklist, failure, transfer, withdrawal, follow-up visits, judicial confirmation and
closing — each step guarded by a rule the user can read ("why can't I close this?").

States: accepted → mediating → agreed → following_up → closed; accepted/mediating → failed |
transferred | withdrawn; failed → closed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import mimetypes
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import cn2an
from sqlmodel import Session, col, select

from app.clock import LOCAL_TZ, today, utcnow
from app.errors import NotFound, ValidationError
from app.i18n import N_, _
from app.models.cases import (
    Agreement,
    AgreementSignature,
    Attachment,
    Case,
    CaseParty,
    CaseStatus,
    FollowUp,
    Investigation,
    MediationSession,
)
from app.services import audit, settings
from app.services.cases import CONFIRMATION_DAYS, get_case, record_event
from app.services.context import Actor, require
from app.services.identity import device_id
from app.services.validation import clean_text

MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024
MAX_TERMS = 50
ROUTES = {"arbitration": N_("Arbitration"), "administrative": N_("Administrative handling"), "lawsuit": N_("Lawsuit")}
TRANSFER_TARGETS = {
    "township_center": N_("Township comprehensive-governance center"),
    "court": N_("Court"),
    "police": N_("Police"),
    "trade_committee": N_("Trade mediation committee"),
}
ATTACHMENT_KINDS = {
    "application": N_("Signed application"),
    "rights_notice": N_("Signed notice of rights and duties"),
    "id_proof": N_("Proof of identity"),
    "power_of_attorney": N_("Power of attorney"),
    "evidence": N_("Evidence"),
    "signed_agreement": N_("Signed agreement (scan or photo)"),
    "performance_proof": N_("Proof of performance"),
    "judicial_confirmation": N_("Judicial-confirmation papers"),
    "other": N_("Other"),
}
PERFORMANCE = {"fully": N_("Fully performed"), "partly": N_("Partly performed"), "not_yet": N_("Not yet performed"),
               "refused": N_("Refused to perform")}
SATISFACTION = {"satisfied": N_("Satisfied"), "basically": N_("Basically satisfied"), "dissatisfied": N_("Dissatisfied")}
MEDIATING_STATES = (CaseStatus.ACCEPTED, CaseStatus.MEDIATING)


# ---------------------------------------------------------------- inputs

@dataclass(frozen=True)
class SessionInput:
    held_at: dt.datetime
    place: str = ""
    attendees: str = ""
    rights_explained: bool = True
    applicant_statement: str = ""
    respondent_statement: str = ""
    other_statements: str = ""
    facts_checked: str = ""
    outcome: str = ""
    recorder: str = ""
    planned: bool = False


@dataclass(frozen=True)
class InvestigationInput:
    held_at: dt.datetime
    place: str = ""
    investigator: str = ""
    interviewee: str = ""
    recorder: str = ""
    content: str = ""


@dataclass(frozen=True)
class Term:
    text: str
    amount: str = ""  # yuan, as typed: "12000" or "12000.50"


@dataclass(frozen=True)
class AgreementInput:
    terms: tuple[Term, ...]
    facts: str = ""
    responsibilities: str = ""
    performance_manner: str = ""
    performance_deadline: dt.date | None = None
    copies: int | None = None


@dataclass(frozen=True)
class FollowUpInput:
    visited_on: dt.date
    visitor: str
    performance: str
    satisfaction: str
    lawsuit: bool = False
    escalation_signs: str = ""
    measures: str = ""
    findings: str = ""


@dataclass(frozen=True)
class ContentsItem:
    key: str
    label: str
    required: bool
    present: bool


@dataclass(frozen=True)
class Action:
    key: str
    label: str
    allowed: bool
    reason: str  # why not, when not allowed


# ---------------------------------------------------------------- helpers

def _require_state(case: Case, allowed: Sequence[str], what: str) -> None:
    if case.status not in allowed:
        from app.models.cases import STATUS_LABELS

        raise ValidationError("status", _("{what} is not possible while the case is “{status}”.").format(
            what=what, status=_(STATUS_LABELS[CaseStatus(case.status)])))


def _text(value: str, field: str, label: str, limit: int, required: bool = False) -> str:
    return clean_text(value, field, label, max_len=limit, required=required, multiline=True)


def amount_in_capitals(amount: str) -> str:
    """人民币壹万贰仟元整 for 12000 — written in agreements beside the figures."""
    return "人民币" + str(cn2an.an2cn(amount, "rmb"))


def parse_amount(value: str, field: str = "amount") -> str:
    text = (value or "").strip().replace(",", "").replace("，", "").removesuffix("元")
    if not text:
        return ""
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValidationError(field, _("{field} must be a sum of money in yuan, e.g. 12000 or 350.50.").format(
            field=_("Amount"))) from None
    if amount <= 0 or amount >= Decimal("1000000000") or amount != amount.quantize(Decimal("0.01")):
        message = _("{field} must be more than 0 and less than 1,000,000,000 yuan, with at most 2 decimals.")
        raise ValidationError(field, message.format(field=_("Amount")))
    return format(amount.normalize(), "f")


def agreement_terms(agreement: Agreement) -> list[Term]:
    return [Term(t["text"], t.get("amount", "")) for t in json.loads(agreement.terms or "[]")]


def get_agreement(session: Session, case_id: str) -> Agreement | None:
    return session.exec(select(Agreement).where(Agreement.case_id == case_id)).first()


def parties_of(session: Session, case_id: str) -> list[CaseParty]:
    return list(session.exec(select(CaseParty).where(CaseParty.case_id == case_id).order_by(col(CaseParty.position))).all())


# ---------------------------------------------------------------- the work

def _session_fields(case: Case, data: SessionInput) -> dict[str, object]:
    if data.held_at.tzinfo is None:
        raise ValidationError("held_at", _("{field} needs a time zone.").format(field=_("Time")))
    if not data.planned and data.held_at > utcnow() + dt.timedelta(minutes=5):
        raise ValidationError("held_at", _("{field} is in the future; record it as planned instead.").format(field=_("Time")))
    if data.held_at.astimezone(LOCAL_TZ).date() < case.received_on:
        raise ValidationError("held_at", _("{field} is before the case was received.").format(field=_("Time")))
    return {
        "held_at": data.held_at,
        "planned": data.planned,
        "place": _text(data.place, "place", "Place", 100, required=True),
        "attendees": _text(data.attendees, "attendees", "Attendees", 1000),
        "rights_explained": data.rights_explained,
        "applicant_statement": _text(data.applicant_statement, "applicant_statement", "Applicant's statement", 10_000),
        "respondent_statement": _text(data.respondent_statement, "respondent_statement", "Respondent's statement", 10_000),
        "other_statements": _text(data.other_statements, "other_statements", "Other statements", 10_000),
        "facts_checked": _text(data.facts_checked, "facts_checked", "Facts checked", 10_000),
        "outcome": _text(data.outcome, "outcome", "Outcome of the session", 5000),
        "recorder": _text(data.recorder, "recorder", "Recorder", 50),
    }


def record_session(session: Session, actor: Actor, case_id: str, data: SessionInput) -> MediationSession:
    """A mediation session held (or planned). The first held session moves the case to “mediating”."""
    require(actor, "cases.mediate")
    case = get_case(session, case_id)
    _require_state(case, MEDIATING_STATES, _("Recording a mediation session"))
    row = MediationSession(case_id=case.id, origin=device_id(session), **_session_fields(case, data))  # type: ignore[arg-type]
    session.add(row)
    session.flush()
    audit.record_change(session, actor, row, None, case.number)
    if not data.planned and case.status == CaseStatus.ACCEPTED:
        record_event(session, actor, case, CaseStatus.MEDIATING, _("First mediation session held."))
    return row


def hold_planned_session(session: Session, actor: Actor, session_id: str, data: SessionInput) -> MediationSession:
    """Fill in a planned session once it has been held."""
    require(actor, "cases.mediate")
    row = session.get(MediationSession, session_id)
    if row is None:
        raise NotFound(_("There is no mediation session with id {id}.").format(id=session_id))
    if not row.planned:
        raise ValidationError("planned", _("This session is already recorded; a record is not changed afterwards."))
    case = get_case(session, row.case_id)
    _require_state(case, MEDIATING_STATES, _("Recording a mediation session"))
    before = audit.snapshot(row)
    for name, value in _session_fields(case, SessionInput(**{**data.__dict__, "planned": False})).items():
        setattr(row, name, value)
    row.updated_at = utcnow()
    session.flush()
    audit.record_change(session, actor, row, before, case.number)
    if case.status == CaseStatus.ACCEPTED:
        record_event(session, actor, case, CaseStatus.MEDIATING, _("First mediation session held."))
    return row


def record_investigation(session: Session, actor: Actor, case_id: str, data: InvestigationInput) -> Investigation:
    require(actor, "cases.mediate")
    case = get_case(session, case_id)
    _require_state(case, MEDIATING_STATES, _("Recording an investigation"))
    if data.held_at > utcnow() + dt.timedelta(minutes=5):
        raise ValidationError("held_at", _("{field} is in the future.").format(field=_("Time")))
    row = Investigation(case_id=case.id, held_at=data.held_at, place=_text(data.place, "place", "Place", 100),
                        investigator=_text(data.investigator, "investigator", "Investigator", 50, required=True),
                        interviewee=_text(data.interviewee, "interviewee", "Person interviewed", 100, required=True),
                        recorder=_text(data.recorder, "recorder", "Recorder", 50),
                        content=_text(data.content, "content", "Content", 20_000, required=True), origin=device_id(session))
    session.add(row)
    session.flush()
    audit.record_change(session, actor, row, None, case.number)
    return row


def investigations_of(session: Session, case_id: str) -> list[Investigation]:
    return list(session.exec(select(Investigation).where(Investigation.case_id == case_id).order_by(col(Investigation.held_at))).all())


def attachment_path(data_dir: Path, sha256: str) -> Path:
    return data_dir / "attachments" / sha256[:2] / sha256


def add_attachment(session: Session, actor: Actor, data_dir: Path, case_id: str, source: Path, kind: str,
                   title: str = "") -> Attachment:
    """Copy a file into the data directory under its SHA-256 (one copy however often it is attached)."""
    require(actor, "cases.register")
    case = get_case(session, case_id)
    if kind not in ATTACHMENT_KINDS:
        raise ValidationError("kind", _("{field} must be one of: {choices}.").format(
            field=_("Kind"), choices=", ".join(ATTACHMENT_KINDS)))
    try:
        size = source.stat().st_size
    except OSError:
        raise ValidationError("file", _("The file {name} cannot be read.").format(name=source.name)) from None
    if size == 0:
        raise ValidationError("file", _("The file {name} is empty.").format(name=source.name))
    if size > MAX_ATTACHMENT_BYTES:
        raise ValidationError("file", _("The file {name} is larger than {limit} MB.").format(
            name=source.name, limit=MAX_ATTACHMENT_BYTES // (1024 * 1024)))
    digest = hashlib.sha256()
    with source.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    sha = digest.hexdigest()
    target = attachment_path(data_dir, sha)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(sha + ".part")
        shutil.copyfile(source, tmp)
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    media_type = mimetypes.guess_type(source.name)[0] or "application/octet-stream"
    row = Attachment(case_id=case.id, kind=kind, title=_text(title or source.stem, "title", "Title", 200, required=True),
                     filename=source.name[:255], sha256=sha, size=size, media_type=media_type, origin=device_id(session))
    session.add(row)
    session.flush()
    audit.record_change(session, actor, row, None, f"{case.number} {row.title}")
    return row


def attachments_of(session: Session, case_id: str) -> list[Attachment]:
    return list(session.exec(select(Attachment).where(Attachment.case_id == case_id, col(Attachment.retired).is_(False))
                             .order_by(col(Attachment.created_at))).all())


# ---------------------------------------------------------------- agreement

def _clean_agreement(case: Case, data: AgreementInput, parties: int) -> AgreementInput:
    terms = []
    if not data.terms:
        raise ValidationError("terms", _("Write at least one term of the agreement."))
    if len(data.terms) > MAX_TERMS:
        raise ValidationError("terms", _("An agreement can have at most {n} terms.").format(n=MAX_TERMS))
    for i, term in enumerate(data.terms, start=1):
        text = clean_text(term.text, "terms", "Term", max_len=2000, multiline=True)
        if not text:
            raise ValidationError("terms", _("Term {n} is empty.").format(n=i))
        terms.append(Term(text, parse_amount(term.amount, "terms")))
    deadline = data.performance_deadline
    if deadline is not None and deadline < case.received_on:
        raise ValidationError("performance_deadline", _("{field} is before the case was received.").format(
            field=_("Performance deadline")))
    copies = data.copies if data.copies is not None else parties + 1
    if not 1 <= copies <= 20:
        raise ValidationError("copies", _("{field} must be from 1 to 20.").format(field=_("Copies")))
    return AgreementInput(tuple(terms), _text(data.facts, "facts", "Facts", 20_000),
                          _text(data.responsibilities, "responsibilities", "Responsibilities", 10_000),
                          _text(data.performance_manner, "performance_manner", "Manner of performance", 2000),
                          deadline, copies)


def draft_agreement(session: Session, actor: Actor, case_id: str, data: AgreementInput) -> Agreement:
    """Write (or rewrite) the written agreement. It takes effect only when its checklist is complete."""
    require(actor, "cases.mediate")
    case = get_case(session, case_id)
    _require_state(case, MEDIATING_STATES, _("Drafting an agreement"))
    parties = parties_of(session, case.id)
    clean = _clean_agreement(case, data, len(parties))
    agreement = get_agreement(session, case.id)
    terms_json = json.dumps([t.__dict__ for t in clean.terms], ensure_ascii=False)
    if agreement is None:
        agreement = Agreement(case_id=case.id, kind="written", origin=device_id(session))
        session.add(agreement)
        before = None
    else:
        if agreement.effective_on is not None:
            raise ValidationError("terms", _("The agreement is in force; it can no longer be changed."))
        before = audit.snapshot(agreement)
    agreement.kind = "written"
    agreement.facts, agreement.responsibilities, agreement.terms = clean.facts, clean.responsibilities, terms_json
    agreement.performance_manner, agreement.performance_deadline = clean.performance_manner, clean.performance_deadline
    agreement.copies = clean.copies or len(parties) + 1
    agreement.updated_at = utcnow()
    session.flush()
    signatures = session.exec(select(AgreementSignature).where(AgreementSignature.agreement_id == agreement.id)).all()
    existing = {s.party_id for s in signatures}
    for party in parties:
        if party.id not in existing:
            session.add(AgreementSignature(agreement_id=agreement.id, party_id=party.id, origin=agreement.origin))
    session.flush()
    audit.record_change(session, actor, agreement, before, case.number)
    return agreement


@dataclass(frozen=True)
class ChecklistItem:
    key: str  # party id, "mediator", "seal", "recorder"
    label: str
    required: bool
    done: bool


def checklist(session: Session, case_id: str) -> list[ChecklistItem]:
    agreement = get_agreement(session, case_id)
    if agreement is None or agreement.kind != "written":
        return []
    signed = {s.party_id: s.signed for s in session.exec(
        select(AgreementSignature).where(AgreementSignature.agreement_id == agreement.id))}
    items = [ChecklistItem(p.id, _("{name}: signature or thumbprint").format(name=p.name), True, signed.get(p.id, False))
             for p in parties_of(session, case_id)]
    items.append(ChecklistItem("mediator", _("Mediator's signature"), True, agreement.mediator_signed))
    items.append(ChecklistItem("recorder", _("Recorder's signature"), False, agreement.recorder_signed))
    items.append(ChecklistItem("seal", _("Committee seal"), True, agreement.seal_applied))
    return items


def tick(session: Session, actor: Actor, case_id: str, key: str, done: bool = True,
         effective_on: dt.date | None = None) -> Agreement:
    """Tick (or untick) one item of the signature checklist. When every required item is ticked the
    agreement takes effect (on `effective_on`, default today), the case becomes “agreement reached”, and
    the first follow-up visit is planned."""
    require(actor, "cases.mediate")
    case = get_case(session, case_id)
    agreement = get_agreement(session, case.id)
    if agreement is None or agreement.kind != "written":
        raise ValidationError("agreement", _("There is no written agreement to sign yet."))
    if agreement.effective_on is not None:
        raise ValidationError("agreement", _("The agreement is in force; its signatures cannot be changed."))
    _require_state(case, MEDIATING_STATES, _("Signing the agreement"))
    before = audit.snapshot(agreement)
    if key == "mediator":
        agreement.mediator_signed = done
    elif key == "recorder":
        agreement.recorder_signed = done
    elif key == "seal":
        agreement.seal_applied = done
    else:
        signature = session.exec(select(AgreementSignature).where(AgreementSignature.agreement_id == agreement.id,
                                                                  AgreementSignature.party_id == key)).first()
        if signature is None:
            raise ValidationError("key", _("{field} is not a party of this agreement.").format(field=key))
        sb = audit.snapshot(signature)
        signature.signed = done
        session.flush()
        audit.record_change(session, actor, signature, sb, case.number)
    agreement.updated_at = utcnow()
    session.flush()
    audit.record_change(session, actor, agreement, before, case.number)
    if all(item.done for item in checklist(session, case.id) if item.required):
        _take_effect(session, actor, case, agreement, effective_on or today())
    return agreement


def _take_effect(session: Session, actor: Actor, case: Case, agreement: Agreement, on: dt.date) -> None:
    if on > today():
        raise ValidationError("effective_on", _("{field} is in the future.").format(field=_("Effective on")))
    before = audit.snapshot(agreement)
    agreement.effective_on = on
    session.flush()
    audit.record_change(session, actor, agreement, before, case.number)
    record_event(session, actor, case, CaseStatus.AGREED, _("Agreement in force."))
    base = agreement.performance_deadline or on
    due = base + dt.timedelta(days=settings.get_int(session, "follow_up_after_days") if agreement.performance_deadline else 30)
    plan_follow_up(session, actor, case.id, due, _("Check performance of the agreement."))


def register_oral_agreement(session: Session, actor: Actor, case_id: str, data: AgreementInput,
                            on: dt.date | None = None) -> Agreement:
    """An oral agreement: the mediator records its content; it is in force at once (law art. 28, 30)."""
    require(actor, "cases.mediate")
    case = get_case(session, case_id)
    _require_state(case, MEDIATING_STATES, _("Registering an oral agreement"))
    if get_agreement(session, case.id) is not None:
        raise ValidationError("agreement", _("This case already has an agreement."))
    clean = _clean_agreement(case, data, len(parties_of(session, case.id)))
    agreement = Agreement(case_id=case.id, kind="oral", facts=clean.facts, responsibilities=clean.responsibilities,
                          terms=json.dumps([t.__dict__ for t in clean.terms], ensure_ascii=False),
                          performance_manner=clean.performance_manner, performance_deadline=clean.performance_deadline,
                          copies=1, mediator_signed=True, origin=device_id(session))
    session.add(agreement)
    session.flush()
    audit.record_change(session, actor, agreement, None, case.number)
    _take_effect(session, actor, case, agreement, on or today())
    return agreement


def record_confirmation(session: Session, actor: Actor, case_id: str, applied_on: dt.date, result: str = "") -> Agreement:
    """Both parties applied jointly to the court for judicial confirmation (within 30 days of effect)."""
    require(actor, "cases.mediate")
    case = get_case(session, case_id)
    agreement = get_agreement(session, case.id)
    if agreement is None or agreement.effective_on is None:
        raise ValidationError("agreement", _("Judicial confirmation needs an agreement in force."))
    if applied_on < agreement.effective_on or applied_on > agreement.effective_on + dt.timedelta(days=CONFIRMATION_DAYS):
        raise ValidationError("applied_on", _("{field} must be within 30 days of the agreement taking effect.").format(
            field=_("Applied on")))
    if applied_on > today():
        raise ValidationError("applied_on", _("{field} is in the future.").format(field=_("Applied on")))
    before = audit.snapshot(agreement)
    agreement.confirmation_applied_on = applied_on
    agreement.confirmation_result = _text(result, "result", "Result", 200)
    session.flush()
    audit.record_change(session, actor, agreement, before, case.number)
    return agreement


def confirmation_deadline(agreement: Agreement) -> dt.date | None:
    return agreement.effective_on + dt.timedelta(days=CONFIRMATION_DAYS) if agreement.effective_on else None


# ---------------------------------------------------------------- other outcomes

def fail(session: Session, actor: Actor, case_id: str, reason: str, routes: Sequence[str]) -> Case:
    """调解不成: end the mediation, recording why and which other routes the parties were told of."""
    require(actor, "cases.mediate")
    case = get_case(session, case_id)
    _require_state(case, MEDIATING_STATES, _("Ending the mediation as failed"))
    reason = _text(reason, "reason", "Reason", 2000, required=True)
    unknown = [r for r in routes if r not in ROUTES]
    if unknown or not routes:
        raise ValidationError("routes", _("Say which other routes the parties were told of: {choices}.").format(
            choices=", ".join(ROUTES)))
    case.outcome_note, case.routes_told = reason, ",".join(dict.fromkeys(routes))
    record_event(session, actor, case, CaseStatus.FAILED, reason)
    return case


def transfer(session: Session, actor: Actor, case_id: str, to: str, reason: str) -> Case:
    """分级转办: hand the case to the township center, a court, the police or a trade committee."""
    require(actor, "cases.mediate")
    case = get_case(session, case_id)
    _require_state(case, MEDIATING_STATES, _("Transferring the case"))
    if to not in TRANSFER_TARGETS:
        raise ValidationError("to", _("{field} must be one of: {choices}.").format(
            field=_("Transfer to"), choices=", ".join(TRANSFER_TARGETS)))
    case.transfer_to, case.outcome_note = to, _text(reason, "reason", "Reason", 2000, required=True)
    record_event(session, actor, case, CaseStatus.TRANSFERRED, case.outcome_note)
    return case


def withdraw(session: Session, actor: Actor, case_id: str, reason: str) -> Case:
    require(actor, "cases.mediate")
    case = get_case(session, case_id)
    _require_state(case, MEDIATING_STATES, _("Withdrawing the case"))
    case.outcome_note = _text(reason, "reason", "Reason", 2000, required=True)
    record_event(session, actor, case, CaseStatus.WITHDRAWN, case.outcome_note)
    return case


# ---------------------------------------------------------------- follow-ups

def plan_follow_up(session: Session, actor: Actor, case_id: str, due_on: dt.date, reason: str = "") -> FollowUp:
    require(actor, "cases.mediate")
    case = get_case(session, case_id)
    _require_state(case, (CaseStatus.AGREED, CaseStatus.FOLLOWING_UP), _("Planning a follow-up visit"))
    row = FollowUp(case_id=case.id, due_on=due_on, reason=_text(reason, "reason", "Reason", 500), origin=device_id(session))
    session.add(row)
    session.flush()
    audit.record_change(session, actor, row, None, case.number)
    return row


def record_follow_up(session: Session, actor: Actor, case_id: str, data: FollowUpInput,
                     follow_up_id: str | None = None) -> FollowUp:
    """Record a visit: fills the planned one (`follow_up_id`, or the earliest open one) or adds a new record."""
    require(actor, "cases.mediate")
    case = get_case(session, case_id)
    _require_state(case, (CaseStatus.AGREED, CaseStatus.FOLLOWING_UP), _("Recording a follow-up visit"))
    if data.visited_on > today():
        raise ValidationError("visited_on", _("{field} is in the future.").format(field=_("Visited on")))
    if data.performance not in PERFORMANCE:
        raise ValidationError("performance", _("{field} must be one of: {choices}.").format(
            field=_("Performance"), choices=", ".join(PERFORMANCE)))
    if data.satisfaction not in SATISFACTION:
        raise ValidationError("satisfaction", _("{field} must be one of: {choices}.").format(
            field=_("Satisfaction"), choices=", ".join(SATISFACTION)))
    if follow_up_id:
        row = session.get(FollowUp, follow_up_id)
        if row is None or row.case_id != case.id:
            raise NotFound(_("There is no follow-up visit with id {id}.").format(id=follow_up_id))
    else:
        row = session.exec(select(FollowUp).where(FollowUp.case_id == case.id, col(FollowUp.visited_on).is_(None))
                           .order_by(col(FollowUp.due_on))).first()
    if row is not None and row.visited_on is not None:
        raise ValidationError("follow_up_id", _("This visit is already recorded; a record is not changed afterwards."))
    before = audit.snapshot(row) if row is not None else None
    if row is None:
        row = FollowUp(case_id=case.id, due_on=data.visited_on, origin=device_id(session))
        session.add(row)
    row.visited_on = data.visited_on
    row.visitor = _text(data.visitor, "visitor", "Visitor", 50, required=True)
    row.performance, row.satisfaction, row.lawsuit = data.performance, data.satisfaction, data.lawsuit
    row.escalation_signs = _text(data.escalation_signs, "escalation_signs", "Signs of escalation", 2000)
    row.measures = _text(data.measures, "measures", "Measures", 2000)
    row.findings = _text(data.findings, "findings", "Findings", 5000)
    session.flush()
    audit.record_change(session, actor, row, before, case.number)
    if case.status == CaseStatus.AGREED:
        record_event(session, actor, case, CaseStatus.FOLLOWING_UP, _("First follow-up visit recorded."))
    return row


def follow_ups_of(session: Session, case_id: str) -> list[FollowUp]:
    return list(session.exec(select(FollowUp).where(FollowUp.case_id == case_id).order_by(col(FollowUp.due_on))).all())


# ---------------------------------------------------------------- case file and closing

def contents_list(session: Session, case_id: str) -> list[ContentsItem]:
    """卷内目录: what the case file holds, and which required items are still missing."""
    case = get_case(session, case_id)
    kinds = {a.kind for a in attachments_of(session, case.id)}
    held = [s for s in session.exec(select(MediationSession).where(MediationSession.case_id == case.id)).all() if not s.planned]
    agreement = get_agreement(session, case.id)
    investigations = session.exec(select(Investigation).where(Investigation.case_id == case.id)).first() is not None
    visits = [f for f in follow_ups_of(session, case.id) if f.visited_on]
    parties = parties_of(session, case.id)
    needs_agreement = case.status in (CaseStatus.AGREED, CaseStatus.FOLLOWING_UP) or (
        case.status == CaseStatus.CLOSED and agreement is not None)
    ids_recorded = bool(parties) and all(p.id_number or p.credit_code for p in parties)
    return [
        ContentsItem("intake", _("Application or intake register"), True, True),
        ContentsItem("rights_notice", _("Notice of rights and duties"), True,
                     "rights_notice" in kinds or any(s.rights_explained for s in held)),
        ContentsItem("id_proof", _("Proof of identity"), True, "id_proof" in kinds or ids_recorded),
        ContentsItem("power_of_attorney", _("Power of attorney"), False, "power_of_attorney" in kinds),
        ContentsItem("investigation", _("Investigation record"), False, investigations),
        ContentsItem("evidence", _("Evidence"), False, "evidence" in kinds),
        ContentsItem("mediation_record", _("Mediation record"), True, bool(held)),
        ContentsItem("agreement", _("Mediation agreement"), needs_agreement,
                     agreement is not None and agreement.effective_on is not None),
        ContentsItem("performance_proof", _("Proof of performance"), False, "performance_proof" in kinds),
        ContentsItem("follow_up", _("Follow-up record"), False, bool(visits)),
        ContentsItem("judicial_confirmation", _("Judicial-confirmation papers"), False,
                     "judicial_confirmation" in kinds or bool(agreement and agreement.confirmation_applied_on)),
        ContentsItem("back_cover", _("Back cover"), True, True),
    ]


def close_reasons(session: Session, case: Case) -> list[str]:
    """Why the case cannot be closed now (empty when it can)."""
    from app.models.cases import STATUS_LABELS

    if case.status not in (CaseStatus.AGREED, CaseStatus.FOLLOWING_UP, CaseStatus.FAILED):
        return [_("Only a case with an agreement or a failed mediation can be closed (now: {status}).").format(
            status=_(STATUS_LABELS[CaseStatus(case.status)]))]
    reasons = [_("The case file lacks: {item}.").format(item=item.label)
               for item in contents_list(session, case.id) if item.required and not item.present]
    if case.status in (CaseStatus.AGREED, CaseStatus.FOLLOWING_UP):
        open_visits = [f for f in follow_ups_of(session, case.id) if f.visited_on is None]
        if case.status == CaseStatus.AGREED or open_visits:
            reasons.append(_("Record the follow-up visit first."))
    return reasons


def close(session: Session, actor: Actor, case_id: str, on: dt.date | None = None, retention: str = "") -> Case:
    require(actor, "cases.mediate")
    case = get_case(session, case_id)
    reasons = close_reasons(session, case)
    if reasons:
        raise ValidationError("status", " ".join(reasons))
    on = on or today()
    if on > today() or on < case.received_on:
        raise ValidationError("closed_on", _("{field} must be between the date received and today.").format(
            field=_("Closed on")))
    case.closed_on, case.closed_by = on, actor.user_id
    case.retention = _text(retention, "retention", "Retention period", 20)
    record_event(session, actor, case, CaseStatus.CLOSED, _("Case closed."))
    return case


def actions(session: Session, case_id: str) -> list[Action]:
    """The next steps for the case page's buttons, each with the reason when it is not allowed now."""
    from app.models.cases import STATUS_LABELS

    case = get_case(session, case_id)
    status_label = _(STATUS_LABELS[CaseStatus(case.status)])
    mediating = case.status in MEDIATING_STATES
    agreement = get_agreement(session, case.id)
    not_now = _("Not possible while the case is “{status}”.").format(status=status_label)
    oral_reason = "" if mediating and agreement is None else (
        not_now if not mediating else _("This case already has an agreement."))
    result = [
        Action("session", _("Record a session"), mediating, "" if mediating else not_now),
        Action("investigation", _("Record an investigation"), mediating, "" if mediating else not_now),
        Action("agreement", _("Written agreement"), mediating, "" if mediating else not_now),
        Action("oral", _("Oral agreement"), mediating and agreement is None, oral_reason),
        Action("fail", _("Mediation failed"), mediating, "" if mediating else not_now),
        Action("transfer", _("Transfer"), mediating, "" if mediating else not_now),
        Action("withdraw", _("Withdrawn"), mediating, "" if mediating else not_now),
    ]
    following = case.status in (CaseStatus.AGREED, CaseStatus.FOLLOWING_UP)
    result.append(Action("follow_up", _("Record a follow-up visit"), following, "" if following else not_now))
    reasons = close_reasons(session, case)
    result.append(Action("close", _("Close the case"), not reasons, " ".join(reasons)))
    return result
