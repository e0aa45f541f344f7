"""Helpers shared by the views of the points section: the tables the section listens to, labels and colours
of an entry's status, stars, periods, the lists (each row carrying its id; the list or why it is empty), the
choice of a villager group, non-blocking message boxes, the one way a view writes (one service call in one
write transaction, then `ctx.changed`), and the keyboard finders for a household and a rule."""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QStackedWidget,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import Session

from app.clock import today
from app.errors import DeskError
from app.i18n import N_, _
from app.models.points import ENTRY_KIND_LABELS, EntryKind
from app.paths import log_file
from app.ui import messages
from app.ui.context import UiContext
from app.ui.messages import ERROR_COLOR
from app.ui.messages import inform as inform  # shared, re-exported here
from app.ui.messages import warn as warn
from app.ui.widgets import HINT_COLOR as HINT_COLOR  # shared, re-exported here
from app.ui.widgets import bigger as bigger
from app.ui.widgets import date_edit as date_edit
from app.ui.widgets import date_to_q as date_to_q
from app.ui.widgets import hint_label as hint_label
from app.ui.widgets import q_to_date as q_to_date
from app.ui.widgets import row_list

log = logging.getLogger("mediation_desk")

ID_ROLE = Qt.ItemDataRole.UserRole + 1  # the id a list's row stands for, on the row's first cell

OK_COLOR = "#2f855a"
WARNING_COLOR = "#b45309"
STAR_COLOR = "#b7791f"
GAIN_COLOR = "#2f855a"
LOSS_COLOR = "#b42318"
BALANCE_COLOR = "#2b6cb0"

ENTRY_TABLES = frozenset({"points_entry"})
REVIEW_TABLES = frozenset({"points_entry", "points_review"})
CATALOG_TABLES = frozenset({"rule_version", "rule_item", "setting"})
SHOP_TABLES = frozenset({"shop_item", "stock_in", "redemption", "points_entry"})
NOTICE_TABLES = frozenset({"points_notice", "points_objection", "points_entry"})
POINTS_TABLES = ENTRY_TABLES | REVIEW_TABLES | CATALOG_TABLES | SHOP_TABLES | NOTICE_TABLES
ROSTER_TABLES = frozenset({"household", "person", "grid_cell"})

STATUS_LABELS = {
    "counted": N_("Counted"),
    "pending": N_("Awaiting review"),
    "rejected": N_("Rejected"),
    "reversed": N_("Reversed"),
}
STATUS_COLORS = {"counted": OK_COLOR, "pending": WARNING_COLOR, "rejected": ERROR_COLOR, "reversed": HINT_COLOR}
CAP_PERIOD_LABELS = {"month": N_("per month"), "quarter": N_("per quarter"), "year": N_("per year")}
FULL_STAR = "★"
EMPTY_STAR = "☆"


def touches(tables: object, names: Iterable[str]) -> bool:
    """Whether a `ctx.changed` payload concerns any of `names` (anything that is not a set of names: yes)."""
    if isinstance(tables, set | frozenset | list | tuple):
        return bool(set(tables) & set(names)) or not tables
    return True


def status_label(status: str) -> str:
    return _(STATUS_LABELS[status]) if status in STATUS_LABELS else status


def kind_label(kind: str) -> str:
    try:
        return _(ENTRY_KIND_LABELS[EntryKind(kind)])
    except ValueError:
        return kind


def cap_period_label(period: str) -> str:
    return _(CAP_PERIOD_LABELS[period]) if period in CAP_PERIOD_LABELS else period


def stars_text(stars: int, max_stars: int) -> str:
    """★★★☆☆: the stars earned, then the ones still to earn."""
    stars = max(0, stars)
    return FULL_STAR * stars + EMPTY_STAR * max(0, max_stars - stars)


def signed(points: int) -> str:
    return f"{points:+d}"


# ---------------------------------------------------------------- periods

@dataclass(frozen=True)
class PeriodChoice:
    key: str
    label: str
    text: str  # what parse_period reads: 2026-11, 2026Q4, 2026


def _month_text(year: int, month: int) -> str:
    return f"{year}-{month:02d}"


