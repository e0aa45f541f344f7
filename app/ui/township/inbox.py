"""The township center's inbox: cases the villages escalated to it (转办至镇综治中心), newest escalation first
with the ones still waiting on top. Select one to read it; accept it, record the decision, or send it
back to the village — each a row of the township's own that travels back with the village's return
bundle (the village's case itself is never edited here)."""

from __future__ import annotations

import traceback
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import Session

from app.clock import today
from app.i18n import N_, _
from app.models.cases import DecisionKind
from app.services import cases, township
from app.services.cases import CaseView
from app.services.township import InboxRow
from app.ui.cases.common import (
    HINT_COLOR,
    OK_COLOR,
    WARNING_COLOR,
    bigger,
    date_edit,
    q_to_date,
    relabel_all,
    report_error,
    tr,
)
from app.ui.cases.form_dialog import FormDialog, text_box
from app.ui.context import UiContext
from app.ui.messages import ACCENT_COLOR
from app.ui.sync.common import Column, RowsModel, day_text, fit_rows, table_view
from app.ui.township.decisions import DecisionsBox

STATE_LABELS = {"waiting": N_("Waiting"), "accepted": N_("Accepted, in hand"), "decided": N_("Decided"), "returned": N_("Sent back")}
STATE_COLORS = {"waiting": WARNING_COLOR, "accepted": ACCENT_COLOR, "decided": OK_COLOR, "returned": HINT_COLOR}
COLUMNS = (
    Column("village", N_("Village")), Column("number", N_("Case number")), Column("state", N_("State"), chip=True),
    Column("summary", N_("Summary")), Column("escalated", N_("Escalated on")), Column("reason", N_("Reason")),
)
DIALOG_TEXTS = {
    DecisionKind.ACCEPTED: (N_("Accept the case"), N_("Accept"),
                            N_("The township center takes the case over; the village sees that it was accepted.")),
    DecisionKind.DECIDED: (N_("Record the decision"), N_("Record the decision"),
                           N_("What the township center decided or how the case was settled; it travels back to the village.")),
    DecisionKind.RETURNED: (N_("Send the case back"), N_("Send back"),
                            N_("The case goes back to the village to mediate; say why and what the village should do.")),
}
TEXT_LABELS = {DecisionKind.ACCEPTED: N_("Note (optional)"), DecisionKind.DECIDED: N_("Decision"),
               DecisionKind.RETURNED: N_("Why, and what the village should do")}


def state_label(state: str) -> str:
    return _(STATE_LABELS.get(state, state))


def inbox_cell(row: InboxRow, key: str) -> Any:
    if key == "village":
        return row.village
    if key == "number":
        return row.number
    if key == "summary":
        return row.summary
    if key == "escalated":
        return day_text(row.escalated_on)
    if key == "reason":
        return row.reason
    if key == "state":
        return state_label(row.state), STATE_COLORS.get(row.state, HINT_COLOR)
    return ""


class DecisionDialog(FormDialog):
    """Accept, decide or send back: the text (required but for accepting) and the date."""

    tables = frozenset({"case_decision", "dispute_case"})

    def __init__(self, ctx: UiContext, case_id: str, kind: str, received_on: Any, parent: QWidget | None = None) -> None:
        title, save, intro = DIALOG_TEXTS[DecisionKind(kind)]
        super().__init__(ctx, _(title), _(save), parent, intro=_(intro))
        self.setObjectName("decisionDialog")
        self.case_id, self.kind = case_id, kind
        self.text = text_box(self, 5)
        self.text.setObjectName("decisionText")
        self.on = date_edit(today(), maximum=today())
        self.on.setObjectName("decidedOn")
        self.row("text", _(TEXT_LABELS[DecisionKind(kind)]), self.text, required=kind != DecisionKind.ACCEPTED)
        self.row("decided_on", _("Date"), self.on, required=True)
        self.finish()

    def perform(self, session: Session) -> Any:
        return township.decide(session, self.ctx.actor, self.case_id, self.kind, self.text.toPlainText(), on=q_to_date(self.on.date()))


