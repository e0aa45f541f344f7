"""One case: the header (number, status chip, category, parties, deadline countdown), the stepper
受理 → 调解 → 协议 → 履行与回访 → 结案, the next actions as buttons — an action that is not possible now
says why, on hover, on focus and when pressed, in words under the buttons — and the tabs: parties,
sessions, agreement, follow-ups, attachments, case file, history.

Every action is one service call in one write transaction; after it the page and the other pages are
told (`ctx.changed({"dispute_case"})`) and refresh.
"""

from __future__ import annotations

import io
import traceback
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QEnterEvent, QFocusEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import N_, _, format_date
from app.models.cases import CaseStatus
from app.paths import log_file
from app.services import case_flow, cases
from app.services.case_flow import Action
from app.services.cases import CaseView
from app.ui.cases.agreement_tab import AgreementTab
from app.ui.cases.attachments_tab import AttachmentsTab
from app.ui.cases.case_file_tab import CaseFileTab
from app.ui.cases.common import (
    HINT_COLOR,
    MEDIATING_STATES,
    OK_COLOR,
    WARNING_COLOR,
    Chip,
    bigger,
    clear_layout,
    days_left_text,
    open_dialog,
    relabel_all,
    report_error,
    status_color,
    status_label,
    touches_cases,
    tr,
)
from app.ui.cases.flow_layout import flow_widget
from app.ui.cases.follow_ups_tab import FollowUpsTab
from app.ui.cases.history_tab import HistoryTab
from app.ui.cases.outcome_dialogs import CloseDialog, FailDialog, TransferDialog, WithdrawDialog
from app.ui.cases.parties_tab import PartiesTab
from app.ui.cases.sessions_tab import SessionsTab
from app.ui.context import UiContext
from app.ui.messages import ACCENT_COLOR, ERROR_COLOR
from app.ui.township.decisions import DecisionsBox

STEPS = (N_("Intake"), N_("Mediation"), N_("Agreement"), N_("Performance and follow-up"), N_("Closed"))
# Which actions a status shows at all (the others would only say "not possible while …").
SHOWN: dict[str, tuple[str, ...]] = {
    CaseStatus.ACCEPTED: ("session", "investigation", "agreement", "oral", "fail", "transfer", "withdraw", "close"),
    CaseStatus.MEDIATING: ("session", "investigation", "agreement", "oral", "fail", "transfer", "withdraw", "close"),
    CaseStatus.AGREED: ("follow_up", "close"),
    CaseStatus.FOLLOWING_UP: ("follow_up", "close"),
    CaseStatus.FAILED: ("close",),
}


class ActionButton(QPushButton):
    """A next step. One that is not possible now stays focusable and clickable (a disabled button can be
    neither), looks muted, and says why — in its tooltip and, through `explain`, as text on the page."""

    explain = Signal(str)

    def __init__(self, action: Action, parent: QWidget | None = None) -> None:
        super().__init__(action.label, parent)
        self.key = action.key
        self.label = action.label
        self.allowed = action.allowed
        self.reason = action.reason
        self.setObjectName(f"action_{action.key}")
        self.setAutoDefault(False)
        if not action.allowed:
            self.setToolTip(self.reason_text())
            self.setAccessibleDescription(self.reason_text())
            self.setStyleSheet(f"QPushButton {{ color: {HINT_COLOR}; border: 1px dashed #b9c0c9; border-radius: 4px;"
                               " padding: 4px 10px; background: #f4f5f7; }")

    def reason_text(self) -> str:
        return _("{action}: not possible now. {reason}").format(action=self.label, reason=self.reason)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.explain.emit(self.reason_text() if not self.allowed else "")

    def enterEvent(self, event: QEnterEvent) -> None:
        super().enterEvent(event)
        if not self.allowed:
            self.explain.emit(self.reason_text())


