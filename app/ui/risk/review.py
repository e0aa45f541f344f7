"""The review queues of the round: the village committee confirms (or changes, with a reason) the villager
groups' ratings — households at stage 1; the town work team then reviews them — households at stage 2.
The role decides which queue is shown (a role allowed both may switch). Confirming is one click; a
medium or high household gets its responsible cadre (包保责任人) here too."""

from __future__ import annotations

import traceback

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import Session

from app.clock import today
from app.i18n import N_, _
from app.models.risk import CadreAssignment, RiskAssessment, RiskLevel
from app.services import risk, users
from app.services.risk import AssessInput, HouseholdRisk
from app.ui.cases.common import date_edit, open_dialog, q_to_date, report_error, tr, write
from app.ui.cases.form_dialog import FormDialog, text_box
from app.ui.context import UiContext
from app.ui.risk.common import (
    LEVELS,
    RISK_TABLES,
    empty_state,
    fit_columns,
    hint,
    level_text,
    make_table,
    open_round_or_none,
    selected_row,
)
from app.ui.risk.models import HouseholdRiskModel

QUEUES = {"village": (1, "risk.review_village"), "town": (2, "risk.review_town")}
QUEUE_LABELS = {"village": N_("Village committee: confirm the villager groups' ratings"),
                "town": N_("Town work team: review the village committee's ratings")}
QUEUE_COLUMNS = ("number", "head", "group", "level", "suggested", "factors", "reason", "cadre")


class ChangeLevelDialog(FormDialog):
    """Give another level than the one below, with the reason."""

    tables = RISK_TABLES

    def __init__(self, ctx: UiContext, round_id: str, row: HouseholdRisk, town: bool, parent: QWidget | None = None) -> None:
        super().__init__(ctx, _("Change the level of household {number}").format(number=row.number), _("Save the level"), parent,
                         intro=_("{number} · {head}: {level} at the level below.").format(
                             number=row.number, head=row.head_name, level=level_text(row.level)))
        self.setObjectName("ChangeLevelDialog")
        self.round_id, self.household_id = round_id, row.household_id
        self.level = QComboBox()
        self.level.setObjectName("level")
        for level in LEVELS:
            if level.value != row.level:
                self.level.addItem(level_text(level), level.value)
        self.reason = text_box(self, 3)
        self.reason.setObjectName("reason")
        self.note = text_box(self, 2)
        self.assessed_by = QLineEdit()
        self.assessed_by.setObjectName("assessedBy")
        self.assessed_by.setMaxLength(50)
        self.assessed_by.setPlaceholderText(ctx.actor.display_name)
        self.row("level", _("New level"), self.level, required=True)
        self.row("reason", _("Reason"), self.reason, required=True)
        self.row("note", _("Note"), self.note)
        if town:
            self.row("assessed_by", _("Town work team member"), self.assessed_by)
        self.finish()

    def perform(self, session: Session) -> RiskAssessment:
        data = AssessInput(self.household_id, (), str(self.level.currentData()), self.reason.toPlainText(),
                           self.note.toPlainText(), self.assessed_by.text())
        return risk.assess(session, self.ctx.actor, self.round_id, data)


