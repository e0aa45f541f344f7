"""One village's records at the township, read-only (app.services.township): two small demo villages delivered
to one township; each read — cases, a case, households, risk ratings, points balances — returns exactly that
village's own rows (compared with what the village desk itself shows), ID numbers masked, the filter as the
village's lists search, a role without the read permission refused, an unknown village or a village desk
refused, and the township's attempt to edit a village's row refused. On SQLite and on PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlmodel import col, select

from app.clock import today
from app.errors import NotFound, PermissionDenied, ValidationError
from app.models.cases import Case
from app.models.roster import Household, Person
from app.models.users import Role
from app.services import cases, context, households, points, risk, township
from app.services.context import Actor
from app.services.households import HouseholdInput, mask_id_number
from app.services.risk import AssessInput
from tests.conftest import township_database
from tests.sync_support import Desk, bundle_for, deliver, pair, township_desk, village_desk

FULL_ID = re.compile(r"\d{17}[\dX]")
VIEWER = Actor(None, "viewer", "只读", Role.VIEWER)


@dataclass
class Town:
    township: Desk
    a: Desk  # 8 households, 3 cases, one household rated high by hand
    b: Desk  # 5 households, 2 cases
    high: str  # the number of a's household rated high


def _rate_one_high(desk: Desk) -> str:
    """Rate one household of the village's open round high at its next stage; returns its number."""
    with desk.store.write() as session:
        rnd = risk.get_round(session)
        assert rnd.closed_on is None
        row = next(r for r in risk.households_in_round(session, desk.admin, rnd.id) if r.stage < 3)
        risk.assess(session, desk.admin, rnd.id, AssessInput(row.household_id, (), level="high", reason="多次越级上访，情绪激动"))
        return row.number


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def town(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Town]:
    """Built once per database for the module's tests (they read; an edit the test makes is refused): the
    `township_db` choice of SQLite or PostgreSQL."""
    with township_database(request.param) as url:
        root = tmp_path_factory.mktemp("town")
        a = village_desk(root / "a", seed=1, households=8, cases=3, entries=30)
        b = village_desk(root / "b", seed=2, households=5, cases=2, entries=10)
        high = _rate_one_high(a)
        tw = township_desk(root / "township", url)
        for village in (a, b):
            pair(village, tw)
            assert deliver(village, tw, bundle_for(village, tw)).status == "imported"
        yield Town(tw, a, b, high)
        for desk in (tw, a, b):
            desk.close()


def _own_households(desk: Desk) -> list[households.HouseholdRow]:
    with desk.store.read() as session:
        return households.list_households(session, desk.admin, limit=1000)


def test_households_are_the_villages_own_with_id_numbers_masked(town: Town) -> None:
    tw = town.township
    for village in (town.a, town.b):
        own = _own_households(village)
        with tw.store.read() as session:
            rows = township.village_households(session, tw.admin, village.device)
            total = township.count_village_households(session, tw.admin, village.device)
            paged = [r for offset in range(0, total, 3)
                     for r in township.village_households(session, tw.admin, village.device, offset=offset, limit=3)]
        assert total == len(own) == len(rows) and paged == rows
        assert [(r.id, r.number, r.head_name, r.group_name, r.micro_grid_name, r.members) for r in rows] == [
            (r.id, r.number, r.head_name, r.group_name, r.micro_grid_name, r.members) for r in own]
        with village.store.read() as session:
            heads = {h.id: session.get(Person, h.head_person_id) for h in session.exec(select(Household)).all()}
        for r in rows:
            real = heads[r.id].id_number if heads[r.id] is not None else None
            assert real and r.head_id_number == mask_id_number(real) and "********" in r.head_id_number
            assert not FULL_ID.search(r.head_id_number)
    # the two villages' households together are the township's, and neither list holds the other's
    with tw.store.read() as session:
        a_ids = {r.id for r in township.village_households(session, tw.admin, town.a.device, limit=1000)}
        b_ids = {r.id for r in township.village_households(session, tw.admin, town.b.device, limit=1000)}
        everyone = set(session.exec(select(Household.id)).all())
    assert not a_ids & b_ids and a_ids | b_ids == everyone and len(a_ids) == 8 and len(b_ids) == 5


