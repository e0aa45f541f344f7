"""The home page (工作台): what is due today — sessions planned for today, follow-up visits due,
judicial-confirmation windows about to close, overdue cases, risk visits due, households not yet assessed
in the open round, points entries awaiting review — as counters and as a list whose items open their record:
a case (`open_case_requested`), or a household's risk history, the rating of a household, a points entry in
the review queue (`open_record_requested(record, id)`; the main window routes it).

Composed of one service read (`app.services.today.gather_today`, and `safekeeping` for the backup and sync
line): no SQL here. The read runs on the worker pool in its own session (it takes a noticeable part of a
second on a desk of 50,000 households); the page keeps showing what it had ("Loading…" the first time) and
draws the result when it arrives. At most one read runs: a refresh asked for meanwhile runs once after it.

The list is a model and a view (`app.ui.home.items`): drawing a new result is one model reset, the rows have
one height from the font and the Open buttons are painted, so a list of some 330 items (a desk of 50,000
households) takes a few milliseconds on the GUI thread, not a few hundred. A row opens with the Open button,
a double-click, or Enter.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFont, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.clock import today
from app.i18n import _, format_date, format_datetime, ngettext
from app.services.context import Actor
from app.services.today import (
    CASE,
    KIND_LABELS,
    MAX_LISTED,
    Safekeeping,
    Today,
    TodayItem,
    gather_today,
    kinds_for,
    safekeeping,
)
from app.store.engine import Store
from app.ui.cases.common import HINT_COLOR, WARNING_COLOR, bigger, report_error, touches_cases
from app.ui.context import UiContext
from app.ui.home.items import (
    DETAILS,
    NUMBER,
    OPEN,
    PARTIES,
    TYPE,
    WHAT,
    WHEN,
    TextWidths,
    TodayItemsDelegate,
    TodayItemsModel,
    button_size,
    column_widths,
    item_key,
    row_height,
)
from app.ui.messages import ACCENT_COLOR, ERROR_COLOR
from app.ui.widgets import read_only_rows
from app.ui.worker import Progress, Task, run_task

__all__ = ["KINDS", "Card", "HomePage", "Today", "TodayItem"]

# a kind's counter: its words and its colour (the words are the signal; the colour helps the eye)
KINDS: dict[str, tuple[str, str]] = {
    "session": (KIND_LABELS["session"], ACCENT_COLOR),
    "overdue": (KIND_LABELS["overdue"], ERROR_COLOR),
    "confirmation": (KIND_LABELS["confirmation"], WARNING_COLOR),
    "follow_up": (KIND_LABELS["follow_up"], "#0f766e"),
    "risk_visit": (KIND_LABELS["risk_visit"], "#9a3412"),
    "points_review": (KIND_LABELS["points_review"], "#2f855a"),
    "not_assessed": (KIND_LABELS["not_assessed"], "#6b46c1"),
}
ORDER = tuple(KINDS)
CARDS_PER_ROW = 4
CAPPED_COLUMNS = (WHEN, PARTIES)  # a long note or many parties must not push the details out of sight
FITTED_COLUMNS = (WHAT, NUMBER, TYPE, OPEN)  # always as wide as their contents
# a change to these may change what is due today
WATCHED = frozenset({"risk_round", "risk_assessment", "risk_visit", "risk_factor", "points_entry", "points_review", "setting"})


def _touches_today(tables: object) -> bool:
    if touches_cases(tables):
        return True
    return isinstance(tables, set | frozenset | list | tuple) and bool(set(tables) & WATCHED)


class Card(QPushButton):
    """A counter: the number, big, over its words. Pressing it shows only its items below."""

    def __init__(self, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.setObjectName(f"card_{kind}")
        self.setCheckable(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.number = QLabel("0")
        self.number.setObjectName("cardNumber")
        self.number.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.words = QLabel()
        self.words.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.words.setWordWrap(True)
        for label in (self.number, self.words):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        column = QVBoxLayout(self)
        column.setContentsMargins(12, 8, 12, 8)
        column.setSpacing(2)
        column.addWidget(self.number)
        column.addWidget(self.words)
        self.count = 0
        self.counted = False  # False until the first count arrives (the number shows "…" meanwhile)
        self._paint(HINT_COLOR)

    def relabel(self) -> None:
        label, _color = KINDS[self.kind]
        self.words.setText(_(label))
        bigger(self.number, 2.0, bold=True)
        bigger(self.words, 1.0, bold=False)
        self.setMinimumHeight(self.number.sizeHint().height() + self.words.sizeHint().height() + 26)
        self._name()

    def set_count(self, count: int) -> None:
        self.count = count
        self.counted = True
        self.number.setText(str(count))
        _label, color = KINDS[self.kind]
        self._name()
        self._paint(color if count else HINT_COLOR)

    def _name(self) -> None:
        label, _color = KINDS[self.kind]
        words = _(label)
        shown = str(self.count) if self.counted else _("Loading…")
        self.setAccessibleName(f"{words}: {shown}")

    def _paint(self, shown: str) -> None:
        if not self.counted:
            self.number.setText("…")
        self.number.setStyleSheet(f"color: {shown};")
        self.setStyleSheet(
            "QPushButton { background: white; border: 1px solid #d5dae1; border-left: 5px solid " + shown + ";"
            " border-radius: 3px; text-align: left; }"
            " QPushButton:checked { background: #eef4fb; border: 2px solid " + ACCENT_COLOR + ";"
            " border-left: 5px solid " + shown + "; }"
            " QPushButton:focus { border: 2px solid " + ACCENT_COLOR + "; border-left: 5px solid " + shown + "; }")


@dataclass(frozen=True)
class Gathered:
    """What one background read found: today's work (or why it could not be read) and the safekeeping line."""

    today: Today | None
    error: BaseException | None
    traceback: str
    safekeeping: Safekeeping | None


