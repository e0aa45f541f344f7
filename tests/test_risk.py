"""Risk ratings: the suggested-level rule, the three review levels in order and their permissions,
reasons for overrides, sensitive factors hidden from roles that may not see them, cadres and visit due
dates across month and year ends, rounds and their closing, history and changes between rounds."""

import datetime as dt

import pytest
from sqlmodel import select

from app.clock import today
from app.errors import PermissionDenied, ValidationError
from app.models.risk import RiskAssessment, RiskLevel, RiskRound, Stage
from app.models.users import Role
from app.services import cases, risk
from app.services.cases import CaseInput, PartyInput
from app.services.context import Actor
from app.services.risk import AssessInput, suggest_level
from app.store.engine import Store
from tests.conftest import make_user


def this_quarter() -> str:
    return f"{today().year}Q{(today().month - 1) // 3 + 1}"


@pytest.fixture
def rnd(store: Store, admin: Actor, village: dict[str, str]) -> str:
    with store.write() as session:
        return risk.open_round(session, admin, this_quarter()).id


def test_suggested_level_rule() -> None:
    assert suggest_level([]) == RiskLevel.LOW
    assert suggest_level([2]) == RiskLevel.LOW
    assert suggest_level([3]) == RiskLevel.MEDIUM
    assert suggest_level([2, 2]) == RiskLevel.MEDIUM
    assert suggest_level([3, 3]) == RiskLevel.HIGH
    assert suggest_level([6]) == RiskLevel.HIGH  # one severe factor is enough


def test_three_levels_in_order_with_their_permissions(store: Store, admin: Actor, village: dict[str, str], rnd: str) -> None:
    worker = make_user(store, admin, "grid", Role.GRID_WORKER)
    mediator = make_user(store, admin, "med", Role.MEDIATOR)
    with store.write() as session:
        first = risk.assess(session, worker, rnd, AssessInput(village["h1"], ("serious_debt",)))
    assert (first.stage, first.suggested_level, first.level) == (Stage.GROUP, "medium", "medium")
    with pytest.raises(PermissionDenied), store.write() as session:
        risk.assess(session, worker, rnd, AssessInput(village["h1"], ("serious_debt",)))  # stage 2 needs the committee
    with pytest.raises(ValidationError) as info, store.write() as session:
        risk.assess(session, mediator, rnd, AssessInput(village["h1"], ("serious_debt",), level="high"))
    assert info.value.field == "reason"
    with store.write() as session:
        second = risk.assess(session, mediator, rnd, AssessInput(village["h1"], ("serious_debt",), level="high", reason="债主多次上门"))
    assert (second.stage, second.level) == (Stage.VILLAGE, "high")
    with pytest.raises(PermissionDenied), store.write() as session:
        risk.assess(session, mediator, rnd, AssessInput(village["h1"], ("serious_debt",)))  # stage 3: the town team
    with store.write() as session:
        third = risk.assess(session, admin, rnd, AssessInput(village["h1"], ("serious_debt",), assessed_by="镇工作队 刘明"))
    assert (third.stage, third.level, third.assessed_by) == (Stage.TOWN, "high", "镇工作队 刘明")
    with pytest.raises(ValidationError, match="already been reviewed"), store.write() as session:
        risk.assess(session, admin, rnd, AssessInput(village["h1"], ()))
    with store.read() as session:
        assert len(session.exec(select(RiskAssessment)).all()) == 3  # every level kept


def test_sensitive_factors_are_hidden_from_roles_that_may_not_see_them(store: Store, admin: Actor, village: dict[str, str],
                                                                       rnd: str) -> None:
    worker = make_user(store, admin, "grid", Role.GRID_WORKER)
    viewer = make_user(store, admin, "viewer", Role.VIEWER)
    with pytest.raises(ValidationError, match="sensitive"), store.write() as session:
        risk.assess(session, worker, rnd, AssessInput(village["h1"], ("community_correction",)))
    with store.write() as session:
        risk.assess(session, admin, rnd, AssessInput(village["h1"], ("community_correction", "serious_debt")))
    with store.read() as session:
        assert "社区矫正对象" in risk.households_in_round(session, admin, rnd)[0].factors
        for actor in (worker, viewer):
            seen = risk.households_in_round(session, actor, rnd)[0].factors
            assert "社区矫正对象" not in seen and "Sensitive (hidden)" in seen and "重大债务纠纷" in seen
            assert all(not f.sensitive for f in risk.factors(session, actor))
            assert "社区矫正对象" not in str(risk.history(session, actor, village["h1"]))


def test_an_open_case_fills_in_the_dispute_factor(store: Store, admin: Actor, village: dict[str, str], rnd: str) -> None:
    with store.read() as session:
        from app.services import households

        person = households.household_detail(session, admin, village["h2"]).members[0].id
    with store.write() as session:
        cases.register_case(session, admin, CaseInput(today(), "party_applied", "debt", "借款纠纷"),
                            [PartyInput("applicant", person_id=person)])
        row = risk.assess(session, admin, rnd, AssessInput(village["h2"], ()))
    assert "open_dispute" in row.factors and row.suggested_level == "medium"