def test_cases_are_the_villages_own_newest_first(town: Town) -> None:
    tw = town.township
    for village, n in ((town.a, 3), (town.b, 2)):
        with village.store.read() as session:
            own = [c.number for c in cases.list_cases(session, village.admin)]
        with tw.store.read() as session:
            rows = township.village_cases(session, tw.admin, village.device)
            assert township.count_village_cases(session, tw.admin, village.device) == n
        assert [c.number for c in rows] == own and len(own) == n
        assert all(c.origin == village.device for c in rows)


def test_a_case_is_read_whole_with_id_numbers_masked(town: Town) -> None:
    tw, a = town.township, town.a
    with a.store.read() as session:
        case_id = cases.list_cases(session, a.admin)[0].id
        own = cases.case_view(session, a.admin, case_id)  # the village's director sees the full ID numbers
    assert any(FULL_ID.fullmatch(p.id_number) for p in own.parties)
    with tw.store.read() as session:
        plain = cases.case_view(session, tw.admin, case_id)  # reading a village's case works at a township
        view = township.village_case(session, tw.admin, a.device, case_id)
        with pytest.raises(NotFound):
            township.village_case(session, tw.admin, town.b.device, case_id)  # not 李's case
    assert (plain.number, plain.summary, plain.status) == (own.number, own.summary, own.status)
    assert (view.number, view.summary, view.facts, view.category, view.status, view.received_on) == (
        own.number, own.summary, own.facts, own.category, own.status, own.received_on)
    assert [(p.role, p.name, p.mobile) for p in view.parties] == [(p.role, p.name, p.mobile) for p in own.parties]
    assert [p.id_number for p in view.parties] == [mask_id_number(p.id_number) for p in own.parties]
    assert not any(FULL_ID.search(p.id_number) for p in view.parties)
    assert [m.name for m in view.mediators] == [m.name for m in own.mediators]


def test_risk_ratings_are_the_villages_latest_round_the_highest_first(town: Town) -> None:
    tw = town.township
    for village in (town.a, town.b):
        with village.store.read() as session:
            rnd = risk.get_round(session)
            own = risk.households_in_round(session, village.admin, rnd.id)
        with tw.store.read() as session:
            result = township.village_risk(session, tw.admin, village.device)
        rated = [r for r in own if r.stage]
        assert result.quarter == rnd.quarter and result.closed is (rnd.closed_on is not None)
        assert result.not_rated == len(own) - len(rated)
        assert sorted((r.number, r.level, r.stage, r.reason, tuple(r.factors)) for r in result.ratings) == sorted(
            (r.number, r.level, r.stage, r.reason, tuple(r.factors)) for r in rated)
        order = {"high": 0, "medium": 1, "low": 2}
        assert [order[r.level] for r in result.ratings] == sorted(order[r.level] for r in result.ratings)
    with tw.store.read() as session:
        first = township.village_risk(session, tw.admin, town.a.device).ratings[0]
    assert (first.number, first.level, first.reason) == (town.high, "high", "多次越级上访，情绪激动")


def test_points_balances_are_the_villages_own_the_highest_first(town: Town) -> None:
    tw = town.township
    year = str(today().year)
    for village in (town.a, town.b):
        with village.store.read() as session:
            own = {r.household_id: r for r in points.ranking(session, village.admin, year)}
            last = {}
            for hid in own:
                days = [line.occurred_on for line in points.ledger(session, village.admin, hid)
                        if line.status in ("counted", "reversed") and line.occurred_on.year == today().year]
                last[hid] = max(days) if days else None
                assert own[hid].balance == points.balance(session, hid)
        with tw.store.read() as session:
            rows = township.village_points(session, tw.admin, village.device)
        assert {r.household_id for r in rows} == set(own)
        for r in rows:
            o = own[r.household_id]
            assert (r.number, r.head_name, r.group_name, r.balance, r.gained, r.deducted) == (
                o.number, o.head_name, o.group_name, o.balance, o.gained, o.deducted)
            assert r.last_entry == last[r.household_id]
        assert [(-r.balance, r.number) for r in rows] == sorted((-r.balance, r.number) for r in rows)
        assert any(r.balance for r in rows)


