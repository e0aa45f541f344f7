"""Registering mediation cases: the case, its parties (from the roster or new), its mediators, its
households; dispute categories; and the case list with search, filters and badges."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Integer, column, func, or_, text
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError

from app.clock import today, utcnow
from app.errors import DuplicateWarning, NotFound, ValidationError
from app.i18n import N_, _
from app.models.cases import (
    OPEN_STATUSES,
    Agreement,
    Case,
    CaseCategory,
    CaseDecision,
    CaseEvent,
    CaseHousehold,
    CaseMediator,
    CaseParty,
    CaseSearch,
    CaseSource,
    CaseStatus,
    FollowUp,
    MediationSession,
    MediatorRole,
    PartyRole,
)
from app.models.grid import GridCell
from app.models.roster import Household, Person
from app.models.users import User
from app.services import audit, committee, households, settings
from app.services.case_numbers import format_case_number, next_sequence, parse_case_ref
from app.services.context import Actor, can, require
from app.services.households import PersonInput, mask_id_number, pinyin_forms
from app.services.identity import device_id
from app.services.validation import check_mobile, clean_name, clean_text

DEFAULT_CATEGORIES: list[tuple[str, str, str]] = [
    ("marriage_family", "婚姻家庭", N_("Marriage and family")),
    ("neighbours", "邻里", N_("Neighbours")),
    ("homestead", "宅基地", N_("Homestead land")),
    ("contracted_land", "土地承包", N_("Contracted farmland")),
    ("forest_water", "山林水利", N_("Forest and water")),
    ("debt", "债务", N_("Debt")),
    ("damages", "损害赔偿", N_("Damages")),
    ("labour", "劳动劳务", N_("Labour")),
    ("contract", "合同", N_("Contract")),
    ("property_management", "物业", N_("Property management")),
    ("medical", "医疗", N_("Medical")),
    ("traffic", "交通事故", N_("Traffic accident")),
    ("other", "其他", N_("Other")),
]
_DEFAULT_LABELS = {code: (zh, en) for code, zh, en in DEFAULT_CATEGORIES}
CONFIRMATION_DAYS = 30
CONFIRMATION_WARNING_DAYS = 7
ID_QUERY_RE = re.compile(r"^\d{17}[\dXx]$")


# ---------------------------------------------------------------- inputs and rows

@dataclass(frozen=True)
class CaseInput:
    received_on: dt.date
    source: str
    category_code: str
    summary: str
    facts: str = ""
    points_in_dispute: str = ""
    requests: str = ""
    grid_cell_id: str | None = None
    household_ids: tuple[str, ...] = ()
    deadline: dt.date | None = None


@dataclass(frozen=True)
class PartyInput:
    """A party: `person_id` picks someone from the roster; otherwise `person` describes a new one, who is
    added to the roster (to `household_id` if given). An organisation gives its name and credit code."""

    role: str
    person_id: str | None = None
    person: PersonInput | None = None
    household_id: str | None = None
    address: str = ""
    is_organisation: bool = False
    organisation_name: str = ""
    credit_code: str = ""
    agent_name: str = ""
    agent_kind: str = ""
    agent_mobile: str = ""


@dataclass(frozen=True)
class MediatorInput:
    name: str
    role: str = MediatorRole.PEOPLES_MEDIATOR
    user_id: str | None = None
    is_lead: bool = False


@dataclass(frozen=True)
class CaseRow:
    id: str
    number: str
    received_on: dt.date
    category: str
    summary: str
    parties: str
    status: str
    deadline: dt.date
    overdue_days: int  # > 0 when past the deadline and still open
    follow_up_due: bool
    confirmation_closing: bool


@dataclass(frozen=True)
class CaseFilter:
    query: str = ""
    statuses: tuple[str, ...] = ()
    category_code: str | None = None
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    grid_cell_id: str | None = None
    mediator_user_id: str | None = None
    overdue_only: bool = False
    follow_up_due_only: bool = False  # a follow-up visit is due (today or earlier) and not recorded
    confirmation_closing_only: bool = False  # the 30-day judicial-confirmation window closes within a week
    session_planned_on: dt.date | None = None  # a planned session on that (local) day


@dataclass
class PartyView:
    id: str
    role: str
    name: str
    sex: str
    ethnicity: str
    birth_date: dt.date | None
    id_number: str
    mobile: str
    address: str
    occupation: str
    is_organisation: bool
    credit_code: str
    agent_name: str
    agent_kind: str
    person_id: str | None


@dataclass
class CaseView:
    id: str
    number: str
    received_on: dt.date
    source: str
    category_code: str
    category: str
    summary: str
    facts: str
    points_in_dispute: str
    requests: str
    deadline: dt.date
    status: str
    grid_cell_id: str | None
    outcome_note: str
    routes_told: tuple[str, ...]
    transfer_to: str
    closed_on: dt.date | None
    parties: list[PartyView] = field(default_factory=list)
    mediators: list[CaseMediator] = field(default_factory=list)
    household_ids: list[str] = field(default_factory=list)
    decisions: list[CaseDecision] = field(default_factory=list)  # the township's, on an escalated case


# ---------------------------------------------------------------- categories

def ensure_categories(session: Session) -> None:
    if session.exec(select(CaseCategory).limit(1)).first() is not None:
        return
    origin = device_id(session)
    for i, (code, zh, _en) in enumerate(DEFAULT_CATEGORIES):
        session.add(CaseCategory(code=code, name=zh, position=i, origin=origin))
    session.flush()


def category_label(code: str, name: str = "") -> str:
    """The shipped categories in the user's language; a committee's own ones as they named them."""
    if code in _DEFAULT_LABELS and (not name or name == _DEFAULT_LABELS[code][0]):
        zh, en = _DEFAULT_LABELS[code]
        translated = _(en)
        return zh if translated == en and _is_chinese_ui() else translated
    return name or code


def _is_chinese_ui() -> bool:
    from app.i18n import language

    return language() == "zh_CN"


def categories(session: Session, include_inactive: bool = False) -> list[CaseCategory]:
    q = select(CaseCategory).order_by(col(CaseCategory.position))
    if not include_inactive:
        q = q.where(col(CaseCategory.active).is_(True))
    return list(session.exec(q).all())


def add_category(session: Session, actor: Actor, code: str, name: str) -> CaseCategory:
    require(actor, "cases.categories")
    code = clean_text(code, "code", "Code", max_len=30, required=True)
    name = clean_text(name, "name", "Name", max_len=30, required=True)
    if session.exec(select(CaseCategory).where(CaseCategory.code == code)).first() is not None:
        raise ValidationError("code", _("{field} “{value}” already exists.").format(field=_("Code"), value=code))
    count = len(categories(session, include_inactive=True))
    category = CaseCategory(code=code, name=name, position=count, origin=device_id(session))
    session.add(category)
    session.flush()
    audit.record_change(session, actor, category, None, name)
    return category


def set_category_active(session: Session, actor: Actor, code: str, active: bool) -> None:
    require(actor, "cases.categories")
    category = session.exec(select(CaseCategory).where(CaseCategory.code == code)).first()
    if category is None:
        raise NotFound(_("There is no category {code}.").format(code=code))
    before = audit.snapshot(category)
    category.active = active
    audit.record_change(session, actor, category, before, category.name)


# ---------------------------------------------------------------- validation

def _clean_case(session: Session, data: CaseInput) -> CaseInput:
    if data.received_on > today():
        raise ValidationError("received_on", _("{field} is in the future.").format(field=_("Received on")))
    if data.received_on.year < 2000:
        raise ValidationError("received_on", _("{field} is before 2000.").format(field=_("Received on")))
    if data.source not in {s.value for s in CaseSource}:
        raise ValidationError("source", _("{field} must be one of: {choices}.").format(
            field=_("Source"), choices=", ".join(s.value for s in CaseSource)))
    ensure_categories(session)
    category = session.exec(select(CaseCategory).where(CaseCategory.code == data.category_code)).first()
    if category is None:
        raise ValidationError("category_code", _("{field} “{value}” does not exist.").format(
            field=_("Category"), value=data.category_code))
    if data.grid_cell_id and session.get(GridCell, data.grid_cell_id) is None:
        raise ValidationError("grid_cell_id", _("{field} does not exist.").format(field=_("Grid cell")))
    for hid in data.household_ids:
        if session.get(Household, hid) is None:
            raise ValidationError("household_ids", _("{field} does not exist.").format(field=_("Household")))
    deadline = data.deadline
    if deadline is None:
        deadline = data.received_on + dt.timedelta(days=settings.get_int(session, "case_deadline_days"))
    elif deadline < data.received_on:
        raise ValidationError("deadline", _("{field} is before the date the case was received.").format(field=_("Deadline")))
    return CaseInput(
        received_on=data.received_on,
        source=data.source,
        category_code=data.category_code,
        summary=clean_text(data.summary, "summary", "Short account", max_len=500, required=True, multiline=True),
        facts=clean_text(data.facts, "facts", "Facts", max_len=20_000, multiline=True),
        points_in_dispute=clean_text(data.points_in_dispute, "points_in_dispute", "Points in dispute", max_len=5000,
                                     multiline=True),
        requests=clean_text(data.requests, "requests", "Requests", max_len=2000, multiline=True),
        grid_cell_id=data.grid_cell_id or None,
        household_ids=tuple(dict.fromkeys(data.household_ids)),
        deadline=deadline,
    )


def check_credit_code(value: str, field_name: str = "credit_code") -> str:
    code = (value or "").strip().upper()
    if not code:
        raise ValidationError(field_name, _("{field} is required for an organisation.").format(
            field=_("Unified social credit code")))
    try:
        return str(uscc.validate(code))
    except StdnumError:
        raise ValidationError(field_name, _("{field} is not valid (18 characters with a correct check character).").format(
            field=_("Unified social credit code"))) from None


def _party_row(session: Session, actor: Actor, case: Case, data: PartyInput, position: int,
               confirm_duplicate: bool) -> CaseParty:
    if data.role not in {r.value for r in PartyRole}:
        raise ValidationError("role", _("{field} must be one of: {choices}.").format(
            field=_("Party role"), choices=", ".join(r.value for r in PartyRole)))
    origin = device_id(session)
    agent_kind = data.agent_kind.strip()
    if agent_kind and agent_kind not in ("agent", "legal_representative"):
        raise ValidationError("agent_kind", _("{field} must be agent or legal_representative.").format(field=_("Agent")))
    base: dict[str, Any] = {
        "case_id": case.id, "role": data.role, "position": position, "origin": origin,
        "agent_name": clean_name(data.agent_name, "agent_name", "Agent") if data.agent_name.strip() else "",
        "agent_kind": agent_kind if data.agent_name.strip() else "",
        "agent_mobile": check_mobile(data.agent_mobile, "agent_mobile"),
    }
    if data.is_organisation:
        name = clean_text(data.organisation_name, "organisation_name", "Organisation", max_len=100, required=True)
        if not base["agent_name"]:
            raise ValidationError("agent_name", _("{field} is required for an organisation.").format(
                field=_("Agent or legal representative")))
        return CaseParty(**base, name=name, is_organisation=True, credit_code=check_credit_code(data.credit_code),
                         address=clean_text(data.address, "address", "Address", max_len=200))
    if data.person_id:
        person = session.get(Person, data.person_id)
        if person is None or person.retired:
            raise ValidationError("person_id", _("{field} does not exist.").format(field=_("Person")))
    elif data.person is not None:
        if data.household_id:
            person = households.add_member(session, actor, data.household_id, data.person,
                                           confirm_duplicate=confirm_duplicate)
        else:
            clean = households.clean_person(data.person)
            if not confirm_duplicate:
                households.check_duplicate_id(session, clean.id_number, None)
            person = households.new_person(None, clean, origin)
            session.add(person)
            session.flush()
            audit.record_change(session, actor, person, None, person.name)
    else:
        raise ValidationError("person", _("Pick the party from the roster or enter their details."))
    household = session.get(Household, person.household_id) if person.household_id else None
    address = clean_text(data.address, "address", "Address", max_len=200) or (household.address if household else "")
    return CaseParty(**base, person_id=person.id, name=person.name, sex=person.sex, ethnicity=person.ethnicity,
                     birth_date=person.birth_date, id_number=person.id_number, mobile=person.mobile, address=address,
                     occupation=person.occupation)


def _open_case_with_same_parties(session: Session, person_ids: set[str]) -> Case | None:
    if len(person_ids) < 1:
        return None
    rows = session.exec(
        select(CaseParty.case_id, CaseParty.person_id)
        .join(Case, col(Case.id) == col(CaseParty.case_id))
        .where(col(CaseParty.person_id).in_(person_ids), col(Case.status).in_(OPEN_STATUSES))
    ).all()
    by_case: dict[str, set[str]] = {}
    for case_id, person_id in rows:
        by_case.setdefault(case_id, set()).add(person_id or "")
    for case_id, people in by_case.items():
        if people >= person_ids or (len(person_ids) >= 2 and len(people & person_ids) >= 2):
            return session.get(Case, case_id)
    return None


# ---------------------------------------------------------------- search text

def refresh_search(session: Session, case_id: str) -> None:
    refresh_search_many(session, [case_id])


def refresh_search_many(session: Session, case_ids: Collection[str]) -> None:
    """Rebuild the search text of these cases (number, account, facts, category, parties with pinyin), in batches."""
    ids = sorted(set(case_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        found = list(session.exec(select(Case).where(col(Case.id).in_(chunk))))
        names = {(c.origin, c.code): c.name for c in session.exec(select(CaseCategory).where(
            col(CaseCategory.origin).in_({c.origin for c in found})))}
        parties: dict[str, list[CaseParty]] = {}
        for party in session.exec(select(CaseParty).where(col(CaseParty.case_id).in_(chunk)).order_by(col(CaseParty.position))):
            parties.setdefault(party.case_id, []).append(party)
        rows = {r.case_id: r for r in session.exec(select(CaseSearch).where(col(CaseSearch.case_id).in_(chunk)))}
        for case in found:
            parts = [case.number, f"{case.number_year}-{case.number_seq}", case.summary, case.facts, case.points_in_dispute,
                     names.get((case.origin, case.category_code), "")]
            for party in parties.get(case.id, []):
                full, initials = pinyin_forms(party.name)
                parts += [party.name, full, initials, party.mobile, party.agent_name]
            value = households.SEARCH_SEPARATOR.join(p for p in parts if p).lower()[:60_000]
            row = rows.get(case.id)
            if row is None:
                session.add(CaseSearch(case_id=case.id, text=value))
            elif row.text != value:
                row.text = value
    session.flush()


def _matching_case_ids(session: Session, query: str) -> Any:
    q = query.strip().lower()
    if ID_QUERY_RE.match(q):
        return select(CaseParty.case_id).where(CaseParty.id_number == q.upper()).scalar_subquery()
    if len(q) >= 3 and session.get_bind().dialect.name == "sqlite":
        phrase = '"' + q.replace('"', '""') + '"'
        fts = (text("SELECT rowid FROM case_fts WHERE case_fts MATCH :phrase").bindparams(phrase=phrase)
               .columns(column("rowid", Integer)))
        return select(CaseSearch.case_id).where(col(CaseSearch.rowid).in_(fts)).scalar_subquery()
    # instr() on the lower-cased text: no wildcards to escape, and faster than LIKE's case folding
    return select(CaseSearch.case_id).where(households.contains(session.get_bind().dialect.name, col(CaseSearch.text), q)).scalar_subquery()


# ---------------------------------------------------------------- writes

def record_event(session: Session, actor: Actor, case: Case, to_status: str, note: str = "") -> None:
    """Move the case to `to_status` (if different), keeping its history and the audit trail."""
    before = audit.snapshot(case)
    from_status = case.status
    case.status = to_status
    case.updated_at = utcnow()
    session.add(CaseEvent(case_id=case.id, at=utcnow(), by_user=actor.username, from_status=from_status,
                          to_status=to_status, note=note[:2000], origin=device_id(session)))
    session.flush()
    audit.record_change(session, actor, case, before, case.number)


def register_case(session: Session, actor: Actor, data: CaseInput, parties: Sequence[PartyInput],
                  mediators: Sequence[MediatorInput] = (), *, confirm_duplicate: bool = False) -> Case:
    """受理: register a case with its number. Everything is checked before the number is taken."""
    require(actor, "cases.register")
    clean = _clean_case(session, data)
    if not parties:
        raise ValidationError("parties", _("Add at least one party."))
    picked = {p.person_id for p in parties if p.person_id}
    if not confirm_duplicate:
        existing = _open_case_with_same_parties(session, picked)
        if existing is not None:
            raise DuplicateWarning("parties", _("An open case with the same parties already exists: {number}.").format(
                number=existing.number), existing.id)
    desk = committee.require_current(session)
    origin = device_id(session)
    year = clean.received_on.year
    seq = next_sequence(session, origin, year)
    assert clean.deadline is not None
    case = Case(number_year=year, number_seq=seq, number=format_case_number(year, desk.code, seq),
                received_on=clean.received_on, source=clean.source, category_code=clean.category_code,
                summary=clean.summary, facts=clean.facts, points_in_dispute=clean.points_in_dispute,
                requests=clean.requests, deadline=clean.deadline, grid_cell_id=clean.grid_cell_id,
                registered_by=actor.user_id, origin=origin)
    session.add(case)
    session.flush()
    for i, party in enumerate(parties):
        row = _party_row(session, actor, case, party, i, confirm_duplicate)
        session.add(row)
        session.flush()
        audit.record_change(session, actor, row, None, f"{case.number} {row.name}")
        person = session.get(Person, row.person_id) if row.person_id else None
        if person is not None and person.household_id and person.household_id not in clean.household_ids:
            clean = CaseInput(**{**clean.__dict__, "household_ids": (*clean.household_ids, person.household_id)})
    for hid in clean.household_ids:
        session.add(CaseHousehold(case_id=case.id, household_id=hid, origin=origin))
    for m in mediators:
        add_mediator(session, actor, case.id, m)
    session.add(CaseEvent(case_id=case.id, at=utcnow(), by_user=actor.username, to_status=CaseStatus.ACCEPTED,
                          origin=origin))
    session.flush()
    audit.record_change(session, actor, case, None, case.number)
    refresh_search(session, case.id)
    return case


def get_case(session: Session, case_id: str) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(_("There is no case with id {id}.").format(id=case_id))
    return case


def find_case(session: Session, ref: str) -> Case:
    """A case by its number as users write it: `2026-12` or `（2026）甘调字第0012号`."""
    year, seq = parse_case_ref(ref)
    case = session.exec(select(Case).where(Case.number_year == year, Case.number_seq == seq,
                                           Case.origin == device_id(session))).first()
    if case is None:
        case = session.exec(select(Case).where(Case.number_year == year, Case.number_seq == seq)).first()
    if case is None:
        raise NotFound(_("There is no case {number}.").format(number=ref))
    return case


def update_case(session: Session, actor: Actor, case_id: str, data: CaseInput) -> Case:
    require(actor, "cases.register")
    case = get_case(session, case_id)
    if case.status not in OPEN_STATUSES:
        raise ValidationError("status", _("A closed, failed, transferred or withdrawn case cannot be edited."))
    clean = _clean_case(session, CaseInput(**{**data.__dict__, "deadline": data.deadline or case.deadline}))
    if clean.received_on.year != case.number_year:
        raise ValidationError("received_on", _("{field} must stay in {year}: the case number belongs to that year.").format(
            field=_("Received on"), year=case.number_year))
    before = audit.snapshot(case)
    for name in ("received_on", "source", "category_code", "summary", "facts", "points_in_dispute", "requests",
                 "grid_cell_id", "deadline"):
        setattr(case, name, getattr(clean, name))
    case.updated_at = utcnow()
    audit.record_change(session, actor, case, before, case.number)
    refresh_search(session, case.id)
    return case


def add_party(session: Session, actor: Actor, case_id: str, data: PartyInput, *, confirm_duplicate: bool = False) -> CaseParty:
    require(actor, "cases.register")
    case = get_case(session, case_id)
    if case.status not in (CaseStatus.ACCEPTED, CaseStatus.MEDIATING):
        raise ValidationError("status", _("Parties can be added only before an agreement is reached."))
    count = len(session.exec(select(CaseParty).where(CaseParty.case_id == case_id)).all())
    row = _party_row(session, actor, case, data, count, confirm_duplicate)
    session.add(row)
    session.flush()
    audit.record_change(session, actor, row, None, f"{case.number} {row.name}")
    refresh_search(session, case.id)
    return row


def add_mediator(session: Session, actor: Actor, case_id: str, data: MediatorInput) -> CaseMediator:
    require(actor, "cases.register")
    case = get_case(session, case_id)
    if data.role not in {r.value for r in MediatorRole}:
        raise ValidationError("role", _("{field} must be one of: {choices}.").format(
            field=_("Mediator role"), choices=", ".join(r.value for r in MediatorRole)))
    if data.user_id and session.get(User, data.user_id) is None:
        raise ValidationError("user_id", _("{field} does not exist.").format(field=_("User")))
    row = CaseMediator(case_id=case.id, user_id=data.user_id, name=clean_name(data.name, "mediator", "Mediator"),
                       role=data.role, is_lead=data.is_lead, origin=device_id(session))
    session.add(row)
    session.flush()
    audit.record_change(session, actor, row, None, f"{case.number} {row.name}")
    return row


# ---------------------------------------------------------------- reads

def case_view(session: Session, actor: Actor, case_id: str) -> CaseView:
    require(actor, "cases.read")
    case = get_case(session, case_id)
    category = session.exec(select(CaseCategory).where(CaseCategory.code == case.category_code,
                                                 CaseCategory.origin == case.origin)).first()
    full_ids = can(actor, "id_number.read")
    view = CaseView(case.id, case.number, case.received_on, case.source, case.category_code,
                    category_label(case.category_code, category.name if category else ""), case.summary, case.facts,
                    case.points_in_dispute, case.requests, case.deadline, case.status, case.grid_cell_id,
                    case.outcome_note, tuple(r for r in case.routes_told.split(",") if r), case.transfer_to, case.closed_on)
    for p in session.exec(select(CaseParty).where(CaseParty.case_id == case_id).order_by(col(CaseParty.position))).all():
        view.parties.append(PartyView(p.id, p.role, p.name, p.sex, p.ethnicity, p.birth_date,
                                      (p.id_number or "") if full_ids else mask_id_number(p.id_number), p.mobile, p.address,
                                      p.occupation, p.is_organisation, p.credit_code, p.agent_name, p.agent_kind, p.person_id))
    view.mediators = list(session.exec(select(CaseMediator).where(CaseMediator.case_id == case_id)).all())
    view.household_ids = [h.household_id for h in session.exec(select(CaseHousehold).where(CaseHousehold.case_id == case_id))]
    view.decisions = list(session.exec(select(CaseDecision).where(CaseDecision.case_id == case_id)
                                       .order_by(col(CaseDecision.created_at))).all())
    return view


def _filtered_ids(session: Session, flt: CaseFilter) -> Any:
    q = sa_select(col(Case.id))
    if flt.query.strip():
        q = q.where(col(Case.id).in_(_matching_case_ids(session, flt.query)))
    if flt.statuses:
        q = q.where(col(Case.status).in_(flt.statuses))
    if flt.category_code:
        q = q.where(col(Case.category_code) == flt.category_code)
    if flt.received_from:
        q = q.where(col(Case.received_on) >= flt.received_from)
    if flt.received_to:
        q = q.where(col(Case.received_on) <= flt.received_to)
    if flt.grid_cell_id:
        children = session.exec(select(GridCell).where(GridCell.parent_id == flt.grid_cell_id)).all()
        cell_ids = [flt.grid_cell_id] + [c.id for c in children]
        household_ids = sa_select(col(Household.id)).where(or_(col(Household.group_id).in_(cell_ids),
                                                               col(Household.micro_grid_id).in_(cell_ids)))
        q = q.where(or_(col(Case.grid_cell_id).in_(cell_ids), col(Case.id).in_(
            sa_select(col(CaseHousehold.case_id)).where(col(CaseHousehold.household_id).in_(household_ids)))))
    if flt.mediator_user_id:
        q = q.where(col(Case.id).in_(sa_select(col(CaseMediator.case_id)).where(
            col(CaseMediator.user_id) == flt.mediator_user_id)))
    if flt.overdue_only:
        q = q.where(col(Case.deadline) < today(), col(Case.status).in_((CaseStatus.ACCEPTED, CaseStatus.MEDIATING)))
    if flt.follow_up_due_only:
        q = q.where(col(Case.id).in_(sa_select(col(FollowUp.case_id)).where(
            col(FollowUp.visited_on).is_(None), col(FollowUp.due_on) <= today())))
    if flt.confirmation_closing_only:
        now = today()
        q = q.where(col(Case.id).in_(sa_select(col(Agreement.case_id)).where(
            col(Agreement.confirmation_applied_on).is_(None),
            col(Agreement.effective_on) >= now - dt.timedelta(days=CONFIRMATION_DAYS),
            col(Agreement.effective_on) <= now - dt.timedelta(days=CONFIRMATION_DAYS - CONFIRMATION_WARNING_DAYS))))
    if flt.session_planned_on:
        start, end = _local_day_bounds(flt.session_planned_on)
        q = q.where(col(Case.id).in_(sa_select(col(MediationSession.case_id)).where(
            col(MediationSession.planned).is_(True), col(MediationSession.held_at) >= start, col(MediationSession.held_at) < end)))
    return q


def _local_day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    from app.clock import LOCAL_TZ

    start = dt.datetime.combine(day, dt.time(0), LOCAL_TZ)
    return start, start + dt.timedelta(days=1)


def planned_sessions(session: Session, actor: Actor, on: dt.date) -> list[tuple[str, dt.datetime, str]]:
    """Sessions planned for a (local) day, in time order: (case id, time, place)."""
    require(actor, "cases.read")
    start, end = _local_day_bounds(on)
    rows = session.exec(select(MediationSession).where(col(MediationSession.planned).is_(True), col(MediationSession.held_at) >= start,
                                                       col(MediationSession.held_at) < end).order_by(col(MediationSession.held_at))).all()
    return [(r.case_id, r.held_at, r.place) for r in rows]


def count_cases(session: Session, actor: Actor, flt: CaseFilter = CaseFilter()) -> int:
    require(actor, "cases.read")
    return int(session.execute(sa_select(func.count()).select_from(_filtered_ids(session, flt).subquery())).scalar_one())


def list_cases(session: Session, actor: Actor, flt: CaseFilter = CaseFilter(), *, offset: int = 0,
               limit: int = 200) -> list[CaseRow]:
    """One page of cases, newest first, with parties and badges (overdue, follow-up due, confirmation closing)."""
    require(actor, "cases.read")
    ids = _filtered_ids(session, flt)
    filtered = bool(flt.query.strip()) or replace(flt, query="") != CaseFilter()
    stmt = select(Case).order_by(col(Case.number_year).desc(), col(Case.number_seq).desc()).offset(offset).limit(limit)
    if filtered:
        stmt = stmt.where(col(Case.id).in_(ids))
    cases = list(session.exec(stmt).all())
    if not cases:
        return []
    case_ids = [c.id for c in cases]
    names: dict[str, list[str]] = {}
    for case_id, name in session.exec(select(CaseParty.case_id, CaseParty.name).where(col(CaseParty.case_id).in_(case_ids))
                                      .order_by(col(CaseParty.position))).all():
        names.setdefault(case_id, []).append(name)
    now = today()
    due = set(session.exec(select(FollowUp.case_id).where(col(FollowUp.case_id).in_(case_ids),
                                                          col(FollowUp.visited_on).is_(None), col(FollowUp.due_on) <= now)).all())
    closing = set(session.exec(select(Agreement.case_id).where(
        col(Agreement.case_id).in_(case_ids), col(Agreement.effective_on).is_not(None),
        col(Agreement.confirmation_applied_on).is_(None),
        col(Agreement.effective_on) >= now - dt.timedelta(days=CONFIRMATION_DAYS),
        col(Agreement.effective_on) <= now - dt.timedelta(days=CONFIRMATION_DAYS - CONFIRMATION_WARNING_DAYS))).all())
    labels = {c.code: category_label(c.code, c.name) for c in categories(session, include_inactive=True)}
    rows = []
    for c in cases:
        overdue = (now - c.deadline).days if c.status in (CaseStatus.ACCEPTED, CaseStatus.MEDIATING) and c.deadline < now else 0
        rows.append(CaseRow(c.id, c.number, c.received_on, labels.get(c.category_code, c.category_code), c.summary,
                            " / ".join(names.get(c.id, [])), c.status, c.deadline, overdue, c.id in due, c.id in closing))
    return rows


def sessions_of(session: Session, case_id: str) -> list[MediationSession]:
    return list(session.exec(select(MediationSession).where(MediationSession.case_id == case_id)
                             .order_by(col(MediationSession.held_at))).all())


def history(session: Session, actor: Actor, case_id: str) -> list[CaseEvent]:
    require(actor, "cases.read")
    return list(session.exec(select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(col(CaseEvent.at))).all())
