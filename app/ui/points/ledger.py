"""A household's ledger (户积分明细): its entries with their status, the reversal of an entry with a reason,
a villager's objection to an entry on a notice open for objections (公示异议), and a chart of the last 24
months — points gained (up) and deducted (down) as bars, the balance as a line."""

from __future__ import annotations

import datetime as dt
import traceback
from dataclasses import dataclass

from PySide6.QtCharts import QBarCategoryAxis, QBarSet, QChart, QChartView, QLineSeries, QStackedBarSeries, QValueAxis
from PySide6.QtCore import QMargins, QPoint, Qt
from PySide6.QtGui import QAction, QColor, QFont, QFontMetrics, QPainter, QPen, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import N_, _, format_date, language
from app.models.points import EntryKind
from app.services.households import HouseholdRow
from app.services.points import LedgerLine
from app.ui.context import UiContext
from app.ui.points.common import (
    BALANCE_COLOR,
    ENTRY_TABLES,
    GAIN_COLOR,
    HINT_COLOR,
    LOSS_COLOR,
    STAR_COLOR,
    STATUS_COLORS,
    HouseholdFinder,
    InlineMessage,
    ListOrEmpty,
    bigger,
    chosen_item,
    error_message,
    hint_label,
    kind_label,
    list_table,
    report_error,
    select_id,
    signed,
    stars_text,
    status_label,
    write,
)
from app.ui.points.dialogs import NoticeChoice, ObjectionDialog, ReasonDialog
from app.ui.widgets import columns_to_contents

HISTORY_MONTHS = 24
LINE_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class HouseholdPoints:
    household: HouseholdRow
    lines: list[LedgerLine]
    history: list[tuple[str, int, int, int]]
    balance: int
    accumulated: int
    stars: int
    max_stars: int


def load_household(ctx: UiContext, household_id: str) -> HouseholdPoints:
    """Everything the view shows about one household, from the services."""
    from app.services import households, points

    with ctx.store.read() as session:
        detail = households.household_detail(session, ctx.actor, household_id)
        head = next((m for m in detail.members if m.is_head), None)
        row = HouseholdRow(detail.id, detail.number, head.name if head else "", detail.address, detail.group_name,
                           detail.micro_grid_name, len(detail.members), head.mobile if head else "")
        lines = points.ledger(session, ctx.actor, household_id)
        history = points.history(session, ctx.actor, household_id, months=HISTORY_MONTHS)
        balance = points.balance(session, household_id)
        thresholds = points.star_thresholds(session)
    # accumulated points leave the redemptions out; a reversed entry and its reversal both count
    accumulated = sum(line.points for line in lines
                      if line.status in ("counted", "reversed") and line.kind != EntryKind.REDEMPTION)
    return HouseholdPoints(row, lines, history, balance, accumulated, points.stars_for(accumulated, thresholds),
                           len(thresholds))


def _month(key: str) -> dt.date:
    year, month = key.split("-")
    return dt.date(int(year), int(month), 1)


def month_labels(keys: list[str], *, short: bool = False) -> list[str]:
    """1月 … 12月 (Jan … Dec), or only the month's number when space is short. A month name seen before (the
    same month a year earlier) gets an invisible mark: the axis needs every category to differ."""
    from babel.dates import format_date as babel_date

    locale = "zh_Hans_CN" if language() == "zh_CN" else "en_US"
    labels: list[str] = []
    for key in keys:
        day = _month(key)
        label = str(day.month) if short else babel_date(day, "LLL", locale=locale)
        while label in labels:
            label += "\u200b"
        labels.append(label)
    return labels


def month_range(keys: list[str]) -> str:
    """2024年12月至2026年11月 (Dec 2024 to Nov 2026)."""
    from babel.dates import format_date as babel_date

    if not keys:
        return ""
    zh = language() == "zh_CN"
    pattern, locale = ("yyyy年M月", "zh_Hans_CN") if zh else ("MMM yyyy", "en_US")
    first, last = (babel_date(_month(k), pattern, locale=locale) for k in (keys[0], keys[-1]))
    return _("{first} to {last}").format(first=first, last=last)


