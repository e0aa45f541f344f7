"""The agreement of a case (调解协议书): its terms with amounts (each shown in Chinese capitals while it is
typed), the manner and deadline of performance, the number of copies; the signature checklist that
puts it in force; the judicial-confirmation window; and the oral-agreement path."""

from __future__ import annotations

import datetime as dt
import traceback
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import Session

from app.clock import today
from app.errors import ValidationError
from app.i18n import N_, _, format_date, ngettext
from app.models.cases import Agreement
from app.services import case_flow
from app.services.case_flow import AgreementInput, ChecklistItem, Term
from app.services.cases import CONFIRMATION_WARNING_DAYS, CaseView
from app.ui.cases.common import (
    HINT_COLOR,
    MEDIATING_STATES,
    OK_COLOR,
    WARNING_COLOR,
    ask,
    bigger,
    date_edit,
    date_to_q,
    hint_label,
    open_dialog,
    q_to_date,
    report_error,
    tr,
    write,
)
from app.ui.cases.form_dialog import FormDialog
from app.ui.context import UiContext
from app.ui.messages import ERROR_COLOR, FieldError
from app.ui.widgets import scroll_area


def capitals_of(text: str) -> tuple[str, bool]:
    """(人民币壹万贰仟元整, True) for "12000"; ("", True) for nothing; (the problem, False) for bad input."""
    try:
        amount = case_flow.parse_amount(text, "terms")
    except ValidationError as exc:
        return exc.message, False
    return (case_flow.amount_in_capitals(amount) if amount else ""), True


