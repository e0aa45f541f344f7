"""Township mode of the statistics: two small villages imported into a township (and one enrolled that sent
nothing), every compared figure against a hand count, the totals equal to the sum of the villages, the ranking,
the villages × categories table, the trend, the drill-down equal to the village's own report, an empty period,
the .xlsx read back, the PDF's text and the `report` command. On SQLite and on PostgreSQL."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.cli_report import cmd_report
from app.cli_support import Output
from app.documents.township_report import render_township_report
from app.errors import NotFound, ValidationError
from app.services import statistics, township_stats
from app.services.report_export import export_township_xlsx
from app.services.township_stats import Figures, TownshipReport
from tests.township_stats_support import PERIOD, T, Township, build_township, quarter_of

FIGURES = ("accepted", "resolved", "failed", "transferred", "withdrawn", "follow_ups", "performed_fully")


def _report(tw: Township, period: object = PERIOD) -> TownshipReport:
    with tw.township.store.read() as session:
        return township_stats.township_report(session, tw.township.admin, period)  # type: ignore[arg-type]


def _plain(f: Figures) -> tuple[object, ...]:
    return (*(getattr(f, name) for name in FIGURES), f.resolution_rate, f.performed_share, f.median_days, f.high_risk,
            (f.points.gained, f.points.deducted, f.points.redeemed))


def _check_totals(r: TownshipReport) -> None:
    """The township's counts are the sum of its villages' (its rates and median over the pooled cases)."""
    for name in FIGURES:
        assert getattr(r.totals, name) == sum(getattr(v.figures, name) for v in r.villages), name
    for name in ("gained", "deducted", "redeemed"):
        assert getattr(r.totals.points, name) == sum(getattr(v.figures.points, name) for v in r.villages)
    assert r.category_totals == tuple(map(sum, zip(*(v.category_counts for v in r.villages), strict=True)))
    assert sum(r.category_totals) == r.totals.accepted
    for i, t in enumerate(r.trend):
        assert (t.accepted, t.resolved, t.failed, t.transferred) == tuple(
            sum(getattr(v.trend[i], name) for v in r.villages) for name in ("accepted", "resolved", "failed", "transferred"))


@pytest.fixture
def township(tmp_path: Path, township_db: str | None) -> Iterator[Township]:
    tw = build_township(tmp_path, township_db)
    yield tw
    tw.close()


@pytest.fixture(scope="module")
def on_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Township]:
    """The same township on SQLite once for the exports and the command (they read, never write)."""
    tw = build_township(tmp_path_factory.mktemp("township"))
    yield tw
    tw.close()


def test_every_village_figure_equals_the_hand_count(township: Township) -> None:
    r = _report(township)
    assert (r.committee, r.period, r.start, r.end, r.kind) == ("长安镇综治中心", PERIOD.text, PERIOD.start, PERIOD.end, "range")
    assert [(v.name, v.village, v.code, v.revoked) for v in r.villages] == [
        ("庄墩村人民调解委员会", "庄墩村", "甘", False), ("李庄村人民调解委员会", "李庄村", "李", False),
        ("王村人民调解委员会", "王村", "王", False)]  # 王村 sent nothing yet: as it was enrolled
    zhuang, li, wang = (r.village(code).figures for code in ("甘", "李", "王"))
    # accepted, resolved, failed, transferred, withdrawn, visits, fully; rate, share, median, high risk, points
    assert _plain(zhuang) == (3, 1, 1, 0, 0, 1, 1, pytest.approx(1 / 3), 1.0, 25.0, 1, (5, 5, 0))
    assert _plain(li) == (2, 2, 0, 1, 0, 0, 0, 1.0, None, 9.0, None, (10, 0, 0))  # median of 5 and 13 days
    assert _plain(wang) == (0, 0, 0, 0, 0, 0, 0, None, None, None, None, (0, 0, 0))
    # the township: the sum, its rate 3 / 5 and its median over the pooled 25, 5 and 13 days
    assert _plain(r.totals) == (5, 3, 1, 1, 0, 1, 1, 0.6, 1.0, 13.0, 1, (15, 5, 0))
    _check_totals(r)
    # ranked by resolution rate, the village without a rate last and unranked
    assert [(v.code, v.rank) for v in r.ranking] == [("李", 1), ("甘", 2), ("王", None)]
    # villages × categories (accepted), the most accepted category first; 李庄村's 邻里 case was accepted before
    assert [c.name for c in r.categories] == ["宅基地", "邻里", "债务"]
    assert [c.label for c in r.categories] == ["Homestead land", "Neighbours", "Debt"]
    assert [(v.code, v.category_counts) for v in r.villages] == [("甘", (2, 1, 0)), ("李", (1, 0, 1)), ("王", (0, 0, 0))]
    assert r.category_totals == (3, 1, 1)
    # the trend: each village's months, the township's the sum
    assert [sum(t.accepted for t in v.trend) for v in r.villages] == [3, 2, 0]
    assert [sum(t.resolved for t in v.trend) for v in r.villages] == [1, 2, 0]
    assert r.village("李").trend[-1].transferred == 1 and sum(t.accepted for t in r.trend) == 5
    # the drill-down is the village's own report, as counted on the village desk itself
    with township.zhuang.store.read() as session:
        own = statistics.period_report(session, township.zhuang.admin, PERIOD)
    assert r.village("甘").report == own
    with township.township.store.read() as session:
        assert township_stats.village_report(session, township.township.admin, PERIOD, "甘") == own
        # the township's own rows are no village's: by default its report has nothing
        assert statistics.period_report(session, township.township.admin, PERIOD).accepted == 0
    assert own.risk is not None and (own.risk.quarter, own.risk.high, own.risk.medium) == (quarter_of(T), 1, 1)


def test_an_empty_period_and_a_village_desk(township: Township) -> None:
    r = _report(township, "2020")
    assert [v.code for v in r.villages] == ["甘", "李", "王"]
    assert all(_plain(v.figures) == (0, 0, 0, 0, 0, 0, 0, None, None, None, None, (0, 0, 0)) for v in r.villages)
    assert _plain(r.totals) == (0, 0, 0, 0, 0, 0, 0, None, None, None, None, (0, 0, 0))
    assert r.categories == () and r.category_totals == () and [v.rank for v in r.ranking] == [None, None, None]
    assert len(r.trend) == 12 and all(t.accepted == 0 for t in r.trend)
    _check_totals(r)
    with township.zhuang.store.read() as session, pytest.raises(ValidationError, match="village desk"):
        township_stats.township_report(session, township.zhuang.admin, PERIOD)
    with township.township.store.read() as session, pytest.raises(NotFound):
        township_stats.village_report(session, township.township.admin, PERIOD, "无此村")


def test_the_xlsx_read_back(on_sqlite: Township, tmp_path: Path) -> None:
    path = tmp_path / "对比.xlsx"
    export_township_xlsx(_report(on_sqlite), path)
    wb = load_workbook(path)
    assert wb.sheetnames == ["各村对比", "化解率排名", "各村按类别", "各村趋势"]
    ws = wb["各村对比"]
    assert ws["A1"].value == "长安镇综治中心　各村对比" and PERIOD.start.isoformat() in str(ws["A2"].value)
    assert [c.value for c in ws[3]][:8] == ["调解委员会", "代码", "受理", "化解", "调解不成", "转办", "化解率", "协议履行率"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=4)]
    assert rows[0][:9] == ["庄墩村人民调解委员会", "甘", 3, 1, 1, 0, pytest.approx(1 / 3), 1.0, 25.0]
    assert rows[1][:10] == ["李庄村人民调解委员会", "李", 2, 2, 0, 1, 1.0, None, 9.0, None]
    assert rows[-1][:9] == ["全镇合计", None, 5, 3, 1, 1, 0.6, 1.0, 13.0] and rows[-1][9:] == [1, 15, 5, 0]
    assert ws["G4"].number_format == "0.0%"
    ranking = [[c.value for c in row] for row in wb["化解率排名"].iter_rows(min_row=4)]
    assert ranking == [[1, "李庄村人民调解委员会", 1.0, 2, 2], [2, "庄墩村人民调解委员会", pytest.approx(1 / 3), 3, 1],
                       [None, "王村人民调解委员会", None, 0, 0]]
    categories = wb["各村按类别"]
    assert [c.value for c in categories[3]] == ["调解委员会（受理件数）", "宅基地", "邻里", "债务", "合计"]
    assert [c.value for c in categories[7]] == ["全镇合计", 3, 1, 1, 5]
    trend = [[c.value for c in row] for row in wb["各村趋势"].iter_rows(min_row=4)]
    assert sum(row[4] for row in trend if row[0] == "全镇合计") == 5
    assert sum(row[4] for row in trend if row[0] == "庄墩村人民调解委员会") == 3


def test_the_pdf_text(on_sqlite: Township, tmp_path: Path) -> None:
    path = tmp_path / "对比.pdf"
    render_township_report(_report(on_sqlite), path, printed_on=T)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", " ", text)
    assert "长安镇综治中心" in text and "各村人民调解工作统计对比表" in flat.replace(" ", "")
    assert "共3个村（社区）" in flat
    assert re.search(r"庄墩村 3 1 1 0 33\.3% 100\.0% 25 1", flat)
    assert re.search(r"李庄村 2 2 0 1 100\.0% — 9 —", flat)
    assert re.search(r"全镇合计 5 3 1 1 60\.0% 100\.0% 13 1", flat)
    assert "各村化解率（%）" in flat and "本期未受理案件的村不参加排名" in flat
    assert re.search(r"1 李庄村人民调解委员会 100\.0% 2 2", flat)
    pdffonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Helvetica" not in pdffonts


def test_the_report_command_at_a_township(on_sqlite: Township, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = on_sqlite.township.store
    xlsx, pdf = tmp_path / "t.xlsx", tmp_path / "t.pdf"
    args = argparse.Namespace(period=PERIOD.text, xlsx=str(xlsx), pdf=str(pdf), user=None, village="")
    assert cmd_report(args, store, Output(as_json=True)) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(v["code"], v["rank"], v["accepted"], v["resolved"]) for v in data["villages"]] == [
        ("甘", 2, 3, 1), ("李", 1, 2, 2), ("王", None, 0, 0)]
    assert data["totals"]["accepted"] == 5 and data["totals"]["resolution_rate"] == 0.6
    assert data["categories"] == ["宅基地", "邻里", "债务"] and data["villages"][0]["by_category"]["宅基地"] == 2
    assert xlsx.exists() and pdf.exists()
    # text: the ranking, then the totals
    assert cmd_report(argparse.Namespace(period=PERIOD.text, xlsx="", user=None, village=""), store, Output(False)) == 0
    text = capsys.readouterr().out
    assert "1. 李庄村人民调解委员会 (李): accepted 2, resolved 2 (100.0%)" in text
    assert "—. 王村人民调解委员会 (王)" in text and "Township total: accepted 5, resolved 3 (60.0%)" in text
    # drill down: one village's own report
    assert cmd_report(argparse.Namespace(period=PERIOD.text, xlsx="", user=None, village="甘", json=True), store,
                      Output(False)) == 0
    village = json.loads(capsys.readouterr().out)
    assert (village["committee"], village["accepted"], village["resolved"], village["median_days"]) == (
        "庄墩村人民调解委员会", 3, 1, 25.0)


def test_the_command_line_at_a_township_and_a_village(on_sqlite: Township, capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli import run as main

    township = ["--data-dir", str(on_sqlite.township.data_dir), "--lang", "en"]
    assert main([*township, "report", "--period", PERIOD.text, "--village", "李", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["resolved"] == 2
    assert main([*township, "report", "--period", PERIOD.text, "--village", "无此村"]) != 0
    assert "无此村" in capsys.readouterr().err
    # a village desk has no villages to compare or drill into: its own report, and --village refused
    village = ["--data-dir", str(on_sqlite.zhuang.data_dir), "--lang", "en"]
    assert main([*village, "report", "--period", PERIOD.text, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["accepted"] == 3
    assert main([*village, "report", "--period", PERIOD.text, "--village", "甘"]) == 3
    assert "township" in capsys.readouterr().err