def period_choices(on: dt.date | None = None, *, past_only: bool = False) -> list[PeriodChoice]:
    """This and last month, quarter and year (only the finished ones with `past_only`: a notice is posted
    after its period)."""
    day = on or today()
    quarter = (day.month - 1) // 3 + 1
    last_month = day.replace(day=1) - dt.timedelta(days=1)
    last_q_year, last_q = (day.year, quarter - 1) if quarter > 1 else (day.year - 1, 4)
    current = [
        PeriodChoice("month", _("This month ({period})").format(period=_month_text(day.year, day.month)),
                     _month_text(day.year, day.month)),
        PeriodChoice("quarter", _("This quarter ({period})").format(period=f"{day.year}Q{quarter}"), f"{day.year}Q{quarter}"),
        PeriodChoice("year", _("This year ({period})").format(period=day.year), str(day.year)),
    ]
    past = [
        PeriodChoice("last_month", _("Last month ({period})").format(period=_month_text(last_month.year, last_month.month)),
                     _month_text(last_month.year, last_month.month)),
        PeriodChoice("last_quarter", _("Last quarter ({period})").format(period=f"{last_q_year}Q{last_q}"),
                     f"{last_q_year}Q{last_q}"),
        PeriodChoice("last_year", _("Last year ({period})").format(period=day.year - 1), str(day.year - 1)),
    ]
    return past if past_only else current + past


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


# ---------------------------------------------------------------- dates







# ---------------------------------------------------------------- labels and fonts





