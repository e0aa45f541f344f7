"""The statistics section at a township center: its villages side by side for the chosen period — the
township's totals, the villages ranked by resolution rate (a bar chart), and the tables: the comparison
(sortable by any column), the villages × categories (cases accepted), each village's resolution rate over the
trend (with the township's accepted and resolved as a chart). Double-click a village (or press Enter on it)
to see its own report in the section's village view.

Plain widgets over a `township_stats.TownshipReport` counted by the page on the worker."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QLabel, QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget

from app.i18n import _, format_number
from app.services.statistics import slice_label
from app.services.township_stats import Figures, TownshipReport
from app.ui.reports.charts import ACCEPTED_COLOR, RESOLVED_COLOR, BarChart
from app.ui.widgets import HINT_COLOR, bigger, read_only_rows

DEVICE_ROLE = Qt.ItemDataRole.UserRole + 1


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


class SortItem(QTableWidgetItem):
    """A cell that sorts by its value (numbers as numbers, a dash below every number) rather than by its text."""

    def __init__(self, text: str, key: Any) -> None:
        super().__init__(text)
        self.key = key
        self.total = False  # the township's total: the last row whichever way the table is sorted

    def __lt__(self, other: QTableWidgetItem) -> bool:
        if isinstance(other, SortItem) and self.total != other.total:
            table = self.tableWidget()
            descending = table is not None and table.horizontalHeader().sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
            return self.total == descending
        if isinstance(other, SortItem):
            mine, theirs = self.key, other.key
            if isinstance(mine, str) or isinstance(theirs, str):
                return str(mine) < str(theirs)
            return (mine is not None, mine or 0) < (theirs is not None, theirs or 0)
        return super().__lt__(other)


def cell(value: Any, *, rate: bool = False) -> SortItem:
    """Text left; whole numbers formatted, rates as per cent, right-aligned; None as a dash."""
    if isinstance(value, str):
        return SortItem(value, value)
    if rate or (isinstance(value, float) and not float(value).is_integer()):
        item = SortItem(percent(value) if rate else f"{value:g}", value)
    else:
        item = SortItem("—" if value is None else format_number(int(value)), value)
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def fill(table: QTableWidget, headers: Sequence[str], rows: Sequence[tuple[str | None, Sequence[SortItem]]]) -> None:
    """Rows of cells; each row's first cell remembers its village's device (None: the township's total)."""
    table.setSortingEnabled(False)
    table.clear()
    table.setColumnCount(len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setRowCount(len(rows))
    for r, (device, cells) in enumerate(rows):
        for c, item in enumerate(cells):
            if c == 0:
                item.setData(DEVICE_ROLE, device or "")
            if device is None:
                item.total = True
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            table.setItem(r, c, item)
    table.resizeColumnsToContents()
    table.resizeRowsToContents()
    table.setSortingEnabled(True)  # sorts again by the column the person chose, if any


def figure_cells(name: str, f: Figures) -> list[SortItem]:
    return [cell(name), cell(f.accepted), cell(f.resolved), cell(f.failed), cell(f.transferred),
            cell(f.resolution_rate, rate=True), cell(f.performed_share, rate=True), cell(f.median_days),
            cell(f.high_risk), cell(f.points.gained), cell(f.points.deducted), cell(f.points.redeemed)]


class TownshipView(QWidget):
    """The comparison; emits `village_chosen(device_id)` on a double-click (or Enter) on a village's row."""

    village_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("townshipView")
        self.report: TownshipReport | None = None
        self.heading = QLabel()
        self.heading.setObjectName("townshipHeading")
        self.heading.setWordWrap(True)
        self.totals = QLabel()
        self.totals.setObjectName("townshipTotals")
        self.totals.setWordWrap(True)
        self.hint = QLabel()
        self.hint.setStyleSheet(f"color: {HINT_COLOR};")
        self.ranking_chart = BarChart(horizontal=True)
        self.ranking_chart.setObjectName("rankingChart")
        self.trend_chart = BarChart(horizontal=False)
        self.trend_chart.setObjectName("townshipTrendChart")
        self.tables: dict[str, QTableWidget] = {}
        for key in ("comparison", "categories", "trend"):
            table = QTableWidget(0, 0)
            table.setObjectName(f"township_{key}")
            table.verticalHeader().hide()
            read_only_rows(table)
            table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # unsorted: by name
            table.setSortingEnabled(True)
            table.doubleClicked.connect(self._chosen)
            table.activated.connect(self._chosen)
            self.tables[key] = table
        self.tabs = QTabWidget()
        self.tabs.setObjectName("townshipTables")
        self.tabs.setDocumentMode(True)
        for table in self.tables.values():
            self.tabs.addTab(table, "")
        self.tabs.setMinimumHeight(300)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.totals)
        layout.addWidget(self.hint)
        layout.addWidget(self.tabs)
        layout.addWidget(self.ranking_chart)
        layout.addWidget(self.trend_chart)
        layout.addStretch(1)

    def _chosen(self, index: QModelIndex) -> None:
        table = self.sender()
        if not isinstance(table, QTableWidget):
            return
        item = table.item(index.row(), 0)
        device = item.data(DEVICE_ROLE) if item is not None else ""
        if device:
            self.village_chosen.emit(str(device))

    heading_text = ""

    def relabel(self) -> None:
        bigger(self.heading, 1.1, bold=True)
        self.tabs.setTabText(0, _("Villages compared"))
        self.tabs.setTabText(1, _("Villages × categories"))
        self.tabs.setTabText(2, _("Trend by village"))
        self.hint.setText(_("Click a column's title to sort; double-click a village to see its own figures."))
        if self.report is not None:
            self.show_report(self.report, self.heading_text)

    def show_report(self, r: TownshipReport, heading: str) -> None:
        self.report = r
        self.heading_text = heading
        self.heading.setText(heading)
        t = r.totals
        self.totals.setText(_("Township total: {accepted} accepted, {resolved} resolved ({rate}), {failed} failed, "
                              "{transferred} transferred; {high} high-risk households").format(
            accepted=format_number(t.accepted), resolved=format_number(t.resolved), rate=percent(t.resolution_rate),
            failed=format_number(t.failed), transferred=format_number(t.transferred),
            high="—" if t.high_risk is None else format_number(t.high_risk)))
        total = _("Township total")
        fill(self.tables["comparison"],
             [_("Village"), _("Accepted"), _("Resolved"), _("Failed"), _("Transferred"), _("Resolution rate"),
              _("Agreements performed"), _("Median days"), _("High-risk households"), _("Points gained"),
              _("Points deducted"), _("Points redeemed")],
             [*((v.device_id, figure_cells(v.village, v.figures)) for v in r.villages),
              (None, figure_cells(total, t))])
        fill(self.tables["categories"], [_("Village"), *[c.label for c in r.categories], _("Total")],
             [*((v.device_id, [cell(v.village), *map(cell, v.category_counts), cell(sum(v.category_counts))]) for v in r.villages),
              (None, [cell(total), *map(cell, r.category_totals), cell(sum(r.category_totals))])])
        fill(self.tables["trend"], [_("Village"), *[slice_label(p.label) for p in r.trend]],
             [*((v.device_id, [cell(v.village), *(cell(p.resolution_rate, rate=True) for p in v.trend)]) for v in r.villages),
              (None, [cell(total), *(cell(p.resolution_rate, rate=True) for p in r.trend)])])
        ranked = [v for v in r.ranking if v.figures.resolution_rate is not None]
        self.ranking_chart.set_data(
            _("Villages ranked by resolution rate (%)"), [v.village for v in ranked],
            [(_("Resolution rate"), [round((v.figures.resolution_rate or 0.0) * 100, 1) for v in ranked], RESOLVED_COLOR)],
            _("No village accepted a case in this period."), percent=True)
        self.trend_chart.set_data(
            _("The township's cases over time"), [slice_label(p.label) for p in r.trend],
            [(_("Accepted"), [p.accepted for p in r.trend], ACCEPTED_COLOR),
             (_("Resolved"), [p.resolved for p in r.trend], RESOLVED_COLOR)],
            _("No cases in this period."))

    def village_names(self, key: str = "comparison") -> list[str]:
        """The first column of a table, top to bottom (for tests and for reading aloud)."""
        table = self.tables[key]
        items = [table.item(r, 0) for r in range(table.rowCount())]
        return [item.text() for item in items if item is not None]
