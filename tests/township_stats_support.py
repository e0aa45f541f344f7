"""Two small villages imported into a township, every figure known by hand (tests/test_township_stats.py and
the Statistics section's township test): cases, agreements, a failure, a transfer, a follow-up visit, points
and a risk round, all dated relative to today inside `PERIOD` (the last 60 days).

庄墩村 (甘): accepted 3 (宅基地 2, 邻里 1), resolved 1 after 25 days, failed 1, one follow-up fully performed,
points +5 / -5, a risk round this quarter with one high-risk household.
李庄村 (李): accepted 2 (债务 1, 宅基地 1), resolved 2 after 5 and 13 days, 1 transferred (accepted before the
period), points +10, no risk round.
王村 (王): enrolled, nothing imported yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from app.clock import today
from app.services import case_flow, cases, committee, grid, households, points, risk, users
from app.services.case_flow import AgreementInput, FollowUpInput, Term
from app.services.cases import CaseInput, MediatorInput, PartyInput
from app.services.periods import parse_period
from app.services.points import EntryInput
from app.services.risk import AssessInput
from app.store.engine import open_store
from tests.sync_support import PASSWORD, Desk, bundle_for, deliver, pair, township_desk

T = today()
PERIOD = parse_period(f"{(T - dt.timedelta(days=60)).isoformat()}..{T.isoformat()}")


def quarter_of(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def small_village(path: Path, name: str, code: str, village: str) -> tuple[Desk, list[str]]:
    """A village desk with two households; returns it and the households' ids."""
    store = open_store(path)
    with store.write() as session:
        committee.set_up(session, committee.CommitteeInput(name, code, name, village, "长安镇"),
                         committee.AdminInput("admin", "王丽", PASSWORD))
    admin = users.login(store, "admin", PASSWORD)
    with store.write() as session:
        root = grid.village_root(session)
        group = grid.add_cell(session, admin, root.id, "一组")
        ids = [households.create_household(
            session, admin, households.HouseholdInput(f"000{i}", f"{village}一组{i}号", group_id=group.id),
            [households.PersonInput(f"{person}{village[0]}", mobile=f"1380013800{i}")]).id
            for i, person in ((1, "张"), (2, "李"))]
    return Desk(store, path, admin), ids


def _case(desk: Desk, hh: list[str], received: dt.date, category: str) -> str:
    with desk.store.read() as session:
        a = households.household_detail(session, desk.admin, hh[0]).members[0].id
        b = households.household_detail(session, desk.admin, hh[1]).members[0].id
    with desk.store.write() as session:
        return cases.register_case(session, desk.admin, CaseInput(received, "party_applied", category, "纠纷"),
                                   [PartyInput("applicant", person_id=a), PartyInput("respondent", person_id=b)],
                                   [MediatorInput("王丽", user_id=desk.admin.user_id, is_lead=True)], confirm_duplicate=True).id


def _agree(desk: Desk, case_id: str, on: dt.date) -> None:
    with desk.store.write() as session:
        case_flow.register_oral_agreement(session, desk.admin, case_id, AgreementInput((Term("赔礼道歉"),)), on=on)


@dataclass
class Township:
    township: Desk
    zhuang: Desk  # 庄墩村 (甘)
    li: Desk  # 李庄村 (李)
    wang: Desk  # 王村 (王): enrolled, nothing imported

    def close(self) -> None:
        for desk in (self.township, self.zhuang, self.li, self.wang):
            desk.close()


def build_township(root: Path, db_url: str | None = None) -> Township:
    zhuang, hz = small_village(root / "zhuang", "庄墩村人民调解委员会", "甘", "庄墩村")
    agreed = _case(zhuang, hz, T - dt.timedelta(days=30), "homestead")
    failed = _case(zhuang, hz, T - dt.timedelta(days=20), "neighbours")
    _case(zhuang, hz, T - dt.timedelta(days=10), "homestead")
    _agree(zhuang, agreed, T - dt.timedelta(days=5))
    with zhuang.store.write() as session:
        case_flow.record_follow_up(session, zhuang.admin, agreed, FollowUpInput(T - dt.timedelta(days=1), "王丽", "fully", "satisfied"))
        case_flow.fail(session, zhuang.admin, failed, "双方分歧太大", ["lawsuit"])
        points.add_entry(session, zhuang.admin, EntryInput(hz[0], T - dt.timedelta(days=3), "A01"))
        points.add_entry(session, zhuang.admin, EntryInput(hz[1], T - dt.timedelta(days=3), "A03"))
        rnd = risk.open_round(session, zhuang.admin, quarter_of(T))
        risk.assess(session, zhuang.admin, rnd.id, AssessInput(hz[0], ("domestic_violence",)))
        risk.assess(session, zhuang.admin, rnd.id, AssessInput(hz[1], ()))

    li, hl = small_village(root / "li", "李庄村人民调解委员会", "李", "李庄村")
    debt = _case(li, hl, T - dt.timedelta(days=40), "debt")
    land = _case(li, hl, T - dt.timedelta(days=15), "homestead")
    old = _case(li, hl, T - dt.timedelta(days=90), "neighbours")
    _agree(li, debt, T - dt.timedelta(days=35))
    _agree(li, land, T - dt.timedelta(days=2))
    with li.store.write() as session:
        case_flow.transfer(session, li.admin, old, "court", "涉及诉讼")
        points.add_entry(session, li.admin, EntryInput(hl[0], T - dt.timedelta(days=4), "A01"))
        points.add_entry(session, li.admin, EntryInput(hl[1], T - dt.timedelta(days=4), "A01"))

    wang, _hw = small_village(root / "wang", "王村人民调解委员会", "王", "王村")
    township = township_desk(root / "township", db_url)
    for village in (zhuang, li, wang):
        pair(village, township)
    for village in (zhuang, li):
        outcome = deliver(village, township, bundle_for(village, township))
        assert outcome.status == "imported", outcome.reason
    return Township(township, zhuang, li, wang)
