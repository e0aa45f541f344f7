"""A believable demo village: 庄墩村 of 长安镇, 甘州区, 张掖市 (Gansu), from the field report.

`build_demo` sets up a village desk when the data directory is empty (committee, admin and three more
users with known passwords), then adds villager groups, micro-grids with their grid leaders, households
and their members: Chinese names with realistic surname frequencies, a few 回族, 藏族 and 裕固族
families, now and then a rare character (𠮷, 䶮) in a name, valid resident ID numbers and mobiles,
care flags (left-behind children, elderly living alone). On a desk already set up it adds households
after the highest 户号 and reuses its villager groups; it never adds users to a desk it did not set up.

It must also fill a 50,000-household benchmark village in well under a minute, so it does not call
`households.create_household` per household: rows are inserted with bulk statements in batches, in one
write transaction, with the search text made by `households.search_text` (the FTS5 index follows by
trigger), and the load is recorded as one audit event instead of one per row. The same seed gives the
same village (names, structure, numbers); the keys are fresh UUIDs every time.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import func, insert
from sqlmodel import Session, col, select

from app.clock import today, utcnow
from app.errors import ValidationError
from app.i18n import _
from app.models.base import new_id
from app.models.committee import Committee, DeskMode
from app.models.grid import GridCell, GridLevel
from app.models.roster import CareFlag, Household, HouseholdSearch, Person, Sex
from app.models.users import Role
from app.services import audit, committee, grid, households, users
from app.services import demo_names as names
from app.services.context import SYSTEM
from app.services.identity import device_id
from app.store.engine import Store

Progress = Callable[[int, int], None]

MAX_HOUSEHOLDS = 200_000
BATCH = 1000  # households per bulk insert (and per progress call)
SEARCH_TEXT_MAX = 4000  # as households.refresh_search keeps it


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: str
    password: str


@dataclass
class DemoSummary:
    households: int  # households added by this run
    persons: int  # persons added by this run
    groups: int  # villager groups the households went into
    micro_grids: int  # micro-grids added by this run
    users: list[DemoUser] = field(default_factory=list)  # users made by this run, with their passwords


DEMO_COMMITTEE = committee.CommitteeInput(
    name="庄墩村人民调解委员会", code="甘", seal_text="庄墩村人民调解委员会", village="庄墩村", township="长安镇")
DEMO_ADMIN = DemoUser("admin", "王丽", Role.ADMIN.value, "admin123")
DEMO_STAFF = (
    DemoUser("mediator", "张建华", Role.MEDIATOR.value, "mediator123"),
    DemoUser("grid", "李志强", Role.GRID_WORKER.value, "grid123"),
    DemoUser("viewer", "陈静", Role.VIEWER.value, "viewer123"),
)

HAN, HUI, TIBETAN, YUGUR = "汉族", "回族", "藏族", "裕固族"
ETHNICITIES: tuple[tuple[str, float], ...] = ((HAN, 96.4), (HUI, 2.2), (TIBETAN, 0.7), (YUGUR, 0.7))
RARE_GIVEN_RATE = 1 / 280  # per person; with 𠮷 households about 1 person in 200 has a rare character
RARE_SURNAME_RATE = 1 / 1000  # per household

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_NUMBER_RE = re.compile(r"^\d+$")


def id_check_digit(body: str) -> str:
    """GB 11643-1999 check character (ISO 7064 MOD 11-2) of the first 17 digits of an ID number."""
    total = sum(int(c) * w for c, w in zip(body, _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


class _Pick:
    """A weighted choice that is fast enough to call a million times."""

    def __init__(self, items: Sequence[tuple[str, float]]) -> None:
        self.values = [value for value, _weight in items]
        self.cum = list(itertools.accumulate(weight for _value, weight in items))
        self.total = self.cum[-1]

    def __call__(self, rng: random.Random) -> str:
        return self.values[bisect.bisect(self.cum, rng.random() * self.total)]


def _ranked(values: Sequence[str]) -> _Pick:
    """Common names first: weights fall with rank, as name frequencies do."""
    return _Pick([(v, 1 / (i + 1) ** 0.9) for i, v in enumerate(values)])


def _era(year: int) -> str:
    return "old" if year < 1965 else "mid" if year < 1985 else "young" if year < 2005 else "kid"


@dataclass(slots=True)
class _Member:
    name: str
    sex: str
    age: int
    birth: dt.date
    relation: str
    ethnicity: str
    areas: tuple[tuple[int, str], ...]
    occupation: str = ""
    flags: list[str] = field(default_factory=list)
    mobile: str = ""
    id_number: str = ""
    id: str = ""


@dataclass(slots=True)
class _HouseholdText:
    """What `households.search_text` reads of a household."""

    number: str
    address: str


class _Villagers:
    """Makes families: names, ages, relations, occupations, care flags, ID numbers and mobiles."""

    def __init__(self, rng: random.Random, as_of: dt.date, used_ids: set[str], used_mobiles: set[str]) -> None:
        self.rng = rng
        self.as_of = as_of
        self.used_ids = used_ids
        self.used_mobiles = used_mobiles
        self.ethnicity = _Pick(ETHNICITIES)
        self.surnames = {HAN: _Pick(names.HAN_SURNAMES), HUI: _Pick(names.HUI_SURNAMES),
                         YUGUR: _Pick(names.YUGUR_SURNAMES)}
        self.given = {Sex.MALE: {era: _ranked(v) for era, v in names.GIVEN_MALE.items()},
                      Sex.FEMALE: {era: _ranked(v) for era, v in names.GIVEN_FEMALE.items()}}
        self.adult_work = _Pick(names.ADULT_OCCUPATIONS)
        self.elder_work = _Pick(names.ELDER_OCCUPATIONS)
        self.old_work = _Pick(names.OLD_OCCUPATIONS)

    # ------------------------------------------------------------ names
    def surname(self, ethnicity: str) -> str:
        return self.surnames.get(ethnicity, self.surnames[HAN])(self.rng)

    def given_name(self, sex: str, year: int) -> str:
        rng = self.rng
        male = sex == Sex.MALE
        if rng.random() < RARE_GIVEN_RATE:
            return rng.choice(names.RARE_GIVEN_MALE if male else names.RARE_GIVEN_FEMALE)
        era = _era(year)
        if rng.random() < 0.4:
            first = rng.choice(names.COMPOSE_FIRST_MALE[era] if male else names.COMPOSE_FIRST_FEMALE[era])
            second = rng.choice(names.COMPOSE_SECOND_MALE[era] if male else names.COMPOSE_SECOND_FEMALE[era])
            if first != second:
                return first + second
        return self.given[Sex(sex)][era](rng)

    def tibetan_name(self, sex: str) -> str:
        rng = self.rng
        own = names.TIBETAN_PARTS_MALE if sex == Sex.MALE else names.TIBETAN_PARTS_FEMALE
        last = rng.choice(own + names.TIBETAN_PARTS_ANY if sex == Sex.MALE else own)
        if rng.random() < 0.55:
            first = rng.choice(names.TIBETAN_PARTS_ANY)
            if first != last:
                return first + last
        return last

    # ------------------------------------------------------------ people
    def member(self, relation: str, sex: str, age: int, surname: str, ethnicity: str,
               areas: tuple[tuple[int, str], ...] = names.LOCAL_AREA) -> _Member:
        age = max(0, min(age, 99))
        birth = self.as_of - dt.timedelta(days=int(age * 365.25) + self.rng.randrange(365))
        name = self.tibetan_name(sex) if ethnicity == TIBETAN else surname + self.given_name(sex, birth.year)
        return _Member(name, sex, age, birth, relation, ethnicity, areas)

    def married_in(self, relation: str, sex: str, age: int, ethnicity: str) -> _Member:
        """A spouse or daughter-in-law: usually of the family's people, often from a neighbouring county."""
        rng = self.rng
        eth = ethnicity if rng.random() < 0.9 else HAN
        r = rng.random()
        if eth in (TIBETAN, YUGUR) and r < 0.6:
            areas = names.SUNAN_AREA
        elif r < 0.25:
            areas = rng.choice(names.NEIGHBOUR_AREAS)
        else:
            areas = names.LOCAL_AREA
        return self.member(relation, sex, age, self.surname(eth), eth, areas)

    def children(self, surname: str, ethnicity: str, mother_age: int, count: int, son: str, daughter: str,
                 oldest: int = 28) -> list[_Member]:
        rng = self.rng
        kids: list[_Member] = []
        age = min(mother_age - rng.randint(21, 30), oldest)
        for _i in range(count):
            if age < 0:
                break
            sex = Sex.MALE if rng.random() < 0.52 else Sex.FEMALE
            kids.append(self.member(son if sex == Sex.MALE else daughter, sex, age, surname, ethnicity))
            age -= rng.randint(2, 6)
        return kids

    def _kid_count(self, weights: tuple[float, float, float] = (0.2, 0.55, 0.25)) -> int:
        r = self.rng.random()
        return 1 if r < weights[0] else 2 if r < weights[0] + weights[1] else 3

    def family(self) -> list[_Member]:
        """One household, head first. Types and sizes as in a Hexi-corridor village (about 4 on average)."""
        rng = self.rng
        eth = self.ethnicity(rng)
        surname = names.RARE_SURNAME if eth != TIBETAN and rng.random() < RARE_SURNAME_RATE else self.surname(eth)
        male, female = Sex.MALE.value, Sex.FEMALE.value
        r = rng.random()
        both_away = False  # both parents of the young children work away from home
        people: list[_Member]
        if r < 0.05:  # an old person living alone
            sex = female if rng.random() < 0.6 else male
            head = self.member("户主", sex, rng.randint(65, 92), surname, eth)
            head.flags.append(CareFlag.ELDERLY_ALONE)
            people = [head]
        elif r < 0.065:  # a single man
            people = [self.member("户主", male, rng.randint(30, 58), surname, eth)]
        elif r < 0.145:  # an old couple
            head = self.member("户主", male, rng.randint(62, 88), surname, eth)
            people = [head, self.married_in("配偶", female, head.age - rng.randint(0, 5), eth)]
        elif r < 0.17:  # a young couple
            head = self.member("户主", male, rng.randint(22, 30), surname, eth)
            people = [head, self.married_in("配偶", female, head.age - rng.randint(-1, 3), eth)]
        elif r < 0.19:  # a single parent
            sex = female if rng.random() < 0.6 else male
            head = self.member("户主", sex, rng.randint(30, 50), surname, eth)
            kid_surname = surname if sex == male else self.surname(eth)
            mother_age = head.age if sex == female else head.age - rng.randint(0, 4)
            people = [head, *self.children(kid_surname, eth, mother_age, self._kid_count((0.5, 0.5, 0.0)), "子", "女")]
        elif r < 0.62:  # parents and children
            age = rng.randint(25, 60)
            if rng.random() < 0.08:  # wife as head, husband married in (上门女婿)
                head = self.member("户主", female, age, surname, eth)
                spouse = self.married_in("配偶", male, age + rng.randint(0, 4), eth)
                kid_surname, mother_age = surname, head.age
            else:
                head = self.member("户主", male, age, surname, eth)
                spouse = self.married_in("配偶", female, age - rng.randint(0, 4), eth)
                kid_surname, mother_age = surname, spouse.age
            kids = self.children(kid_surname, eth, mother_age, self._kid_count(), "子", "女")
            both_away = rng.random() < 0.15
            people = [head, spouse, *kids]
        elif r < 0.73:  # parents, children and a grandparent
            head = self.member("户主", male, rng.randint(35, 55), surname, eth)
            spouse = self.married_in("配偶", female, head.age - rng.randint(0, 4), eth)
            kids = self.children(surname, eth, spouse.age, self._kid_count((0.4, 0.6, 0.0)), "子", "女")
            old_age = min(head.age + rng.randint(22, 32), 96)
            if rng.random() < 0.35:
                parent = self.member("父亲", male, old_age, surname, eth)
            else:
                parent = self.member("母亲", female, old_age, self.surname(eth), eth)
            both_away = rng.random() < 0.2
            people = [head, spouse, *kids, parent]
        else:  # three generations: the head's son, daughter-in-law and grandchildren live with them
            head = self.member("户主", male, rng.randint(50, 72), surname, eth)
            spouse = self.married_in("配偶", female, head.age - rng.randint(0, 4), eth)
            son = self.member("子", male, max(22, spouse.age - rng.randint(22, 30)), surname, eth)
            wife = self.married_in("儿媳", female, max(20, son.age - rng.randint(-2, 4)), eth)
            grandkids = self.children(surname, eth, wife.age, self._kid_count((0.4, 0.5, 0.1)), "孙子", "孙女",
                                      oldest=14)
            people = [head, spouse, son, wife, *grandkids]
            if len(people) < 7 and rng.random() < 0.3 and son.age >= 20:
                people.append(self.member("女", female, max(16, son.age - rng.randint(2, 8)), surname, eth))
            if grandkids and rng.random() < 0.4:
                son.occupation = wife.occupation = names.MIGRANT
                for kid in grandkids:
                    if kid.age < 16:
                        kid.flags.append(CareFlag.LEFT_BEHIND_CHILD)
        if both_away and any(p.relation in ("子", "女") and p.age < 16 for p in people):
            for p in people:
                if p.relation in ("户主", "配偶"):
                    p.occupation = names.MIGRANT
                elif p.relation in ("子", "女") and p.age < 16:
                    p.flags.append(CareFlag.LEFT_BEHIND_CHILD)
        for p in people:
            self.finish(p)
        if rng.random() < 0.04:
            people[0].flags.append(CareFlag.SUBSISTENCE)
        return people

    def occupation(self, age: int) -> str:
        rng = self.rng
        if age < 6:
            return names.PRESCHOOL
        if age < 16:
            return names.STUDENT
        if age < 19:
            return names.STUDENT if rng.random() < 0.8 else names.MIGRANT
        if age < 23:
            r = rng.random()
            return names.STUDENT if r < 0.35 else names.MIGRANT if r < 0.8 else names.FARMING
        if age < 56:
            return self.adult_work(rng)
        if age < 66:
            return self.elder_work(rng)
        return self.old_work(rng)

    def finish(self, p: _Member) -> None:
        """Occupation, mobile, more care flags, the ID number and the key."""
        rng = self.rng
        if not p.occupation:
            p.occupation = self.occupation(p.age)
        if p.age >= 16:
            chance = 0.8 if p.age < 23 else 0.97 if p.age < 61 else 0.75 if p.age < 76 else 0.4
            if rng.random() < chance:
                p.mobile = self.mobile()
        if rng.random() < 0.012:
            p.flags.append(CareFlag.DISABLED)
        if p.age >= 40 and rng.random() < 0.01:
            p.flags.append(CareFlag.SERIOUS_ILLNESS)
        p.id_number = self.id_number(p)
        p.id = new_id()

    def id_number(self, p: _Member) -> str:
        area = next(code for last_year, code in p.areas if p.birth.year <= last_year)
        body = f"{area}{p.birth:%Y%m%d}"
        first = 1 if p.sex == Sex.MALE else 2  # the sequence is odd for men, even for women
        while True:
            seq = f"{body}{self.rng.randrange(first, 1000, 2):03d}"
            number = seq + id_check_digit(seq)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def mobile(self) -> str:
        while True:
            number = self.rng.choice(names.MOBILE_PREFIXES) + f"{self.rng.randrange(100_000_000):08d}"
            if number not in self.used_mobiles:
                self.used_mobiles.add(number)
                return number


