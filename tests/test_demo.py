"""The demo village: a set-up desk with a believable, valid roster, added to on later runs."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select
from stdnum.cn import ric

from app.clock import today
from app.errors import ValidationError
from app.models.audit import AuditEvent
from app.models.committee import DeskMode
from app.models.grid import GridCell, GridLevel
from app.models.roster import CareFlag, Household, HouseholdSearch, Person
from app.models.users import User
from app.services import audit, committee, demo, grid, households, users
from app.services.context import Actor
from app.services.validation import MOBILE_RE
from app.store.engine import Store, open_store

ROOT = Path(__file__).resolve().parent.parent
RELATIONS = {"户主", "配偶", "子", "女", "父亲", "母亲", "孙子", "孙女", "儿媳"}
ETHNICITIES = {"汉族", "回族", "藏族", "裕固族"}
RARE = ("𠮷", "䶮")
AS_OF = dt.date(2026, 11, 25)


@pytest.fixture(scope="module")
def demo_desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, demo.DemoSummary]]:
    """One 600-household demo desk, built once for the read-only tests of this module."""
    store = open_store(tmp_path_factory.mktemp("demo") / "desk")
    summary = demo.build_demo(store, households=600)
    yield store, summary
    store.dispose()


def _persons(store: Store) -> list[Person]:
    with store.read() as session:
        return list(session.exec(select(Person)).all())


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


# ---------------------------------------------------------------- an empty desk

def test_empty_desk_is_set_up_as_zhuangdun_village(demo_desk: tuple[Store, demo.DemoSummary]) -> None:
    store, summary = demo_desk
    with store.read() as session:
        desk = committee.require_current(session)
        groups = grid.groups(session)
        micro = grid.micro_grids(session)
    assert (desk.name, desk.code, desk.village, desk.township, desk.mode) == (
        "庄墩村人民调解委员会", "甘", "庄墩村", "长安镇", DeskMode.VILLAGE)
    assert [g.name for g in groups] == ["一组", "二组", "三组", "四组", "五组", "六组", "七组", "八组"]
    assert summary.groups == 8
    assert summary.micro_grids == len(micro)
    assert {u.role for u in summary.users} == {"admin", "mediator", "grid_worker", "viewer"}


def test_demo_users_can_log_in(demo_desk: tuple[Store, demo.DemoSummary]) -> None:
    store, summary = demo_desk
    admin = users.login(store, "admin", "admin123")
    assert admin.role == "admin"
    for u in summary.users:
        assert users.login(store, u.username, u.password).role == u.role


def test_about_600_households_of_about_four_persons(demo_desk: tuple[Store, demo.DemoSummary]) -> None:
    store, summary = demo_desk
    people = _persons(store)
    with store.read() as session:
        homes = list(session.exec(select(Household)).all())
    assert summary.households == len(homes) == 600
    assert summary.persons == len(people)
    assert 2100 <= len(people) <= 2700
    sizes = Counter(p.household_id for p in people)
    assert set(sizes) == {h.id for h in homes}
    assert min(sizes.values()) >= 1 and max(sizes.values()) <= 7
    assert {1, 2, 3, 4, 5, 6} <= set(sizes.values())
    heads = {p.id: p for p in people if p.relation_to_head == "户主"}
    assert {h.head_person_id for h in homes} == set(heads)
    assert all(heads[h.head_person_id or ""].household_id == h.id for h in homes)


def test_household_numbers_and_addresses(demo_desk: tuple[Store, demo.DemoSummary]) -> None:
    store, _summary = demo_desk
    with store.read() as session:
        homes = list(session.exec(select(Household).order_by(Household.number)).all())
        group_names = {g.id: g.name for g in grid.groups(session)}
    assert [h.number for h in homes] == [f"{i:04d}" for i in range(1, 601)]
    assert all(re.fullmatch(r"庄墩村[一二三四五六七八]组\d+号", h.address) for h in homes)
    assert len({h.address for h in homes}) == 600
    assert all(h.address.startswith(f"庄墩村{group_names[h.group_id or '']}") for h in homes)


def test_micro_grids_of_10_to_20_households_each_with_a_leader(demo_desk: tuple[Store, demo.DemoSummary]) -> None:
    store, _summary = demo_desk
    with store.read() as session:
        micro = grid.micro_grids(session)
        homes = list(session.exec(select(Household)).all())
        people = {p.id: p for p in session.exec(select(Person)).all()}
    by_micro = Counter(h.micro_grid_id for h in homes)
    group_of = {h.micro_grid_id: h.group_id for h in homes}
    assert set(by_micro) == {m.id for m in micro}
    for m in micro:
        assert 10 <= by_micro[m.id] <= 20, m.name
        assert group_of[m.id] == m.parent_id
        assert re.fullmatch(r"[一二三四五六七八]组第\d+微网格", m.name)
        leader = people[m.leader_person_id or ""]
        assert {h.micro_grid_id for h in homes if h.id == leader.household_id} == {m.id}
        assert leader.mobile and m.leader_phone == leader.mobile


def test_id_numbers_are_valid_unique_and_agree_with_birth_date_and_sex(
        demo_desk: tuple[Store, demo.DemoSummary]) -> None:
    people = _persons(demo_desk[0])
    numbers = [p.id_number for p in people]
    assert all(numbers) and len(set(numbers)) == len(numbers)
    for p in people:
        assert p.id_number is not None
        assert ric.validate(p.id_number) == p.id_number
        assert ric.get_birth_date(p.id_number) == p.birth_date
        assert ("male" if int(p.id_number[16]) % 2 else "female") == p.sex
        assert p.id_number[-1] == demo.id_check_digit(p.id_number[:17])
        assert p.birth_date is not None
        if p.birth_date.year >= 2002 and p.relation_to_head not in ("配偶", "儿媳"):
            assert p.id_number.startswith("620702")  # 甘州区
    assert sum(p.id_number.startswith("620702") for p in people if p.id_number) > 300


def test_every_person_passes_the_roster_validation(demo_desk: tuple[Store, demo.DemoSummary]) -> None:
    for p in _persons(demo_desk[0]):
        data = households.person_input(p)
        assert households.clean_person(data) == data


def test_mobiles_are_valid_and_unique_and_children_have_none(demo_desk: tuple[Store, demo.DemoSummary]) -> None:
    people = _persons(demo_desk[0])
    mobiles = [p.mobile for p in people if p.mobile]
    assert len(mobiles) > len(people) // 2
    assert all(MOBILE_RE.match(m) for m in mobiles)
    assert len(set(mobiles)) == len(mobiles)
    on = today()
    assert all(not p.mobile for p in people if p.birth_date and _age(p.birth_date, on) < 16)


def test_names_relations_and_ethnicities(demo_desk: tuple[Store, demo.DemoSummary]) -> None:
    people = _persons(demo_desk[0])
    assert {p.relation_to_head for p in people} == RELATIONS
    ethnicities = Counter(p.ethnicity for p in people)
    assert set(ethnicities) <= ETHNICITIES and ethnicities["汉族"] > 0.9 * len(people)
    assert len(ethnicities) >= 3
    surnames = Counter(p.name[0] for p in people if p.ethnicity == "汉族")
    assert {s for s, _n in surnames.most_common(6)} & {"王", "李", "张", "刘", "陈"}
    assert all(1 <= len(p.name) <= 6 for p in people)
    assert any(ch in p.name for p in people for ch in RARE), "no name with 𠮷 or 䶮"
    # About one person in 200 has a character of CJK Extension A (U+3400–4DBF) or beyond the BMP.
    rare = [p.name for p in people if any(0x3400 <= ord(ch) <= 0x4DBF or ord(ch) > 0xFFFF for ch in p.name)]
    assert len(people) / 600 <= len(rare) <= len(people) / 80


def test_care_flags(demo_desk: tuple[Store, demo.DemoSummary]) -> None:
    people = _persons(demo_desk[0])
    on = today()
    by_home: dict[str, list[Person]] = {}
    for p in people:
        by_home.setdefault(p.household_id or "", []).append(p)
    left_behind = [p for p in people if CareFlag.LEFT_BEHIND_CHILD in p.care_flags.split(",")]
    alone = [p for p in people if CareFlag.ELDERLY_ALONE in p.care_flags.split(",")]
    assert left_behind and alone
    for child in left_behind:
        assert child.birth_date and _age(child.birth_date, on) < 16
        assert any(p.occupation == "外出务工" for p in by_home[child.household_id or ""])
    for old in alone:
        assert old.birth_date and _age(old.birth_date, on) >= 60
        assert by_home[old.household_id or ""] == [old]


def test_search_by_initials_and_names(demo_desk: tuple[Store, demo.DemoSummary]) -> None:
    store, _summary = demo_desk
    actor = users.login(store, "viewer", "viewer123")
    people = _persons(store)
    three = next(p for p in people if len(p.name) == 3 and all("\u4e00" <= ch <= "\u9fff" for ch in p.name))
    two = Counter(p.name for p in people if len(p.name) == 2).most_common(1)[0][0]
    with store.read() as session:
        assert households.count_households(session, actor, query="zs") > 0
        rows = households.list_households(session, actor, query=three.name)
        assert three.household_id in {r.id for r in rows}
        assert households.count_households(session, actor, query=three.name) == len(rows)
        assert households.count_households(session, actor, query=two) >= 2
        assert households.count_households(session, actor, query=people[0].id_number or "") == 1


def test_search_text_is_the_roster_services(demo_desk: tuple[Store, demo.DemoSummary]) -> None:
    """The bulk load writes the same search line as households.refresh_search would."""
    store, _summary = demo_desk
    with store.read() as session:
        homes = {h.id: h for h in session.exec(select(Household)).all()}
        members: dict[str, list[Person]] = {}
        for p in session.exec(select(Person).order_by(Person.id)).all():
            members.setdefault(p.household_id or "", []).append(p)
        for row in session.exec(select(HouseholdSearch)).all():
            assert row.text == households.search_text(homes[row.household_id], members[row.household_id])[:4000]
        assert len(homes) == len(members)


def test_one_audit_event_for_the_load_and_the_chain_verifies(demo_desk: tuple[Store, demo.DemoSummary]) -> None:
    store, _summary = demo_desk
    with store.read() as session:
        report = audit.verify_chain(session)
        events = list(session.exec(select(AuditEvent).where(AuditEvent.action == "demo")).all())
        creates = list(session.exec(select(AuditEvent).where(AuditEvent.table_name == "person")).all())
    assert report.ok, report.problem
    assert len(events) == 1 and "600 households" in events[0].summary
    assert creates == []


# ---------------------------------------------------------------- later runs, other desks

def test_same_seed_same_village_other_seed_another(tmp_path: Path) -> None:
    def village(name: str, seed: int) -> list[tuple[str, str, str, str]]:
        store = open_store(tmp_path / name)
        try:
            demo.build_demo(store, households=40, seed=seed, as_of=AS_OF)
            with store.read() as session:
                rows = session.exec(select(Household.number, Person.name, Person.id_number, Person.mobile)
                                    .join(Person, Person.household_id == Household.id)
                                    .order_by(Household.number, Person.id)).all()
            return [(a, b, c or "", d) for a, b, c, d in rows]
        finally:
            store.dispose()

    first = village("a", 7)
    assert first == village("b", 7)
    assert [r[1] for r in first] != [r[1] for r in village("c", 8)]


def test_second_run_adds_households_after_the_last_number(store: Store) -> None:
    first = demo.build_demo(store, households=60)
    second = demo.build_demo(store, households=45)
    assert first.users and second.users == []
    assert second.households == 45 and second.groups == 8
    with store.read() as session:
        numbers = list(session.exec(select(Household.number).order_by(Household.number)).all())
        groups = grid.groups(session)
        micro = grid.micro_grids(session)
        people = list(session.exec(select(Person)).all())
        assert audit.verify_chain(session).ok
        assert len(list(session.exec(select(User)).all())) == 4
    assert numbers == [f"{i:04d}" for i in range(1, 106)]
    assert len(groups) == 8
    for g in groups:
        names = [m.name for m in micro if m.parent_id == g.id]
        assert len(names) == len(set(names))
    ids = [p.id_number for p in people]
    assert len(ids) == len(set(ids)) == first.persons + second.persons
    mobiles = [p.mobile for p in people if p.mobile]
    assert len(mobiles) == len(set(mobiles))


def test_adds_to_a_desk_set_up_by_hand(store: Store, admin: Actor, village: dict[str, str]) -> None:
    summary = demo.build_demo(store, households=30)
    assert summary.users == [] and summary.households == 30 and summary.groups == 8
    with store.read() as session:
        groups = grid.groups(session)
        numbers = list(session.exec(select(Household.number).order_by(Household.number)).all())
        one = grid.find_by_name(session, "一组", GridLevel.GROUP)
        micro_one = [m.name for m in grid.micro_grids(session, village["g1"])]
        assert audit.verify_chain(session).ok
    assert [g.name for g in groups][:2] == ["一组", "二组"] and len(groups) == 8
    assert one is not None and one.id == village["g1"]
    assert numbers == [f"{i:04d}" for i in range(1, 33)]
    assert micro_one[0] == "一组第1微网格" and len(micro_one) == len(set(micro_one))


def test_a_township_center_gets_no_demo_village(store: Store) -> None:
    with store.write() as session:
        committee.set_up(session, committee.CommitteeInput("长安镇综治中心", "长", "", "", "长安镇", DeskMode.TOWNSHIP),
                         committee.AdminInput("admin", "王丽", "admin123"))
    with pytest.raises(ValidationError) as err:
        demo.build_demo(store, households=10)
    assert "village desk" in err.value.message
    with store.read() as session:
        assert session.exec(select(Household)).first() is None
        assert session.exec(select(GridCell).where(GridCell.level == GridLevel.GROUP)).first() is None


@pytest.mark.parametrize("count", [0, -5, 200_001])
def test_bad_household_count_writes_nothing(store: Store, count: int) -> None:
    with pytest.raises(ValidationError) as err:
        demo.build_demo(store, households=count)
    assert err.value.field == "households"
    with store.read() as session:
        assert not committee.is_set_up(session)


def test_progress_is_reported_and_a_cancel_rolls_back(store: Store) -> None:
    calls: list[tuple[int, int]] = []
    demo.build_demo(store, households=2500, progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, 2500) and calls[-1] == (2500, 2500) and len(calls) >= 3
    assert [d for d, _t in calls] == sorted(d for d, _t in calls)

    class Cancelled(Exception):
        pass

    def cancel(done: int, total: int) -> None:
        if done:
            raise Cancelled

    with pytest.raises(Cancelled):
        demo.build_demo(store, households=2500, progress=cancel)
    with store.read() as session:
        assert len(list(session.exec(select(Household.id)).all())) == 2500


def test_rare_characters_of_the_demo_are_in_the_shipped_rare_font() -> None:
    from reportlab.pdfbase.ttfonts import TTFont

    from app.services import demo_names

    covered = TTFont("demo-rare", str(ROOT / "resources" / "fonts" / "HanaMin-rare.ttf")).face.charToGlyph
    chars = set(demo_names.RARE_SURNAME + "".join(demo_names.RARE_GIVEN_MALE + demo_names.RARE_GIVEN_FEMALE))
    rare = {ch for ch in chars if 0x3400 <= ord(ch) <= 0x4DBF or ord(ch) > 0xFFFF}
    assert {"𠮷", "䶮"} <= rare
    assert all(ord(ch) in covered for ch in rare)


def test_a_single_household(store: Store) -> None:
    summary = demo.build_demo(store, households=1)
    assert (summary.households, summary.micro_grids, summary.groups) == (1, 1, 8)
    assert 1 <= summary.persons <= 7


def test_micro_grid_sizes() -> None:
    import random

    rng = random.Random(1)
    for total in [*range(0, 200), 1000, 6251]:
        sizes = demo.micro_grid_sizes(total, rng)
        assert sum(sizes) == total
        if total >= 10:
            assert all(10 <= s <= 20 for s in sizes), (total, sizes)


def test_cli_demo_prints_the_users_as_json(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("mediation-desk")
    done = subprocess.run([str(exe), "--data-dir", str(tmp_path / "cli"), "--json", "demo", "--households", "50"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    village = data["village"]
    assert village["households"] == 50 and village["groups"] == 8
    assert {u["username"]: u["password"] for u in village["users"]}["admin"] == "admin123"
    assert {u["role"] for u in village["users"]} == {"admin", "mediator", "grid_worker", "viewer"}
    assert data["cases"]["cases"] == 300
