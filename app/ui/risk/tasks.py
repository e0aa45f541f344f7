"""My households (我的包保户): the households whose responsible cadre is the logged-in user — by user, or by
the name given when no user was linked (a cadre linked to another user of the same name is not yours) — with
their level, the stability measures and when the next visit is due (overdue in red, in words); "Record a home
visit…" and the stability sheet to take along."""

from __future__ import annotations

import io
import traceback
from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QDialog, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QStackedWidget, QVBoxLayout, QWidget
from sqlmodel import Session

from app.clock import today
from app.i18n import N_, _
from app.models.risk import RiskVisit
from app.services import risk
from app.services.context import Actor
from app.services.risk import HouseholdRisk
from app.store.engine import Store
from app.ui.cases.common import date_edit, open_dialog, q_to_date, report_error, tr
from app.ui.cases.form_dialog import FormDialog, text_box
from app.ui.context import UiContext
from app.ui.risk.common import RISK_TABLES, current_round, empty_state, fit_columns, hint, make_table, selected_row
from app.ui.risk.models import HouseholdRiskModel

TASK_COLUMNS = ("number", "head", "group", "level", "due", "factors")


@dataclass(frozen=True)
class Task:
    row: HouseholdRisk
    measures: str
    phone: str


def my_households(ctx: UiContext) -> list[Task]:
    """The households of the latest round whose current cadre is the logged-in user, soonest visit first."""
    actor = ctx.actor
    tasks: list[Task] = []
    with ctx.store.read() as session:
        rnd = current_round(session)
        if rnd is None:
            return []
        for row in risk.households_in_round(session, actor, rnd.id):
            if not row.cadre:
                continue
            cadre = risk.current_cadre(session, row.household_id)
            if cadre is None:
                continue
            # linked to a user: that user; a name given without a user: whoever is called so
            mine = cadre.cadre_user_id == actor.user_id if cadre.cadre_user_id else cadre.cadre_name == actor.display_name
            if mine:
                tasks.append(Task(row, cadre.measures, cadre.cadre_phone))
    far = today().replace(year=9999)
    tasks.sort(key=lambda t: (t.row.next_visit_due or far, t.row.number))
    return tasks


def sheet_pdf(store: Store, actor: Actor, household_id: str) -> bytes:
    """The stability sheet of a household as PDF bytes (runs on the worker pool: its own session)."""
    from app.documents.stability_sheet import collect_sheet, render_sheet

    with store.read() as session:
        data = collect_sheet(session, actor, household_id)
    buffer = io.BytesIO()
    render_sheet(data, buffer)
    return buffer.getvalue()


def preview_sheet(parent: QWidget, ctx: UiContext, household_id: str, number: str) -> QDialog:
    from app.paths import log_file
    from app.ui.print_preview import PrintPreviewDialog

    store, actor = ctx.store, ctx.actor
    dialog = PrintPreviewDialog(lambda: sheet_pdf(store, actor, household_id), _("Stability sheet of household {number}").format(
        number=number), 1, parent, file_name=f"风险户包保稳控工作表-{number}.pdf", log_path=log_file(ctx.data_dir))
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


class VisitDialog(FormDialog):
    tables = RISK_TABLES

    def __init__(self, ctx: UiContext, row: HouseholdRisk, parent: QWidget | None = None) -> None:
        super().__init__(ctx, _("Home visit to household {number}").format(number=row.number), _("Save the visit"), parent,
                         intro=_("{number} · {head} · {group}").format(number=row.number, head=row.head_name, group=row.group_name))
        self.setObjectName("VisitDialog")
        self.household_id = row.household_id
        self.visited_on = date_edit(today(), maximum=today())
        self.visited_on.setObjectName("visitedOn")
        self.visitor = QLineEdit(ctx.actor.display_name)
        self.visitor.setObjectName("visitor")
        self.visitor.setMaxLength(50)
        self.findings = text_box(self, 4)
        self.findings.setObjectName("findings")
        self.measures = text_box(self, 3)
        self.measures.setObjectName("measuresTaken")
        self.row("visited_on", _("Date of the visit"), self.visited_on, required=True)
        self.row("visitor", _("Visited by"), self.visitor, required=True)
        self.row("findings", _("What was found"), self.findings, required=True)
        self.row("measures_taken", _("Measures taken"), self.measures)
        self.finish()

    def perform(self, session: Session) -> RiskVisit:
        return risk.record_visit(session, self.ctx.actor, self.household_id, q_to_date(self.visited_on.date()),
                                 self.visitor.text(), self.findings.toPlainText(), self.measures.toPlainText())


