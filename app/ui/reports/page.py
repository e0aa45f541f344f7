"""The statistics section (统计报表): choose a period — a month, a quarter, a year or a custom range — and see
its figures (cases accepted and resolved, the resolution rate, failures and transfers, the share of
agreements performed, the median days to resolve), bar charts by category, by source and over time, and
the tables (by category, by source, the trend, cases per mediator, risk, points). Export the same report as
Excel or as the printed PDF.

The report is counted on the worker pool (`run_task`), as are the exports, so the window never freezes on
a large desk; a newer choice of period supersedes a count still running. Only service calls here.

At a township center the section compares the villages instead (`township.TownshipView`); a double-click on
a village shows that village's own report in the village view below, "All villages" goes back, and the
exports write whichever is shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from app.clock import today
from app.errors import ValidationError
from app.i18n import N_, _, format_date, format_number, language
from app.services.statistics import BreakdownRow, PeriodReport, TrendPoint, slice_label
from app.services.township_stats import TownshipReport
from app.store.engine import Store
from app.ui.cases.common import report_error
from app.ui.context import UiContext
from app.ui.messages import ACCENT_COLOR, ERROR_COLOR
from app.ui.print_preview import safe_file_name
from app.ui.reports.charts import ACCEPTED_COLOR, RESOLVED_COLOR, BarChart
from app.ui.reports.township import TownshipView
from app.ui.widgets import HINT_COLOR, bigger, date_edit, date_to_q, q_to_date, read_only_rows, scroll_area
from app.ui.worker import Task, run_task

KINDS = (("month", N_("Month")), ("quarter", N_("Quarter")), ("year", N_("Year")), ("range", N_("Custom range")))
# the figures at the top: (key, words)
FIGURES = (
    ("accepted", N_("Cases accepted")),
    ("resolved", N_("Cases resolved")),
    ("resolution_rate", N_("Resolution rate")),
    ("failed", N_("Mediation failed")),
    ("transferred", N_("Transferred")),
    ("withdrawn", N_("Withdrawn")),
    ("follow_ups", N_("Follow-up visits")),
    ("performed_share", N_("Agreements performed")),
    ("median_days", N_("Median days to resolve")),
)
BREAKDOWN_HEADERS = (N_("Accepted"), N_("Resolved"), N_("Failed"), N_("Transferred"), N_("Resolution rate"))
REFRESH_DELAY_MS = 250
TABLE_TABLES = frozenset({"dispute_case", "agreement", "case_event", "follow_up", "case_mediator", "points_entry", "points_review",
                          "risk_round", "risk_assessment", "household", "committee", "case_category", "sync_peer", "sync_bundle"})


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def count_report(store: Store, actor: Any, period: str, township: bool = False) -> PeriodReport | TownshipReport:
    """The report, or at a township center the comparison of its villages (on the worker pool: its own session)."""
    from app.services import statistics, township_stats

    with store.read() as session:
        if township:
            return township_stats.township_report(session, actor, period)
        return statistics.period_report(session, actor, period)


def is_township(store: Store) -> bool:
    from app.services import committee

    with store.read() as session:
        own = committee.current(session)
        return own is not None and own.mode == "township"


def choose_path(parent: QWidget, title: str, default: Path, file_filter: str) -> Path | None:
    path, _filter = QFileDialog.getSaveFileName(parent, title, str(default), file_filter)
    if not path:
        return None
    result = Path(path)
    suffix = default.suffix
    return result if result.suffix.lower() == suffix else result.with_suffix(suffix)


class Tile(QFrame):
    """One figure: the number, big, over its words."""

    def __init__(self, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.setObjectName(f"figure_{key}")
        self.setStyleSheet(f"QFrame#figure_{key} {{ background: white; border: 1px solid #d5dae1;"
                           f" border-left: 4px solid {ACCENT_COLOR}; border-radius: 3px; }}")
        self.number = QLabel("—")
        self.number.setObjectName("figureNumber")
        self.number.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.words = QLabel()
        self.words.setWordWrap(True)
        self.note = QLabel()
        self.note.setStyleSheet(f"color: {HINT_COLOR}; border: none;")
        self.note.setWordWrap(True)
        for label in (self.number, self.words):
            label.setStyleSheet("border: none;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(0)
        layout.addWidget(self.words)
        layout.addWidget(self.number)
        layout.addWidget(self.note)

    def show_value(self, words: str, value: str, note: str = "") -> None:
        bigger(self.number, 1.8, bold=True)
        self.words.setText(words)
        self.number.setText(value)
        self.note.setText(note)
        self.note.setVisible(bool(note))
        self.setAccessibleName(f"{words}: {value}")


def make_table(name: str) -> QTableWidget:
    table = QTableWidget(0, 0)
    table.setObjectName(name)
    table.verticalHeader().hide()
    read_only_rows(table)
    return table


def fill_table(table: QTableWidget, headers: Sequence[str], rows: Sequence[Sequence[Any]], *, bold_last: bool = False) -> None:
    """Text left, numbers (int, float) right-aligned and formatted; None as a dash."""
    table.clear()
    table.setColumnCount(len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, int):
                item = QTableWidgetItem(format_number(value))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            elif value is None or isinstance(value, float):
                item = QTableWidgetItem(percent(value))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            else:
                item = QTableWidgetItem(str(value))
            if bold_last and r == len(rows) - 1:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            table.setItem(r, c, item)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if headers:
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    table.resizeRowsToContents()


def breakdown(rows: Sequence[BreakdownRow]) -> list[list[Any]]:
    body: list[list[Any]] = [[r.label, r.accepted, r.resolved, r.failed, r.transferred, r.resolution_rate] for r in rows]
    if rows:
        totals = [sum(getattr(r, key) for r in rows) for key in ("accepted", "resolved", "failed", "transferred")]
        body.append([_("Total"), *totals, totals[1] / totals[0] if totals[0] else None])
    return body


class ReportsPage(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("ReportsPage")
        self.report: PeriodReport | None = None  # the village view's report (at a township: the village drilled into)
        self.township = is_township(ctx.store)
        self.comparison: TownshipReport | None = None
        self.drilled: str | None = None  # at a township: the device of the village shown in the village view
        self.task: Task | None = None
        self.export_task: Task | None = None
        self._generation = 0
        self._busy = False
        self._stale = True
        self.last_written: Path | None = None
        self.choose_path: Callable[[QWidget, str, Path, str], Path | None] = choose_path
        self.save_directory = Path.home()

        # -- the period
        self.title = QLabel()
        self.title.setObjectName("reportsTitle")
        self.kind = QComboBox()
        self.kind.setObjectName("periodKind")
        for key, _label in KINDS:
            self.kind.addItem("", key)
        now = today()
        self.year = QSpinBox()
        self.year.setObjectName("periodYear")
        self.year.setRange(2000, now.year + 1)
        self.year.setValue(now.year)
        self.month = QComboBox()
        self.month.setObjectName("periodMonth")
        for m in range(1, 13):
            self.month.addItem("", m)
        self.month.setCurrentIndex(now.month - 1)
        self.quarter = QComboBox()
        self.quarter.setObjectName("periodQuarter")
        for q in range(1, 5):
            self.quarter.addItem("", q)
        self.quarter.setCurrentIndex((now.month - 1) // 3)
        self.from_label = QLabel()
        self.start = date_edit(now.replace(day=1))
        self.start.setObjectName("periodStart")
        self.to_label = QLabel()
        self.end = date_edit(now)
        self.end.setObjectName("periodEnd")
        self.xlsx_button = QPushButton()
        self.xlsx_button.setObjectName("exportXlsx")
        self.xlsx_button.clicked.connect(lambda: self.export_xlsx())
        self.pdf_button = QPushButton()
        self.pdf_button.setObjectName("exportPdf")
        self.pdf_button.clicked.connect(lambda: self.export_pdf())
        self.back_button = QPushButton()
        self.back_button.setObjectName("backToVillages")
        self.back_button.clicked.connect(lambda: self.show_villages())
        self.back_button.hide()
        self.kind.setCurrentIndex(1)  # a quarter: what the committee reports upward
        controls = QHBoxLayout()
        controls.addWidget(self.title)
        controls.addSpacing(16)
        for widget in (self.kind, self.year, self.month, self.quarter, self.from_label, self.start, self.to_label, self.end):
            controls.addWidget(widget)
        controls.addStretch(1)
        controls.addWidget(self.back_button)
        controls.addWidget(self.xlsx_button)
        controls.addWidget(self.pdf_button)

        self.message = QLabel()
        self.message.setObjectName("reportsMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        # -- the report
        self.heading = QLabel()
        self.heading.setObjectName("reportHeading")
        self.heading.setWordWrap(True)
        self.tiles: dict[str, Tile] = {}
        tiles = QGridLayout()
        tiles.setSpacing(8)
        for i, (key, _words) in enumerate(FIGURES):
            tile = Tile(key)
            self.tiles[key] = tile
            tiles.addWidget(tile, i // 5, i % 5)
        for column in range(5):
            tiles.setColumnStretch(column, 1)
        self.category_chart = BarChart(horizontal=True)
        self.category_chart.setObjectName("categoryChart")
        self.source_chart = BarChart(horizontal=True)
        self.source_chart.setObjectName("sourceChart")
        self.trend_chart = BarChart(horizontal=False)
        self.trend_chart.setObjectName("trendChart")
        charts = QHBoxLayout()
        charts.addWidget(self.category_chart, 1)
        charts.addWidget(self.source_chart, 1)

        self.tables: dict[str, QTableWidget] = {key: make_table(f"table_{key}") for key in
                                                ("category", "source", "trend", "mediators", "risk", "points")}
        self.tabs = QTabWidget()
        self.tabs.setObjectName("reportTables")
        self.tabs.setDocumentMode(True)
        for table in self.tables.values():
            self.tabs.addTab(table, "")
        self.tabs.setMinimumHeight(320)

        body = QWidget()
        body.setObjectName("reportBody")
        content = QVBoxLayout(body)
        content.addWidget(self.heading)
        content.addLayout(tiles)
        content.addSpacing(8)
        content.addLayout(charts)
        content.addWidget(self.trend_chart)
        content.addWidget(self.tabs)
        content.addStretch(1)
        self.scroll_area = scroll_area(body)

        self.township_view = TownshipView()
        self.township_view.village_chosen.connect(self.drill_down)
        township_scroll = scroll_area(self.township_view)
        self.views = QStackedWidget()
        self.views.addWidget(self.scroll_area)
        self.views.addWidget(township_scroll)
        self.views.setCurrentIndex(1 if self.township else 0)

        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.message)
        layout.addWidget(self.views, 1)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        for signal in (self.year.valueChanged, self.month.currentIndexChanged, self.quarter.currentIndexChanged,
                       self.start.dateChanged, self.end.dateChanged):
            signal.connect(self._request)
        ctx.changed.connect(self._on_changed)
        ctx.retranslate.connect(self.relabel)
        self.relabel()
        self._kind_changed()

    # -------------------------------------------------------- labels

    def relabel(self) -> None:
        bigger(self.title, 1.3, bold=True)
        self.title.setText(_("Statistics"))
        for i, (_key, label) in enumerate(KINDS):
            self.kind.setItemText(i, _(label))
        for m in range(1, 13):
            self.month.setItemText(m - 1, format_date(dt.date(2000, m, 1), "MMMM"))
        for q in range(1, 5):
            self.quarter.setItemText(q - 1, _("Quarter {n}").format(n=q))
        self.year.setSuffix(_(" (year)") if language() != "zh_CN" else "年")
        self.from_label.setText(_("From"))
        self.to_label.setText(_("to"))
        self.xlsx_button.setText(_("Export to Excel…"))
        self.pdf_button.setText(_("Export to PDF…"))
        self.tabs.setTabText(0, _("By category"))
        self.tabs.setTabText(1, _("By source"))
        self.tabs.setTabText(2, _("Trend"))
        self.tabs.setTabText(3, _("Cases per mediator"))
        self.tabs.setTabText(4, _("Risk"))
        self.tabs.setTabText(5, _("Points"))
        bigger(self.heading, 1.1, bold=True)
        self.back_button.setText(_("← All villages"))
        self.township_view.relabel()
        self._show_report()

    # -------------------------------------------------------- the period

    def period_text(self) -> str:
        kind = self.kind.currentData()
        year = self.year.value()
        if kind == "month":
            return f"{year}-{self.month.currentData():02d}"
        if kind == "quarter":
            return f"{year}Q{self.quarter.currentData()}"
        if kind == "year":
            return str(year)
        return f"{q_to_date(self.start.date()).isoformat()}..{q_to_date(self.end.date()).isoformat()}"

    def set_period(self, kind: str, *, year: int | None = None, number: int | None = None,
                   start: dt.date | None = None, end: dt.date | None = None) -> None:
        """Choose a period as a person would with the controls (number: the month or the quarter)."""
        for widget in (self.kind, self.year, self.month, self.quarter, self.start, self.end):
            widget.blockSignals(True)
        self.kind.setCurrentIndex([k for k, _l in KINDS].index(kind))
        if year is not None:
            self.year.setValue(year)
        if number is not None:
            (self.month if kind == "month" else self.quarter).setCurrentIndex(number - 1)
        if start is not None:
            self.start.setDate(date_to_q(start))
        if end is not None:
            self.end.setDate(date_to_q(end))
        for widget in (self.kind, self.year, self.month, self.quarter, self.start, self.end):
            widget.blockSignals(False)
        self._kind_changed()

    def _kind_changed(self) -> None:
        kind = self.kind.currentData()
        self.year.setVisible(kind != "range")
        self.month.setVisible(kind == "month")
        self.quarter.setVisible(kind == "quarter")
        for widget in (self.from_label, self.start, self.to_label, self.end):
            widget.setVisible(kind == "range")
        self._request()

    # -------------------------------------------------------- counting

    def _request(self) -> None:
        """Count again shortly (a burst of changes counts once); a hidden page counts when it is next shown."""
        if self.isVisible():
            self._timer.start()
        else:
            self._stale = True

    def _on_changed(self, tables: object) -> None:
        if isinstance(tables, set | frozenset | list | tuple) and tables and not set(tables) & TABLE_TABLES:
            return
        self._request()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self._timer.start()

    def refresh(self) -> None:
        """Count the chosen period on the worker pool; the figures appear when it is done."""
        self._timer.stop()
        self._stale = False
        self._generation += 1
        generation = self._generation
        text = self.period_text()
        store, actor, township = self.ctx.store, self.ctx.actor, self.township
        self._say(_("Counting…"), HINT_COLOR)
        self._set_busy(True)

        def done(result: Any) -> None:
            if not isValid(self) or generation != self._generation:
                return  # the page is gone, or a newer period was chosen meanwhile
            self._say("", HINT_COLOR)
            if isinstance(result, TownshipReport):
                self.comparison = result
                self._show_comparison()
                if self.drilled is not None:
                    self.drill_down(self.drilled)  # the same village, in the newly chosen period
            else:
                self.report = result
                self._show_report()
            self._set_busy(False)

        def failed(exc: BaseException, tb: str) -> None:
            if not isValid(self) or generation != self._generation:
                return
            self._set_busy(False)
            if isinstance(exc, ValidationError):
                self._say(exc.message, ERROR_COLOR)
            else:
                self._say("", HINT_COLOR)
                report_error(self, self.ctx, exc, tb)

        self.task = run_task(lambda _progress: count_report(store, actor, text, township), done, failed)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        shown = self.report if not self.township or self.drilled is not None else self.comparison
        ready = not busy and shown is not None and self.export_task is None
        self.xlsx_button.setEnabled(ready)
        self.pdf_button.setEnabled(ready)

    def _say(self, text: str, color: str) -> None:
        self.message.setStyleSheet(f"color: {color};")
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # -------------------------------------------------------- showing

    def period_words(self, report: PeriodReport | TownshipReport) -> str:
        kind = report.kind
        if kind in ("month", "quarter", "year"):
            label = slice_label(report.period) if kind != "year" else _("Year {year}").format(year=report.period)
            return _("{period} ({start} to {end})").format(period=label, start=format_date(report.start),
                                                           end=format_date(report.end))
        return _("{start} to {end}").format(start=format_date(report.start), end=format_date(report.end))

    @staticmethod
    def slice_words(point: TrendPoint) -> str:
        """A slice of the trend: Nov 2026 (2026年11月), or its dates when a custom range cuts it short."""
        if point.whole:
            return slice_label(point.label)
        return _("{start} to {end}").format(start=format_date(point.start), end=format_date(point.end))

    def _show_report(self) -> None:
        r = self.report
        if r is None:
            self.heading.setText("")
            return
        self.heading.setText(_("{committee}: {period}").format(committee=r.committee, period=self.period_words(r)))
        values: dict[str, tuple[str, str]] = {
            "accepted": (format_number(r.accepted), ""),
            "resolved": (format_number(r.resolved), _("agreement in force")),
            "resolution_rate": (percent(r.resolution_rate), _("resolved ÷ accepted") if r.resolution_rate is not None
                                else _("nothing accepted")),
            "failed": (format_number(r.failed), ""),
            "transferred": (format_number(r.transferred), ""),
            "withdrawn": (format_number(r.withdrawn), ""),
            "follow_ups": (format_number(r.follow_ups), ""),
            "performed_share": (percent(r.performed_share), _("{n} fully performed").format(n=r.performed_fully)
                                if r.performed_share is not None else _("no visit recorded")),
            "median_days": ("—" if r.median_days is None else _("{n} days").format(n=f"{r.median_days:g}"),
                            _("received → agreement in force")),
        }
        for key, words in FIGURES:
            value, note = values[key]
            self.tiles[key].show_value(_(words), value, note)
        series_names = (_("Accepted"), _("Resolved"))
        self.category_chart.set_data(
            _("By category"), [row.label for row in r.by_category],
            [(series_names[0], [row.accepted for row in r.by_category], ACCEPTED_COLOR),
             (series_names[1], [row.resolved for row in r.by_category], RESOLVED_COLOR)],
            _("No cases in this period."))
        self.source_chart.set_data(
            _("By source"), [row.label for row in r.by_source],
            [(series_names[0], [row.accepted for row in r.by_source], ACCEPTED_COLOR),
             (series_names[1], [row.resolved for row in r.by_source], RESOLVED_COLOR)],
            _("No cases in this period."))
        trend_title = {"quarter": _("The last 8 quarters"), "month": _("The last 12 months")}.get(r.kind, _("Month by month"))
        labels = [slice_label(t.label) for t in r.trend]
        if r.trend and len({t.label[:4] for t in r.trend}) == 1 and r.kind != "quarter" and language() == "zh_CN":
            labels = [f"{int(t.label[5:])}月" if "-" in t.label else slice_label(t.label) for t in r.trend]
        self.trend_chart.set_data(
            trend_title, labels,
            [(series_names[0], [t.accepted for t in r.trend], ACCEPTED_COLOR),
             (series_names[1], [t.resolved for t in r.trend], RESOLVED_COLOR)],
            _("No cases in this period."))
        headers = [_(h) for h in BREAKDOWN_HEADERS]
        fill_table(self.tables["category"], [_("Category"), *headers], breakdown(r.by_category), bold_last=True)
        fill_table(self.tables["source"], [_("Source"), *headers], breakdown(r.by_source), bold_last=True)
        fill_table(self.tables["trend"], [_("Period"), *headers],
                   [[self.slice_words(t), t.accepted, t.resolved, t.failed, t.transferred, t.resolution_rate] for t in r.trend])
        fill_table(self.tables["mediators"], [_("Name"), _("Role"), _("Cases accepted"), _("Cases resolved")],
                   [[m.name, m.role_label, m.cases, m.resolved] for m in r.mediators])
        if r.risk is None:
            risk_rows: list[list[Any]] = [[_("No risk round in this period."), ""]]
        else:
            rs = r.risk
            risk_rows = [[_("Round"), rs.quarter], [_("High risk"), rs.high], [_("Medium risk"), rs.medium],
                         [_("Low risk"), rs.low], [_("Not assessed"), rs.not_assessed]]
            if rs.previous_quarter is not None:
                risk_rows += [[_("Went up since {quarter}").format(quarter=rs.previous_quarter), rs.went_up],
                              [_("Went down since {quarter}").format(quarter=rs.previous_quarter), rs.went_down]]
        fill_table(self.tables["risk"], [_("Item"), _("Households")], risk_rows)
        fill_table(self.tables["points"], [_("Item"), _("Points")],
                   [[_("Gained"), r.points.gained], [_("Deducted"), r.points.deducted], [_("Redeemed"), r.points.redeemed]])

    # -------------------------------------------------------- the township's villages

    def _show_comparison(self) -> None:
        c = self.comparison
        if c is None:
            return
        self.township_view.show_report(c, _("{committee}: {period}, {n} villages").format(
            committee=c.committee, period=self.period_words(c), n=len(c.villages)))

    def drill_down(self, device: str) -> None:
        """Show one village's own report (from the comparison: the same figures, not counted again)."""
        if self.comparison is None:
            return
        village = next((v for v in self.comparison.villages if v.device_id == device), None)
        if village is None:  # no longer enrolled
            self.show_villages()
            return
        self.drilled = device
        self.report = village.report
        self._show_report()
        self.views.setCurrentIndex(0)
        body = self.scroll_area.widget()
        layout = body.layout() if body is not None else None
        if layout is not None:
            layout.activate()  # laid out while hidden: take the charts' new heights now
        self.back_button.show()
        self._set_busy(self._busy)

    def show_villages(self) -> None:
        """Back from a village to the comparison."""
        self.drilled = None
        self.report = None
        self.views.setCurrentIndex(1)
        self.back_button.hide()
        self._set_busy(self._busy)

    def figure(self, key: str) -> str:
        """The figure shown in a tile (for tests and for reading aloud)."""
        return self.tiles[key].number.text()

    # -------------------------------------------------------- exporting

    def _comparison_shown(self) -> TownshipReport | None:
        return self.comparison if self.township and self.drilled is None else None

    def _default_name(self, suffix: str) -> Path:
        comparison = self._comparison_shown()
        if comparison is not None:
            return self.save_directory / safe_file_name(f"各村统计对比-{comparison.period}{suffix}")
        period = self.report.period if self.report is not None else self.period_text()
        village = f"{self.report.committee}-" if self.township and self.report is not None else ""
        return self.save_directory / safe_file_name(f"统计报表-{village}{period}{suffix}")

    def export_xlsx(self, path: Path | None = None) -> Task | None:
        comparison = self._comparison_shown()
        if comparison is not None:
            target = path or self.choose_path(self, _("Export to Excel"), self._default_name(".xlsx"),
                                              _("Excel workbook (*.xlsx)"))
            if target is None:
                return None
            from app.services.report_export import export_township_xlsx

            xlsx: Path = target
            return self._export(lambda: export_township_xlsx(comparison, xlsx), xlsx)
        if self.report is None:
            return None
        target = path or self.choose_path(self, _("Export to Excel"), self._default_name(".xlsx"), _("Excel workbook (*.xlsx)"))
        if target is None:
            return None
        from app.services.report_export import export_xlsx

        report = self.report
        return self._export(lambda: export_xlsx(report, target), target)

    def export_pdf(self, path: Path | None = None) -> Task | None:
        comparison = self._comparison_shown()
        if comparison is not None:
            target = path or self.choose_path(self, _("Export to PDF"), self._default_name(".pdf"), _("PDF document (*.pdf)"))
            if target is None:
                return None
            from app.documents.township_report import write_township_report

            pdf: Path = target
            return self._export(lambda: write_township_report(comparison, pdf), pdf)
        if self.report is None:
            return None
        target = path or self.choose_path(self, _("Export to PDF"), self._default_name(".pdf"), _("PDF document (*.pdf)"))
        if target is None:
            return None
        from app.documents.period_report import write_period_report

        report = self.report
        return self._export(lambda: write_period_report(report, target), target)

    def _export(self, work: Callable[[], object], target: Path) -> Task:
        self.save_directory = target.parent
        self._say(_("Writing {path}…").format(path=target), HINT_COLOR)
        self.xlsx_button.setEnabled(False)
        self.pdf_button.setEnabled(False)

        def finish() -> None:
            self.export_task = None
            self._set_busy(self._busy)

        def done(_result: Any) -> None:
            if not isValid(self):
                return
            finish()
            self.last_written = target
            self._say(_("Wrote {path}.").format(path=target), HINT_COLOR)

        def failed(exc: BaseException, tb: str) -> None:
            if not isValid(self):
                return
            finish()
            if isinstance(exc, ValidationError):
                self._say(exc.message, ERROR_COLOR)
            else:
                self._say("", HINT_COLOR)
                report_error(self, self.ctx, exc, tb)

        self.export_task = run_task(lambda _progress: work(), done, failed)
        return self.export_task