class InlineMessage(QLabel):
    """One line under a form that says what went wrong (red) or what was done (green); hidden when empty."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.kind = ""
        self.hide()

    def error(self, text: str) -> None:
        self._set(text, ERROR_COLOR, "error")

    def success(self, text: str) -> None:
        self._set(text, OK_COLOR, "ok")

    def note(self, text: str) -> None:
        self._set(text, HINT_COLOR, "note")

    def _set(self, text: str, color: str, kind: str) -> None:
        self.kind = kind if text else ""
        self.setStyleSheet(f"color: {color};")
        self.setText(text)
        self.setVisible(bool(text))

    def clear_message(self) -> None:
        self.kind = ""
        self.clear()
        self.hide()


def empty_state(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setObjectName("emptyState")
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setStyleSheet(f"color: {HINT_COLOR};")
    bigger(label, 1.15, bold=False)
    return label


# ---------------------------------------------------------------- lists


class ListOrEmpty(QStackedWidget):
    """A list (`content`), or in its place a line that says why it is empty (`empty`, an `empty_state`)."""

    def __init__(self, content: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.content = content
        self.empty = empty_state()
        self.addWidget(content)
        self.addWidget(self.empty)

    def show_list(self) -> None:
        self.setCurrentWidget(self.content)

    def show_empty(self, text: str) -> None:
        self.empty.setText(text)
        self.setCurrentWidget(self.empty)


def list_table(columns: int, name: str, *, stretch_last: bool = True) -> QTableWidget:
    """An empty read-only list (`row_list`) of `columns` columns, named `name`; its rows are filled by hand, the
    first cell of each carrying the row's id (`ID_ROLE`, or another role) for `chosen_id`, `chosen_item` and
    `select_id`."""
    widget = QTableWidget(0, columns)
    widget.setObjectName(name)
    row_list(widget, stretch_last=stretch_last)
    return widget


def chosen_id(table: QTableWidget, role: int = ID_ROLE) -> Any:
    """The id (the `role` data of the first cell) of the row chosen in `table`; None when no row is chosen."""
    row = table.currentRow()
    if not 0 <= row < table.rowCount() or not table.selectionModel().hasSelection():
        return None
    item = table.item(row, 0)
    return item.data(role) if item is not None else None


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


HasId = TypeVar("HasId", bound=_HasId)


def chosen_item(table: QTableWidget, items: Iterable[HasId], role: int = ID_ROLE) -> HasId | None:
    """The one of `items` whose id the row chosen in `table` carries (`chosen_id`); None when none is chosen."""
    item_id = chosen_id(table, role)
    return next((item for item in items if item.id == item_id), None)


def select_id(table: QTableWidget, value: object, role: int = ID_ROLE) -> None:
    """Choose the row of `table` whose first cell carries `value` as its `role` data (none: nothing changes)."""
    for r in range(table.rowCount()):
        item = table.item(r, 0)
        if item is not None and item.data(role) == value:
            table.selectRow(r)
            return


def fill_group_combo(ctx: UiContext, combo: QComboBox) -> None:
    """“Whole village” (no data) and then the villager groups (data: the group's id) in `combo`, keeping the
    group chosen before; the combo sends no signals while it is refilled."""
    from app.services import grid

    keep = combo.currentData()
    with ctx.store.read() as session:
        groups = [(g.id, g.name) for g in grid.groups(session)]
    combo.blockSignals(True)
    combo.clear()
    combo.addItem(_("Whole village"), None)
    for gid, name in groups:
        combo.addItem(name, gid)
    combo.setCurrentIndex(max(combo.findData(keep), 0))
    combo.blockSignals(False)


# ---------------------------------------------------------------- messages

def ask(parent: QWidget, title: str, text: str, on_yes: Callable[[], object], *, yes_text: str = "",
        no_text: str = "") -> QMessageBox:
    """A yes/no question that does not block; here Yes is the default (the points views ask to confirm)."""
    return messages.ask(parent, title, text, on_yes, yes_text=yes_text, no_text=no_text, default_yes=True)


def error_message(ctx: UiContext, exc: BaseException, tb: str = "") -> str:
    """The words for `exc`: its own message, or — for a bug, logged with its traceback — where the details are."""
    if isinstance(exc, DeskError):
        return exc.message
    log.error("unexpected error in the points section\n%s", tb or repr(exc), exc_info=None if tb else exc)
    return _("Something went wrong. The details are saved in {path}.").format(path=log_file(ctx.data_dir))


def report_error(parent: QWidget, ctx: UiContext, exc: BaseException, tb: str = "") -> QMessageBox:
    title = _("Cannot do this") if isinstance(exc, DeskError) else _("Something went wrong")
    return warn(parent, title, error_message(ctx, exc, tb))


def write(ctx: UiContext, call: Callable[[Session], Any], tables: Iterable[str]) -> Any:
    """Run one service call in one write transaction; tell the other pages what changed. Errors propagate."""
    with ctx.store.write() as session:
        result = call(session)
    ctx.changed.emit(set(tables))
    return result


def alive(widget: QObject) -> bool:
    """Whether a widget still exists (a worker's result may arrive after its view has gone)."""
    return shiboken6.isValid(widget)


# ---------------------------------------------------------------- finders

@dataclass(frozen=True)
class Match:
    label: str
    payload: Any


class Finder(QWidget):
    """A text field with the matches listed under it: typing narrows the list; Up/Down choose; Enter picks
    the chosen match (the top one unless another was chosen), without the mouse. `picked` carries the
    match's payload; typing again after a pick clears it (`cleared`)."""

    picked = Signal(object)
    cleared = Signal()
    nothing_found = Signal(str)

    SEARCH_DELAY_MS = 150
    VISIBLE_ROWS = 6

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit()
        self.edit.setClearButtonEnabled(True)
        self.matches = QListWidget()
        self.matches.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.matches.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.matches.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.matches.itemClicked.connect(lambda item: self._pick_row(self.matches.row(item)))
        self.matches.hide()
        self.current: Any = None
        self._results: list[Match] = []
        self._searched = ""
        self._setting = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.search_now)
        self.edit.textChanged.connect(self._text_changed)
        self.edit.installEventFilter(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit)
        layout.addWidget(self.matches)
        self.setFocusProxy(self.edit)

    # -------------------------------------------------------- to override

    def matches_for(self, text: str) -> list[Match]:
        raise NotImplementedError

    def describe(self, payload: Any) -> str:
        """What the field shows once a match is picked."""
        return str(payload)

    # -------------------------------------------------------- searching

    def _text_changed(self, text: str) -> None:
        if self._setting:
            return
        if self.current is not None:
            self.current = None
            self.cleared.emit()
        if text.strip():
            self._timer.start()
        else:
            self._timer.stop()
            self._show([])

    def search_now(self) -> list[Match]:
        self._timer.stop()
        text = self.edit.text().strip()
        if not text:
            self._show([])
            return []
        try:
            results = self.matches_for(text)
        except Exception:
            log.exception("search failed")
            results = []
        self._searched = text
        self._show(results)
        return results

    def _show(self, results: list[Match]) -> None:
        self._results = results
        self.matches.clear()
        for match in results:
            self.matches.addItem(QListWidgetItem(match.label))
        if results:
            self.matches.setCurrentRow(0)
            rows = min(len(results), self.VISIBLE_ROWS)
            height = self.matches.sizeHintForRow(0) * rows + 2 * self.matches.frameWidth() + 2
            self.matches.setFixedHeight(max(height, 24))
        self.matches.setVisible(bool(results))

    # -------------------------------------------------------- picking

    def pick(self) -> bool:
        """Enter: pick the chosen match (searching first if the list is not up to date)."""
        if self.current is not None and not self._timer.isActive():
            self.picked.emit(self.current)
            return True
        text = self.edit.text().strip()
        if not text:
            return False
        if self._timer.isActive() or text != self._searched:
            self.search_now()
        if not self._results:
            self.nothing_found.emit(text)
            return False
        return self._pick_row(max(self.matches.currentRow(), 0))

    def _pick_row(self, row: int) -> bool:
        if not 0 <= row < len(self._results):
            return False
        self.set_current(self._results[row].payload)
        self.picked.emit(self.current)
        return True

    def set_current(self, payload: Any) -> None:
        """Show `payload` as picked (without emitting `picked`)."""
        self._timer.stop()
        self.current = payload
        self._setting = True
        try:
            self.edit.setText(self.describe(payload))
        finally:
            self._setting = False
        self._searched = self.edit.text().strip()
        self._show([])

    def reset(self) -> None:
        """Empty the field and forget the pick."""
        self._timer.stop()
        self._setting = True
        try:
            self.edit.clear()
        finally:
            self._setting = False
        self.current = None
        self._searched = ""
        self._show([])

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit and event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) \
                and event.matches(QKeySequence.StandardKey.Undo) and not self.edit.text():
            event.ignore()  # nothing to undo in an empty field: Ctrl+Z goes to the view (undo the last entry)
            return True
        if watched is self.edit and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.pick()
                return True
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and self._results:
                step = 1 if key == Qt.Key.Key_Down else -1
                row = min(max(self.matches.currentRow() + step, 0), len(self._results) - 1)
                self.matches.setCurrentRow(row)
                return True
            if key == Qt.Key.Key_Escape and self.matches.isVisible():
                self._show([])
                return True
        return False