def nice_step(raw: float) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50 … that is at least `raw`."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= raw:
                return step * factor
        step *= 10


def open_notices(ctx: UiContext, entry_id: str) -> list[NoticeChoice]:
    """The notices listing the entry whose objection period is open today, as the objection dialog offers them."""
    from app.services import grid, points_notice

    with ctx.store.read() as session:
        notices = points_notice.open_notices_for(session, ctx.actor, entry_id)
        scopes = {n.id: grid.get_cell(session, n.group_id).name if n.group_id else _("Whole village") for n in notices}
    return [NoticeChoice(n.id, _("{period} · {scope} · objections until {date}").format(
        period=n.period, scope=scopes[n.id], date=format_date(n.objections_until))) for n in notices]


def align_zero(left: QValueAxis, right: QValueAxis, low: int, high: int) -> None:
    """Give the balance axis (right) the monthly axis's ticks with 0 at the same height, so that the bars'
    zero line and the balance's zero are one line; the right range covers `low`..`high`."""
    lmin, lmax = left.min(), left.max()
    if lmin >= 0 and low < 0:  # the balance went below zero and no month did: make room below the line
        lmin = -lmax * min(1.0, -low / max(high, 1))
        left.setRange(lmin, lmax)
        left.applyNiceNumbers()
        lmin, lmax = left.min(), left.max()
    intervals = max(left.tickCount() - 1, 1)
    below = round(intervals * -lmin / (lmax - lmin)) if lmax > lmin else 0
    above = intervals - below
    step = nice_step(max(high / above if above else 0, -low / below if below else 0, 1))
    right.setTickCount(intervals + 1)
    right.setRange(-below * step, above * step)