def test_visits_due_across_month_and_year_ends(store: Store, admin: Actor, village: dict[str, str], rnd: str) -> None:
    with store.write() as session:
        risk.record_visit(session, admin, village["h1"], dt.date(today().year - 1, 12, 15), "王丽", "情绪稳定")
        assert risk.next_visit_due(session, village["h1"], "high", dt.date(today().year - 1, 12, 1)) == dt.date(today().year, 1, 14)
        assert risk.next_visit_due(session, village["h1"], "medium", dt.date(today().year - 1, 11, 30)) == dt.date(today().year, 3, 15)
        assert risk.next_visit_due(session, village["h1"], "low", today()) is None
        risk.assess(session, admin, rnd, AssessInput(village["h1"], ("domestic_violence",)))
    with store.read() as session:
        assert risk.overdue_visits(session, admin, as_of=today() + dt.timedelta(days=31))[0].household_id == village["h1"]
        assert risk.overdue_visits(session, admin, as_of=today()) == []
    with pytest.raises(ValidationError), store.write() as session:
        risk.record_visit(session, admin, village["h1"], today() + dt.timedelta(days=1), "王丽", "x")


def test_cadre_assignment_replaces_and_keeps_history(store: Store, admin: Actor, village: dict[str, str]) -> None:
    with store.write() as session:
        risk.assign_cadre(session, admin, village["h1"], "王丽", "每月走访一次", cadre_phone="13800138000")
        risk.assign_cadre(session, admin, village["h1"], "赵德明", "每周电话联系")
        assert risk.current_cadre(session, village["h1"]).cadre_name == "赵德明"  # type: ignore[union-attr]
    with pytest.raises(ValidationError) as info, store.write() as session:
        risk.assign_cadre(session, admin, village["h1"], "王丽", "")
    assert info.value.field == "measures"


def test_rounds_open_once_and_close_with_a_reason(store: Store, admin: Actor, village: dict[str, str], rnd: str) -> None:
    with pytest.raises(ValidationError, match="already"), store.write() as session:
        risk.open_round(session, admin, this_quarter())
    with pytest.raises(ValidationError, match="not begun"), store.write() as session:
        risk.open_round(session, admin, f"{today().year + 1}Q1")
    with pytest.raises(ValidationError, match="2 households"), store.write() as session:
        risk.close_round(session, admin, rnd)
    with store.write() as session:
        risk.close_round(session, admin, rnd, "二组外出务工，下季补评")
        assert session.get(RiskRound, rnd).closed_on == today()  # type: ignore[union-attr]
    with pytest.raises(ValidationError, match="closed"), store.write() as session:
        risk.assess(session, admin, rnd, AssessInput(village["h1"], ()))


def test_progress_history_and_changes_between_rounds(store: Store, admin: Actor, village: dict[str, str]) -> None:
    last_year = f"{today().year - 1}Q4"
    with store.write() as session:
        first = risk.open_round(session, admin, last_year)
        risk.assess(session, admin, first.id, AssessInput(village["h1"], ()))
        risk.assess(session, admin, first.id, AssessInput(village["h2"], ("serious_debt",)))
        risk.close_round(session, admin, first.id)
        second = risk.open_round(session, admin, this_quarter())
        risk.assess(session, admin, second.id, AssessInput(village["h1"], ("domestic_violence",)))
        risk.assess(session, admin, second.id, AssessInput(village["h2"], ()))
    with store.read() as session:
        changes = risk.changes_between(session, admin, last_year, this_quarter())
        assert changes == [("0001", "张三", "low", "high"), ("0002", "𠮷䶮", "medium", "low")]
        groups = {g.group_name: g for g in risk.progress(session, admin, second.id)}
        assert groups["一组"].by_stage[1] == 1 and groups["一组"].by_level["high"] == 1
        assert [q for q, *_rest in risk.history(session, admin, village["h1"])] == [last_year, this_quarter()]
        assert [r.number for r in risk.households_in_round(session, admin, second.id, level="high")] == ["0001"]


def test_a_review_without_factors_keeps_those_of_the_level_below(store: Store, admin: Actor, village: dict[str, str], rnd: str) -> None:
    with store.write() as session:
        risk.assess(session, admin, rnd, AssessInput(village["h1"], ("serious_debt", "domestic_violence")))
        second = risk.assess(session, admin, rnd, AssessInput(village["h1"], ()))
    assert second.factors == "domestic_violence,serious_debt" and second.level == "high"


def test_a_new_case_proposes_a_reassessment_and_the_overview_shows_all(store: Store, admin: Actor, village: dict[str, str],
                                                                      rnd: str) -> None:
    from app.services import households, points

    with store.write() as session:
        risk.assess(session, admin, rnd, AssessInput(village["h2"], ()))
        assert risk.reassessment_proposals(session, admin) == []
        person = households.household_detail(session, admin, village["h2"]).members[0].id
        case = cases.register_case(session, admin, CaseInput(today(), "party_applied", "debt", "借款纠纷"),
                                   [PartyInput("applicant", person_id=person)])
        points.add_entry(session, admin, points.EntryInput(village["h2"], today(), "A01"))
    with store.read() as session:
        assert [r.number for r in risk.reassessment_proposals(session, admin)] == ["0002"]
        overview = risk.household_overview(session, admin, village["h2"])
    assert overview.cases[0][1] == case.number and overview.balance == 5 and overview.risk_level == "low"
    with store.write() as session:
        second = risk.assess(session, admin, rnd, AssessInput(village["h2"], ()))
        assert "open_dispute" in second.factors
        assert risk.reassessment_proposals(session, admin) == []
