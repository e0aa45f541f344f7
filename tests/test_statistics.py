"""The period report: every figure against a hand count on a small desk, an empty period, a period
across the new year, the .xlsx read back, and the `report` command."""

import argparse
import datetime as dt
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.cli_report import cmd_report
from app.cli_support import Output
from app.clock import today
from app.models.cases import Case
from app.services import case_flow, cases, households, points, points_shop, risk, statistics
from app.services.case_flow import AgreementInput, FollowUpInput, Term
from app.services.cases import CaseInput, MediatorInput, PartyInput
from app.services.context import Actor
from app.services.periods import parse_period
from app.services.points import EntryInput
from app.services.report_export import export_xlsx
from app.services.risk import AssessInput
from app.store.engine import Store

T = today()
PERIOD = parse_period(f"{(T - dt.timedelta(days=60)).isoformat()}..{T.isoformat()}")


def _quarter(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def _register(store: Store, actor: Actor, village: dict[str, str], received: dt.date, category: str = "homestead",
              source: str = "party_applied", extra: tuple[MediatorInput, ...] = ()) -> Case:
    with store.read() as session:
        a = households.household_detail(session, actor, village["h1"]).members[0].id
        b = households.household_detail(session, actor, village["h2"]).members[0].id
    with store.write() as session:
        return cases.register_case(
            session, actor, CaseInput(received, source, category, "纠纷"),
            [PartyInput("applicant", person_id=a), PartyInput("respondent", person_id=b)],
            [MediatorInput("王丽", user_id=actor.user_id, is_lead=True), *extra], confirm_duplicate=True)


@pytest.fixture
def desk(store: Store, admin: Actor, village: dict[str, str]) -> dict[str, str]:
    # risk: the previous quarter h1 low, h2 medium; this quarter h1 high, h2 low (one up, one down)
    previous_quarter = _quarter(parse_period(_quarter(T)).start - dt.timedelta(days=1))
    with store.write() as session:
        q_prev = risk.open_round(session, admin, previous_quarter)
        risk.assess(session, admin, q_prev.id, AssessInput(village["h1"], ()))
        risk.assess(session, admin, q_prev.id, AssessInput(village["h2"], ("serious_debt",)))
        risk.close_round(session, admin, q_prev.id, "测试")
        q_now = risk.open_round(session, admin, _quarter(T))
        risk.assess(session, admin, q_now.id, AssessInput(village["h1"], ("domestic_violence",)))
        risk.assess(session, admin, q_now.id, AssessInput(village["h2"], ()))
    # cases: three in the period (agreed, failed, open), one before it
    agreed = _register(store, admin, village, T - dt.timedelta(days=30),
                       extra=(MediatorInput("赵法官", role="judge"),))
    failed = _register(store, admin, village, T - dt.timedelta(days=20), category="neighbours", source="screening")
    _register(store, admin, village, T - dt.timedelta(days=10))
    old = _register(store, admin, village, T - dt.timedelta(days=90))
    with store.write() as session:
        case_flow.draft_agreement(session, admin, agreed.id, AgreementInput((Term("拆除围墙"),)))
        for item in case_flow.checklist(session, agreed.id):
            if item.required:
                case_flow.tick(session, admin, agreed.id, item.key, effective_on=T - dt.timedelta(days=5))
        case_flow.record_follow_up(session, admin, agreed.id, FollowUpInput(T - dt.timedelta(days=1), "王丽", "fully", "satisfied"))
        case_flow.fail(session, admin, failed.id, "双方分歧太大", ["lawsuit"])
        case_flow.withdraw(session, admin, old.id, "已和解")  # an earlier case withdrawn in the period
        # points: +5 and -5 in the period, one +5 before it, a redemption of 3 today
        points.add_entry(session, admin, EntryInput(village["h1"], T - dt.timedelta(days=3), "A01"))
        points.add_entry(session, admin, EntryInput(village["h2"], T - dt.timedelta(days=3), "A03"))
        points.add_entry(session, admin, EntryInput(village["h1"], T - dt.timedelta(days=100), "C01"))
        soap = points_shop.add_item(session, admin, "洗衣粉", 3, "袋")
        points_shop.stock_in(session, admin, soap.id, 5)
        points_shop.redeem(session, admin, village["h1"], soap.id, 1)
    return {"agreed": agreed.id, "failed": failed.id}


def test_every_figure_equals_the_hand_count(store: Store, admin: Actor, desk: dict[str, str]) -> None:
    with store.read() as session:
        r = statistics.period_report(session, admin, PERIOD)
    assert (r.committee, r.period, r.start, r.end) == ("庄墩村人民调解委员会", PERIOD.text, PERIOD.start, PERIOD.end)
    assert (r.accepted, r.resolved, r.failed, r.transferred, r.withdrawn) == (3, 1, 1, 0, 1)
    assert r.resolution_rate == pytest.approx(1 / 3)
    assert (r.follow_ups, r.performed_fully, r.performed_share) == (1, 1, 1.0)
    assert r.median_days == 25.0
    assert [(row.key, row.label, row.accepted, row.resolved, row.failed, row.transferred) for row in r.by_category] == [
        ("neighbours", "Neighbours", 1, 0, 1, 0), ("homestead", "Homestead land", 2, 1, 0, 0)]
    assert [(row.key, row.label, row.accepted, row.resolved, row.failed) for row in r.by_source] == [
        ("party_applied", "Party applied", 2, 1, 0), ("screening", "Found in screening", 1, 0, 1)]
    assert [(m.name, m.role, m.role_label, m.cases) for m in r.mediators] == [
        ("王丽", "peoples_mediator", "People's mediator", 3), ("赵法官", "judge", "Judge", 1)]
    assert r.risk is not None
    assert (r.risk.quarter, r.risk.low, r.risk.medium, r.risk.high, r.risk.not_assessed) == (_quarter(T), 1, 0, 1, 0)
    assert (r.risk.went_up, r.risk.went_down) == (1, 1)
    assert r.risk.previous_quarter is not None and r.risk.previous_quarter < r.risk.quarter
    assert (r.points.gained, r.points.deducted, r.points.redeemed) == (5, 5, 3)


def test_an_empty_period_gives_zeros_and_no_rate(store: Store, admin: Actor, desk: dict[str, str]) -> None:
    with store.read() as session:
        r = statistics.period_report(session, admin, parse_period("2020"))
    assert (r.accepted, r.resolved, r.failed, r.transferred, r.withdrawn, r.follow_ups) == (0, 0, 0, 0, 0, 0)
    assert r.resolution_rate is None and r.performed_share is None and r.median_days is None
    assert r.by_category == () and r.by_source == () and r.mediators == () and r.risk is None
    assert (r.points.gained, r.points.deducted, r.points.redeemed) == (0, 0, 0)


def test_a_period_across_the_new_year(store: Store, admin: Actor, village: dict[str, str]) -> None:
    year = T.year
    for day in (dt.date(year - 1, 11, 30), dt.date(year - 1, 12, 1), dt.date(year, 1, 31), dt.date(year, 2, 1)):
        _register(store, admin, village, day)
    with store.read() as session:
        r = statistics.period_report(session, admin, parse_period(f"{year - 1}-12-01..{year}-01-31"))
    assert (r.start, r.end) == (dt.date(year - 1, 12, 1), dt.date(year, 1, 31))
    assert (r.accepted, r.resolved) == (2, 0) and r.resolution_rate == 0.0
    assert [(m.name, m.cases) for m in r.mediators] == [("王丽", 2)]


def test_the_xlsx_reads_back(store: Store, admin: Actor, desk: dict[str, str], tmp_path: Path) -> None:
    with store.read() as session:
        r = statistics.period_report(session, admin, PERIOD)
    path = tmp_path / "report.xlsx"
    export_xlsx(r, path)
    assert not (tmp_path / "report.xlsx.part").exists()
    wb = load_workbook(path)
    assert wb.sheetnames == ["概况", "按类别", "按来源", "调解员", "风险", "积分"]
    ws = wb["概况"]
    assert "庄墩村人民调解委员会" in str(ws["A1"].value) and PERIOD.text in str(ws["A2"].value)
    assert [c.value for c in ws[3]] == ["指标", "数值", "说明"]
    assert ws["A4"].value == "受理案件数" and ws["B4"].value == 3
    assert ws["B6"].value == pytest.approx(1 / 3) and "%" in ws["B6"].number_format
    cat = wb["按类别"]
    assert [c.value for c in cat[3]] == ["类别", "受理", "化解", "调解不成", "转办", "化解率"]
    assert [c.value for c in cat[6]][:5] == ["合计", 3, 1, 1, 0]
    assert [c.value for c in wb["调解员"][4]] == [1, "王丽", "People's mediator", 3]
    assert [c.value for c in wb["积分"][6]] == ["兑换", 3]


def test_the_report_command(store: Store, admin: Actor, desk: dict[str, str], tmp_path: Path,
                            capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "out.xlsx"
    args = argparse.Namespace(period=PERIOD.text, xlsx=str(path), user=None)
    assert cmd_report(args, store, Output(as_json=True)) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["accepted"], data["resolved"], data["points"]["redeemed"]) == (3, 1, 3)
    assert path.exists()
    assert cmd_report(argparse.Namespace(period="2020", xlsx="", user=None), store, Output(as_json=False)) == 0
    text = capsys.readouterr().out
    assert "Cases accepted: 0" in text and "Resolution rate: not computed" in text