class TasksView(QWidget):
    household_requested = Signal(str)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("RiskTasks")
        self.dialog: QDialog | None = None
        self.tasks: list[Task] = []

        self.intro = hint()
        self.model = HouseholdRiskModel(TASK_COLUMNS, self)
        self.table = make_table(self.model, "tasks", stretch=self.model.column("factors"))
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._show_selected())
        self.table.activated.connect(self._activated)
        self.empty = empty_state()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)

        self.detail_box = tr(QGroupBox(), N_("Stability measures"))
        self.measures_label = QLabel()
        self.measures_label.setObjectName("measures")
        self.measures_label.setWordWrap(True)
        detail = QVBoxLayout(self.detail_box)
        detail.addWidget(self.measures_label)

        self.visit_button = tr(QPushButton(), N_("Record a home visit…"))
        self.visit_button.setObjectName("recordVisit")
        self.visit_button.clicked.connect(self.record_visit)
        self.visit_button.setVisible(ctx.can("risk.visit"))
        self.sheet_button = tr(QPushButton(), N_("Stability sheet…"))
        self.sheet_button.setObjectName("stabilitySheet")
        self.sheet_button.clicked.connect(self.print_sheet)
        self.history_button = tr(QPushButton(), N_("Household history"))
        self.history_button.clicked.connect(self._show_history)
        self.message = hint()
        self.message.setObjectName("tasksMessage")
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        for b in (self.history_button, self.sheet_button, self.visit_button):
            buttons.addWidget(b)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.detail_box)
        layout.addLayout(buttons)
        self.relabel()

    def relabel(self) -> None:
        self.intro.setText(_("The households you are the responsible cadre of ({name}), soonest visit first: high-risk "
                             "households are visited every month, medium ones every quarter.").format(name=self.ctx.actor.display_name))
        self.empty.setText(_("You are not the responsible cadre of any household. The village committee names the cadres "
                             "of medium and high households in the review."))
        self.model.retranslate()
        self._show_selected()

    def refresh(self) -> None:
        keep = self.selected()
        try:
            self.tasks = my_households(self.ctx)
        except Exception as exc:
            self.tasks = []
            report_error(self, self.ctx, exc, traceback.format_exc())
        self.model.set_rows([t.row for t in self.tasks])
        fit_columns(self.table, self.model.column("factors"))
        row = self.model.row_of(keep.row.household_id) if keep is not None else -1
        if row < 0 and self.tasks:
            row = 0
        if row >= 0:
            self.table.selectRow(row)
        self.stack.setCurrentIndex(0 if self.tasks else 1)
        self._show_selected()

    def selected(self) -> Task | None:
        row = selected_row(self.table)
        return self.tasks[row] if 0 <= row < len(self.tasks) else None

    def select_household(self, household_id: str) -> None:
        row = self.model.row_of(household_id)
        if row >= 0:
            self.table.selectRow(row)

    def _show_selected(self) -> None:
        task = self.selected()
        self.detail_box.setVisible(task is not None)
        if task is not None:
            text = task.measures or _("(no measures written down)")
            if task.phone:
                text += "\n" + _("Your mobile number on the sheet: {phone}").format(phone=task.phone)
            self.measures_label.setText(text)
        for b in (self.visit_button, self.sheet_button, self.history_button):
            b.setEnabled(task is not None)

    def _activated(self, index: QModelIndex) -> None:
        if 0 <= index.row() < len(self.tasks):
            self.household_requested.emit(self.tasks[index.row()].row.household_id)

    def _show_history(self) -> None:
        task = self.selected()
        if task is not None:
            self.household_requested.emit(task.row.household_id)

    def record_visit(self) -> QDialog | None:
        task = self.selected()
        if task is None or not self.ctx.can("risk.visit"):
            return None
        number = task.row.number

        def done() -> None:
            self.message.setText(_("Visit to household {number} recorded.").format(number=number))
            self.refresh()

        return open_dialog(self, VisitDialog(self.ctx, task.row, self), done)

    def print_sheet(self) -> QDialog | None:
        task = self.selected()
        if task is None:
            return None
        self.dialog = preview_sheet(self, self.ctx, task.row.household_id, task.row.number)
        return self.dialog