class HouseholdFinder(Finder):
    """Finds a household by 户号, name, full pinyin or initials (the roster's own search); an exact 户号
    or name comes first."""

    LIMIT = 30

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("householdFinder")
        self.edit.setObjectName("householdFinderEdit")

    def matches_for(self, text: str) -> list[Match]:
        from app.services import households

        with self.ctx.store.read() as session:
            rows = households.list_households(session, self.ctx.actor, query=text, limit=self.LIMIT)
        q = text.strip().lower()

        def rank(row: households.HouseholdRow) -> tuple[int, int, str]:
            number = row.number.lower()
            first = 0 if number == q else 1 if number.startswith(q) else 2
            return first, 0 if row.head_name == text.strip() else 1, row.number

        rows.sort(key=rank)
        return [Match(self.describe(r), r) for r in rows]

    def describe(self, payload: Any) -> str:
        parts = [payload.number, payload.head_name or _("(no head)")]
        if payload.group_name:
            parts.append(payload.group_name)
        return "  ".join(parts)


class RuleFinder(Finder):
    """Finds a rule of the active catalog by its code (A01) or part of its wording or category."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ruleFinder")
        self.edit.setObjectName("ruleFinderEdit")
        self.rules: list[Any] = []

    def set_rules(self, rules: list[Any]) -> None:
        self.rules = list(rules)

    def matches_for(self, text: str) -> list[Match]:
        q = text.strip().lower()
        scored: list[tuple[int, int, Any]] = []
        for position, rule in enumerate(self.rules):
            code = rule.code.lower()
            if code == q:
                score = 0
            elif code.startswith(q):
                score = 1
            elif q in rule.wording.lower():
                score = 2
            elif q in rule.category.lower():
                score = 3
            else:
                continue
            scored.append((score, position, rule))
        scored.sort(key=lambda t: (t[0], t[1]))
        return [Match(self.describe(rule), rule) for _s, _p, rule in scored]

    def describe(self, payload: Any) -> str:
        return f"{payload.code}  {payload.wording}  {signed(payload.points)}"


# ---------------------------------------------------------------- the catalog, as plain data

@dataclass(frozen=True)
class RuleView:
    code: str
    category: str
    wording: str
    points: int
    cap: int | None
    cap_period: str
    needs_review: bool


@dataclass(frozen=True)
class CatalogData:
    name: str
    adopted_on: dt.date
    adopted_by: str
    note: str
    rules: list[RuleView]


def load_catalog(ctx: UiContext) -> CatalogData:
    """The active version of the village rules with its items; the shipped catalog becomes the first
    version when there is none yet (as the services do at the first entry)."""
    from app.services import points_catalog

    with ctx.store.read() as session:
        version = points_catalog.active_version(session)
        items = points_catalog.items(session, version.id) if version is not None else []
    if version is None:
        with ctx.store.write() as session:
            version = points_catalog.ensure_default_catalog(session)
            items = points_catalog.items(session, version.id)
    rules = [RuleView(i.code, i.category, i.wording, i.points, i.cap, i.cap_period, i.needs_review) for i in items]
    return CatalogData(version.name, version.adopted_on, version.adopted_by, version.note, rules)
