"""The period report: every figure against a hand count on a small desk, an empty period, a period
across the new year, the .xlsx read back, and the `report` command."""

import argparse
import datetime as dt
import itertools
import json
import re
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.cli_report import cmd_report
from app.cli_support import Output
from app.clock import today
from app.documents.period_report import render_period_report, write_period_report
from app.errors import ValidationError
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
    assert [(m.name, m.role, m.role_label, m.cases, m.resolved) for m in r.mediators] == [
        ("王丽", "peoples_mediator", "People's mediator", 3, 1), ("赵法官", "judge", "Judge", 1, 1)]
    assert [(row.key, row.name, row.resolution_rate) for row in r.by_category] == [("neighbours", "邻里", 0.0),
                                                                                  ("homestead", "宅基地", 0.5)]
    assert r.risk is not None
    assert (r.risk.quarter, r.risk.low, r.risk.medium, r.risk.high, r.risk.not_assessed) == (_quarter(T), 1, 0, 1, 0)
    assert (r.risk.went_up, r.risk.went_down) == (1, 1)
    assert r.risk.previous_quarter is not None and r.risk.previous_quarter < r.risk.quarter
    assert (r.points.gained, r.points.deducted, r.points.redeemed) == (5, 5, 3)
    # the trend of a custom range: its months, the first and the last clipped to the range
    assert r.kind == "range"
    assert r.trend[0].start == PERIOD.start and r.trend[-1].end == PERIOD.end
    assert [t.label for t in r.trend] == [f"{d.year}-{d.month:02d}" for d in sorted({dt.date(x.year, x.month, 1) for x in (
        PERIOD.start + dt.timedelta(days=i) for i in range((PERIOD.end - PERIOD.start).days + 1))})]
    assert sum(t.accepted for t in r.trend) == 3 and sum(t.resolved for t in r.trend) == 1
    assert r.trend[-1].failed == 1  # failed today

    def slice_of(day: dt.date) -> statistics.TrendPoint:
        return next(t for t in r.trend if t.start <= day <= t.end)

    assert slice_of(T - dt.timedelta(days=5)).resolved == 1
    assert slice_of(T - dt.timedelta(days=30)).accepted >= 1


def test_an_empty_period_gives_zeros_and_no_rate(store: Store, admin: Actor, desk: dict[str, str]) -> None:
    with store.read() as session:
        r = statistics.period_report(session, admin, parse_period("2020"))
    assert (r.accepted, r.resolved, r.failed, r.transferred, r.withdrawn, r.follow_ups) == (0, 0, 0, 0, 0, 0)
    assert r.resolution_rate is None and r.performed_share is None and r.median_days is None
    assert r.by_category == () and r.by_source == () and r.mediators == () and r.risk is None
    assert (r.points.gained, r.points.deducted, r.points.redeemed) == (0, 0, 0)
    assert [t.label for t in r.trend] == [f"2020-{m:02d}" for m in range(1, 13)]
    assert all((t.accepted, t.resolved, t.failed, t.transferred, t.resolution_rate) == (0, 0, 0, 0, None) for t in r.trend)


def test_a_period_across_the_new_year(store: Store, admin: Actor, village: dict[str, str]) -> None:
    year = T.year
    for day in (dt.date(year - 1, 11, 30), dt.date(year - 1, 12, 1), dt.date(year, 1, 31), dt.date(year, 2, 1)):
        _register(store, admin, village, day)
    with store.read() as session:
        r = statistics.period_report(session, admin, parse_period(f"{year - 1}-12-01..{year}-01-31"))
    assert (r.start, r.end) == (dt.date(year - 1, 12, 1), dt.date(year, 1, 31))
    assert (r.accepted, r.resolved) == (2, 0) and r.resolution_rate == 0.0
    assert [(m.name, m.cases) for m in r.mediators] == [("王丽", 2)]
    assert [(t.label, t.accepted) for t in r.trend] == [(f"{year - 1}-12", 1), (f"{year}-01", 1)]


