"""How a mediation ends other than by agreement — failed (with the other routes the parties were told
of), transferred, withdrawn — and closing the case."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtWidgets import QLabel, QLineEdit, QWidget
from sqlmodel import Session

from app.clock import today
from app.i18n import _
from app.services import case_flow
from app.ui.cases.common import date_edit, date_to_q, q_to_date
from app.ui.cases.form_dialog import FormDialog, checkbox_row, choice_combo, text_box
from app.ui.context import UiContext
from app.ui.messages import ERROR_COLOR


class FailDialog(FormDialog):
    def __init__(self, ctx: UiContext, case_id: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, _("Mediation failed"), _("End the mediation"), parent,
                         intro=_("The committee ends the mediation and tells the parties which other routes they have."))
        self.case_id = case_id
        self.reason = text_box(self, 3)
        self.reason.setObjectName("reason")
        routes_box, self.routes = checkbox_row(case_flow.ROUTES)
        self.row("reason", _("Why it failed"), self.reason, required=True)
        self.row("routes", _("Routes the parties were told of"), routes_box, required=True)
        for box in self.routes.values():
            box.toggled.connect(self.update_missing)
        self.finish()

    def missing(self) -> list[str]:
        missing = super().missing()
        if not any(box.isChecked() for box in self.routes.values()):
            missing.append(_("Routes the parties were told of"))
        return missing

    def perform(self, session: Session) -> Any:
        routes = [key for key, box in self.routes.items() if box.isChecked()]
        return case_flow.fail(session, self.ctx.actor, self.case_id, self.reason.toPlainText(), routes)


class TransferDialog(FormDialog):
    def __init__(self, ctx: UiContext, case_id: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, _("Transfer the case"), _("Transfer"), parent,
                         intro=_("Hand the case to the township center, a court, the police or a trade committee."))
        self.case_id = case_id
        self.to = choice_combo(case_flow.TRANSFER_TARGETS, placeholder=_("Choose…"))
        self.to.setObjectName("transferTo")
        self.reason = text_box(self, 3)
        self.reason.setObjectName("reason")
        self.row("to", _("Transfer to"), self.to, required=True)
        self.row("reason", _("Reason"), self.reason, required=True)
        self.finish()

    def perform(self, session: Session) -> Any:
        return case_flow.transfer(session, self.ctx.actor, self.case_id, str(self.to.currentData()),
                                  self.reason.toPlainText())


class WithdrawDialog(FormDialog):
    def __init__(self, ctx: UiContext, case_id: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, _("Withdrawn"), _("Record the withdrawal"), parent,
                         intro=_("The applicant withdrew the application, or the parties settled by themselves."))
        self.case_id = case_id
        self.reason = text_box(self, 3)
        self.reason.setObjectName("reason")
        self.row("reason", _("Reason"), self.reason, required=True)
        self.finish()

    def perform(self, session: Session) -> Any:
        return case_flow.withdraw(session, self.ctx.actor, self.case_id, self.reason.toPlainText())


class CloseDialog(FormDialog):
    """Close the case (结案). What still keeps it open is listed, and the save button is off until then."""

    def __init__(self, ctx: UiContext, case_id: str, reasons: list[str], received_on: dt.date,
                 parent: QWidget | None = None) -> None:
        super().__init__(ctx, _("Close the case"), _("Close the case"), parent)
        self.case_id = case_id
        self.reasons = reasons
        self.closed_on = date_edit(today(), maximum=today())
        self.closed_on.setMinimumDate(date_to_q(received_on))
        self.retention = QLineEdit()
        self.retention.setMaxLength(20)
        self.retention.setPlaceholderText(_("e.g. 永久, 长期, 10年"))
        self.row("closed_on", _("Closed on"), self.closed_on)
        self.row("retention", _("Retention period"), self.retention)
        self.reasons_label = QLabel("\n".join(f"• {r}" for r in reasons))
        self.reasons_label.setObjectName("closeReasons")
        self.reasons_label.setWordWrap(True)
        self.reasons_label.setStyleSheet(f"color: {ERROR_COLOR};")
        self.reasons_label.setVisible(bool(reasons))
        self.form.addRow(QLabel(_("Still missing") if reasons else ""), self.reasons_label)
        self.finish()

    def missing(self) -> list[str]:
        return [_("see the list above")] if self.reasons else []

    def perform(self, session: Session) -> Any:
        return case_flow.close(session, self.ctx.actor, self.case_id, q_to_date(self.closed_on.date()),
                               self.retention.text())