class CasePanel(QWidget):
    """The selected escalated case: what it is about, the parties, why it was escalated, the decisions so far,
    and the next steps as buttons."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.row: InboxRow | None = None
        self.view: CaseView | None = None
        self.title = QLabel()
        self.title.setObjectName("panelTitle")
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self._labels: list[tuple[QLabel, str]] = []
        for key, label in (("village", N_("Village")), ("category", N_("Category")), ("received", N_("Received on")),
                           ("parties", N_("Parties")), ("summary", N_("Summary")), ("facts", N_("Facts")),
                           ("reason", N_("Why escalated")), ("state", N_("State"))):
            value = QLabel()
            value.setObjectName(f"fact_{key}")
            value.setWordWrap(True)
            value.setTextFormat(Qt.TextFormat.PlainText)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            caption = QLabel()
            self._labels.append((caption, label))
            form.addRow(caption, value)
            self.facts[key] = value
        self.decisions = DecisionsBox()
        self.accept_button = tr(QPushButton(), N_("Accept…"))
        self.accept_button.setObjectName("acceptButton")
        self.decide_button = tr(QPushButton(), N_("Record decision…"))
        self.decide_button.setObjectName("decideButton")
        self.return_button = tr(QPushButton(), N_("Send back…"))
        self.return_button.setObjectName("returnButton")
        self.done_label = QLabel()
        self.done_label.setObjectName("doneLabel")
        self.done_label.setWordWrap(True)
        self.done_label.setStyleSheet(f"color: {HINT_COLOR};")
        buttons = QHBoxLayout()
        for button in (self.accept_button, self.decide_button, self.return_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.buttons_row = buttons
        self.empty = tr(QLabel(), N_("Select a case above to read it and record the township center's step."))
        self.empty.setStyleSheet(f"color: {HINT_COLOR};")
        self.empty.setWordWrap(True)
        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.addWidget(self.title)
        content_layout.addLayout(buttons)
        content_layout.addWidget(self.done_label)
        content_layout.addLayout(form)
        content_layout.addWidget(self.decisions)
        content_layout.addStretch(1)
        self.content = content
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty)
        layout.addWidget(scroll, 1)
        self.scroll_area = scroll
        self.show_case(None)

    def relabel(self) -> None:
        relabel_all(self)
        bigger(self.title, 1.2, bold=True)
        for caption, msgid in self._labels:
            caption.setText(_("{label}:").format(label=_(msgid)))
        if self.row is not None:
            self.show_case(self.row)

    def show_case(self, row: InboxRow | None) -> None:
        self.row = row
        self.empty.setVisible(row is None)
        self.scroll_area.setVisible(row is not None)
        if row is None:
            self.view = None
            return
        try:
            with self.ctx.store.read() as session:
                self.view = cases.case_view(session, self.ctx.actor, row.case_id)
        except Exception as exc:
            report_error(self, self.ctx, exc, traceback.format_exc())
            return
        v = self.view
        self.title.setText(_("{number} · {village}").format(number=v.number, village=row.village))
        self.facts["village"].setText(row.village)
        self.facts["category"].setText(v.category)
        self.facts["received"].setText(day_text(v.received_on))
        self.facts["parties"].setText(_(", ").join(p.name for p in v.parties))
        self.facts["summary"].setText(v.summary)
        self.facts["facts"].setText(v.facts or "—")
        self.facts["reason"].setText(row.reason or "—")
        self.facts["state"].setText(state_label(row.state))
        self.decisions.show_decisions(v.decisions)
        may = self.ctx.can("township.decide")
        done = row.state in ("decided", "returned")
        self.accept_button.setVisible(may and row.state == "waiting")
        self.decide_button.setVisible(may and not done)
        self.return_button.setVisible(may and not done)
        if done:
            self.done_label.setText(_("The township center has finished with this case; a further step would be a new case."))
        elif not may:
            self.done_label.setText(_("You may read this case; your role does not record the township center's steps."))
        else:
            self.done_label.setText("")
        self.done_label.setVisible(bool(self.done_label.text()))


class InboxPage(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("InboxPage")
        self._stale = True
        self.dialog: QDialog | None = None
        self.title = tr(QLabel(), N_("Escalated cases"))
        self.title.setObjectName("pageTitle")
        self.show_done = tr(QCheckBox(), N_("Also show decided and sent-back cases"))
        self.show_done.setObjectName("showDone")
        self.show_done.setChecked(True)
        self.show_done.toggled.connect(lambda _on: self.refresh())
        self.counts = QLabel()
        self.counts.setObjectName("inboxCounts")
        self.counts.setStyleSheet(f"color: {HINT_COLOR};")
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addSpacing(16)
        head.addWidget(self.counts)
        head.addStretch(1)
        head.addWidget(self.show_done)
        self.empty = tr(QLabel(), N_("No village has escalated a case yet. A case a village transfers to the township center "
                                      "appears here once its bundle is imported."))
        self.empty.setObjectName("emptyState")
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet(f"color: {HINT_COLOR};")
        self.model = RowsModel(COLUMNS, inbox_cell, tip=lambda r: r.summary)
        self.table = table_view(self.model, "inboxTable", stretch="reason", capped={"summary": 30, "village": 20})
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._selected())
        self.panel = CasePanel(ctx)
        self.panel.accept_button.clicked.connect(lambda: self.decide(DecisionKind.ACCEPTED))
        self.panel.decide_button.clicked.connect(lambda: self.decide(DecisionKind.DECIDED))
        self.panel.return_button.clicked.connect(lambda: self.decide(DecisionKind.RETURNED))
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(head)
        top_layout.addWidget(self.empty)
        top_layout.addWidget(self.table, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(top)
        self.splitter.addWidget(self.panel)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self._split = False
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)
        ctx.changed.connect(self._on_changed)
        ctx.retranslate.connect(self.relabel)
        self.relabel()

    def relabel(self) -> None:
        relabel_all(self)
        bigger(self.title, 1.25, bold=True)
        fit_rows(self.table)
        self.model.relabel()
        self.panel.relabel()

    def refresh(self) -> None:
        self._stale = False
        keep = self.panel.row.case_id if self.panel.row is not None else None
        try:
            with self.ctx.store.read() as session:
                rows = township.inbox(session, self.ctx.actor, include_done=self.show_done.isChecked())
        except Exception as exc:
            report_error(self, self.ctx, exc, traceback.format_exc())
            return
        self.model.set_rows(rows)
        self.empty.setVisible(not rows)
        self.table.setVisible(bool(rows))
        waiting = sum(1 for r in rows if r.state == "waiting")
        self.counts.setText(_("{waiting} waiting · {total} listed").format(waiting=waiting, total=len(rows)))
        if keep is not None and not self.select(keep):
            self.panel.show_case(None)

    def select(self, case_id: str) -> bool:
        for n, row in enumerate(self.model.rows()):
            if row.case_id == case_id:
                self.table.selectRow(n)
                self.panel.show_case(row)
                return True
        return False

    def _selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        self.panel.show_case(self.model.row_data(rows[0].row()) if rows else None)

    def decide(self, kind: str) -> QDialog | None:
        row, view = self.panel.row, self.panel.view
        if row is None or view is None:
            return None
        dialog = DecisionDialog(self.ctx, row.case_id, kind, view.received_on, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _on_changed(self, _tables: object) -> None:
        self._stale = True
        if self.isVisible():
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._split:  # the list above, the case below with the larger share
            self._split = True
            height = max(self.splitter.height(), 400)
            self.splitter.setSizes([height * 2 // 5, height * 3 // 5])
        if self._stale:
            self.refresh()
