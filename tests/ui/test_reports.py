"""The statistics section: choose a month, a year or a custom range as a person would, see the figures,
the charts and the tables, export to Excel and PDF on the worker; a bad range says so."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot

from app.clock import today
from app.services import case_flow, cases, households, points
from app.services.case_flow import AgreementInput, Term
from app.services.cases import CaseInput, PartyInput
from app.services.context import Actor
from app.services.points import EntryInput
from app.store.engine import Store
from app.ui.reports.page import ReportsPage
from tests.ui import make_ctx

T = today()
MONTH = f"{T.year}-{T.month:02d}"


def _case(store: Store, admin: Actor, village: dict[str, str], received: dt.date, category: str, source: str) -> str:
    with store.read() as session:
        zhang, li = (m.id for m in households.household_detail(session, admin, village["h1"]).members)
    with store.write() as session:
        return cases.register_case(session, admin, CaseInput(received, source, category, "纠纷"),
                                   [PartyInput("applicant", person_id=zhang), PartyInput("respondent", person_id=li)],
                                   confirm_duplicate=True).id


@pytest.fixture
def month_data(store: Store, admin: Actor, village: dict[str, str]) -> None:
    """This month: two cases (neighbours, homestead), the first resolved today; last year: one more."""
    first = _case(store, admin, village, T.replace(day=1), "neighbours", "party_applied")
    _case(store, admin, village, T.replace(day=1), "homestead", "screening")
    _case(store, admin, village, dt.date(T.year - 1, 3, 10), "debt", "party_applied")
    with store.write() as session:
        case_flow.register_oral_agreement(session, admin, first, AgreementInput((Term("道歉"),)), on=T)
        points.add_entry(session, admin, EntryInput(village["h1"], T, "A01"))


def _page(qtbot: QtBot, store: Store, admin: Actor) -> ReportsPage:
    page = ReportsPage(make_ctx(store, admin))
    qtbot.addWidget(page)
    page.resize(1280, 900)
    page.show()
    qtbot.waitExposed(page)
    return page


def _wait_for(qtbot: QtBot, page: ReportsPage, period: str) -> None:
    qtbot.waitUntil(lambda: page.report is not None and page.report.period == period and page.xlsx_button.isEnabled(),
                    timeout=30_000)


def test_choose_a_month_see_the_figures_and_export(qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str],
                                                   month_data: None, tmp_path: Path) -> None:
    page = _page(qtbot, store, admin)
    _wait_for(qtbot, page, f"{T.year}Q{(T.month - 1) // 3 + 1}")  # a quarter to begin with

    # Month: choose it in the combo, then the month
    page.kind.setFocus()
    page.kind.setCurrentIndex(page.kind.findData("month"))
    assert page.month.isVisible() and not page.quarter.isVisible() and not page.start.isVisible()
    page.month.setCurrentIndex(T.month - 1)
    _wait_for(qtbot, page, MONTH)
    assert page.figure("accepted") == "2"
    assert page.figure("resolved") == "1"
    assert page.figure("resolution_rate") == "50.0%"
    assert page.figure("failed") == "0"
    assert page.figure("median_days") == f"{(T - T.replace(day=1)).days:g} days"
    assert page.heading.text().startswith("庄墩村人民调解委员会: ")
    # the charts: categories and sources, accepted and resolved; the trend: the last 12 months
    assert page.category_chart.categories == ["Neighbours", "Homestead land"]
    assert page.category_chart.series_values == {"Accepted": [1, 1], "Resolved": [1, 0]}
    assert page.source_chart.categories == ["Party applied", "Found in screening"]
    assert len(page.trend_chart.categories) == 12 and page.trend_chart.series_values["Accepted"][-1] == 2
    # the tables, numbers right-aligned, a total row
    table = page.tables["category"]
    assert [table.item(r, 0).text() for r in range(table.rowCount())] == ["Neighbours", "Homestead land", "Total"]
    assert [table.item(2, c).text() for c in range(1, 6)] == ["2", "1", "0", "0", "50.0%"]
    assert table.item(2, 1).textAlignment() & Qt.AlignmentFlag.AlignRight
    points_table = page.tables["points"]
    assert (points_table.item(0, 0).text(), points_table.item(0, 1).text()) == ("Gained", "5")

    # Excel: the save dialog is replaced by a path; the export runs on the worker
    xlsx = tmp_path / "报表.xlsx"
    page.choose_path = lambda *_args: xlsx
    qtbot.mouseClick(page.xlsx_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.last_written == xlsx, timeout=30_000)
    assert page.message.text() == f"Wrote {xlsx}."
    wb = load_workbook(xlsx)
    assert wb["概况"]["B4"].value == 2 and MONTH in str(wb["概况"]["A2"].value)
    # PDF
    pdf = tmp_path / "报表.pdf"
    page.choose_path = lambda *_args: pdf
    qtbot.mouseClick(page.pdf_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.last_written == pdf, timeout=30_000)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "人民调解工作统计报表" in text and f"{T.year}年{T.month}月" in text
    # a cancelled save dialog writes nothing
    page.choose_path = lambda *_args: None
    assert page.export_pdf() is None


def test_a_year_and_a_custom_range(qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str],
                                   month_data: None) -> None:
    page = _page(qtbot, store, admin)
    page.kind.setCurrentIndex(page.kind.findData("year"))
    assert page.year.isVisible() and not page.month.isVisible()
    page.year.setValue(T.year - 1)
    _wait_for(qtbot, page, str(T.year - 1))
    assert page.figure("accepted") == "1" and page.figure("resolution_rate") == "0.0%"
    assert page.report is not None and len(page.report.trend) == 12

    page.kind.setCurrentIndex(page.kind.findData("range"))
    assert page.start.isVisible() and page.end.isVisible() and not page.year.isVisible()
    page.start.setDate(QDate(T.year - 1, 12, 15))
    page.end.setDate(QDate(T.year, 1, 15) if dt.date(T.year, 1, 15) <= T else QDate(T.year, 1, 1))
    period = page.period_text()
    _wait_for(qtbot, page, period)
    assert page.report is not None and page.report.kind == "range"
    assert page.figure("accepted") == "0" and page.figure("resolution_rate") == "—"
    assert page.category_chart.stack.currentWidget() is page.category_chart.empty
    assert page.category_chart.empty.text() == "No cases in this period."

    # a range that ends before it begins: the message says so, in red, and nothing else changes
    page.end.setDate(QDate(T.year - 2, 1, 1))
    qtbot.waitUntil(lambda: "is not a period" in page.message.text(), timeout=30_000)
    assert page.report is not None and page.report.period == period


def test_a_change_elsewhere_counts_again(qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str],
                                         month_data: None) -> None:
    page = _page(qtbot, store, admin)
    page.set_period("month", year=T.year, number=T.month)
    _wait_for(qtbot, page, MONTH)
    assert page.figure("accepted") == "2"
    _case(store, admin, village, T, "debt", "party_applied")
    page.ctx.changed.emit({"dispute_case"})
    qtbot.waitUntil(lambda: page.figure("accepted") == "3", timeout=30_000)