def test_the_filter_searches_as_the_village_lists_do(town: Town) -> None:
    tw, a = town.township, town.a
    target = _own_households(a)[2]
    with a.store.read() as session:
        party = cases.case_view(session, a.admin, cases.list_cases(session, a.admin)[0].id).parties[0].name
        own_cases = [c.number for c in cases.list_cases(session, a.admin, cases.CaseFilter(query=party))]
    with tw.store.read() as session:
        for query in (target.head_name, target.number, households.pinyin_forms(target.head_name)[0]):
            found = township.village_households(session, tw.admin, a.device, query=query)
            assert target.id in {r.id for r in found}, query
            assert township.count_village_households(session, tw.admin, a.device, query=query) == len(found)
            assert target.id in {r.household_id for r in township.village_points(session, tw.admin, a.device, query=query)}
        ratings = township.village_risk(session, tw.admin, a.device, query=target.head_name).ratings
        assert [r.household_id for r in ratings] == [target.id]
        assert [c.number for c in township.village_cases(session, tw.admin, a.device, query=party)] == own_cases
        assert township.count_village_cases(session, tw.admin, a.device, query=party) == len(own_cases) >= 1
        # the other village's rows never come through a filter
        b_ids = {r.id for r in township.village_households(session, tw.admin, town.b.device, limit=1000)}
        assert not b_ids & {r.id for r in township.village_households(session, tw.admin, a.device, query="0")}
        nothing = "不存在的名字"
        assert township.village_households(session, tw.admin, a.device, query=nothing) == []
        assert township.village_points(session, tw.admin, a.device, query=nothing) == []
        assert township.village_risk(session, tw.admin, a.device, query=nothing).ratings == []
        assert township.village_cases(session, tw.admin, a.device, query=nothing) == []


def test_a_role_without_the_read_permission_is_refused(town: Town, monkeypatch: pytest.MonkeyPatch) -> None:
    tw, origin = town.township, town.a.device
    calls = {
        "cases.read": [lambda s: township.village_cases(s, VIEWER, origin), lambda s: township.count_village_cases(s, VIEWER, origin)],
        "roster.read": [lambda s: township.village_households(s, VIEWER, origin),
                        lambda s: township.count_village_households(s, VIEWER, origin)],
        "risk.read": [lambda s: township.village_risk(s, VIEWER, origin)],
        "points.read": [lambda s: township.village_points(s, VIEWER, origin)],
    }
    with tw.store.read() as session:
        case_id = session.exec(select(Case.id).where(col(Case.origin) == origin)).first()
        assert case_id is not None
        calls["cases.read"].append(lambda s: township.village_case(s, VIEWER, origin, case_id))
        for permission, reads in calls.items():
            for read in reads:
                read(session)  # every role may read by default
            monkeypatch.setitem(context.PERMISSIONS, permission, frozenset({Role.ADMIN}))
            for read in reads:
                with pytest.raises(PermissionDenied):
                    read(session)
            monkeypatch.undo()


def test_only_an_enrolled_village_is_read_and_only_at_a_township(town: Town) -> None:
    tw = town.township
    with tw.store.read() as session:
        for origin in ("not-a-device", tw.device):
            with pytest.raises(NotFound):
                township.village_households(session, tw.admin, origin)
            with pytest.raises(NotFound):
                township.village_points(session, tw.admin, origin)
    with town.a.store.read() as session, pytest.raises(ValidationError):  # a village desk has no villages
        township.village_risk(session, town.a.admin, town.a.device)


def test_the_township_cannot_edit_a_villages_row(town: Town) -> None:
    tw = town.township
    row = _own_households(town.a)[0]
    with pytest.raises(PermissionDenied), tw.store.write() as session:
        households.update_household(session, tw.admin, row.id, HouseholdInput(row.number, "改过的地址"))
    with tw.store.read() as session:
        assert session.get(Household, row.id).address == row.address  # type: ignore[union-attr]