# ---------------------------------------------------------------- the grid

def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """`total` split into `parts` counts that vary by about ±20 %."""
    weights = [rng.uniform(0.8, 1.2) for _i in range(parts)]
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    for i in sorted(range(parts), key=lambda i: counts[i] - weights[i] * scale)[: total - sum(counts)]:
        counts[i] += 1
    return counts


def micro_grid_sizes(total: int, rng: random.Random) -> list[int]:
    """Sizes of micro-grids (十户联防: 10–20 households each) for `total` households; fewer than 10 make one."""
    if total <= 0:
        return []
    if total < 20:
        return [total]
    low, high = -(-total // 20), total // 10  # as many grids as keep every one within 10..20
    count = max(low, min(high, round(total / 15)))
    base, extra = divmod(total, count)
    sizes = [base + (1 if i < extra else 0) for i in range(count)]
    for i in range(count - 1):  # some variety, staying within 10..20
        move = rng.randint(-3, 3)
        if 10 <= sizes[i] + move <= 20 and 10 <= sizes[i + 1] - move <= 20:
            sizes[i] += move
            sizes[i + 1] -= move
    return sizes


@dataclass
class _Group:
    id: str
    name: str
    houses: int  # households already in the group: new addresses continue after them
    micro_names: set[str]
    micro_count: int


@dataclass
class _Batch:
    grids: list[dict[str, Any]] = field(default_factory=list)
    households: list[dict[str, Any]] = field(default_factory=list)
    persons: list[dict[str, Any]] = field(default_factory=list)
    search: list[dict[str, Any]] = field(default_factory=list)

    def write(self, session: Session) -> None:
        """Parents before children, for the foreign keys. The FTS5 index follows household_search by trigger."""
        for model, rows in ((GridCell, self.grids), (Household, self.households), (Person, self.persons),
                            (HouseholdSearch, self.search)):
            if rows:
                session.execute(insert(model), rows)
                rows.clear()


def _groups(session: Session, root: GridCell, origin: str, now: dt.datetime) -> list[_Group]:
    """The desk's villager groups, topped up with 一组…八组 until there are eight."""
    existing = grid.groups(session)
    taken = set(session.exec(select(GridCell.name).where(GridCell.level == GridLevel.GROUP)).all())  # retired too
    rows: list[dict[str, Any]] = []
    for name in names.GROUP_NAMES:
        if len(existing) + len(rows) >= len(names.GROUP_NAMES):
            break
        if name not in taken:
            rows.append(dict(id=new_id(), origin=origin, created_at=now, updated_at=now, parent_id=root.id,
                             level=GridLevel.GROUP.value, name=name, position=len(existing) + len(rows),
                             leader_person_id=None, leader_phone="", retired=False))
    if rows:
        session.execute(insert(GridCell), rows)
    houses = dict(session.exec(select(Household.group_id, func.count()).group_by(Household.group_id)).all())
    micros: dict[str, set[str]] = {}
    for parent_id, name in session.exec(select(GridCell.parent_id, GridCell.name)
                                        .where(GridCell.level == GridLevel.MICRO)).all():
        micros.setdefault(parent_id or "", set()).add(name)
    groups = [_Group(g.id, g.name, int(houses.get(g.id, 0)), micros.get(g.id, set()), len(micros.get(g.id, ())))
              for g in existing]
    groups += [_Group(r["id"], r["name"], 0, set(), 0) for r in rows]
    return groups


def _numbering(session: Session, count: int) -> tuple[int, int]:
    """First new 户号 (after the highest numeric one) and the zero-padded width to write them with."""
    numeric = [n for n in session.exec(select(Household.number)).all() if _NUMBER_RE.match(n)]
    start = max((int(n) for n in numeric), default=0) + 1
    width = max(4, len(str(start + count - 1)), max((len(n) for n in numeric), default=0))
    return start, width


def _leader(members: list[_Member], rng: random.Random) -> _Member | None:
    """A grid leader: a villager of working age with a mobile, from one of the micro-grid's households."""
    fit = [m for m in members if m.mobile and 28 <= m.age <= 62 and m.occupation != names.MIGRANT]
    fit = fit or [m for m in members if m.mobile]
    return rng.choice(fit) if fit else None


def _load(session: Session, desk: Committee, total: int, seed: int, as_of: dt.date,
          progress: Progress | None) -> DemoSummary:
    origin = device_id(session)
    now = utcnow()
    root = grid.village_root(session)
    groups = _groups(session, root, origin, now)
    start, width = _numbering(session, total)
    # A desk that already has households gets a different village from the same seed.
    rng = random.Random(f"{seed}:{start}")
    used_ids = {n for n in session.exec(select(Person.id_number).where(col(Person.id_number).is_not(None))).all() if n}
    used_mobiles = {m for m in session.exec(select(Person.mobile).where(Person.mobile != "")).all()}
    villagers = _Villagers(rng, as_of, used_ids, used_mobiles)
    batch = _Batch()
    number = start
    done = persons = micro_grids = 0
    if progress:
        progress(0, total)
    for group, count in zip(groups, _split(total, len(groups), rng), strict=True):
        for size in micro_grid_sizes(count, rng):
            micro_id = new_id()
            members: list[_Member] = []
            for _i in range(size):
                people = villagers.family()
                group.houses += 1
                household_id = new_id()
                household_number = f"{number:0{width}d}"
                address = f"{desk.village}{group.name}{group.houses}号"
                number += 1
                batch.households.append(dict(
                    id=household_id, origin=origin, created_at=now, updated_at=now, number=household_number,
                    address=address, group_id=group.id, micro_grid_id=micro_id, head_person_id=people[0].id,
                    note="", retired=False))
                for p in people:
                    batch.persons.append(dict(
                        id=p.id, origin=origin, created_at=now, updated_at=now, household_id=household_id,
                        name=p.name, sex=p.sex, ethnicity=p.ethnicity, birth_date=p.birth, id_number=p.id_number,
                        mobile=p.mobile, relation_to_head=p.relation, care_flags=",".join(sorted(set(p.flags))),
                        occupation=p.occupation, note="", retired=False))
                text = households.search_text(cast(Household, _HouseholdText(household_number, address)),
                                              cast(list[Person], people))
                batch.search.append(dict(household_id=household_id, text=text[:SEARCH_TEXT_MAX]))
                members += people
                persons += len(people)
            group.micro_count += 1
            micro_name = f"{group.name}第{group.micro_count}微网格"
            while micro_name in group.micro_names:
                group.micro_count += 1
                micro_name = f"{group.name}第{group.micro_count}微网格"
            group.micro_names.add(micro_name)
            leader = _leader(members, rng)
            # The micro-grid goes in before its households (their foreign key points at it).
            batch.grids.append(dict(
                id=micro_id, origin=origin, created_at=now, updated_at=now, parent_id=group.id,
                level=GridLevel.MICRO.value, name=micro_name, position=group.micro_count - 1,
                leader_person_id=leader.id if leader else None, leader_phone=leader.mobile if leader else "",
                retired=False))
            micro_grids += 1
            done += size
            if len(batch.households) >= BATCH:
                batch.write(session)
                if progress:
                    progress(done, total)
    batch.write(session)
    if progress:
        progress(done, total)
    return DemoSummary(households=done, persons=persons, groups=len(groups), micro_grids=micro_grids)


def build_demo(store: Store, *, households: int = 600, seed: int = 20261125, progress: Progress | None = None,
               as_of: dt.date | None = None) -> DemoSummary:
    """Fill the desk with a demo village of about `households` households, all in one transaction.

    An empty desk is first set up as 庄墩村's village desk with the demo users (their passwords are in
    the summary). `progress(done, total)` is called after every batch; raising from it (a cancel button)
    rolls everything back. `as_of` is the date ages are counted from (default: today)."""
    if not 1 <= households <= MAX_HOUSEHOLDS:
        raise ValidationError("households", _("{field} must be from 1 to 200,000.").format(
            field=_("Number of households")))
    made: list[DemoUser] = []
    with store.write() as session:
        if not committee.is_set_up(session):
            committee.set_up(session, DEMO_COMMITTEE, committee.AdminInput(
                DEMO_ADMIN.username, DEMO_ADMIN.display_name, DEMO_ADMIN.password))
            origin = device_id(session)
            for u in DEMO_STAFF:
                users.create_user(session, SYSTEM, u.username, u.display_name, u.role, u.password, origin=origin)
            made = [DEMO_ADMIN, *DEMO_STAFF]
        desk = committee.require_current(session)
        if desk.mode != DeskMode.VILLAGE:
            raise ValidationError("households", _("Demo data can only be added to a village desk, not to a township center."))
        summary = _load(session, desk, households, seed, as_of or today(), progress)
        summary.users = made
        audit.record(session, SYSTEM, "demo", table="household", summary=(
            f"demo village: {summary.households} households, {summary.persons} persons, "
            f"{summary.micro_grids} micro-grids, seed {seed}"))
    if store.is_sqlite and summary.households >= 10 * BATCH:
        _checkpoint(store)
    return summary


def _checkpoint(store: Store) -> None:
    """Fold the big write-ahead log back into the database file, so the next start does not read through it."""
    raw = store.engine.raw_connection()
    try:
        raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
    finally:
        raw.close()
