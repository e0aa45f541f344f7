"""The roster: households and their members — validation, writes with audit, search and paged lists."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Integer, column, func, text
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.clock import utcnow
from app.errors import DuplicateWarning, NotFound, ValidationError
from app.i18n import _
from app.models.grid import GridCell, GridLevel
from app.models.roster import CareFlag, Household, HouseholdSearch, Person, Sex
from app.services import audit
from app.services.context import Actor, require
from app.services.identity import device_id
from app.services.validation import (
    check_birth_date,
    check_id_number,
    check_mobile,
    clean_name,
    clean_text,
    id_number_facts,
)

ID_QUERY_RE = re.compile(r"^\d{17}[\dXx]$")
SEARCH_SEPARATOR = " | "


@dataclass(frozen=True)
class PersonInput:
    name: str
    sex: str = ""
    ethnicity: str = "汉族"
    birth_date: dt.date | None = None
    id_number: str = ""
    mobile: str = ""
    relation_to_head: str = ""
    care_flags: tuple[str, ...] = ()
    occupation: str = ""
    note: str = ""


@dataclass(frozen=True)
class HouseholdInput:
    number: str
    address: str = ""
    group_id: str | None = None
    micro_grid_id: str | None = None
    note: str = ""


@dataclass(frozen=True)
class HouseholdRow:
    id: str
    number: str
    head_name: str
    address: str
    group_name: str
    micro_grid_name: str
    members: int
    head_mobile: str
    head_id_number: str = ""  # always masked: a list never shows an ID number in full


@dataclass(frozen=True)
class MemberRow:
    id: str
    name: str
    sex: str
    ethnicity: str
    birth_date: dt.date | None
    id_number: str  # masked unless the role may read it
    mobile: str
    relation_to_head: str
    care_flags: tuple[str, ...]
    occupation: str
    is_head: bool


@dataclass
class HouseholdDetail:
    id: str
    number: str
    address: str
    group_id: str | None
    group_name: str
    micro_grid_id: str | None
    micro_grid_name: str
    note: str
    head_person_id: str | None
    members: list[MemberRow] = field(default_factory=list)


# ---------------------------------------------------------------- validation

def mask_id_number(number: str | None) -> str:
    if not number:
        return ""
    return number[:6] + "*" * 8 + number[14:]


def clean_person(data: PersonInput) -> PersonInput:
    """The validated, normalised form of `data`; birth date and sex are taken from the ID number when missing."""
    name = clean_name(data.name)
    sex = (data.sex or "").strip()
    if sex and sex not in (Sex.MALE, Sex.FEMALE):
        raise ValidationError("sex", _("{field} must be male or female.").format(field=_("Sex")))
    birth = check_birth_date(data.birth_date)
    number = check_id_number(data.id_number, birth_date=birth, sex=sex or None)
    if number:
        born, number_sex = id_number_facts(number)
        birth = birth or born
        sex = sex or number_sex
    flags = tuple(sorted(set(data.care_flags)))
    for flag in flags:
        if flag not in {f.value for f in CareFlag}:
            raise ValidationError("care_flags", _("{field}: unknown value “{value}”.").format(
                field=_("Care flags"), value=flag))
    return PersonInput(
        name=name,
        sex=sex,
        ethnicity=clean_text(data.ethnicity, "ethnicity", "Ethnicity", max_len=20) or "汉族",
        birth_date=birth,
        id_number=number or "",
        mobile=check_mobile(data.mobile),
        relation_to_head=clean_text(data.relation_to_head, "relation_to_head", "Relation to head", max_len=20),
        care_flags=flags,
        occupation=clean_text(data.occupation, "occupation", "Occupation", max_len=50),
        note=clean_text(data.note, "note", "Note", max_len=1000, multiline=True),
    )


def _clean_household(session: Session, data: HouseholdInput, household_id: str | None) -> HouseholdInput:
    number = clean_text(data.number, "number", "Household number", max_len=30, required=True)
    existing = session.exec(select(Household).where(Household.number == number)).first()
    if existing is not None and existing.id != household_id:
        raise ValidationError("number", _("{field} “{value}” is already used by another household.").format(
            field=_("Household number"), value=number))
    group_id = data.group_id or None
    micro_id = data.micro_grid_id or None
    if group_id is not None:
        group = session.get(GridCell, group_id)
        if group is None or group.level != GridLevel.GROUP:
            raise ValidationError("group_id", _("{field} does not exist.").format(field=_("Villager group")))
    if micro_id is not None:
        micro = session.get(GridCell, micro_id)
        if micro is None or micro.level != GridLevel.MICRO:
            raise ValidationError("micro_grid_id", _("{field} does not exist.").format(field=_("Micro-grid")))
        if group_id is None:
            group_id = micro.parent_id
        elif micro.parent_id != group_id:
            raise ValidationError("micro_grid_id", _("{field} belongs to another villager group.").format(
                field=_("Micro-grid")))
    return HouseholdInput(
        number=number,
        address=clean_text(data.address, "address", "Address", max_len=200),
        group_id=group_id,
        micro_grid_id=micro_id,
        note=clean_text(data.note, "note", "Note", max_len=1000, multiline=True),
    )


def check_duplicate_id(session: Session, number: str, person_id: str | None) -> None:
    if not number:
        return
    other = session.exec(select(Person).where(Person.id_number == number, Person.retired == False)).first()  # noqa: E712
    if other is not None and other.id != person_id:
        household = session.get(Household, other.household_id) if other.household_id else None
        raise DuplicateWarning("id_number", _(
            "A person with this ID number is already in the roster: {name}, household {number}.").format(
            name=other.name, number=household.number if household else "—"), other.id)


# ---------------------------------------------------------------- search text

@functools.lru_cache(maxsize=65536)
def pinyin_forms(name: str) -> tuple[str, str]:
    """Full pinyin and initials of a name: 张三 → ('zhangsan', 'zs')."""
    from pypinyin import Style, lazy_pinyin  # its dictionaries take ~0.4 s to load: only when needed

    full = "".join(lazy_pinyin(name)).lower()
    initials = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).lower()
    return full, initials


def search_text(household: Household, members: Sequence[Person]) -> str:
    parts = [household.number, household.address]
    for person in members:
        full, initials = pinyin_forms(person.name)
        parts += [person.name, full, initials, person.mobile]
    return SEARCH_SEPARATOR.join(p for p in parts if p).lower()


def refresh_search(session: Session, household_id: str) -> None:
    refresh_search_many(session, [household_id])


def refresh_search_many(session: Session, household_ids: Collection[str]) -> None:
    """Rebuild the search text of these households (after a roster write, or a sync import), in batches."""
    ids = sorted(set(household_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        homes = {h.id: h for h in session.exec(select(Household).where(col(Household.id).in_(chunk)))}
        members: dict[str, list[Person]] = {}
        for person in session.exec(select(Person).where(col(Person.household_id).in_(chunk), Person.retired == False)  # noqa: E712
                                   .order_by(col(Person.id))):
            members.setdefault(person.household_id or "", []).append(person)
        rows = {r.household_id: r for r in session.exec(select(HouseholdSearch).where(col(HouseholdSearch.household_id).in_(chunk)))}
        for hid, household in homes.items():
            text_value = search_text(household, members.get(hid, []))[:4000]
            row = rows.get(hid)
            if row is None:
                session.add(HouseholdSearch(household_id=hid, text=text_value))
            elif row.text != text_value:
                row.text = text_value
    session.flush()


def contains(dialect: str, column: Any, needle: str) -> Any:
    """SQL: `column` contains `needle` literally (no wildcards): instr() on SQLite, strpos() on PostgreSQL."""
    return (func.instr(column, needle) if dialect == "sqlite" else func.strpos(column, needle)) > 0


def matching_household_ids(session: Session, query: str) -> Any:
    """A subquery of household ids matching `query`: exact ID number; FTS5 trigram for 3+ characters;
    an escaped LIKE scan for shorter queries (trigram cannot match them)."""
    q = query.strip().lower()
    if ID_QUERY_RE.match(q):
        return select(Person.household_id).where(Person.id_number == q.upper()).scalar_subquery()
    dialect = session.get_bind().dialect.name
    if len(q) >= 3 and dialect == "sqlite":
        phrase = '"' + q.replace('"', '""') + '"'
        fts_rowids = (text("SELECT rowid FROM household_fts WHERE household_fts MATCH :phrase")
                      .bindparams(phrase=phrase).columns(column("rowid", Integer)))
        return (select(HouseholdSearch.household_id)
                .where(col(HouseholdSearch.rowid).in_(fts_rowids)).scalar_subquery())
    # instr() on the lower-cased text: no wildcards to escape, and faster than LIKE's case folding
    return select(HouseholdSearch.household_id).where(contains(dialect, col(HouseholdSearch.text), q)).scalar_subquery()


# ---------------------------------------------------------------- writes

def _get_household(session: Session, household_id: str) -> Household:
    household = session.get(Household, household_id)
    if household is None or household.retired:
        raise NotFound(_("There is no household with id {id}.").format(id=household_id))
    return household


def get_by_number(session: Session, number: str) -> Household:
    household = session.exec(select(Household).where(Household.number == number.strip())).first()
    if household is None:
        raise NotFound(_("There is no household {number}.").format(number=number))
    return household


def new_person(household_id: str | None, data: PersonInput, origin: str) -> Person:
    return Person(household_id=household_id, name=data.name, sex=data.sex, ethnicity=data.ethnicity,
                  birth_date=data.birth_date, id_number=data.id_number or None, mobile=data.mobile,
                  relation_to_head=data.relation_to_head, care_flags=",".join(data.care_flags),
                  occupation=data.occupation, note=data.note, origin=origin)


def create_household(session: Session, actor: Actor, data: HouseholdInput, members: Sequence[PersonInput] = (),
                     *, confirm_duplicates: bool = False) -> Household:
    """A household with its members; the first member is its head. All validated before anything is written."""
    require(actor, "roster.write")
    clean = _clean_household(session, data, None)
    people = [clean_person(m) for m in members]
    seen: set[str] = set()
    for i, p in enumerate(people):
        if p.id_number and p.id_number in seen:
            raise ValidationError("id_number", _("Two members have the same ID number (member {n}).").format(n=i + 1))
        seen.add(p.id_number)
        if not confirm_duplicates:
            check_duplicate_id(session, p.id_number, None)
    origin = device_id(session)
    household = Household(number=clean.number, address=clean.address, group_id=clean.group_id,
                          micro_grid_id=clean.micro_grid_id, note=clean.note, origin=origin)
    session.add(household)
    session.flush()
    for i, p in enumerate(people):
        if i == 0 and not p.relation_to_head:
            p = replace(p, relation_to_head="户主")
        person = new_person(household.id, p, origin)
        session.add(person)
        session.flush()
        if i == 0:
            household.head_person_id = person.id
        audit.record_change(session, actor, person, None, f"{clean.number} {p.name}")
    audit.record_change(session, actor, household, None, clean.number)
    refresh_search(session, household.id)
    return household


def update_household(session: Session, actor: Actor, household_id: str, data: HouseholdInput) -> Household:
    require(actor, "roster.write")
    household = _get_household(session, household_id)
    clean = _clean_household(session, data, household_id)
    before = audit.snapshot(household)
    household.number, household.address, household.note = clean.number, clean.address, clean.note
    household.group_id, household.micro_grid_id = clean.group_id, clean.micro_grid_id
    household.updated_at = utcnow()
    audit.record_change(session, actor, household, before, household.number)
    refresh_search(session, household.id)
    return household


def add_member(session: Session, actor: Actor, household_id: str, data: PersonInput, *, make_head: bool = False,
               confirm_duplicate: bool = False) -> Person:
    require(actor, "roster.write")
    household = _get_household(session, household_id)
    clean = clean_person(data)
    if not confirm_duplicate:
        check_duplicate_id(session, clean.id_number, None)
    person = new_person(household.id, clean, device_id(session))
    session.add(person)
    session.flush()
    audit.record_change(session, actor, person, None, f"{household.number} {person.name}")
    if make_head or household.head_person_id is None:
        _set_head(session, actor, household, person.id)
    refresh_search(session, household.id)
    return person


def update_person(session: Session, actor: Actor, person_id: str, data: PersonInput, *,
                  confirm_duplicate: bool = False) -> Person:
    require(actor, "roster.write")
    person = session.get(Person, person_id)
    if person is None or person.retired:
        raise NotFound(_("There is no person with id {id}.").format(id=person_id))
    clean = clean_person(_unmasked(person, data))
    if not confirm_duplicate:
        check_duplicate_id(session, clean.id_number, person.id)
    before = audit.snapshot(person)
    person.name, person.sex, person.ethnicity = clean.name, clean.sex, clean.ethnicity
    person.birth_date, person.id_number, person.mobile = clean.birth_date, clean.id_number or None, clean.mobile
    person.relation_to_head, person.care_flags = clean.relation_to_head, ",".join(clean.care_flags)
    person.occupation, person.note = clean.occupation, clean.note
    person.updated_at = utcnow()
    audit.record_change(session, actor, person, before, person.name)
    if person.household_id:
        refresh_search(session, person.household_id)
    return person


def remove_member(session: Session, actor: Actor, person_id: str) -> None:
    """Take a person off the household (moved away, deceased). The row stays, marked retired, for history."""
    require(actor, "roster.write")
    person = session.get(Person, person_id)
    if person is None or person.retired:
        raise NotFound(_("There is no person with id {id}.").format(id=person_id))
    before = audit.snapshot(person)
    person.retired = True
    person.updated_at = utcnow()
    audit.record_change(session, actor, person, before, person.name)
    if person.household_id:
        household = session.get(Household, person.household_id)
        if household is not None and household.head_person_id == person.id:
            hb = audit.snapshot(household)
            household.head_person_id = None
            audit.record_change(session, actor, household, hb, household.number)
        refresh_search(session, person.household_id)


def _set_head(session: Session, actor: Actor, household: Household, person_id: str) -> None:
    before = audit.snapshot(household)
    household.head_person_id = person_id
    household.updated_at = utcnow()
    audit.record_change(session, actor, household, before, household.number)


def set_head(session: Session, actor: Actor, household_id: str, person_id: str) -> None:
    require(actor, "roster.write")
    household = _get_household(session, household_id)
    person = session.get(Person, person_id)
    if person is None or person.household_id != household.id or person.retired:
        raise ValidationError("head_person_id", _("The head of household must be a member of the household."))
    _set_head(session, actor, household, person_id)


# ---------------------------------------------------------------- reads

def _list_query(session: Session, query: str, cell_id: str | None, origin: str | None = None) -> Any:
    q = select(Household.id).where(Household.retired == False)  # noqa: E712
    if origin is not None:
        q = q.where(Household.origin == origin)
    if cell_id:
        cell = session.get(GridCell, cell_id)
        if cell is not None and cell.level == GridLevel.GROUP:
            q = q.where(Household.group_id == cell_id)
        elif cell is not None and cell.level == GridLevel.MICRO:
            q = q.where(Household.micro_grid_id == cell_id)
    if query.strip():
        q = q.where(col(Household.id).in_(matching_household_ids(session, query)))
    return q


def count_households(session: Session, actor: Actor, *, query: str = "", cell_id: str | None = None,
                     origin: str | None = None) -> int:
    """How many live households match (`origin`: only the rows that device made, e.g. one village's at a township)."""
    require(actor, "roster.read")
    sub = _list_query(session, query, cell_id, origin).subquery()
    return int(session.exec(select(func.count()).select_from(sub)).one())


def list_households(session: Session, actor: Actor, *, query: str = "", cell_id: str | None = None,
                    offset: int = 0, limit: int = 200, origin: str | None = None) -> list[HouseholdRow]:
    """One page of households, ordered by 户号, with head (ID number masked), grid cells and member count;
    `origin`: only the households that device made (one village's, at a township)."""
    require(actor, "roster.read")
    head = aliased(Person)
    group = aliased(GridCell)
    micro = aliased(GridCell)
    members = (select(func.count()).select_from(Person)
               .where(Person.household_id == Household.id, Person.retired == False)  # noqa: E712
               .correlate(Household).scalar_subquery())
    ids = _list_query(session, query, cell_id)
    stmt = (
        sa_select(col(Household.id), col(Household.number), col(head.name), col(Household.address), col(group.name),
                  col(micro.name), members, col(head.mobile), col(head.id_number))
        .select_from(Household)
        .outerjoin(head, col(head.id) == col(Household.head_person_id))
        .outerjoin(group, col(group.id) == col(Household.group_id))
        .outerjoin(micro, col(micro.id) == col(Household.micro_grid_id))
        .where(col(Household.id).in_(ids.scalar_subquery()) if query.strip() or cell_id else col(Household.retired).is_(False))
        .order_by(Household.number)
        .offset(offset)
        .limit(limit)
    )
    if origin is not None:
        stmt = stmt.where(col(Household.origin) == origin)
    return [HouseholdRow(r[0], r[1], r[2] or "", r[3], r[4] or "", r[5] or "", int(r[6]), r[7] or "", mask_id_number(r[8]))
            for r in session.execute(stmt).all()]


def household_detail(session: Session, actor: Actor, household_id: str) -> HouseholdDetail:
    """A household and its members. ID numbers are always masked here (lists and screens): a role with
    `id_number.read` sees one in full through `reveal_id_number`, which is audited."""
    require(actor, "roster.read")
    household = _get_household(session, household_id)
    group = session.get(GridCell, household.group_id) if household.group_id else None
    micro = session.get(GridCell, household.micro_grid_id) if household.micro_grid_id else None
    people = session.exec(select(Person).where(Person.household_id == household_id, Person.retired == False)  # noqa: E712
                          .order_by(col(Person.birth_date))).all()
    detail = HouseholdDetail(household.id, household.number, household.address, household.group_id,
                             group.name if group else "", household.micro_grid_id, micro.name if micro else "",
                             household.note, household.head_person_id)
    people = sorted(people, key=lambda p: (p.id != household.head_person_id,))
    for p in people:
        detail.members.append(MemberRow(
            p.id, p.name, p.sex, p.ethnicity, p.birth_date,
            mask_id_number(p.id_number), p.mobile, p.relation_to_head,
            tuple(f for f in p.care_flags.split(",") if f), p.occupation, p.id == household.head_person_id))
    return detail


def get_person_input(session: Session, actor: Actor, person_id: str) -> PersonInput:
    """The editable fields of one person, for an edit dialog. The ID number is masked: saving it back
    unchanged keeps the stored number; `reveal_id_number` shows it in full (audited)."""
    require(actor, "roster.read")
    person = session.get(Person, person_id)
    if person is None or person.retired:
        raise NotFound(_("This person is no longer in the roster."))
    data = person_input(person)
    return replace(data, id_number=mask_id_number(data.id_number))


def reveal_id_number(session: Session, actor: Actor, person_id: str) -> str:
    """A person's full ID number, for a role with `id_number.read`; every look is in the audit trail.

    Call inside a write transaction (the audit record is written with it)."""
    require(actor, "id_number.read")
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(_("There is no person with id {id}.").format(id=person_id))
    number = person.id_number or ""
    if number:
        audit.record(session, actor, "reveal_id_number", table="person", record_id=person.id,
                     summary=f"{person.name} {mask_id_number(number)}")
    return number


def _unmasked(person: Person, data: PersonInput) -> PersonInput:
    """An ID number sent back as it was shown (masked) means "unchanged": the stored number stays."""
    if data.id_number and "*" in data.id_number and person.id_number \
            and data.id_number.strip() == mask_id_number(person.id_number):
        return replace(data, id_number=person.id_number)
    return data


def person_input(person: Person) -> PersonInput:
    """The editable fields of a stored person (for edit dialogs and re-imports)."""
    return PersonInput(person.name, person.sex, person.ethnicity, person.birth_date, person.id_number or "",
                       person.mobile, person.relation_to_head, tuple(f for f in person.care_flags.split(",") if f),
                       person.occupation, person.note)