def _gather(store: Store, actor: Actor, data_dir: Path) -> Gathered:
    """Runs on the worker pool: each read in its own session (sessions are not shared between threads)."""
    found: Today | None = None
    error: BaseException | None = None
    tb = ""
    try:
        with store.read() as session:
            found = gather_today(session, actor)
    except Exception as exc:
        error, tb = exc, traceback.format_exc()
    try:
        with store.read() as session:
            kept: Safekeeping | None = safekeeping(session, data_dir)
    except Exception:  # the home page still shows today's work
        kept = None
    return Gathered(found, error, tb, kept)


class HomePage(QWidget):
    open_case_requested = Signal(str)
    open_record_requested = Signal(str, str)  # record (today.RISK_HOUSEHOLD, ...), its id

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("HomePage")
        self.today: Today | None = None
        self.shown: list[TodayItem] = []
        self._stale = False
        self._task: Task | None = None  # the read running on the worker pool
        self._pending = False  # a refresh asked for while it ran: one more read when it ends
        self._generation = 0  # of the last read started; a result older than the one shown is dropped
        self._shown_generation = 0
        self.title = QLabel()
        self.title.setObjectName("homeTitle")
        self.date_label = QLabel()
        self.date_label.setStyleSheet(f"color: {HINT_COLOR};")
        self.refresh_button = QPushButton()
        self.refresh_button.clicked.connect(self.refresh)
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addWidget(self.date_label)
        head.addStretch(1)
        head.addWidget(self.refresh_button)
        # whether what was typed is kept elsewhere too: the last backup and the last sync (links open them)
        self.safety_label = QLabel()
        self.safety_label.setObjectName("homeSafekeeping")
        self.safety_label.setTextFormat(Qt.TextFormat.RichText)
        self.safety_label.linkActivated.connect(lambda section: self.open_record_requested.emit("section", section))
        self.safekeeping: Safekeeping | None = None
        self.cards: dict[str, Card] = {}
        cards_row = QGridLayout()
        cards_row.setSpacing(12)
        shown = kinds_for(ctx.actor)
        for kind in (k for k in KINDS if k in shown):
            card = Card(kind)
            card.toggled.connect(lambda on, kind=kind: self._card_toggled(kind, on))
            n = len(self.cards)
            self.cards[kind] = card
            cards_row.addWidget(card, n // CARDS_PER_ROW, n % CARDS_PER_ROW)
        for column in range(CARDS_PER_ROW):
            cards_row.setColumnStretch(column, 1)
        self.filter_label = QLabel()
        self.filter_label.setStyleSheet(f"color: {HINT_COLOR};")
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setStyleSheet("color: #d5dae1;")

        # the items: a model and a view (no widget per row: a desk of 50,000 households lists some 330 items)
        self.model = TodayItemsModel({kind: color for kind, (_label, color) in KINDS.items()}, self)
        self.table = QTableView()
        self.table.setObjectName("todayItems")
        self.table.setModel(self.model)
        self.delegate = TodayItemsDelegate(self.table)
        self.table.setItemDelegate(self.delegate)
        read_only_rows(self.table)
        self.table.setShowGrid(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # one height, set in relabel
        header = self.table.horizontalHeader()
        for column in FITTED_COLUMNS:  # as wide as their contents, set with each new list
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
        for column in CAPPED_COLUMNS:  # as wide as their text, up to a cap (the full text on hover)
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(DETAILS, QHeaderView.ResizeMode.Stretch)
        self.table.activated.connect(lambda index: self.open_row(index.row()))  # Enter, and double-click
        self.delegate.open_requested.connect(self.open_row)  # a click on the row's Open button
        self._widths: TextWidths | None = None  # of the texts in the table's font (measured once per font)
        self.table.installEventFilter(self)  # a new font size reaches the table after the relabel: refit then
        self.empty = QLabel()
        self.empty.setObjectName("homeEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.list_stack = QStackedWidget()
        self.list_stack.addWidget(self.table)
        self.list_stack.addWidget(self.empty)

        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.safety_label)
        layout.addLayout(cards_row)
        layout.addWidget(line)
        layout.addWidget(self.filter_label)
        layout.addWidget(self.list_stack, 1)
        ctx.changed.connect(self._on_changed)
        ctx.retranslate.connect(self.relabel)
        self.relabel()

    def relabel(self) -> None:
        bigger(self.title, 1.3, bold=True)
        self.title.setText(_("Today"))
        self.refresh_button.setText(_("Refresh"))
        self.refresh_button.setToolTip(_("F5"))
        for card in self.cards.values():
            card.relabel()
        bigger(self.empty, 1.2, bold=False)
        self._fit_rows()  # the font may have changed (the font size is chosen in Settings, then relabelled)
        self._show()  # the words of the figures already shown, at once; the read brings the rest
        self.refresh()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table and event.type() == QEvent.Type.FontChange:
            for header in (self.table.horizontalHeader(), self.table.verticalHeader()):
                if not header.testAttribute(Qt.WidgetAttribute.WA_SetFont) and header.font() != self.table.font():
                    header.setFont(QFont())  # take the table's again (now and then a header misses a font change)
            self._fit_rows()
            self._fit_columns()
        return super().eventFilter(watched, event)

    def _on_changed(self, tables: object) -> None:
        if not _touches_today(tables):
            return
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True  # counted again when the page is shown

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    @property
    def loading(self) -> bool:
        """Whether a read is running (or about to run): the figures shown may be about to change."""
        return self._task is not None or self._pending

    def refresh(self) -> None:
        """Read today's work again on the worker pool; returns at once. While a read runs, one more is
        queued (however many refreshes are asked for) and starts when it ends."""
        self._stale = False
        if self._task is not None:
            self._pending = True
            return
        self._start()

    def _start(self) -> None:
        self._pending = False
        self._generation += 1
        generation = self._generation
        store, actor, data_dir = self.ctx.store, self.ctx.actor, self.ctx.data_dir

        def work(_progress: Progress) -> Gathered:
            return _gather(store, actor, data_dir)

        def done(result: Any) -> None:
            if shiboken6.isValid(self):  # the page may have gone while the read ran
                self._finished(generation, result)

        def failed(exc: BaseException, tb: str) -> None:
            if shiboken6.isValid(self):
                self._finished(generation, Gathered(None, exc, tb, None))

        self._task = run_task(work, done, failed)

    def _finished(self, generation: int, result: Gathered) -> None:
        if generation == self._generation:
            self._task = None
        if generation > self._shown_generation:  # never over what a newer read found
            self._shown_generation = generation
            found = result.today if result.today is not None else Today(today())
            # drawing a long list takes a moment too: not again when nothing changed (a refresh on show, say)
            unchanged = found == self.today and result.safekeeping == self.safekeeping
            self.today, self.safekeeping = found, result.safekeeping
            if not unchanged:
                self._show()
            if result.error is not None:
                report_error(self, self.ctx, result.error, result.traceback)
        if self._pending and self._task is None:
            self._start()

    def _show(self) -> None:
        """Draw what was read last (the words in the current language); "Loading…" before the first read."""
        if self.today is None:
            self.date_label.setText(format_date(today()))
            self.safety_label.clear()
            self._show_items()
            return
        self.date_label.setText(format_date(self.today.on))
        self._show_safekeeping()
        for kind, card in self.cards.items():
            card.set_count(self.today.counts.get(kind, 0))
        self._show_items()

    def _show_safekeeping(self) -> None:
        state = self.safekeeping
        if state is None:
            self.safety_label.clear()
            return

        def part(ok: bool, text: str, section: str) -> str:
            color = HINT_COLOR if ok else WARNING_COLOR
            return f'<a href="{section}" style="color: {color}; text-decoration: none;">{text}</a>'

        backup = (_("Last backup: {when}").format(when=format_datetime(state.last_backup)) if state.last_backup
                  else _("No backup yet"))
        parts = [part(state.backup_recent, backup, "settings")]
        if state.reports_to_township:
            sync = (_("last sync with the township: {when}").format(when=format_datetime(state.last_sync)) if state.last_sync
                    else _("never synced with the township"))
            if state.pending:
                sync += ngettext(" ({n} change waiting)", " ({n} changes waiting)", state.pending).format(n=state.pending)
            parts.append(part(state.sync_recent, sync, "sync"))
        self.safety_label.setText(" · ".join(parts))

    def _chosen_kind(self) -> str | None:
        return next((kind for kind, card in self.cards.items() if card.isChecked()), None)

    def _card_toggled(self, kind: str, on: bool) -> None:
        if on:
            for other, card in self.cards.items():
                if other != kind and card.isChecked():
                    card.blockSignals(True)
                    card.setChecked(False)
                    card.blockSignals(False)
        self._show_items()

    def _show_items(self) -> None:
        if self.today is None:  # the first read has not come back yet
            self.shown = []
            self.model.set_items([])
            self.filter_label.hide()
            self.empty.setText(_("Loading…"))
            self.list_stack.setCurrentIndex(1)
            return
        items = self.today.items
        kind = self._chosen_kind()
        items = sorted((i for i in items if kind is None or i.kind == kind), key=lambda i: ORDER.index(i.kind))
        self.shown = items
        notes = []
        if kind:
            notes.append(_("Showing only: {what}. Press the card again to show everything.").format(what=_(KINDS[kind][0])))
        counts = self.today.counts
        cut = [k for k in self.cards if (kind is None or k == kind) and counts.get(k, 0) > MAX_LISTED]
        for k in cut:
            notes.append(_("{what}: the first {shown} of {n} are listed.").format(what=_(KINDS[k][0]), shown=MAX_LISTED,
                                                                                  n=counts[k]))
        self.filter_label.setText(" ".join(notes))
        self.filter_label.setVisible(bool(notes))
        self._set_items(items)
        if items:
            self.list_stack.setCurrentIndex(0)
        else:
            self.empty.setText(_("Nothing of this kind today.") if kind else
                               _("Nothing is due today: no session planned, no visit due, no deadline passed."))
            self.list_stack.setCurrentIndex(1)

    def _set_items(self, items: list[TodayItem]) -> None:
        """Show `items`: one model reset, the same item kept current (and selected) if it is still listed, and
        the columns fitted to the texts."""
        current = self.model.item(self.table.currentIndex().row())
        self.model.set_items(items)
        if current is not None:
            row = self.model.row_of(item_key(current))
            if row >= 0:
                self.table.setCurrentIndex(self.model.index(row, 0))
        self._fit_columns()

    def _fit_columns(self) -> None:
        font = self.table.font()
        if self._widths is None or self._widths.font != font:
            self._widths = TextWidths(font)
        style = self.table.style()
        margin = 2 * (style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self.table) + 1)
        header = self.table.horizontalHeader()
        widths = column_widths(self.model, self._widths, margin, header.sectionSizeHint,
                               button_size(_("Open"), font, self.table).width())
        cap = self.table.fontMetrics().horizontalAdvance("中" * 12) + 16
        for column, width in enumerate(widths):
            if column in CAPPED_COLUMNS:
                header.resizeSection(column, min(width, cap))
            elif column in FITTED_COLUMNS:
                header.resizeSection(column, width)

    def _fit_rows(self) -> None:
        """Every row the same height, from the font of the moment (computed once per font, not per row)."""
        height = row_height(self.table.font(), _("Open"), self.table)
        rows = self.table.verticalHeader()
        rows.setMinimumSectionSize(min(rows.minimumSectionSize(), height))
        rows.setDefaultSectionSize(height)

    def open_item(self, item: TodayItem) -> None:
        if item.record == CASE:
            self.open_case_requested.emit(item.record_id)
        else:
            self.open_record_requested.emit(item.record, item.record_id)

    def open_row(self, row: int) -> None:
        if 0 <= row < len(self.shown):
            self.open_item(self.shown[row])