class CadreDialog(FormDialog):
    """Name the cadre responsible for a household (包保责任人) and the stability measures."""

    tables = RISK_TABLES

    def __init__(self, ctx: UiContext, row: HouseholdRisk, parent: QWidget | None = None) -> None:
        super().__init__(ctx, _("Responsible cadre of household {number}").format(number=row.number), _("Save"), parent,
                         intro=_("{number} · {head} · {level}").format(number=row.number, head=row.head_name,
                                                                       level=level_text(row.level)))
        self.setObjectName("CadreDialog")
        self.household_id = row.household_id
        self.cadre = QComboBox()
        self.cadre.setObjectName("cadre")
        self.cadre.setEditable(True)
        people: list[tuple[str, str | None]] = [(ctx.actor.display_name, ctx.actor.user_id)]
        if ctx.can("users.manage"):
            try:
                with ctx.store.read() as session:
                    people += [(u.display_name, u.id) for u in users.list_users(session, ctx.actor)
                               if u.id != ctx.actor.user_id and u.active]
            except Exception as exc:
                report_error(self, ctx, exc, traceback.format_exc())
        for name, user_id in people:
            self.cadre.addItem(name, user_id or "")
        self.cadre.setCurrentText(row.cadre or "")
        self.phone = QLineEdit()
        self.phone.setObjectName("cadrePhone")
        self.phone.setMaxLength(11)
        self.measures = text_box(self, 3)
        self.measures.setObjectName("measures")
        self.assigned_on = date_edit(today(), maximum=today())
        self.row("cadre_name", _("Responsible cadre"), self.cadre, required=True)
        self.row("cadre_phone", _("Mobile number"), self.phone)
        self.row("measures", _("Stability measures"), self.measures, required=True)
        self.row("assigned_on", _("Responsible since"), self.assigned_on)
        self.cadre.editTextChanged.connect(self.update_missing)
        self.finish()

    def cadre_user_id(self) -> str | None:
        index = self.cadre.findText(self.cadre.currentText().strip())
        value = self.cadre.itemData(index) if index >= 0 else None
        return value if isinstance(value, str) and value else None

    def missing(self) -> list[str]:
        result = super().missing()
        if self.cadre.currentText().strip() and _("Responsible cadre") in result:
            result.remove(_("Responsible cadre"))
        return result

    def perform(self, session: Session) -> CadreAssignment:
        return risk.assign_cadre(session, self.ctx.actor, self.household_id, self.cadre.currentText(), self.measures.toPlainText(),
                                 cadre_user_id=self.cadre_user_id(), cadre_phone=self.phone.text(),
                                 on=q_to_date(self.assigned_on.date()))


