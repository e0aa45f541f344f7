"""The mediation sessions of a case (调解记录): held and planned ones, the dialog that records a session
(or fills in a planned one once it is held), and under them the investigations (调查记录) — time, place,
investigator, person interviewed, content — with the dialog that records one while the case allows it
(`case_flow.actions`)."""

from __future__ import annotations

import datetime as dt
import html
import traceback
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import Session

from app.clock import LOCAL_TZ, utcnow
from app.i18n import N_, _, format_datetime
from app.models.cases import Investigation, MediationSession
from app.services import case_flow, cases
from app.services.case_flow import Action, InvestigationInput, SessionInput
from app.services.cases import CaseView
from app.ui.cases.common import (
    MEDIATING_STATES,
    case_table,
    hint_label,
    open_dialog,
    report_error,
    tr,
)
from app.ui.cases.form_dialog import FormDialog, aware, datetime_edit, set_time, text_box
from app.ui.context import UiContext

PLACES = ("村人民调解室", "村委会会议室", "当事人家中", "田间地头", "镇综治中心")


def place_combo(value: str = "") -> QComboBox:
    combo = QComboBox()
    combo.setEditable(True)
    combo.addItems(list(PLACES))
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    combo.setCurrentText(value or PLACES[0])
    return combo


def default_attendees(view: CaseView) -> str:
    return "、".join([p.name for p in view.parties] + [m.name for m in view.mediators])


class SessionDialog(FormDialog):
    """Record a mediation session — held now or planned — or fill in a planned one (`planned_row`)."""

    def __init__(self, ctx: UiContext, view: CaseView, *, planned: bool = False,
                 planned_row: MediationSession | None = None, parent: QWidget | None = None) -> None:
        title = _("Plan a session") if planned else (_("Fill in the planned session") if planned_row else
                                                      _("Record a session"))
        super().__init__(ctx, title, _("Plan") if planned else _("Save the record"), parent, scroll=not planned)
        self.setObjectName("SessionDialog")
        self.view = view
        self.planned = planned
        self.planned_row = planned_row
        start = planned_row.held_at if planned_row is not None else utcnow()
        if planned and planned_row is None:
            start = (utcnow() + dt.timedelta(days=1)).astimezone(LOCAL_TZ)
        self.held_at = datetime_edit(start)
        if planned and planned_row is None:
            set_time(self.held_at, 9, 30)
        self.place = place_combo(planned_row.place if planned_row is not None else "")
        self.place.setObjectName("place")
        self.attendees = QLineEdit(planned_row.attendees if planned_row is not None and planned_row.attendees
                                   else default_attendees(view))
        self.attendees.setObjectName("attendees")
        self.row("held_at", _("Time"), self.held_at, required=True)
        self.row("place", _("Place"), self.place, required=True)
        self.row("attendees", _("Attendees"), self.attendees)
        self.place.currentTextChanged.connect(self.update_missing)
        self.rights = tr(QCheckBox(), N_("The parties were told their rights and duties"))
        self.rights.setChecked(True)
        self.applicant = text_box(self, 3)
        self.applicant.setObjectName("applicantStatement")
        self.respondent = text_box(self, 3)
        self.respondent.setObjectName("respondentStatement")
        self.others = text_box(self, 2)
        self.facts = text_box(self, 3)
        self.facts.setObjectName("factsChecked")
        self.outcome = text_box(self, 2)
        self.outcome.setObjectName("outcome")
        self.recorder = QLineEdit(ctx.actor.display_name)
        self.recorder.setObjectName("recorder")
        self.recorder.setMaxLength(50)
        if not planned:
            self.row("rights_explained", _("Rights and duties"), self.rights)
            self.row("applicant_statement", _("Applicant's statement"), self.applicant)
            self.row("respondent_statement", _("Respondent's statement"), self.respondent)
            self.row("other_statements", _("Other statements"), self.others)
            self.row("facts_checked", _("Facts checked"), self.facts)
            self.row("outcome", _("Outcome of the session"), self.outcome)
            self.row("recorder", _("Recorder"), self.recorder)
        self.finish()

    def value(self) -> SessionInput:
        return SessionInput(
            held_at=aware(self.held_at), place=self.place.currentText(), attendees=self.attendees.text(),
            rights_explained=self.rights.isChecked(), applicant_statement=self.applicant.toPlainText(),
            respondent_statement=self.respondent.toPlainText(), other_statements=self.others.toPlainText(),
            facts_checked=self.facts.toPlainText(), outcome=self.outcome.toPlainText(),
            recorder=self.recorder.text(), planned=self.planned)

    def missing(self) -> list[str]:
        return [_("Place")] if not self.place.currentText().strip() else []

    def perform(self, session: Session) -> Any:
        if self.planned_row is not None:
            return case_flow.hold_planned_session(session, self.ctx.actor, self.planned_row.id, self.value())
        return case_flow.record_session(session, self.ctx.actor, self.view.id, self.value())


