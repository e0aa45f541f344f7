"""Quick entry (快速录入), built for the keyboard: type 户号, a name or pinyin initials and press Enter (the
top match is picked); type a rule's code (A01) or part of its wording and press Enter; press Enter again
to save. The household field is then empty and has the focus for the next household; the rule stays,
selected, so the same rule for the next household is Enter, Enter, Enter. Errors (a cap reached, a date in
the future) are shown in red under the form and nothing is saved. The entries made here are listed below,
each can be undone by a reversal (Ctrl+Z undoes the chosen one)."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTime
from PySide6.QtGui import QColor, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.clock import today
from app.errors import ValidationError
from app.i18n import N_, _
from app.services.households import HouseholdRow
from app.ui.context import UiContext
from app.ui.messages import field_label
from app.ui.points.common import (
    ENTRY_TABLES,
    GAIN_COLOR,
    HINT_COLOR,
    LOSS_COLOR,
    STATUS_COLORS,
    HouseholdFinder,
    InlineMessage,
    RuleFinder,
    RuleView,
    ask,
    bigger,
    cap_period_label,
    date_edit,
    date_to_q,
    error_message,
    hint_label,
    list_table,
    load_catalog,
    q_to_date,
    signed,
    status_label,
    write,
)

RECENT_LIMIT = 50


@dataclass(frozen=True)
class RecentEntry:
    entry_id: str
    time: str
    household: str
    rule: str
    points: int
    status: str  # counted / pending / reversed
    balance_after: int


class _EnterFilter(QObject):
    """Enter or Return in a widget that does not say so itself (a date field) runs `callback`."""

    def __init__(self, parent: QObject, callback: Callable[[], object]) -> None:
        super().__init__(parent)
        self._callback = callback

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and \
                event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._callback()
            return True
        return False


class QuickEntryView(QWidget):
    RECENT_COLUMNS = (N_("Time"), N_("Household"), N_("Rule code"), N_("Points"), N_("Balance after"), N_("Status"))

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("pointsQuickEntry")
        self.household: HouseholdRow | None = None
        self.rule: RuleView | None = None
        self.recent: list[RecentEntry] = []
        self.dialog: QWidget | None = None

        self.intro = hint_label()
        self.household_finder = HouseholdFinder(ctx)
        self.rule_finder = RuleFinder()
        self.date = date_edit(today(), maximum=today())
        self.date.setObjectName("entryDate")
        self.date.installEventFilter(_EnterFilter(self, self.save))
        self.note = QLineEdit()
        self.note.setObjectName("entryNote")
        self.note.setMaxLength(1000)
        self.note.returnPressed.connect(self.save)
        self.household_hint = hint_label()
        self.household_hint.setObjectName("householdHint")
        self.rule_hint = hint_label()
        self.rule_hint.setObjectName("ruleHint")
        self.save_button = QPushButton()
        self.save_button.setObjectName("saveEntry")
        self.save_button.setAutoDefault(True)
        self.save_button.clicked.connect(self.save)
        self.message = InlineMessage()
        self.message.setObjectName("entryMessage")

        self.household_label = QLabel()
        self.rule_label = QLabel()
        self.date_label = QLabel()
        self.note_label = QLabel()
        for label, buddy in ((self.household_label, self.household_finder.edit), (self.rule_label, self.rule_finder.edit),
                             (self.date_label, self.date), (self.note_label, self.note)):
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setBuddy(buddy)
        form = QGridLayout()
        form.setColumnStretch(1, 3)
        form.setColumnStretch(2, 2)
        form.addWidget(self.household_label, 0, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.addWidget(self.household_finder, 0, 1)
        form.addWidget(self.household_hint, 0, 2, Qt.AlignmentFlag.AlignTop)
        form.addWidget(self.rule_label, 1, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.addWidget(self.rule_finder, 1, 1)
        form.addWidget(self.rule_hint, 1, 2, Qt.AlignmentFlag.AlignTop)
        form.addWidget(self.date_label, 2, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.addWidget(self.date, 2, 1, Qt.AlignmentFlag.AlignLeft)
        form.addWidget(self.note_label, 3, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.addWidget(self.note, 3, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        form.addLayout(buttons, 4, 1)
        form.addWidget(self.message, 5, 1, 1, 2)

        self.recent_box = QGroupBox()
        self.recent_table = list_table(len(self.RECENT_COLUMNS), "recentEntries")
        self.recent_table.itemSelectionChanged.connect(self._update_undo)
        self.undo_button = QPushButton()
        self.undo_button.setObjectName("undoEntry")
        self.undo_button.clicked.connect(self.undo_selected)
        self.recent_empty = hint_label()
        recent_layout = QVBoxLayout(self.recent_box)
        recent_layout.addWidget(self.recent_empty)
        recent_layout.addWidget(self.recent_table, 1)
        undo_row = QHBoxLayout()
        undo_row.addStretch(1)
        undo_row.addWidget(self.undo_button)
        recent_layout.addLayout(undo_row)
        QShortcut(QKeySequence.StandardKey.Undo, self, self.undo_selected,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.recent_box, 1)

        self.setTabOrder(self.household_finder.edit, self.rule_finder.edit)
        self.setTabOrder(self.rule_finder.edit, self.date)
        self.setTabOrder(self.date, self.note)
        self.setTabOrder(self.note, self.save_button)

        self.household_finder.picked.connect(self._household_picked)
        self.household_finder.cleared.connect(self._household_cleared)
        self.household_finder.nothing_found.connect(
            lambda text: self.message.error(_("No household matches “{query}”.").format(query=text)))
        self.rule_finder.picked.connect(self._rule_picked)
        self.rule_finder.cleared.connect(self._rule_cleared)
        self.rule_finder.nothing_found.connect(
            lambda text: self.message.error(_("No rule matches “{query}”. Type a code such as A01 or part of the wording.").format(
                query=text)))
        self.relabel()
        self.refresh()

    # -------------------------------------------------------- labels

    def relabel(self) -> None:
        self.intro.setText(_("Keyboard only: type the household no., a name or pinyin initials and press Enter; type the "
                             "rule's code (A01) or part of its wording and press Enter; press Enter again to save."))
        self.household_label.setText(field_label(_("Household"), True))
        self.rule_label.setText(field_label(_("Rule"), True))
        self.date_label.setText(_("Date"))
        self.note_label.setText(_("Note"))
        self.household_finder.edit.setPlaceholderText(_("Household no., name or pinyin initials (e.g. zs)"))
        self.rule_finder.edit.setPlaceholderText(_("Rule code (e.g. A01) or words of the rule"))
        self.note.setPlaceholderText(_("Optional"))
        self.save_button.setText(_("Save (Enter)"))
        self.recent_box.setTitle(_("Entered here"))
        self.recent_empty.setText(_("The entries you save appear here; a wrong one can be undone (Ctrl+Z)."))
        self.undo_button.setText(_("Undo the chosen entry (Ctrl+Z)"))
        self.undo_button.setToolTip(_("Records a correction that cancels the entry; both stay in the ledger"))
        self.recent_table.setHorizontalHeaderLabels([_(c) for c in self.RECENT_COLUMNS])
        bigger(self.household_finder.edit, 1.15, bold=False)
        bigger(self.rule_finder.edit, 1.15, bold=False)
        self._fill_recent()
        self._show_household_hint()
        self._show_rule_hint()

    def refresh(self) -> None:
        """Read the catalog again (a new version may have been adopted); what is typed stays."""
        self.date.setMaximumDate(date_to_q(today()))
        try:
            catalog = load_catalog(self.ctx)
        except Exception as exc:
            self.message.error(error_message(self.ctx, exc, traceback.format_exc()))
            return
        self.rule_finder.set_rules(catalog.rules)
        if self.rule is not None:
            self.rule = next((r for r in catalog.rules if r.code == self.rule.code), None)
            if self.rule is None:
                self.rule_finder.reset()
            self._show_rule_hint()

    def focus_first(self) -> None:
        self.household_finder.edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self.household_finder.edit.selectAll()

    # -------------------------------------------------------- picking

    def _household_picked(self, row: HouseholdRow) -> None:
        self.household = row
        self.message.clear_message()
        self._show_household_hint()
        self.rule_finder.edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self.rule_finder.edit.selectAll()

    def _household_cleared(self) -> None:
        self.household = None
        self._show_household_hint()

    def _show_household_hint(self) -> None:
        if self.household is None:
            self.household_hint.setText("")
            return
        from app.services import points

        try:
            with self.ctx.store.read() as session:
                balance = points.balance(session, self.household.id)
        except Exception:
            self.household_hint.setText("")
            return
        self.household_hint.setText(_("Balance now: {n} points").format(n=balance))

    def _rule_picked(self, rule: RuleView) -> None:
        self.rule = rule
        self.message.clear_message()
        self._show_rule_hint()
        self.save_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _rule_cleared(self) -> None:
        self.rule = None
        self._show_rule_hint()

    def _show_rule_hint(self) -> None:
        rule = self.rule
        if rule is None:
            self.rule_hint.setText("")
            return
        parts = [signed(rule.points)]
        if rule.cap is not None:
            parts.append(_("at most {cap} {period}").format(cap=rule.cap, period=cap_period_label(rule.cap_period)))
        parts.append(_("needs a second person's review") if rule.needs_review else _("counts at once"))
        self.rule_hint.setText("  ·  ".join(parts))

    # -------------------------------------------------------- saving

    def save(self) -> bool:
        """Save the entry; on success the household field is emptied and focused for the next household."""
        if not self.ctx.can("points.write"):
            return False
        if self.household is None:
            if self.household_finder.edit.text().strip() and self.household_finder.pick():
                return False  # picked now: the rule comes next
            self.message.error(_("Choose a household first: type its number, a name or pinyin initials and press Enter."))
            self.focus_first()
            return False
        if self.rule is None:
            if self.rule_finder.edit.text().strip() and self.rule_finder.pick():
                return False  # picked now: Enter once more saves
            self.message.error(_("Choose a rule: type its code (A01) or part of its wording and press Enter."))
            self.rule_finder.edit.setFocus(Qt.FocusReason.OtherFocusReason)
            return False
        from app.services import points
        from app.services.points import EntryInput

        household, rule = self.household, self.rule
        data = EntryInput(household.id, q_to_date(self.date.date()), rule.code, note=self.note.text())

        def add(session: Any) -> tuple[str, bool, int]:
            entry = points.add_entry(session, self.ctx.actor, data)
            session.flush()
            return entry.id, entry.needs_review, points.balance(session, household.id)

        try:
            entry_id, pending, balance_after = write(self.ctx, add, ENTRY_TABLES)
        except ValidationError as exc:
            self._show_error(exc)
            return False
        except Exception as exc:
            self.message.error(error_message(self.ctx, exc, traceback.format_exc()))
            return False
        who = f"{household.number} {household.head_name}".strip()
        self.recent.insert(0, RecentEntry(entry_id, QTime.currentTime().toString("HH:mm"), who, rule.code, rule.points,
                                          "pending" if pending else "counted", balance_after))
        del self.recent[RECENT_LIMIT:]
        self._fill_recent()
        if pending:
            self.message.success(_("Saved: {household} · {rule} {points}; it counts once a second person approves it.").format(
                household=who, rule=rule.code, points=signed(rule.points)))
        else:
            self.message.success(_("Saved: {household} · {rule} {points}; balance now {balance}.").format(
                household=who, rule=rule.code, points=signed(rule.points), balance=balance_after))
        self.note.clear()
        self.household = None
        self.household_finder.reset()
        self._show_household_hint()
        self.rule_finder.set_current(rule)  # the same rule is kept (selected) for the next household
        self.focus_first()
        return True

    def _show_error(self, exc: ValidationError) -> None:
        self.message.error(exc.message)
        if exc.field in ("household_id",):
            self.focus_first()
        elif exc.field == "occurred_on":
            self.date.setFocus(Qt.FocusReason.OtherFocusReason)
        elif exc.field == "note":
            self.note.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.rule_finder.edit.setFocus(Qt.FocusReason.OtherFocusReason)
            self.rule_finder.edit.selectAll()

    # -------------------------------------------------------- the entries made here

    def _fill_recent(self) -> None:
        self.recent_table.setRowCount(len(self.recent))
        for r, entry in enumerate(self.recent):
            values = [entry.time, entry.household, entry.rule, signed(entry.points), str(entry.balance_after),
                      status_label(entry.status)]
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                if c in (3, 4):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if c == 3:
                    item.setForeground(QColor(GAIN_COLOR if entry.points > 0 else LOSS_COLOR))
                if c == 5:
                    item.setForeground(QColor(STATUS_COLORS.get(entry.status, HINT_COLOR)))
                self.recent_table.setItem(r, c, item)
        self.recent_table.resizeColumnsToContents()
        self.recent_table.setVisible(bool(self.recent))
        self.recent_empty.setVisible(not self.recent)
        if self.recent and not self.recent_table.selectionModel().hasSelection():
            self.recent_table.selectRow(0)
        self._update_undo()

    def _chosen_recent(self) -> int:
        row = self.recent_table.currentRow()
        if 0 <= row < len(self.recent) and self.recent_table.selectionModel().hasSelection():
            return row
        return 0 if self.recent else -1

    def _update_undo(self) -> None:
        row = self._chosen_recent()
        self.undo_button.setVisible(self.ctx.can("points.write") and bool(self.recent))
        self.undo_button.setEnabled(row >= 0 and self.recent[row].status == "counted")

    def undo_selected(self) -> None:
        row = self._chosen_recent()
        if row < 0 or not self.ctx.can("points.write"):
            return
        entry = self.recent[row]
        if entry.status != "counted":
            if entry.status == "pending":
                self.message.error(_("This entry does not count yet; a reviewer rejects it in the review queue."))
            return
        self.dialog = ask(self, _("Undo an entry"),
                          _("Undo {household} · {rule} {points}? A correction of {correction} is recorded; both stay in "
                            "the ledger.").format(household=entry.household, rule=entry.rule, points=signed(entry.points),
                                                  correction=signed(-entry.points)),
                          lambda: self.undo(entry.entry_id), yes_text=_("Undo"), no_text=_("Keep"))

    def undo(self, entry_id: str) -> bool:
        from app.services import points

        index = next((i for i, e in enumerate(self.recent) if e.entry_id == entry_id), -1)
        if index < 0:
            return False
        entry = self.recent[index]
        reason = _("Entered by mistake; undone in quick entry")

        def reverse(session: Any) -> int:
            reversal = points.reverse(session, self.ctx.actor, entry_id, reason)
            session.flush()
            return points.balance(session, reversal.household_id)

        try:
            balance = write(self.ctx, reverse, ENTRY_TABLES)
        except Exception as exc:  # a known error in its own words (error_message)
            self.message.error(error_message(self.ctx, exc, traceback.format_exc()))
            return False
        self.recent[index] = replace(entry, status="reversed", balance_after=balance)
        self._fill_recent()
        self.message.success(_("Undone: {household} · {rule} {points}; balance now {balance}.").format(
            household=entry.household, rule=entry.rule, points=signed(entry.points), balance=balance))
        self.focus_first()
        return True