class ReviewView(QWidget):
    household_requested = Signal(str)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("RiskReview")
        self.dialog: QDialog | None = None
        self.round_id: str | None = None
        self.queues = [key for key, (_stage, permission) in QUEUES.items() if ctx.can(permission)]

        self.queue_caption = tr(QLabel(), N_("Queue"))
        self.queue = QComboBox()
        self.queue.setObjectName("queue")
        self.queue.currentIndexChanged.connect(lambda _i: self.refresh())
        self.queue_caption.setVisible(len(self.queues) > 1)
        self.queue.setVisible(len(self.queues) > 1)
        self.queue_title = QLabel()
        self.queue_title.setObjectName("queueTitle")
        self.queue_title.setWordWrap(True)
        self.count_label = hint()
        self.count_label.setObjectName("queueCount")
        top = QHBoxLayout()
        top.addWidget(self.queue_caption)
        top.addWidget(self.queue)
        top.addWidget(self.queue_title, 1)
        top.addWidget(self.count_label)

        self.by_caption = tr(QLabel(), N_("Reviewed for the town work team by"))
        self.assessed_by = QLineEdit()
        self.assessed_by.setObjectName("assessedBy")
        self.assessed_by.setMaxLength(50)
        by = QHBoxLayout()
        by.addWidget(self.by_caption)
        by.addWidget(self.assessed_by, 1)
        self.by_row = QWidget()
        self.by_row.setLayout(by)
        by.setContentsMargins(0, 0, 0, 0)

        self.model = HouseholdRiskModel(QUEUE_COLUMNS, self)
        self.table = make_table(self.model, "queue", stretch=self.model.column("factors"))
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        self.table.activated.connect(self._activated)
        self.empty = empty_state()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)

        self.confirm_button = tr(QPushButton(), N_("Confirm the level"))
        self.confirm_button.setObjectName("confirmLevel")
        self.confirm_button.clicked.connect(self.confirm_selected)
        self.change_button = tr(QPushButton(), N_("Change the level…"))
        self.change_button.setObjectName("changeLevel")
        self.change_button.clicked.connect(self.change_selected)
        self.cadre_button = tr(QPushButton(), N_("Responsible cadre…"))
        self.cadre_button.setObjectName("assignCadre")
        self.cadre_button.clicked.connect(self.assign_cadre)
        self.cadre_button.setVisible(ctx.can("risk.review_village"))
        self.history_button = tr(QPushButton(), N_("Household history"))
        self.history_button.clicked.connect(self._show_history)
        self.message = hint()
        self.message.setObjectName("reviewMessage")
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        for b in (self.history_button, self.cadre_button, self.change_button, self.confirm_button):
            buttons.addWidget(b)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.by_row)
        layout.addWidget(self.stack, 1)
        layout.addLayout(buttons)
        self.relabel()

    def relabel(self) -> None:
        keep = self.queue_key()
        self.queue.blockSignals(True)
        self.queue.clear()
        for key in self.queues:
            self.queue.addItem(_(QUEUE_LABELS[key]), key)
        if keep in self.queues:
            self.queue.setCurrentIndex(self.queues.index(keep))
        self.queue.blockSignals(False)
        self.model.retranslate()
        self._show()

    def queue_key(self) -> str:
        index = self.queue.currentIndex()
        return self.queues[index] if 0 <= index < len(self.queues) else (self.queues[0] if self.queues else "")

    def set_queue(self, key: str) -> None:
        if key in self.queues:
            self.queue.setCurrentIndex(self.queues.index(key))

    # -------------------------------------------------------- loading

    def refresh(self) -> None:
        key = self.queue_key()
        rows: list[HouseholdRisk] = []
        self.round_id = None
        if key:
            try:
                with self.ctx.store.read() as session:
                    rnd = open_round_or_none(session)
                    if rnd is not None:
                        self.round_id = rnd.id
                        rows = risk.households_in_round(session, self.ctx.actor, rnd.id, stage=QUEUES[key][0])
            except Exception as exc:
                report_error(self, self.ctx, exc, traceback.format_exc())
        keep = self.selected()
        self.model.set_rows(rows)
        fit_columns(self.table, self.model.column("factors"))
        if keep is not None and self.model.row_of(keep.household_id) >= 0:
            self.table.selectRow(self.model.row_of(keep.household_id))
        elif rows:
            self.table.selectRow(0)
        self._show()

    def _show(self) -> None:
        key = self.queue_key()
        self.queue_title.setText(_(QUEUE_LABELS[key]) if key and len(self.queues) == 1 else "")
        self.by_row.setVisible(key == "town")
        n = self.model.rowCount()
        self.count_label.setText(_("{n} waiting").format(n=n) if n else "")
        if not key:
            self.empty.setText(_("Your role does not review ratings."))
        elif self.round_id is None:
            self.empty.setText(_("No round is open."))
        elif key == "village":
            self.empty.setText(_("Nothing waits for the village committee: every rating of the villager groups is confirmed."))
        else:
            self.empty.setText(_("Nothing waits for the town work team."))
        self.stack.setCurrentIndex(0 if n else 1)
        self._update_buttons()

    def selected(self) -> HouseholdRisk | None:
        return self.model.row_data(selected_row(self.table))

    def _update_buttons(self) -> None:
        row = self.selected()
        for b in (self.confirm_button, self.change_button, self.history_button):
            b.setEnabled(row is not None)
        self.cadre_button.setEnabled(row is not None and row.level in (RiskLevel.MEDIUM, RiskLevel.HIGH))
        self.cadre_button.setToolTip("" if self.cadre_button.isEnabled() else
                                     _("Medium and high households get a responsible cadre"))

    def _activated(self, index: QModelIndex) -> None:
        row = self.model.row_data(index.row())
        if row is not None:
            self.household_requested.emit(row.household_id)

    def _show_history(self) -> None:
        row = self.selected()
        if row is not None:
            self.household_requested.emit(row.household_id)

    # -------------------------------------------------------- actions

    def confirm_selected(self) -> bool:
        row, round_id = self.selected(), self.round_id
        if row is None or round_id is None:
            return False
        data = AssessInput(row.household_id, (), None, "", "", self.assessed_by.text() if self.queue_key() == "town" else "")
        if not write(self, self.ctx, lambda session: risk.assess(session, self.ctx.actor, round_id, data), tables=RISK_TABLES):
            return False
        self.message.setText(_("Household {number}: {level} confirmed.").format(number=row.number, level=level_text(row.level)))
        self.refresh()
        return True

    def change_selected(self) -> QDialog | None:
        row, round_id = self.selected(), self.round_id
        if row is None or round_id is None:
            return None
        dialog = ChangeLevelDialog(self.ctx, round_id, row, self.queue_key() == "town", self)
        if self.queue_key() == "town":
            dialog.assessed_by.setText(self.assessed_by.text())
        return open_dialog(self, dialog, self.refresh)

    def assign_cadre(self) -> QDialog | None:
        row = self.selected()
        if row is None or not self.ctx.can("risk.review_village"):
            return None
        return open_dialog(self, CadreDialog(self.ctx, row, self), self.refresh)