class InvestigationDialog(FormDialog):
    def __init__(self, ctx: UiContext, case_id: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, _("Record an investigation"), _("Save the record"), parent)
        self.setObjectName("InvestigationDialog")
        self.case_id = case_id
        self.held_at = datetime_edit(utcnow())
        self.held_at.setObjectName("heldAt")
        self.place = place_combo()
        self.place.setObjectName("place")
        self.investigator = QLineEdit(ctx.actor.display_name)
        self.investigator.setObjectName("investigator")
        self.interviewee = QLineEdit()
        self.interviewee.setObjectName("interviewee")
        self.recorder = QLineEdit()
        self.content = text_box(self, 6)
        self.content.setObjectName("content")
        self.row("held_at", _("Time"), self.held_at, required=True)
        self.row("place", _("Place"), self.place)
        self.row("investigator", _("Investigator"), self.investigator, required=True)
        self.row("interviewee", _("Person interviewed"), self.interviewee, required=True)
        self.row("recorder", _("Recorder"), self.recorder)
        self.row("content", _("Content"), self.content, required=True)
        self.finish()

    def perform(self, session: Session) -> Any:
        return case_flow.record_investigation(session, self.ctx.actor, self.case_id, InvestigationInput(
            aware(self.held_at), self.place.currentText(), self.investigator.text(), self.interviewee.text(),
            self.recorder.text(), self.content.toPlainText()))


def session_html(row: MediationSession) -> str:
    def part(label: str, value: str) -> str:
        if not value:
            return ""
        text = html.escape(value).replace("\n", "<br>")
        return f"<p><b>{html.escape(label)}</b><br>{text}</p>"

    head = _("Planned session") if row.planned else _("Mediation session")
    parts = [f"<h3>{html.escape(head)} · {html.escape(format_datetime(row.held_at))}</h3>",
             part(_("Place"), row.place), part(_("Attendees"), row.attendees)]
    if not row.planned:
        parts += [
            part(_("Rights and duties"), _("Explained to the parties") if row.rights_explained else _("Not explained")),
            part(_("Applicant's statement"), row.applicant_statement),
            part(_("Respondent's statement"), row.respondent_statement),
            part(_("Other statements"), row.other_statements), part(_("Facts checked"), row.facts_checked),
            part(_("Outcome of the session"), row.outcome), part(_("Recorder"), row.recorder)]
    return "".join(parts)


def investigation_html(row: Investigation) -> str:
    def part(label: str, value: str) -> str:
        if not value:
            return ""
        text = html.escape(value).replace("\n", "<br>")
        return f"<p><b>{html.escape(label)}</b><br>{text}</p>"

    head = _("Investigation")
    return "".join([f"<h3>{html.escape(head)} · {html.escape(format_datetime(row.held_at))}</h3>",
                    part(_("Place"), row.place), part(_("Investigator"), row.investigator),
                    part(_("Person interviewed"), row.interviewee), part(_("Recorder"), row.recorder),
                    part(_("Content"), row.content)])