def test_a_custom_range_across_the_new_year_counted_by_hand(store: Store, admin: Actor, village: dict[str, str]) -> None:
    y0, y1 = T.year - 2, T.year - 1  # 15 December to 15 January, always in the past
    ids = {}
    for day, category, source in ((dt.date(y0, 12, 14), "homestead", "party_applied"),  # before the range
                                  (dt.date(y0, 12, 15), "homestead", "party_applied"),
                                  (dt.date(y0, 12, 31), "neighbours", "screening"),
                                  (dt.date(y1, 1, 15), "homestead", "police_transfer"),
                                  (dt.date(y1, 1, 16), "neighbours", "party_applied")):  # after it
        ids[day] = _register(store, admin, village, day, category=category, source=source).id
    with store.write() as session:
        # resolved in the range: the case of 14 December on 20 December (6 days), that of 15 December on 5 January (21 days)
        case_flow.register_oral_agreement(session, admin, ids[dt.date(y0, 12, 14)], AgreementInput((Term("赔偿", "100"),)),
                                          on=dt.date(y0, 12, 20))
        case_flow.register_oral_agreement(session, admin, ids[dt.date(y0, 12, 15)], AgreementInput((Term("赔偿", "100"),)),
                                          on=dt.date(y1, 1, 5))
        points.add_entry(session, admin, EntryInput(village["h1"], dt.date(y0, 12, 14), "A01"))  # before the range
        points.add_entry(session, admin, EntryInput(village["h1"], dt.date(y0, 12, 15), "A01"))
        points.add_entry(session, admin, EntryInput(village["h2"], dt.date(y1, 1, 15), "A03"))
    with store.read() as session:
        r = statistics.period_report(session, admin, parse_period(f"{y0}-12-15..{y1}-01-15"))
    assert (r.start, r.end, r.kind) == (dt.date(y0, 12, 15), dt.date(y1, 1, 15), "range")
    assert (r.accepted, r.resolved, r.failed, r.transferred, r.withdrawn) == (3, 2, 0, 0, 0)
    assert r.resolution_rate == pytest.approx(2 / 3)
    assert r.median_days == 13.5  # (6 + 21) / 2
    assert [(c.key, c.accepted, c.resolved) for c in r.by_category] == [("neighbours", 1, 0), ("homestead", 2, 2)]
    assert [(s.key, s.accepted, s.resolved) for s in r.by_source] == [
        ("party_applied", 1, 2), ("screening", 1, 0), ("police_transfer", 1, 0)]
    assert [(m.name, m.cases, m.resolved) for m in r.mediators] == [("王丽", 3, 2)]
    assert [(t.label, t.start, t.end, t.accepted, t.resolved, t.whole) for t in r.trend] == [
        (f"{y0}-12", dt.date(y0, 12, 15), dt.date(y0, 12, 31), 2, 1, False),
        (f"{y1}-01", dt.date(y1, 1, 1), dt.date(y1, 1, 15), 1, 1, False)]
    assert r.risk is None
    assert (r.points.gained, r.points.deducted, r.points.redeemed) == (5, 5, 0)


def test_failures_and_transfers_by_category_source_and_month(store: Store, admin: Actor, village: dict[str, str]) -> None:
    ids = [_register(store, admin, village, T, category=c, source=s).id
           for c, s in (("homestead", "court_entrusted"), ("homestead", "party_applied"), ("debt", "party_applied"))]
    with store.write() as session:
        case_flow.transfer(session, admin, ids[0], "court", "涉及诉讼")
        case_flow.fail(session, admin, ids[1], "分歧太大", ["lawsuit"])
        case_flow.withdraw(session, admin, ids[2], "已自行和解")
    with store.read() as session:
        r = statistics.period_report(session, admin, parse_period(f"{T.year}-{T.month:02d}"))
    assert (r.accepted, r.resolved, r.failed, r.transferred, r.withdrawn, r.kind) == (3, 0, 1, 1, 1, "month")
    assert [(c.key, c.accepted, c.failed, c.transferred) for c in r.by_category] == [("homestead", 2, 1, 1), ("debt", 1, 0, 0)]
    assert [(s.key, s.accepted, s.failed, s.transferred) for s in r.by_source] == [
        ("party_applied", 2, 1, 0), ("court_entrusted", 1, 0, 1)]
    # the 12 months ending with this one; everything happened in the last
    assert len(r.trend) == 12 and r.trend[-1].label == f"{T.year}-{T.month:02d}"
    assert (r.trend[-1].accepted, r.trend[-1].failed, r.trend[-1].transferred) == (3, 1, 1)
    assert sum(t.accepted for t in r.trend[:-1]) == 0


