"""The review queue (待审核): entries that count only once a second person approves them — rules marked
for review and reasons outside the rules. Approve, or reject with a reason. The person who recorded an
entry cannot review it: the service says so, and its message is shown."""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import N_, _, format_date, format_number, ngettext
from app.ui.context import UiContext
from app.ui.points.common import (
    GAIN_COLOR,
    HINT_COLOR,
    ID_ROLE,
    LOSS_COLOR,
    REVIEW_TABLES,
    InlineMessage,
    ListOrEmpty,
    chosen_item,
    error_message,
    hint_label,
    kind_label,
    list_table,
    select_id,
    signed,
    write,
)
from app.ui.points.dialogs import ReasonDialog
from app.ui.widgets import columns_to_contents


@dataclass(frozen=True)
class Pending:
    id: str
    recorded_at: Any
    occurred_on: Any
    number: str
    head_name: str
    kind: str
    rule_code: str
    reason: str
    points: int
    recorded_by: str
    note: str


class ReviewView(QWidget):
    COLUMNS = (N_("Date"), N_("Household no."), N_("Head of household"), N_("Rule code"), N_("Reason"),
               N_("Points"), N_("Recorded by"), N_("Note"))

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("pointsReview")
        self.pending: list[Pending] = []
        self.dialog: QWidget | None = None

        self.intro = hint_label()
        self.approve_button = QPushButton()
        self.approve_button.setObjectName("approveEntry")
        self.approve_button.clicked.connect(self.approve_selected)
        self.reject_button = QPushButton()
        self.reject_button.setObjectName("rejectEntry")
        self.reject_button.clicked.connect(self.reject_selected)
        for button in (self.approve_button, self.reject_button):
            button.setVisible(ctx.can("points.review"))
        self.count_label = QLabel()
        self.count_label.setStyleSheet(f"color: {HINT_COLOR};")
        top = QHBoxLayout()
        top.addWidget(self.count_label, 1)
        top.addWidget(self.approve_button)
        top.addWidget(self.reject_button)
        self.message = InlineMessage()
        self.message.setObjectName("reviewMessage")

        self.table = list_table(len(self.COLUMNS), "reviewTable")
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.stack = ListOrEmpty(self.table)
        self.empty_label = self.stack.empty

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.intro)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.stack, 1)
        self.relabel()
        self.refresh()

    def relabel(self) -> None:
        self.intro.setText(_("These entries count only once a second person approves them. The person who recorded "
                             "an entry cannot review it."))
        self.approve_button.setText(_("Approve"))
        self.reject_button.setText(_("Reject…"))
        self.table.setHorizontalHeaderLabels([_(c) for c in self.COLUMNS])
        self._update_state()

    def refresh(self) -> None:
        from app.services import points

        keep = self.selected()
        try:
            with self.ctx.store.read() as session:
                queue = points.review_queue(session, self.ctx.actor)
        except Exception as exc:
            self.message.error(error_message(self.ctx, exc, traceback.format_exc()))
            queue = []
        self.pending = [Pending(e.id, e.created_at, e.occurred_on, number, head, e.kind, e.rule_code, e.reason, e.points,
                                e.recorded_by, e.note) for e, number, head in queue]
        self.table.setRowCount(len(self.pending))
        for r, p in enumerate(self.pending):
            recorded_by = p.recorded_by
            if p.recorded_by == self.ctx.actor.username:
                recorded_by = _("{name} (you)").format(name=p.recorded_by)
            values = [format_date(p.occurred_on, "short"), p.number, p.head_name, p.rule_code or kind_label(p.kind), p.reason,
                      signed(p.points), recorded_by, p.note]
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(ID_ROLE, p.id)
                if c == 5:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    item.setForeground(QColor(GAIN_COLOR if p.points > 0 else LOSS_COLOR))
                if c == 4:
                    item.setToolTip(p.reason)
                self.table.setItem(r, c, item)
        columns_to_contents(self.table, narrowest=48, widest=320, widest_of={4: 480})
        if keep is not None:
            self.select(keep.id)
        self._update_state()

    def _update_state(self) -> None:
        n = len(self.pending)
        self.count_label.setText(ngettext("{n} entry awaits review", "{n} entries await review", n).format(
            n=format_number(n)))
        if n:
            self.stack.show_list()
        else:
            self.stack.show_empty(_("Nothing awaits review. Entries of rules marked for review, and entries with a "
                                    "reason outside the rules, wait here for a second person."))
        self._update_buttons()

    # -------------------------------------------------------- choosing

    def selected(self) -> Pending | None:
        return chosen_item(self.table, self.pending)

    def select(self, entry_id: str) -> None:
        select_id(self.table, entry_id)

    def _update_buttons(self) -> None:
        chosen = self.selected() is not None
        self.approve_button.setEnabled(chosen)
        self.reject_button.setEnabled(chosen)

    # -------------------------------------------------------- deciding

    def approve_selected(self) -> bool:
        from app.services import points

        entry = self.selected()
        if entry is None or not self.ctx.can("points.review"):
            return False
        try:
            write(self.ctx, lambda session: points.review(session, self.ctx.actor, entry.id, True), REVIEW_TABLES)
        except Exception as exc:  # a known error in its own words (error_message)
            self.message.error(error_message(self.ctx, exc, traceback.format_exc()))
            return False
        self.message.success(_("Approved: {household} · {what} {points}; it counts now.").format(
            household=f"{entry.number} {entry.head_name}".strip(), what=entry.rule_code or entry.reason[:20],
            points=signed(entry.points)))
        self.refresh()
        return True

    def reject_selected(self) -> ReasonDialog | None:
        from app.services import points

        entry = self.selected()
        if entry is None or not self.ctx.can("points.review"):
            return None
        self.message.clear_message()
        ctx = self.ctx

        def save(reason: str) -> None:
            write(ctx, lambda session: points.review(session, ctx.actor, entry.id, False, reason), REVIEW_TABLES)

        dialog = ReasonDialog(ctx, _("Reject an entry"),
                              _("{household} · {what} {points} will not count. Say why; the reason is kept with the entry.").format(
                                  household=f"{entry.number} {entry.head_name}".strip(),
                                  what=entry.rule_code or entry.reason[:30], points=signed(entry.points)),
                              _("Reason"), _("Reject"), save, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def rejected() -> None:
            self.message.success(_("Rejected: {household} · {what}.").format(
                household=f"{entry.number} {entry.head_name}".strip(), what=entry.rule_code or entry.reason[:20]))
            self.refresh()

        dialog.accepted.connect(rejected)
        self.dialog = dialog
        dialog.open()
        return dialog