class SessionsTab(QWidget):
    print_requested = Signal(str)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.view: CaseView | None = None
        self.rows: list[MediationSession] = []
        self.investigations: list[Investigation] = []
        self.investigation_action: Action | None = None
        self.dialog: QDialog | None = None
        self.table = case_table(5, "sessions")
        self.table.itemSelectionChanged.connect(self._selected)
        self.table.itemActivated.connect(lambda _item: self.fill_in())
        # the investigations, under the sessions; the one chosen is shown in full below
        self.investigations_table = case_table(5, "investigations")
        self.investigations_table.itemSelectionChanged.connect(self._investigation_selected)
        self.investigations_empty = hint_label()
        self.investigations_empty.setObjectName("investigationsEmpty")
        self.investigations_box = QGroupBox()
        self.investigations_box.setObjectName("investigationsBox")
        box_layout = QVBoxLayout(self.investigations_box)
        box_layout.addWidget(self.investigations_empty)
        box_layout.addWidget(self.investigations_table, 1)
        self.detail = QTextBrowser()
        self.detail.setObjectName("sessionDetail")
        self.empty = hint_label()
        self.record_button = tr(QPushButton(), N_("Record a session…"))
        self.record_button.setObjectName("recordSession")
        self.record_button.clicked.connect(lambda: self.record())
        self.plan_button = tr(QPushButton(), N_("Plan a session…"))
        self.plan_button.clicked.connect(lambda: self.record(planned=True))
        self.fill_button = tr(QPushButton(), N_("Fill in the planned session…"))
        self.fill_button.clicked.connect(self.fill_in)
        self.investigate_button = tr(QPushButton(), N_("Record an investigation…"))
        self.investigate_button.clicked.connect(self.investigate)
        self.print_button = tr(QPushButton(), N_("Print the mediation record…"))
        self.print_button.clicked.connect(lambda: self.print_requested.emit("session"))
        buttons = QHBoxLayout()
        for b in (self.record_button, self.plan_button, self.fill_button, self.investigate_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.print_button)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.investigations_box)
        split.addWidget(self.detail)
        split.setChildrenCollapsible(False)
        for index in range(3):
            split.setStretchFactor(index, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.empty)
        layout.addWidget(split, 1)

    def show_case(self, view: CaseView) -> None:
        self.view = view
        try:
            with self.ctx.store.read() as session:
                self.rows = cases.sessions_of(session, view.id)
                self.investigations = case_flow.investigations_of(session, view.id)
                self.investigation_action = next(
                    (a for a in case_flow.actions(session, view.id) if a.key == "investigation"), None)
        except Exception as exc:
            self.rows, self.investigations, self.investigation_action = [], [], None
            report_error(self, self.ctx, exc, traceback.format_exc())
        self.table.setHorizontalHeaderLabels([_("Time"), _("State"), _("Place"), _("Recorder"), _("Outcome")])
        self.table.setRowCount(len(self.rows))
        for i, row in enumerate(self.rows):
            values = [format_datetime(row.held_at), _("Planned") if row.planned else _("Held"), row.place, row.recorder,
                      row.outcome.replace("\n", " ")]
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if column == 4:
                    item.setToolTip(row.outcome)
                self.table.setItem(i, column, item)
        mediating = view.status in MEDIATING_STATES
        may = self.ctx.can("cases.mediate")
        for b in (self.record_button, self.plan_button, self.fill_button, self.investigate_button):
            b.setVisible(may)
            b.setEnabled(mediating)
        action = self.investigation_action
        self.investigate_button.setEnabled(action is not None and action.allowed)
        self.investigate_button.setToolTip(action.reason if action is not None and not action.allowed else "")
        self.print_button.setEnabled(any(not r.planned for r in self.rows))
        self.empty.setText(_("No session recorded yet.") if not self.rows else "")
        self.empty.setVisible(not self.rows)
        self._show_investigations()
        if self.rows:
            self.table.selectRow(len(self.rows) - 1)
        self._selected()

    def _show_investigations(self) -> None:
        table = self.investigations_table
        table.blockSignals(True)
        table.clearSelection()
        table.setHorizontalHeaderLabels([_("Time"), _("Place"), _("Investigator"), _("Person interviewed"), _("Content")])
        table.setRowCount(len(self.investigations))
        for i, row in enumerate(self.investigations):
            values = [format_datetime(row.held_at), row.place, row.investigator, row.interviewee,
                      row.content.replace("\n", " ")]
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if column == 4:
                    item.setToolTip(row.content)
                table.setItem(i, column, item)
        table.blockSignals(False)
        self.investigations_box.setTitle(_("Investigations ({n})").format(n=len(self.investigations)))
        self.investigations_empty.setText(_("No investigation recorded yet.") if not self.investigations else "")
        self.investigations_empty.setVisible(not self.investigations)
        table.setVisible(bool(self.investigations))

    def _current(self) -> MediationSession | None:
        row = self.table.currentRow()
        selected = self.table.selectionModel().selectedRows()
        if selected:
            row = selected[0].row()
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def _selected(self) -> None:
        current = self._current()
        if self.table.selectionModel().selectedRows():
            self.investigations_table.blockSignals(True)
            self.investigations_table.clearSelection()
            self.investigations_table.blockSignals(False)
        self.detail.setHtml(session_html(current) if current is not None else "")
        self.fill_button.setEnabled(current is not None and current.planned and self.view is not None
                                    and self.view.status in MEDIATING_STATES)

    def record(self, planned: bool = False) -> SessionDialog | None:
        if self.view is None or not self.ctx.can("cases.mediate"):
            return None
        dialog = SessionDialog(self.ctx, self.view, planned=planned, parent=self)
        open_dialog(self, dialog)
        return dialog

    def fill_in(self) -> SessionDialog | None:
        current = self._current()
        if self.view is None or current is None or not current.planned or not self.ctx.can("cases.mediate"):
            return None
        dialog = SessionDialog(self.ctx, self.view, planned_row=current, parent=self)
        open_dialog(self, dialog)
        return dialog

    def current_investigation(self) -> Investigation | None:
        selected = self.investigations_table.selectionModel().selectedRows()
        row = selected[0].row() if selected else -1
        return self.investigations[row] if 0 <= row < len(self.investigations) else None

    def _investigation_selected(self) -> None:
        current = self.current_investigation()
        if current is None:
            return
        self.table.blockSignals(True)
        self.table.clearSelection()
        self.table.blockSignals(False)
        self.detail.setHtml(investigation_html(current))

    def investigate(self) -> InvestigationDialog | None:
        action = self.investigation_action
        if self.view is None or not self.ctx.can("cases.mediate") or action is None or not action.allowed:
            return None
        dialog = InvestigationDialog(self.ctx, self.view.id, parent=self)
        open_dialog(self, dialog)
        return dialog