class PointsChart(QChartView):
    """Bars for the points gained (up, green) and deducted (down, red) each month; a line for the balance at
    each month's end, on its own axis at the right."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pointsChart")
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(220)
        self.history: list[tuple[str, int, int, int]] = []
        self.x_axis = QBarCategoryAxis()
        self.set_history([])

    def set_history(self, history: list[tuple[str, int, int, int]]) -> None:
        self.history = list(history)
        chart = QChart()
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.setBackgroundRoundness(0)
        font = QFont(QApplication.font())
        small = QFont(font)
        small.setPointSizeF(font.pointSizeF() * 0.8)
        keys = [m for m, *_rest in history]
        title = _("Last {n} months").format(n=len(history) or HISTORY_MONTHS)
        chart.setTitle(f"{title}（{month_range(keys)}）" if keys and language() == "zh_CN"
                       else f"{title} ({month_range(keys)})" if keys else title)
        chart.setTitleFont(font)
        chart.legend().setFont(small)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignTop)

        gained = QBarSet(_("Points gained"))
        gained.setColor(QColor(GAIN_COLOR))
        gained.setBorderColor(QColor(GAIN_COLOR))
        deducted = QBarSet(_("Points deducted"))
        deducted.setColor(QColor(LOSS_COLOR))
        deducted.setBorderColor(QColor(LOSS_COLOR))
        for _month, g, d, _balance in history:
            gained.append(g)
            deducted.append(-d)
        bars = QStackedBarSeries()
        bars.append(gained)
        bars.append(deducted)
        bars.setBarWidth(0.6)
        line = QLineSeries()
        line.setName(_("Balance"))
        line.setPen(QPen(QColor(BALANCE_COLOR), 2.5))
        line.setPointsVisible(True)
        for i, (_month, _g, _d, balance) in enumerate(history):
            line.append(i, balance)
        chart.addSeries(bars)
        chart.addSeries(line)

        x_axis = QBarCategoryAxis()
        x_axis.append(month_labels(keys) or [""])
        x_axis.setLabelsFont(small)
        x_axis.setGridLineVisible(False)
        low = min([-d for _m, _g, d, _b in history] + [0])
        high = max([g for _m, g, _d, _b in history] + [0])
        left = QValueAxis()
        left.setRange(low - 2 if low else 0, high + 2 if high else 10)
        left.setLabelFormat("%d")
        left.setLabelsFont(small)
        left.setTitleText(_("Points in the month"))
        left.setTitleFont(small)
        left.applyNiceNumbers()
        balances = [b for _m, _g, _d, b in history] or [0]
        right = QValueAxis()
        align_zero(left, right, min(min(balances), 0), max(max(balances), 10))
        right.setLabelFormat("%d")
        right.setLabelsFont(small)
        right.setLabelsColor(QColor(BALANCE_COLOR))
        right.setTitleText(_("Balance"))
        right.setTitleFont(small)
        right.setTitleBrush(QColor(BALANCE_COLOR))
        right.setGridLineVisible(False)
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(left, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(right, Qt.AlignmentFlag.AlignRight)
        bars.attachAxis(x_axis)
        bars.attachAxis(left)
        line.attachAxis(x_axis)
        line.attachAxis(right)
        old = self.chart()
        self.x_axis = x_axis
        self.setChart(chart)
        if old is not None and old is not chart:
            old.deleteLater()
        self._fit_labels()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_labels()

    def _fit_labels(self) -> None:
        """Month names while they fit side by side; only the months' numbers when the window (or the font) is
        too tight for them."""
        if not self.history:
            return
        keys = [m for m, *_rest in self.history]
        plot = self.chart().plotArea().width()
        slot = (plot if plot > 0 else self.width() * 0.8) / len(keys)
        metrics = QFontMetrics(self.x_axis.labelsFont())
        full = month_labels(keys)
        widest = max(metrics.horizontalAdvance(label) for label in full)
        labels = full if widest + 8 <= slot else month_labels(keys, short=True)
        if self.x_axis.categories() != labels:
            self.x_axis.setCategories(labels)


class LedgerView(QWidget):
    """Find a household (or arrive from the accounts table); its entries and its chart."""

    COLUMNS = (N_("Date"), N_("Kind"), N_("Rule code"), N_("Reason"), N_("Points"), N_("Status"), N_("Recorded by"), N_("Note"))

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("pointsLedger")
        self.household_id: str | None = None
        self.data: HouseholdPoints | None = None
        self.dialog: QWidget | None = None

        self.finder = HouseholdFinder(ctx)
        self.finder.picked.connect(lambda row: self.show_household(row.id))
        self.finder_label = QLabel()
        self.finder_label.setBuddy(self.finder.edit)
        finder_row = QHBoxLayout()
        finder_row.addWidget(self.finder_label)
        finder_row.addWidget(self.finder, 1)

        self.title = QLabel()
        self.title.setObjectName("ledgerTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.balance_label = QLabel()
        self.balance_label.setObjectName("ledgerBalance")
        self.balance_label.setTextFormat(Qt.TextFormat.PlainText)
        self.stars_label = QLabel()
        self.stars_label.setObjectName("ledgerStars")
        self.stars_label.setStyleSheet(f"color: {STAR_COLOR};")
        self.reverse_button = QPushButton()
        self.reverse_button.setObjectName("reverseButton")
        self.reverse_button.clicked.connect(self.reverse_selected)
        self.reverse_button.setVisible(ctx.can("points.write"))
        self.objection_button = QPushButton()
        self.objection_button.setObjectName("objectionButton")
        self.objection_button.clicked.connect(self.record_objection_selected)
        self.objection_button.setVisible(ctx.can("points.write"))
        self.reverse_action = QAction(self)
        self.reverse_action.triggered.connect(self.reverse_selected)
        self.objection_action = QAction(self)
        self.objection_action.triggered.connect(self.record_objection_selected)
        self.menu: QMenu | None = None
        self.open_notices: list[NoticeChoice] = []
        # why "Record objection…" is not possible for the chosen entry, in words (not only on hover)
        self.objection_hint = hint_label()
        self.objection_hint.setObjectName("objectionHint")
        self.objection_hint.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.objection_hint.hide()
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addSpacing(16)
        head.addWidget(self.balance_label)
        head.addSpacing(12)
        head.addWidget(self.stars_label)
        head.addStretch(1)
        head.addWidget(self.reverse_button)
        head.addWidget(self.objection_button)
        self.message = InlineMessage()

        self.table = list_table(len(self.COLUMNS), "ledgerTable")
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self.show_context_menu)
        self.chart = PointsChart()

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.chart)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([500, 380])
        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.addLayout(head)
        content_layout.addWidget(self.objection_hint)
        content_layout.addWidget(self.message)
        content_layout.addWidget(splitter, 1)

        self.stack = ListOrEmpty(content)
        self.empty_label = self.stack.empty

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(finder_row)
        layout.addWidget(self.stack, 1)
        self.relabel()

    def relabel(self) -> None:
        self.finder_label.setText(_("Household"))
        self.finder.edit.setPlaceholderText(_("Type household no., name or pinyin initials, then Enter"))
        self.reverse_button.setText(_("Reverse entry…"))
        self.reverse_action.setText(_("Reverse entry…"))
        self.objection_button.setText(_("Record objection…"))
        self.objection_action.setText(_("Record objection…"))
        self.table.setHorizontalHeaderLabels([_(c) for c in self.COLUMNS])
        bigger(self.title, 1.2)
        bigger(self.balance_label, 1.2)
        bigger(self.stars_label, 1.2, bold=False)
        self._show()

    # -------------------------------------------------------- loading

    def refresh(self) -> None:
        if self.household_id is not None:
            self.show_household(self.household_id)
        else:
            self._show()

    def show_household(self, household_id: str) -> None:
        self.household_id = household_id
        try:
            self.data = load_household(self.ctx, household_id)
        except Exception as exc:
            self.data = None
            self.message.error(error_message(self.ctx, exc, traceback.format_exc()))
            self.household_id = None
        self._show()

    def _show(self) -> None:
        data = self.data
        if data is None:
            self.stack.show_empty(_("Type a household number, a name or its pinyin initials above and press Enter "
                                    "to see the household's points, or double-click a household in Accounts."))
            return
        h = data.household
        if self.finder.current is None or self.finder.current.id != h.id:
            self.finder.set_current(h)
        keep = self.selected_line()
        self.title.setText("  ".join(p for p in (h.number, h.head_name, h.group_name) if p))
        self.balance_label.setText(_("Balance {balance} · accumulated {accumulated}").format(
            balance=data.balance, accumulated=data.accumulated))
        self.stars_label.setText(stars_text(data.stars, data.max_stars))
        self.stars_label.setToolTip(_("{n} of {max} stars (by accumulated points)").format(n=data.stars, max=data.max_stars))
        self._fill_table(data.lines)
        if keep is not None:
            self.select_line(keep.id)
        self.chart.set_history(data.history)
        self.stack.show_list()
        self._update_buttons()

    def _fill_table(self, lines: list[LedgerLine]) -> None:
        self.table.setRowCount(0)
        if not lines:
            self.message.note(_("No entries for this household yet."))
        elif self.message.kind == "note":
            self.message.clear_message()
        self.table.setRowCount(len(lines))
        for r, line in enumerate(lines):
            reason = line.reason
            if line.kind == EntryKind.REVERSAL:
                reason = _("Reverses {code}: {reason}").format(code=line.rule_code or _("an entry"), reason=line.reason)
            values = [format_date(line.occurred_on, "short"), kind_label(line.kind), line.rule_code, reason,
                      signed(line.points), status_label(line.status), line.recorded_by, line.note]
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                if c == 4:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    item.setForeground(QColor(GAIN_COLOR if line.points > 0 else LOSS_COLOR))
                if c == 5:
                    item.setForeground(QColor(STATUS_COLORS.get(line.status, HINT_COLOR)))
                if c == 3:
                    item.setToolTip(reason)
                item.setData(LINE_ROLE, line.id)
                self.table.setItem(r, c, item)
        columns_to_contents(self.table, widest=420)

    # -------------------------------------------------------- reversing

    def selected_line(self) -> LedgerLine | None:
        if self.data is None:
            return None
        return chosen_item(self.table, self.data.lines, LINE_ROLE)

    def select_line(self, line_id: str) -> None:
        select_id(self.table, line_id, LINE_ROLE)

    def _update_buttons(self) -> None:
        line = self.selected_line()
        can = line is not None and line.status == "counted" and line.kind in (EntryKind.RULE, EntryKind.FREE)
        if line is None:
            reverse_tip = _("Choose an entry in the list first")
        elif not can:
            reverse_tip = _("Only a counted entry (not a correction or a redemption) can be reversed")
        else:
            reverse_tip = _("Record a correction that cancels the chosen entry (with a reason)")
        for widget in (self.reverse_button, self.reverse_action):
            widget.setEnabled(can)
            widget.setToolTip(reverse_tip)
        self._update_objection(line, can)

    def _update_objection(self, line: LedgerLine | None, counted: bool) -> None:
        """"Record objection…" is possible while a notice listing the counted entry is open for objections."""
        self.open_notices = []
        if line is not None and counted and self.ctx.can("points.write"):
            try:
                self.open_notices = open_notices(self.ctx, line.id)
            except Exception as exc:
                self.message.error(error_message(self.ctx, exc, traceback.format_exc()))
        if line is None:
            why = ""
            tip = _("Choose an entry in the list first")
        elif not counted:
            why = tip = _("Only a counted entry (not a correction or a redemption) can be objected to.")
        elif not self.open_notices:
            why = tip = _("No notice listing this entry is open for objections.")
        else:
            why = ""
            tip = _("A villager objects to the chosen entry while its notice is posted; the objection is decided "
                    "under Public notice")
        enabled = bool(self.open_notices)
        for widget in (self.objection_button, self.objection_action):
            widget.setEnabled(enabled)
            widget.setToolTip(tip)
        self.objection_hint.setText(why)
        self.objection_hint.setVisible(bool(why) and self.ctx.can("points.write"))

    def show_context_menu(self, pos: QPoint) -> QMenu | None:
        """Right-click on an entry: the same actions as the buttons, disabled ones with their reason."""
        if not self.ctx.can("points.write"):
            return None
        index = self.table.indexAt(pos)
        if index.isValid():
            self.table.selectRow(index.row())
        if self.selected_line() is None:
            return None
        self._update_buttons()
        if self.menu is not None:
            self.menu.deleteLater()
        menu = QMenu(self)
        menu.setObjectName("ledgerMenu")
        menu.setToolTipsVisible(True)
        menu.addAction(self.reverse_action)
        menu.addAction(self.objection_action)
        self.menu = menu
        menu.popup(self.table.viewport().mapToGlobal(pos))
        return menu

    def reverse_selected(self) -> ReasonDialog | None:
        line = self.selected_line()
        if line is None or not self.ctx.can("points.write"):
            return None
        from app.services import points

        ctx = self.ctx

        def save(reason: str) -> None:
            write(ctx, lambda session: points.reverse(session, ctx.actor, line.id, reason), ENTRY_TABLES)

        what = f"{line.rule_code} {line.reason}".strip()
        dialog = ReasonDialog(ctx, _("Reverse an entry"),
                              _("A correction of {points} is recorded for “{what}”; the entry itself stays in the ledger.").format(
                                  points=signed(-line.points), what=what),
                              _("Reason"), _("Reverse"), save, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self._after_reverse)
        self.dialog = dialog
        dialog.open()
        return dialog

    # -------------------------------------------------------- objections

    def record_objection_selected(self) -> ObjectionDialog | None:
        line = self.selected_line()
        if line is None or self.data is None or not self.ctx.can("points.write"):
            return None
        self._update_buttons()
        if not self.open_notices:
            return None
        h = self.data.household
        what = " ".join(p for p in (line.rule_code, line.reason) if p)
        entry_text = _("{household} · {date} · {what} · {points}").format(
            household="  ".join(p for p in (h.number, h.head_name) if p), date=format_date(line.occurred_on),
            what=what, points=signed(line.points))
        dialog = ObjectionDialog(self.ctx, line.id, entry_text, self.open_notices, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def recorded() -> None:
            self.message.success(_("The objection of {who} is recorded; it is decided under Public notice.").format(
                who=dialog.raised_by.text().strip()))

        dialog.accepted.connect(recorded)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _after_reverse(self) -> None:
        self.message.success(_("The entry was reversed."))
        if self.household_id is not None:
            try:
                self.data = load_household(self.ctx, self.household_id)
            except Exception as exc:
                report_error(self, self.ctx, exc, traceback.format_exc())
            self._show()