@pytest.mark.parametrize(("text", "labels", "first", "last"), [
    ("2026", [f"2026-{m:02d}" for m in range(1, 13)], dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
    ("2026Q1", ["2024Q2", "2024Q3", "2024Q4", "2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1"],
     dt.date(2024, 4, 1), dt.date(2026, 3, 31)),
    ("2026-02", [f"2025-{m:02d}" for m in range(3, 13)] + ["2026-01", "2026-02"], dt.date(2025, 3, 1), dt.date(2026, 2, 28)),
    ("2025-12-15..2026-01-15", ["2025-12", "2026-01"], dt.date(2025, 12, 15), dt.date(2026, 1, 15)),
    ("2025-03-10..2025-03-20", ["2025-03"], dt.date(2025, 3, 10), dt.date(2025, 3, 20)),
    ("2023-02-01..2025-06-30", ["2023Q1", "2023Q2", "2023Q3", "2023Q4", "2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025Q1",
                                "2025Q2"], dt.date(2023, 2, 1), dt.date(2025, 6, 30)),
    ("2010-01-01..2025-06-30", [str(y) for y in range(2010, 2026)], dt.date(2010, 1, 1), dt.date(2025, 6, 30)),
])
def test_the_slices_of_the_trend(text: str, labels: list[str], first: dt.date, last: dt.date) -> None:
    slices = statistics.trend_slices(parse_period(text))
    assert [s.text for s in slices] == labels
    assert (slices[0].start, slices[-1].end) == (first, last)
    assert all(b.start == a.end + dt.timedelta(days=1) for a, b in itertools.pairwise(slices))


def test_the_report_needs_the_permission(store: Store, admin: Actor, village: dict[str, str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from app.errors import PermissionDenied
    from app.services import context

    monkeypatch.setitem(context.PERMISSIONS, "reports.read", frozenset())
    with store.read() as session, pytest.raises(PermissionDenied):
        statistics.period_report(session, admin, "2026")


def test_the_xlsx_reads_back(store: Store, admin: Actor, desk: dict[str, str], tmp_path: Path) -> None:
    with store.read() as session:
        r = statistics.period_report(session, admin, PERIOD)
    path = tmp_path / "report.xlsx"
    export_xlsx(r, path)
    assert not (tmp_path / "report.xlsx.part").exists()
    wb = load_workbook(path)
    assert wb.sheetnames == ["概况", "按类别", "按来源", "趋势", "调解员", "风险", "积分"]
    ws = wb["概况"]
    assert "庄墩村人民调解委员会" in str(ws["A1"].value) and PERIOD.text in str(ws["A2"].value)
    assert [c.value for c in ws[3]] == ["指标", "数值", "说明"]
    assert ws["A4"].value == "受理案件数" and ws["B4"].value == 3
    assert ws["B6"].value == pytest.approx(1 / 3) and "%" in ws["B6"].number_format
    cat = wb["按类别"]
    assert [c.value for c in cat[3]] == ["类别", "受理", "化解", "调解不成", "转办", "化解率"]
    assert [c.value for c in cat[6]][:5] == ["合计", 3, 1, 1, 0]
    assert [c.value for c in wb["调解员"][3]] == ["序号", "姓名", "身份", "受理案件数", "化解案件数"]
    assert [c.value for c in wb["调解员"][4]] == [1, "王丽", "People's mediator", 3, 1]
    assert [c.value for c in wb["积分"][6]] == ["兑换", 3]
    trend = wb["趋势"]
    assert [c.value for c in trend[3]] == ["时段", "起", "止", "受理", "化解", "调解不成", "转办", "化解率"]
    rows = [[c.value for c in row] for row in trend.iter_rows(min_row=4)]
    assert [row[0] for row in rows] == [t.label for t in r.trend]
    assert rows[0][1].date() == PERIOD.start and rows[-1][2].date() == PERIOD.end
    assert sum(row[3] for row in rows) == 3 and sum(row[4] for row in rows) == 1
    assert all(isinstance(row[3], int) for row in rows)


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_the_pdf_report(store: Store, admin: Actor, desk: dict[str, str], village: dict[str, str], tmp_path: Path) -> None:
    _register(store, admin, village, T - dt.timedelta(days=2), extra=(MediatorInput("𠮷䶮", role="five_elders"),))
    with store.read() as session:
        r = statistics.period_report(session, admin, PERIOD)
    path = tmp_path / "报表.pdf"
    render_period_report(r, path, printed_on=T)
    assert not (tmp_path / "报表.pdf.part").exists()
    text = pdf_text(path)
    flat = re.sub(r"\s+", " ", text)
    assert "庄墩村人民调解委员会" in text and "人民调解工作统计报表" in text
    assert f"统计期间：{PERIOD.start.year}年{PERIOD.start.month}月{PERIOD.start.day}日至" in flat
    assert re.search(r"受理案件 4 件", flat) and re.search(r"化解案件（协议生效） 1 件", flat)
    assert "25.0%" in flat  # 1 ÷ 4
    assert re.search(r"调解不成 1 件", flat) and re.search(r"化解用时（中位数） 25 天", flat)
    # the tables, Chinese whatever the UI language: categories by the committee's names, sources, roles
    assert re.search(r"邻里 1 0 1 0 0.0%", flat) and re.search(r"宅基地 3 1 0 0 33.3%", flat) and re.search(r"合计 4 1 1 0 25.0%", flat)
    assert re.search(r"当事人申请 3 1 0 0 33.3%", flat) and re.search(r"排查发现 1 0 1 0 0.0%", flat)
    assert re.search(r"1 王丽 人民调解员 4 1", flat) and re.search(r"赵法官 法官 1 1", flat)
    assert "𠮷䶮" in text and "五老人员" in text  # a rare-character name, in the fallback font
    assert "受理与化解趋势" in text and "按纠纷类别：受理与化解（件）" in text  # the charts' titles
    assert re.search(r"高风险户 1", flat) and re.search(r"风险上升 1", flat) and re.search(r"风险下降 1", flat)
    assert re.search(r"加分 5", flat) and re.search(r"扣分 5", flat) and re.search(r"兑换 3", flat)
    assert "第 1 页 共" in flat


def test_an_empty_period_prints_too(store: Store, admin: Actor, desk: dict[str, str], tmp_path: Path) -> None:
    with store.read() as session:
        r = statistics.period_report(session, admin, parse_period("2020Q2"))
    path = tmp_path / "empty.pdf"
    render_period_report(r, path, printed_on=T)
    flat = re.sub(r"\s+", " ", pdf_text(path))
    assert "统计期间：2020年第二季度（2020年4月1日至2020年6月30日）" in flat
    assert "化解率 —" in flat and "本期没有数据。" in flat and "本期没有风险排查轮次。" in flat
    with pytest.raises(ValidationError):
        write_period_report(r, tmp_path / "no-such-folder" / "x.pdf")


def test_the_report_command(store: Store, admin: Actor, desk: dict[str, str], tmp_path: Path,
                            capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "out.xlsx"
    pdf = tmp_path / "out.pdf"
    args = argparse.Namespace(period=PERIOD.text, xlsx=str(path), pdf=str(pdf), user=None)
    assert cmd_report(args, store, Output(as_json=True)) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["accepted"], data["resolved"], data["points"]["redeemed"]) == (3, 1, 3)
    assert [t["label"] for t in data["trend"]][-1] == f"{T.year}-{T.month:02d}"
    assert data["mediators"][0]["resolved"] == 1
    assert path.exists() and "人民调解工作统计报表" in pdf_text(pdf)
    assert cmd_report(argparse.Namespace(period="2020", xlsx="", user=None), store, Output(as_json=False)) == 0
    text = capsys.readouterr().out
    assert "Cases accepted: 0" in text and "Resolution rate: not computed" in text
    assert "Trend (accepted / resolved):" in text and "Jan 2020: 0 / 0" in text
    # --json after the command
    assert cmd_report(argparse.Namespace(period="2020", xlsx="", user=None, json=True), store, Output(as_json=False)) == 0
    assert json.loads(capsys.readouterr().out)["period"] == "2020"


def test_report_through_the_command_line(store: Store, admin: Actor, desk: dict[str, str], data_dir: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli import run as main

    pdf = tmp_path / "r.pdf"
    assert main(["--data-dir", str(data_dir), "report", "--period", PERIOD.text, "--pdf", str(pdf), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["accepted"] == 3
    assert pdf.exists()
    assert main(["--data-dir", str(data_dir), "report", "--period", "2026Q5"]) == 3


def test_names_that_look_like_formulas_stay_text_in_the_xlsx(tmp_path: Path) -> None:
    from openpyxl import Workbook, load_workbook

    from app.services.report_export import _sheet
    from app.services.xlsx_safety import keep_text_as_text

    wb = Workbook()
    report = type("R", (), {"committee": "=cmd|' /C calc'!A0", "period": "2026Q4", "start": dt.date(2026, 10, 1),
                            "end": dt.date(2026, 12, 31)})()
    _sheet(wb, "对比", report, ["村", "受理"], [["=HYPERLINK(\"http://x\",\"点我\")", 3]], [10, 10])  # type: ignore[arg-type]
    keep_text_as_text(wb)  # what every export does before it saves
    wb.save(tmp_path / "r.xlsx")
    ws = load_workbook(tmp_path / "r.xlsx")["对比"]
    assert ws["A4"].data_type == "s" and ws["A4"].value.startswith("=HYPERLINK")
    assert ws["B4"].value == 3
    assert ws["A1"].data_type == "s"