class TermRow(QWidget):
    changed = Signal()
    remove_requested = Signal(object)

    def __init__(self, number: int, term: Term | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.number = QLabel()
        self.text = QLineEdit(term.text if term else "")
        self.text.setObjectName("termText")
        self.text.setMaxLength(2000)
        tr(self.text, "", placeholder=N_("What one party does for the other, e.g. 张三补偿李四"))
        self.amount = QLineEdit(term.amount if term else "")
        self.amount.setObjectName("termAmount")
        self.amount.setMaxLength(16)
        tr(self.amount, "", placeholder=N_("yuan, if any"))
        self.amount.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.amount.setFixedWidth(self.fontMetrics().averageCharWidth() * 14)
        self.capitals = QLabel()
        self.capitals.setObjectName("termCapitals")
        self.capitals.setTextFormat(Qt.TextFormat.PlainText)
        self.capitals.setWordWrap(True)
        self.remove = tr(QPushButton(), N_("Remove"))
        self.remove.setObjectName("removeTerm")
        self.remove.clicked.connect(lambda: self.remove_requested.emit(self))
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(0)
        grid.addWidget(self.number, 0, 0)
        grid.addWidget(self.text, 0, 1)
        grid.addWidget(tr(QLabel(), N_("Amount")), 0, 2)
        grid.addWidget(self.amount, 0, 3)
        grid.addWidget(self.remove, 0, 4)
        grid.addWidget(self.capitals, 1, 1, 1, 4, Qt.AlignmentFlag.AlignRight)
        grid.setColumnStretch(1, 1)
        self.text.textChanged.connect(self.changed)
        self.amount.textChanged.connect(self._amount_changed)
        self.set_number(number)
        self._amount_changed()

    def set_number(self, number: int) -> None:
        self.number.setText(f"{number}.")

    def _amount_changed(self, *_args: object) -> None:
        text, ok = capitals_of(self.amount.text())
        self.capitals.setText(text)
        self.capitals.setStyleSheet(f"color: {OK_COLOR if ok else ERROR_COLOR};")
        self.capitals.setVisible(bool(text))
        self.changed.emit()

    def value(self) -> Term:
        return Term(self.text.text(), self.amount.text().strip())

    def set_read_only(self, read_only: bool) -> None:
        self.text.setReadOnly(read_only)
        self.amount.setReadOnly(read_only)
        self.remove.setVisible(not read_only)


class TermsEditor(QWidget):
    """The terms of the agreement as an editable list, each with an optional amount."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[TermRow] = []
        self._rows_layout = QVBoxLayout()
        self._rows_layout.setSpacing(6)
        self.add_button = tr(QPushButton(), N_("Add a term"))
        self.add_button.setObjectName("addTerm")
        self.add_button.clicked.connect(lambda: self.add_term())
        self.error = FieldError()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._rows_layout)
        add = QHBoxLayout()
        add.addWidget(self.add_button)
        add.addStretch(1)
        layout.addLayout(add)
        layout.addWidget(self.error)
        self._read_only = False

    def add_term(self, term: Term | None = None) -> TermRow:
        row = TermRow(len(self.rows) + 1, term)
        row.changed.connect(self.changed)
        row.remove_requested.connect(self._remove)
        row.set_read_only(self._read_only)
        self.rows.append(row)
        self._rows_layout.addWidget(row)
        row.show()  # at once, not when the event loop next runs
        if term is None:
            row.text.setFocus()
            self.changed.emit()
        return row

    def _remove(self, row: TermRow) -> None:
        if row in self.rows:
            self.rows.remove(row)
            self._rows_layout.removeWidget(row)
            row.hide()
            row.deleteLater()
            for i, other in enumerate(self.rows, start=1):
                other.set_number(i)
            if not self.rows:
                self.add_term()
            self.changed.emit()

    def set_terms(self, terms: list[Term]) -> None:
        for row in self.rows:
            self._rows_layout.removeWidget(row)
            row.hide()
            row.deleteLater()
        self.rows = []
        for term in terms or [Term("")]:
            self.add_term(term)

    def terms(self) -> tuple[Term, ...]:
        return tuple(row.value() for row in self.rows if row.text.text().strip() or row.amount.text().strip())

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        for row in self.rows:
            row.set_read_only(read_only)
        self.add_button.setVisible(not read_only)


class ConfirmationDialog(FormDialog):
    """Both parties applied jointly to the court for judicial confirmation (within 30 days)."""

    def __init__(self, ctx: UiContext, case_id: str, effective_on: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(ctx, _("Judicial confirmation"), _("Save"), parent,
                         intro=_("The parties applied jointly to the court to confirm the agreement."))
        self.case_id = case_id
        self.applied_on = date_edit(today(), maximum=today())
        self.applied_on.setMinimumDate(date_to_q(effective_on))
        self.result_edit = QLineEdit()
        self.result_edit.setMaxLength(200)
        self.result_edit.setPlaceholderText(_("e.g. 已受理, 已确认有效"))
        self.row("applied_on", _("Applied on"), self.applied_on, required=True)
        self.row("result", _("Result"), self.result_edit)
        self.finish()

    def perform(self, session: Session) -> Any:
        return case_flow.record_confirmation(session, self.ctx.actor, self.case_id, q_to_date(self.applied_on.date()),
                                             self.result_edit.text())


def _fingerprint(agreement: Agreement | None) -> tuple[Any, ...]:
    if agreement is None:
        return ()
    return (agreement.id, agreement.kind, agreement.terms, agreement.facts, agreement.responsibilities,
            agreement.performance_manner, agreement.performance_deadline, agreement.copies, agreement.effective_on)


class AgreementTab(QWidget):
    print_requested = Signal(str)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.view: CaseView | None = None
        self.agreement: Agreement | None = None
        self.items: list[ChecklistItem] = []
        self.dialog: QDialog | None = None
        self.dirty = False
        self._loaded: tuple[Any, ...] | None = None
        self._loading = False

        # ---- where the agreement stands
        self.state_label = QLabel()
        self.state_label.setObjectName("agreementState")
        self.state_label.setWordWrap(True)
        self.confirmation_label = QLabel()
        self.confirmation_label.setObjectName("confirmationWindow")
        self.confirmation_label.setWordWrap(True)
        self.confirm_button = tr(QPushButton(), N_("Record the application for judicial confirmation…"))
        self.confirm_button.clicked.connect(self.record_confirmation)
        self.print_button = tr(QPushButton(), N_("Print the agreement…"))
        self.print_button.setObjectName("printAgreement")
        self.print_button.setToolTip(_("Ctrl+P"))
        self.print_button.clicked.connect(self._print)
        state_row = QHBoxLayout()
        state_text = QVBoxLayout()
        state_text.addWidget(self.state_label)
        state_text.addWidget(self.confirmation_label)
        state_row.addLayout(state_text, 1)
        state_row.addWidget(self.confirm_button, 0, Qt.AlignmentFlag.AlignTop)
        state_row.addWidget(self.print_button, 0, Qt.AlignmentFlag.AlignTop)

        # ---- the text of the agreement
        self.facts = QPlainTextEdit()
        self.facts.setObjectName("agreementFacts")
        self.responsibilities = QPlainTextEdit()
        for text_edit in (self.facts, self.responsibilities):
            text_edit.setTabChangesFocus(True)
            text_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 14)
        self.terms = TermsEditor()
        self.manner = QLineEdit()
        self.manner.setObjectName("performanceManner")
        self.manner.setMaxLength(2000)
        tr(self.manner, "", placeholder=N_("e.g. 现金一次性支付, 银行转账"))
        self.has_deadline = tr(QCheckBox(), N_("by"))
        self.deadline = date_edit(today() + dt.timedelta(days=10))
        self.deadline.setEnabled(False)
        self.has_deadline.toggled.connect(self.deadline.setEnabled)
        deadline_box = QWidget()
        deadline_row = QHBoxLayout(deadline_box)
        deadline_row.setContentsMargins(0, 0, 0, 0)
        deadline_row.addWidget(self.has_deadline)
        deadline_row.addWidget(self.deadline)
        deadline_row.addStretch(1)
        self.copies = QSpinBox()
        self.copies.setObjectName("copies")
        self.copies.setRange(1, 20)
        self.copies_hint = hint_label(wrap=False)
        copies_box = QWidget()
        copies_row = QHBoxLayout(copies_box)
        copies_row.setContentsMargins(0, 0, 0, 0)
        copies_row.addWidget(self.copies)
        copies_row.addWidget(self.copies_hint, 1)
        self.errors: dict[str, FieldError] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        rows: tuple[tuple[str, str, QWidget], ...] = (
            ("facts", N_("Facts"), self.facts), ("responsibilities", N_("Responsibilities"), self.responsibilities),
            ("terms", N_("Terms"), self.terms), ("performance_manner", N_("Manner of performance"), self.manner),
            ("performance_deadline", N_("Performance deadline"), deadline_box), ("copies", N_("Copies"), copies_box))
        for key, label, widget in rows:
            box = QWidget()
            column = QVBoxLayout(box)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            column.addWidget(widget)
            error = FieldError()
            column.addWidget(error)
            self.errors[key] = error
            form.addRow(tr(QLabel(), label), box)
        self.general_error = FieldError()
        self.save_button = tr(QPushButton(), N_("Save the written agreement"))
        self.save_button.setObjectName("saveAgreement")
        self.save_button.clicked.connect(self.save_written)
        self.oral_button = tr(QPushButton(), N_("Register as an oral agreement…"))
        self.oral_button.setObjectName("oralAgreement")
        self.oral_button.clicked.connect(self.ask_oral)
        self.unsaved_label = hint_label()
        save_row = QHBoxLayout()
        save_row.addWidget(self.save_button)
        save_row.addWidget(self.oral_button)
        save_row.addWidget(self.unsaved_label, 1)
        self.editor_box = tr(QGroupBox(), N_("The agreement"))
        editor_layout = QVBoxLayout(self.editor_box)
        editor_layout.addLayout(form)
        editor_layout.addWidget(self.general_error)
        editor_layout.addLayout(save_row)

        # ---- the checklist that puts it in force
        self.checklist_box = tr(QGroupBox(), N_("Signatures and seal"))
        self.checklist_hint = hint_label()
        self.checks: dict[str, QCheckBox] = {}
        self._checks_layout = QVBoxLayout()
        checklist_layout = QVBoxLayout(self.checklist_box)
        checklist_layout.addWidget(self.checklist_hint)
        checklist_layout.addLayout(self._checks_layout)

        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.addLayout(state_row)
        content_layout.addWidget(self.checklist_box)
        content_layout.addWidget(self.editor_box)
        content_layout.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll_area(content))

        for signal in (self.facts.textChanged, self.responsibilities.textChanged, self.terms.changed,
                       self.manner.textChanged, self.has_deadline.toggled, self.deadline.dateChanged,
                       self.copies.valueChanged):
            signal.connect(self._edited)

    # -------------------------------------------------------- loading

    def show_case(self, view: CaseView) -> None:
        new_case = self.view is None or self.view.id != view.id
        self.view = view
        try:
            with self.ctx.store.read() as session:
                self.agreement = case_flow.get_agreement(session, view.id)
                self.items = case_flow.checklist(session, view.id)
        except Exception as exc:
            self.agreement, self.items = None, []
            report_error(self, self.ctx, exc, traceback.format_exc())
        stored = _fingerprint(self.agreement)
        if new_case or not self.dirty or stored != self._loaded or self.in_force():
            self._load_editor(view)
            self._loaded = stored
        self._show_state(view)
        self._show_checklist()

    def in_force(self) -> bool:
        return self.agreement is not None and self.agreement.effective_on is not None

    def _load_editor(self, view: CaseView) -> None:
        self._loading = True
        try:
            a = self.agreement
            for error in self.errors.values():
                error.clear_message()
            self.general_error.clear_message()
            self.facts.setPlainText(a.facts if a else view.facts)
            self.responsibilities.setPlainText(a.responsibilities if a else "")
            self.terms.set_terms(case_flow.agreement_terms(a) if a else [])
            self.manner.setText(a.performance_manner if a else "")
            deadline = a.performance_deadline if a else None
            self.has_deadline.setChecked(deadline is not None)
            self.deadline.setEnabled(deadline is not None)
            self.deadline.setMinimumDate(date_to_q(view.received_on))
            self.deadline.setDate(date_to_q(deadline) if deadline else QDate.currentDate().addDays(10))
            self.copies.setValue(a.copies if a else len(view.parties) + 1)
            self.dirty = False
        finally:
            self._loading = False

    def _edited(self, *_args: object) -> None:
        if self._loading:
            return
        self.dirty = True
        self._update_buttons()

    def _show_state(self, view: CaseView) -> None:
        a = self.agreement
        may = self.ctx.can("cases.mediate")
        mediating = view.status in MEDIATING_STATES
        self.copies_hint.setText(ngettext("one for each of the {n} party and one for the committee",
                                          "one for each of the {n} parties and one for the committee",
                                          len(view.parties)).format(n=len(view.parties)))
        bigger(self.state_label, 1.1, bold=True)
        self.confirmation_label.setVisible(False)
        self.confirm_button.setVisible(False)
        if a is None:
            text = _("No agreement yet.") if mediating else _("This case has no agreement.")
            if mediating and may:
                text += " " + _("Write its terms below and save; or register an oral agreement.")
            self.state_label.setText(text)
            self.state_label.setStyleSheet(f"color: {HINT_COLOR};")
        elif a.effective_on is None:
            self.state_label.setText(_("Draft of a written agreement: in force once every required item is ticked."))
            self.state_label.setStyleSheet(f"color: {WARNING_COLOR};")
        else:
            kind = _("Oral agreement") if a.kind == "oral" else _("Written agreement")
            self.state_label.setText(_("{kind} in force since {date}").format(kind=kind, date=format_date(a.effective_on)))
            self.state_label.setStyleSheet(f"color: {OK_COLOR};")
            self._show_confirmation(a, may)
        self.editor_box.setVisible(a is not None or (mediating and may))
        self.editor_box.setTitle(_("The oral agreement as recorded") if a is not None and a.kind == "oral"
                                 else _("The agreement"))
        self.print_button.setVisible(a is not None)
        read_only = not (mediating and may) or self.in_force()
        self.terms.set_read_only(read_only)
        self.facts.setReadOnly(read_only)
        self.responsibilities.setReadOnly(read_only)
        self.manner.setReadOnly(read_only)
        self.has_deadline.setEnabled(not read_only)
        self.copies.setEnabled(not read_only)
        self.deadline.setEnabled(not read_only and self.has_deadline.isChecked())
        self.save_button.setVisible(not read_only)
        self.oral_button.setVisible(not read_only and a is None)
        self.save_button.setText(_("Save the written agreement") if a is None else _("Save changes"))
        self._update_buttons()

    def _show_confirmation(self, a: Agreement, may: bool) -> None:
        until = case_flow.confirmation_deadline(a)
        if until is None:
            return
        if a.confirmation_applied_on is not None:
            text = _("Joint application to the court for judicial confirmation made on {date}.").format(
                date=format_date(a.confirmation_applied_on))
            if a.confirmation_result:
                text += " " + a.confirmation_result
            color = OK_COLOR
        else:
            left = (until - today()).days
            if left >= 0:
                text = ngettext("Joint application to the court for judicial confirmation possible until {date}, "
                                "{n} day left",
                                "Joint application to the court for judicial confirmation possible until {date}, "
                                "{n} days left", left).format(date=format_date(until), n=left)
                color = WARNING_COLOR if left <= CONFIRMATION_WARNING_DAYS else HINT_COLOR
                self.confirm_button.setVisible(may)
            else:
                text = _("The 30 days for a joint application to the court ended on {date}.").format(
                    date=format_date(until))
                color = HINT_COLOR
        self.confirmation_label.setText(text)
        self.confirmation_label.setStyleSheet(f"color: {color}; font-weight: bold;" if color == WARNING_COLOR
                                              else f"color: {color};")
        self.confirmation_label.setVisible(True)

    def _show_checklist(self) -> None:
        written = self.agreement is not None and self.agreement.kind == "written"
        self.checklist_box.setVisible(written)
        keys = [item.key for item in self.items]
        if keys != list(self.checks):
            while self._checks_layout.count():
                item = self._checks_layout.takeAt(0)
                widget = item.widget() if item is not None else None
                if widget is not None:
                    widget.hide()
                    widget.deleteLater()
            self.checks = {}
            for checklist_item in self.items:
                box = QCheckBox()
                box.setObjectName(f"tick_{checklist_item.key}")
                box.toggled.connect(lambda on, key=checklist_item.key: self.tick(key, on))
                self.checks[checklist_item.key] = box
                self._checks_layout.addWidget(box)
                box.show()
        for checklist_item in self.items:
            box = self.checks[checklist_item.key]
            box.blockSignals(True)
            box.setChecked(checklist_item.done)
            box.blockSignals(False)
            label = checklist_item.label if checklist_item.required else _("{item} (if there is a recorder)").format(
                item=checklist_item.label)
            box.setText(label)
        self._update_buttons()

    def _update_buttons(self) -> None:
        may = self.ctx.can("cases.mediate")
        mediating = self.view is not None and self.view.status in MEDIATING_STATES
        can_tick = may and mediating and not self.in_force() and not self.dirty
        for box in self.checks.values():
            box.setEnabled(can_tick)
            # signed and in force: green words, not the faint grey of a disabled box
            box.setStyleSheet(f"QCheckBox:disabled {{ color: {OK_COLOR}; }}" if self.in_force() else "")
        if self.in_force():
            hint = _("All signed: the agreement is in force.")
        elif self.dirty:
            hint = _("Save the changes before ticking signatures: they sign the saved text.")
        else:
            hint = _("Tick each item once it is signed, thumbprinted or sealed. The agreement is in force when every "
                     "required item is ticked.")
        self.checklist_hint.setText(hint)
        self.unsaved_label.setText(_("Unsaved changes") if self.dirty else "")

    # -------------------------------------------------------- writing

    def agreement_input(self) -> AgreementInput:
        return AgreementInput(
            terms=self.terms.terms(), facts=self.facts.toPlainText(), responsibilities=self.responsibilities.toPlainText(),
            performance_manner=self.manner.text(),
            performance_deadline=q_to_date(self.deadline.date()) if self.has_deadline.isChecked() else None,
            copies=self.copies.value())

    def _show_invalid(self, exc: ValidationError) -> bool:
        for error in self.errors.values():
            error.clear_message()
        target = self.errors.get(exc.field)
        if target is None and exc.field == "effective_on":
            target = self.general_error
        (target or self.general_error).show_message(exc.message)
        return True

    def _write(self, call: Any) -> bool:
        for error in self.errors.values():
            error.clear_message()
        self.general_error.clear_message()
        ok = write(self, self.ctx, call, on_invalid=self._show_invalid)
        return ok

    def save_written(self) -> bool:
        if self.view is None:
            return False
        case_id, data = self.view.id, self.agreement_input()
        ok = self._write(lambda s: case_flow.draft_agreement(s, self.ctx.actor, case_id, data))
        if ok:
            self.dirty = False
            self._update_buttons()
        return ok

    def ask_oral(self) -> None:
        if self.view is None:
            return
        ask(self, _("Oral agreement"),
            _("An oral agreement is in force as soon as it is registered, and cannot be changed afterwards. "
              "Register the terms above as an oral agreement?"),
            self.save_oral, yes_text=_("Register"), no_text=_("Go back"))

    def save_oral(self) -> bool:
        if self.view is None:
            return False
        case_id, data = self.view.id, self.agreement_input()
        ok = self._write(lambda s: case_flow.register_oral_agreement(s, self.ctx.actor, case_id, data))
        if ok:
            self.dirty = False
        return ok

    def tick(self, key: str, done: bool) -> None:
        if self.view is None:
            return
        case_id = self.view.id
        if not self._write(lambda s: case_flow.tick(s, self.ctx.actor, case_id, key, done)):
            self.show_case(self.view)  # put the box back as it is stored

    def record_confirmation(self) -> None:
        if self.view is None or self.agreement is None or self.agreement.effective_on is None:
            return
        open_dialog(self, ConfirmationDialog(self.ctx, self.view.id, self.agreement.effective_on, parent=self))

    def _print(self) -> None:
        if self.agreement is not None:
            self.print_requested.emit("oral" if self.agreement.kind == "oral" else "agreement")

    def focus_editor(self) -> None:
        if self.terms.rows:
            self.terms.rows[0].text.setFocus()
