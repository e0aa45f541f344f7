"""The statistics section at a township center: choose a period as a person would, see both villages side by side
(sorted by a click on a column's title, the township's total kept last), the ranking chart, the villages ×
categories; double-click a village to see its own figures in the village view, go back, export the comparison."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QTableWidget
from pytestqt.qtbot import QtBot

from app.ui.reports.page import ReportsPage
from tests.township_stats_support import PERIOD, Township, build_township
from tests.ui import make_ctx


@pytest.fixture
def township(tmp_path: Path) -> Iterator[Township]:
    tw = build_township(tmp_path / "desks")
    yield tw
    tw.close()


def _row_of(table: QTableWidget, name: str) -> int:
    return next(r for r in range(table.rowCount()) if table.item(r, 0).text() == name)


def _column_of(table: QTableWidget, header: str) -> int:
    return next(c for c in range(table.columnCount()) if table.horizontalHeaderItem(c).text() == header)


def test_compare_the_villages_and_drill_down(qtbot: QtBot, township: Township, tmp_path: Path) -> None:
    page = ReportsPage(make_ctx(township.township.store, township.township.admin))
    qtbot.addWidget(page)
    page.resize(1280, 900)
    page.show()
    qtbot.waitExposed(page)
    assert page.township and page.views.currentWidget().widget() is page.township_view

    # a custom range, chosen with the controls
    page.kind.setCurrentIndex(page.kind.findData("range"))
    page.start.setDate(PERIOD.start)
    page.end.setDate(PERIOD.end)
    qtbot.waitUntil(lambda: page.comparison is not None and page.comparison.period == PERIOD.text
                    and page.xlsx_button.isEnabled(), timeout=15_000)
    view = page.township_view
    assert view.heading.text().startswith("长安镇综治中心: ") and "3 villages" in view.heading.text()
    assert "Township total: 5 accepted, 3 resolved (60.0%)" in view.totals.text()
    assert view.village_names() == ["庄墩村", "李庄村", "王村", "Township total"]
    table = view.tables["comparison"]
    zhuang = _row_of(table, "庄墩村")
    assert [table.item(zhuang, c).text() for c in range(1, 9)] == ["3", "1", "1", "0", "33.3%", "100.0%", "25", "1"]
    assert table.item(zhuang, 1).textAlignment() & Qt.AlignmentFlag.AlignRight

    # sort by resolution rate with a click on its title: highest first on the second click; the total stays last
    header = table.horizontalHeader()
    rate = _column_of(table, "Resolution rate")
    title = QPoint(header.sectionViewportPosition(rate) + 5, 5)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=title)
    if header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder:
        assert view.village_names() == ["王村", "庄墩村", "李庄村", "Township total"]
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=title)
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    assert view.village_names() == ["李庄村", "庄墩村", "王村", "Township total"]

    # the ranking chart (per cent) and the villages × categories
    assert view.ranking_chart.categories == ["李庄村", "庄墩村"]
    assert view.ranking_chart.series_values == {"Resolution rate": [100.0, 33.3]}
    categories = view.tables["categories"]
    assert [categories.horizontalHeaderItem(c).text() for c in range(categories.columnCount())] == [
        "Village", "Homestead land", "Neighbours", "Debt", "Total"]
    assert [categories.item(_row_of(categories, "Township total"), c).text() for c in range(1, 5)] == ["3", "1", "1", "5"]
    assert view.tables["trend"].rowCount() == 4

    if os.environ.get("LOOK_DIR"):  # for a person to look at: LOOK_DIR=/tmp/look pytest …
        page.grab().save(str(Path(os.environ["LOOK_DIR"]) / "township-1.png"))
        view.tabs.setCurrentIndex(1)
        view.grab().save(str(Path(os.environ["LOOK_DIR"]) / "township-2.png"))
        view.tabs.setCurrentIndex(0)

    # export the comparison (the save dialog replaced by a path)
    xlsx = tmp_path / "对比.xlsx"
    page.choose_path = lambda *_args: xlsx
    qtbot.mouseClick(page.xlsx_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.last_written == xlsx, timeout=30_000)
    assert load_workbook(xlsx)["各村对比"]["C4"].value == 3

    # double-click 庄墩村: its own figures in the village view
    row = _row_of(table, "庄墩村")
    rect = table.visualRect(table.model().index(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # a double-click's first press
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert page.drilled == township.zhuang.device
    assert page.views.currentWidget() is page.scroll_area and page.back_button.isVisible()
    assert page.heading.text().startswith("庄墩村人民调解委员会: ")
    assert (page.figure("accepted"), page.figure("resolved"), page.figure("resolution_rate")) == ("3", "1", "33.3%")
    assert page.category_chart.categories == ["Neighbours", "Homestead land"]
    assert page.xlsx_button.isEnabled() and page._default_name(".pdf").name.startswith("统计报表-庄墩村人民调解委员会-")
    if os.environ.get("LOOK_DIR"):
        page.grab().save(str(Path(os.environ["LOOK_DIR"]) / "township-3.png"))

    # back to all villages
    qtbot.mouseClick(page.back_button, Qt.MouseButton.LeftButton)
    assert page.drilled is None and page.views.currentWidget().widget() is page.township_view
    assert not page.back_button.isVisible() and page._default_name(".xlsx").name.startswith("各村统计对比-")