class Stepper(QWidget):
    """受理 → 调解 → 协议 → 履行与回访 → 结案, with the steps done ticked and the current one marked; a
    mediation that ended otherwise shows how it ended."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stepper")
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 2, 0, 2)
        self.row.setSpacing(6)
        self.labels: list[QLabel] = []

    def set_status(self, status: str, failed_before: bool = False) -> None:
        clear_layout(self.row)
        self.labels = []
        current = {CaseStatus.ACCEPTED: 0, CaseStatus.MEDIATING: 1, CaseStatus.AGREED: 2,
                   CaseStatus.FOLLOWING_UP: 3, CaseStatus.CLOSED: 4}.get(CaseStatus(status), 1)
        ended = status in (CaseStatus.FAILED, CaseStatus.TRANSFERRED, CaseStatus.WITHDRAWN)
        steps: list[tuple[str, str]] = []  # (text, state: done / current / todo / ended)
        for i, name in enumerate(STEPS):
            if ended or (status == CaseStatus.CLOSED and failed_before):
                if i < 2:
                    steps.append((_(name), "done"))
                if i == 1:
                    outcome = status if ended else CaseStatus.FAILED
                    steps.append((status_label(outcome), "ended"))
                if i == 4 and status in (CaseStatus.FAILED, CaseStatus.CLOSED):
                    steps.append((_(name), "current" if status == CaseStatus.CLOSED else "todo"))
                continue
            state = "done" if i < current or status == CaseStatus.CLOSED else ("current" if i == current else "todo")
            steps.append((_(name), state))
        for n, (text, state) in enumerate(steps):
            if n:
                arrow = QLabel("→")
                arrow.setStyleSheet(f"color: {HINT_COLOR};")
                self.row.addWidget(arrow)
            label = QLabel()
            label.setTextFormat(Qt.TextFormat.PlainText)
            if state == "done":
                label.setText("✓ " + text)
                label.setStyleSheet(f"color: {OK_COLOR};")
            elif state == "current":
                label.setText(text)
                label.setStyleSheet(f"color: white; background: {ACCENT_COLOR}; border-radius: 10px; padding: 2px 12px;"
                                    " font-weight: bold;")
            elif state == "ended":
                label.setText(text)
                color = status_color(status if ended else CaseStatus.FAILED)
                label.setStyleSheet(f"color: {color}; border: 1px solid {color}; border-radius: 10px; padding: 1px 10px;"
                                    " font-weight: bold;")
            else:
                label.setText(text)
                label.setStyleSheet(f"color: {HINT_COLOR};")
            label.setProperty("stepState", state)
            self.labels.append(label)
            self.row.addWidget(label)
            label.show()
        self.row.addStretch(1)

    def text(self) -> str:
        return " → ".join(label.text() for label in self.labels)


class CasePage(QWidget):
    back_requested = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("CasePage")
        self.case_id: str | None = None
        self.view: CaseView | None = None
        self.case_actions: list[Action] = []
        self.buttons: dict[str, ActionButton] = {}
        self.dialog: QDialog | None = None
        self.preview: QDialog | None = None
        self._stale = False

        # ---- header
        self.back_button = tr(QPushButton(), N_("← Back to the list"))
        self.back_button.setObjectName("backButton")
        self.back_button.setToolTip(_("Esc"))
        self.back_button.clicked.connect(self.back_requested)
        self.number_label = QLabel()
        self.number_label.setObjectName("caseNumber")
        self.number_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_chip = Chip()
        self.status_chip.setObjectName("statusChip")
        self.category_label = QLabel()
        self.category_label.setObjectName("caseCategory")
        self.deadline_label = QLabel()
        self.deadline_label.setObjectName("deadlineCountdown")
        self.parties_label = QLabel()
        self.parties_label.setObjectName("caseParties")
        self.parties_label.setWordWrap(True)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.summary_label.setStyleSheet(f"color: {HINT_COLOR};")
        title_row = QHBoxLayout()
        title_row.addWidget(self.back_button)
        title_row.addSpacing(12)
        title_row.addWidget(self.number_label)
        title_row.addWidget(self.status_chip)
        title_row.addWidget(self.category_label)
        title_row.addStretch(1)
        title_row.addWidget(self.deadline_label)
        self.stepper = Stepper()

        # ---- actions
        self.actions_widget, self.actions_layout = flow_widget()
        self.actions_widget.setObjectName("caseActions")
        self.reason_label = QLabel()
        self.reason_label.setObjectName("actionReason")
        self.reason_label.setWordWrap(True)
        self.reason_label.setTextFormat(Qt.TextFormat.PlainText)
        self.reason_label.setStyleSheet(f"color: {HINT_COLOR};")
        self.reason_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.ended_label = QLabel()
        self.ended_label.setWordWrap(True)
        self.ended_label.setStyleSheet(f"color: {HINT_COLOR};")
        self.decisions_box = DecisionsBox()  # the township's steps on an escalated case (they travel back)

        # ---- tabs
        self.parties_tab = PartiesTab(ctx)
        self.sessions_tab = SessionsTab(ctx)
        self.agreement_tab = AgreementTab(ctx)
        self.follow_ups_tab = FollowUpsTab(ctx)
        self.attachments_tab = AttachmentsTab(ctx)
        self.case_file_tab = CaseFileTab(ctx)
        self.history_tab = HistoryTab(ctx)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("caseTabs")
        self.tabs.setDocumentMode(True)
        for tab in (self.sessions_tab, self.agreement_tab, self.follow_ups_tab, self.case_file_tab):
            tab.print_requested.connect(self.print_document)
        self._tab_list: list[tuple[QWidget, str]] = [
            (self.parties_tab, N_("Parties")), (self.sessions_tab, N_("Sessions")), (self.agreement_tab, N_("Agreement")),
            (self.follow_ups_tab, N_("Follow-ups")), (self.attachments_tab, N_("Attachments")),
            (self.case_file_tab, N_("Case file")), (self.history_tab, N_("History"))]
        for page, label in self._tab_list:
            self.tabs.addTab(page, _(label))

        layout = QVBoxLayout(self)
        layout.addLayout(title_row)
        layout.addWidget(self.parties_label)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.stepper)
        layout.addWidget(self.actions_widget)
        layout.addWidget(self.reason_label)
        layout.addWidget(self.ended_label)
        layout.addWidget(self.decisions_box)
        layout.addWidget(self.tabs, 1)

        self.print_action = QAction(self)
        self.print_action.setShortcut(QKeySequence.StandardKey.Print)
        self.print_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.print_action.triggered.connect(self.print_agreement)
        self.addAction(self.print_action)
        back = QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.back_requested.emit)
        back.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        ctx.changed.connect(self._on_changed)
        ctx.retranslate.connect(self.relabel)
        self.relabel()

    def relabel(self) -> None:
        relabel_all(self)
        bigger(self.number_label, 1.3, bold=True)
        bigger(self.deadline_label, 1.1, bold=True)
        self.back_button.setText(_("← Back to the list"))
        for i, (_tab, label) in enumerate(self._tab_list):
            self.tabs.setTabText(i, _(label))
        if self.case_id is not None:
            self.refresh()

    # -------------------------------------------------------- loading

    def load(self, case_id: str) -> None:
        if case_id != self.case_id:
            self.case_id = case_id
            self.reason_label.clear()
            self.tabs.setCurrentIndex(0)
        self.refresh()

    def _on_changed(self, tables: object) -> None:
        if self.case_id is None or not touches_cases(tables):
            return
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True  # read again when shown, not for every write made elsewhere

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        self._stale = False
        if self.case_id is None:
            return
        try:
            with self.ctx.store.read() as session:
                view = cases.case_view(session, self.ctx.actor, self.case_id)
                self.case_actions = case_flow.actions(session, self.case_id)
        except Exception as exc:
            report_error(self, self.ctx, exc, traceback.format_exc())
            return
        self.view = view
        self._show_header(view)
        self._show_actions(view)
        self.decisions_box.show_decisions(view.decisions)
        for tab_widget, _label in self._tab_list:
            tab_widget.show_case(view)  # type: ignore[attr-defined]

    def _show_header(self, view: CaseView) -> None:
        self.number_label.setText(view.number)
        self.status_chip.set_chip(status_label(view.status), status_color(view.status))
        self.category_label.setText(view.category)
        self.parties_label.setText(" / ".join(f"{p.name}" for p in view.parties))
        self.summary_label.setText(view.summary)
        self.stepper.set_status(view.status, failed_before=bool(view.routes_told))
        if view.status in MEDIATING_STATES:
            text, kind = days_left_text(view.deadline)
            color = ERROR_COLOR if kind == "overdue" else (WARNING_COLOR if kind == "due" else HINT_COLOR)
            self.deadline_label.setText(text)
            self.deadline_label.setToolTip(_("Deadline: {date}").format(date=format_date(view.deadline)))
            self.deadline_label.setStyleSheet(f"color: {color};")
        elif view.closed_on is not None:
            self.deadline_label.setText(_("Closed on {date}").format(date=format_date(view.closed_on)))
            self.deadline_label.setStyleSheet(f"color: {HINT_COLOR};")
            self.deadline_label.setToolTip("")
        else:
            self.deadline_label.setText("")
            self.deadline_label.setToolTip("")

    def _show_actions(self, view: CaseView) -> None:
        may = self.ctx.can("cases.mediate")
        shown = set(SHOWN.get(view.status, ())) if may else set()
        keep_reason = self.reason_label.text()
        clear_layout(self.actions_layout)
        self.buttons = {}
        for action in self.case_actions:
            if action.key not in shown:
                continue
            button = ActionButton(action)
            button.clicked.connect(lambda _c=False, b=button: self.run_action(b))
            button.explain.connect(self._explain)
            self.actions_layout.addWidget(button)
            button.show()  # at once, not when the event loop next runs
            self.buttons[action.key] = button
        self.actions_widget.setVisible(bool(self.buttons))
        self.reason_label.setText(keep_reason if keep_reason and any(
            keep_reason == b.reason_text() for b in self.buttons.values() if not b.allowed) else "")
        self.reason_label.setVisible(bool(self.reason_label.text()))
        if view.status in (CaseStatus.CLOSED, CaseStatus.TRANSFERRED, CaseStatus.WITHDRAWN):
            note = {CaseStatus.CLOSED: _("The case is closed."),
                    CaseStatus.TRANSFERRED: _("The case was transferred to: {to}.").format(
                        to=_(case_flow.TRANSFER_TARGETS.get(view.transfer_to, view.transfer_to))),
                    CaseStatus.WITHDRAWN: _("The case was withdrawn.")}[CaseStatus(view.status)]
            if view.outcome_note:
                note += " " + view.outcome_note
            self.ended_label.setText(note)
        elif view.status == CaseStatus.FAILED:
            routes = _(", ").join(_(case_flow.ROUTES.get(r, r)) for r in view.routes_told)
            self.ended_label.setText(_("Mediation failed: {reason} The parties were told of: {routes}.").format(
                reason=view.outcome_note, routes=routes))
        elif not may:
            self.ended_label.setText(_("You may read this case; your role does not record its steps."))
        else:
            self.ended_label.setText("")
        self.ended_label.setVisible(bool(self.ended_label.text()))

    def _explain(self, text: str) -> None:
        self.reason_label.setText(text)
        self.reason_label.setVisible(bool(text))

    # -------------------------------------------------------- actions

    def run_action(self, button: ActionButton) -> None:
        if not button.allowed:
            self._explain(button.reason_text())
            return
        self._explain("")
        handlers: dict[str, Callable[[], object]] = {
            "session": lambda: self._in_tab(self.sessions_tab, self.sessions_tab.record),
            "investigation": lambda: self._in_tab(self.sessions_tab, self.sessions_tab.investigate),
            "agreement": lambda: self._in_tab(self.agreement_tab, self.agreement_tab.focus_editor),
            "oral": self._oral,
            "fail": lambda: self._open(FailDialog(self.ctx, self._id(), self)),
            "transfer": lambda: self._open(TransferDialog(self.ctx, self._id(), self)),
            "withdraw": lambda: self._open(WithdrawDialog(self.ctx, self._id(), self)),
            "follow_up": lambda: self._in_tab(self.follow_ups_tab, self.follow_ups_tab.record),
            "close": self.close_case,
        }
        handler = handlers.get(button.key)
        if handler is not None:
            handler()

    def _id(self) -> str:
        assert self.case_id is not None
        return self.case_id

    def _in_tab(self, tab: QWidget, then: Callable[[], object]) -> None:
        self.tabs.setCurrentWidget(tab)
        result = then()
        if isinstance(result, QDialog):
            self.dialog = result

    def _open(self, dialog: QDialog) -> QDialog:
        return open_dialog(self, dialog)

    def _oral(self) -> None:
        self.tabs.setCurrentWidget(self.agreement_tab)
        self.agreement_tab.focus_editor()
        self._explain(_("Write the terms of the oral agreement, then press “Register as an oral agreement”."))

    def close_case(self) -> QDialog | None:
        if self.view is None:
            return None
        try:
            with self.ctx.store.read() as session:
                reasons = case_flow.close_reasons(session, cases.get_case(session, self.view.id))
        except Exception as exc:
            report_error(self, self.ctx, exc, traceback.format_exc())
            return None
        return self._open(CloseDialog(self.ctx, self.view.id, reasons, self.view.received_on, self))

    # -------------------------------------------------------- printing

    def print_agreement(self) -> QDialog | None:
        """Ctrl+P: the agreement (written or oral) when there is one; otherwise the case file tab."""
        agreement = self.agreement_tab.agreement
        if agreement is None:
            self.tabs.setCurrentWidget(self.case_file_tab)
            self._explain(_("This case has no agreement to print yet; the other documents are on the Case file tab."))
            return None
        return self.print_document("oral" if agreement.kind == "oral" else "agreement")

    def print_document(self, key: str) -> QDialog | None:
        """Open the print preview of one document; it is made on a worker while the preview says so."""
        if self.view is None:
            return None
        from app.documents import DOCUMENTS, collect, render
        from app.ui.print_preview import PrintPreviewDialog

        title = DOCUMENTS[key][0]
        copies = 1
        if key == "agreement" and self.agreement_tab.agreement is not None:
            copies = self.agreement_tab.agreement.copies
        store, actor, case_id = self.ctx.store, self.ctx.actor, self.view.id

        def make() -> bytes:
            with store.read() as session:
                data = collect(session, actor, case_id)
            out = io.BytesIO()
            render(key, data, out)
            return out.getvalue()

        dialog = PrintPreviewDialog(make, title, copies, self, file_name=f"{title}-{self.view.number}.pdf",
                                    log_path=log_file(self.ctx.data_dir))
        self.preview = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog


__all__ = ["ActionButton", "CasePage", "Stepper"]
