"""Register a case (受理): the intake fields, the parties (found in the roster as you type, or entered
new), and the mediators. One `cases.register_case` call in one write transaction; a refusal is shown
under the field it names and nothing is saved; a possible duplicate is asked about."""

from __future__ import annotations

import datetime as dt
import traceback

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.clock import today
from app.errors import DuplicateWarning, ValidationError
from app.i18n import _
from app.models.cases import MEDIATOR_ROLE_LABELS, SOURCE_LABELS, CaseSource, MediatorRole, PartyRole
from app.services import cases, settings
from app.services.cases import CaseInput, MediatorInput
from app.ui.cases.common import HINT_COLOR, ask, category_choices, date_edit, error_label, on_enter, q_to_date, report_error
from app.ui.cases.party_dialogs import NewPartyDialog, PartyEntry, entry_from_hit, role_combo
from app.ui.cases.person_search import PersonHit, PersonSearch
from app.ui.context import UiContext
from app.ui.messages import FieldError, FieldErrors, missing_line, required_note, show_missing
from app.ui.widgets import save_cancel_buttons, scroll_area

CASE_FIELDS = ("received_on", "source", "category_code", "summary", "facts", "points_in_dispute", "requests",
               "deadline")


def _text_box(lines: int, parent: QWidget) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)
    box.setFixedHeight(parent.fontMetrics().lineSpacing() * lines + 14)
    return box


class NewCaseDialog(QDialog):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.case_id: str | None = None
        self.case_number = ""
        self.dialog: QDialog | None = None
        self.entries: list[PartyEntry] = []
        self._deadline_touched = False
        self.setObjectName("NewCaseDialog")
        self.setWindowTitle(_("Register a dispute case"))

        with ctx.store.read() as session:
            self._deadline_days = settings.get_int(session, "case_deadline_days")
            categories = category_choices(session)

        # ---- the case
        self.errors = FieldErrors()
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.received_on = date_edit(today(), maximum=today())
        self.source = QComboBox()
        for source, label in SOURCE_LABELS.items():
            self.source.addItem(_(label), source.value)
        self.source.setCurrentIndex(self.source.findData(CaseSource.PARTY_APPLIED.value))
        self.category = QComboBox()
        self.category.addItem(_("Choose…"), "")
        for code, label in categories:
            self.category.addItem(label, code)
        self.summary = QLineEdit()
        self.summary.setObjectName("summary")
        self.summary.setMaxLength(500)
        self.summary.setPlaceholderText(_("e.g. 张三与李四宅基地边界纠纷"))
        self.facts = _text_box(3, self)
        self.points = _text_box(2, self)
        self.requests = _text_box(2, self)
        self.deadline = date_edit(today() + dt.timedelta(days=self._deadline_days))
        self.deadline_hint = QLabel()
        self.deadline_hint.setStyleSheet(f"color: {HINT_COLOR};")
        deadline_box = QWidget()
        deadline_row = QHBoxLayout(deadline_box)
        deadline_row.setContentsMargins(0, 0, 0, 0)
        deadline_row.addWidget(self.deadline)
        deadline_row.addWidget(self.deadline_hint, 1)
        e = self.errors
        e.add_row(form, "received_on", _("Received on"), self.received_on, required=True)
        e.add_row(form, "source", _("Source"), self.source, required=True)
        e.add_row(form, "category_code", _("Category"), self.category, required=True)
        e.add_row(form, "summary", _("Short account"), self.summary, required=True)
        e.add_row(form, "facts", _("Facts"), self.facts)
        e.add_row(form, "points_in_dispute", _("Points in dispute"), self.points)
        e.add_row(form, "requests", _("Requests"), self.requests)
        e.add_row(form, "deadline", _("Deadline"), deadline_box, required=True)
        case_box = QGroupBox(_("The dispute"))
        case_layout = QVBoxLayout(case_box)
        case_layout.addLayout(form)
        case_layout.addStretch(1)

        # ---- parties
        self.next_role = role_combo(PartyRole.APPLICANT)
        self.next_role.setObjectName("nextRole")
        self.search = PersonSearch(ctx)
        self.search.picked.connect(self._picked)
        self.new_person_button = QPushButton(_("Enter a new person…"))
        self.new_person_button.clicked.connect(lambda: self.enter_new_party(False))
        self.new_org_button = QPushButton(_("An organisation…"))
        self.new_org_button.clicked.connect(lambda: self.enter_new_party(True))
        self.parties = QTableWidget(0, 4)
        self.parties.setObjectName("parties")
        self.parties.verticalHeader().hide()
        self.parties.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.parties.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.parties.setWordWrap(False)
        header = self.parties.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.parties.setMinimumHeight(self.fontMetrics().lineSpacing() * 6)
        self.parties_error = FieldError()
        self.parties_empty = QLabel(_("No party yet: type a name, its pinyin initials, an ID number or a phone above, "
                                      "then press Enter."))
        self.parties_empty.setWordWrap(True)
        self.parties_empty.setStyleSheet(f"color: {HINT_COLOR};")
        role_row = QHBoxLayout()
        role_row.addWidget(QLabel(_("Add as")))
        role_row.addWidget(self.next_role)
        role_row.addStretch(1)
        role_row.addWidget(self.new_person_button)
        role_row.addWidget(self.new_org_button)
        parties_layout = QVBoxLayout()
        parties_layout.addLayout(role_row)
        parties_layout.addWidget(self.search)
        parties_layout.addWidget(self.parties_empty)
        parties_layout.addWidget(self.parties, 1)
        parties_layout.addWidget(self.parties_error)
        self.parties_box = QGroupBox()
        self.parties_box.setLayout(parties_layout)

        # ---- mediators
        self.mediators = QTableWidget(0, 4)
        self.mediators.setObjectName("mediators")
        self.mediators.verticalHeader().hide()
        self.mediators.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.mediators.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        mheader = self.mediators.horizontalHeader()
        mheader.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            mheader.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.mediators.setMinimumHeight(self.fontMetrics().lineSpacing() * 4)
        self.mediator_name = QLineEdit()
        self.mediator_name.setObjectName("mediatorName")
        self.mediator_name.setPlaceholderText(_("Name"))
        self.mediator_role = QComboBox()
        for role, label in MEDIATOR_ROLE_LABELS.items():
            self.mediator_role.addItem(_(label), role.value)
        self.add_mediator_button = QPushButton(_("Add mediator"))
        self.add_mediator_button.clicked.connect(self.add_mediator_from_fields)
        on_enter(self.mediator_name, self.add_mediator_from_fields)
        self.mediators_error = FieldError()
        add_row = QHBoxLayout()
        add_row.addWidget(self.mediator_name, 1)
        add_row.addWidget(self.mediator_role)
        add_row.addWidget(self.add_mediator_button)
        mediators_layout = QVBoxLayout()
        mediators_layout.addWidget(self.mediators, 1)
        mediators_layout.addLayout(add_row)
        mediators_layout.addWidget(self.mediators_error)
        mediators_box = QGroupBox(_("Mediators"))
        mediators_box.setLayout(mediators_layout)
        self._add_mediator_row(ctx.actor.display_name, MediatorRole.PEOPLES_MEDIATOR, ctx.actor.user_id, lead=True)

        # ---- layout: the dispute on the left, who is involved on the right, in a scroll area
        right = QVBoxLayout()
        right.addWidget(self.parties_box, 3)
        right.addWidget(mediators_box, 2)
        columns = QHBoxLayout()
        columns.addWidget(case_box, 5)
        columns.addLayout(right, 6)
        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.addLayout(columns)
        note = QLabel(required_note())
        note.setTextFormat(Qt.TextFormat.RichText)
        content_layout.addWidget(note)
        scroll = scroll_area(content)

        self.general_error = error_label()
        self.missing_label = missing_line()
        self.missing_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.buttons, self.save_button = save_cancel_buttons(self, _("Register the case"), self.save)
        self.save_button.setDefault(True)
        bottom = QHBoxLayout()
        bottom.addWidget(self.missing_label, 1)
        bottom.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.general_error)
        layout.addLayout(bottom)

        self.received_on.dateChanged.connect(self._received_changed)
        self.deadline.dateChanged.connect(self._deadline_changed)
        self.summary.textChanged.connect(self._update_missing)
        self.category.currentIndexChanged.connect(self._update_missing)
        self._refresh_parties()
        self._deadline_changed()
        self._deadline_touched = False
        self.resize(min(1240, self.fontMetrics().averageCharWidth() * 150), 760)
        self.search.edit.setFocus()

    # -------------------------------------------------------- dates

    def _received_changed(self, _date: QDate) -> None:
        if not self._deadline_touched:
            self.deadline.blockSignals(True)
            self.deadline.setDate(self.received_on.date().addDays(self._deadline_days))
            self.deadline.blockSignals(False)
            self._deadline_changed(touched=False)

    def _deadline_changed(self, *_args: object, touched: bool = True) -> None:
        self._deadline_touched = self._deadline_touched or touched
        days = self.received_on.date().daysTo(self.deadline.date())
        self.deadline_hint.setText(_("{n} days after receipt").format(n=days))

    # -------------------------------------------------------- parties

    def _picked(self, hit: PersonHit) -> None:
        if any(e.party.person_id == hit.person_id for e in self.entries):
            self.parties_error.show_message(_("{name} is already a party.").format(name=hit.name))
            return
        self.add_entry(entry_from_hit(hit, str(self.next_role.currentData())))

    def add_entry(self, entry: PartyEntry) -> None:
        self.parties_error.clear_message()
        self.entries.append(entry)
        roles = {e.party.role for e in self.entries}
        if PartyRole.APPLICANT in roles and PartyRole.RESPONDENT not in roles:
            self.next_role.setCurrentIndex(self.next_role.findData(PartyRole.RESPONDENT.value))
        self._refresh_parties()

    def enter_new_party(self, organisation: bool) -> None:
        dialog = NewPartyDialog(self.ctx, organisation=organisation, role=str(self.next_role.currentData()), parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.add_entry(dialog.entry) if dialog.entry else None)
        self.dialog = dialog
        dialog.open()

    def _remove_entry(self, index: int) -> None:
        if 0 <= index < len(self.entries):
            del self.entries[index]
            self._refresh_parties()

    def _role_changed(self, index: int, combo: QComboBox) -> None:
        if 0 <= index < len(self.entries):
            self.entries[index] = self.entries[index].with_role(str(combo.currentData()))

    def _refresh_parties(self) -> None:
        self.parties_box.setTitle(_("Parties ({n})").format(n=len(self.entries)))
        self.parties.setHorizontalHeaderLabels([_("Role"), _("Name"), _("Details"), ""])
        self.parties.setRowCount(len(self.entries))
        for i, entry in enumerate(self.entries):
            combo = role_combo(entry.party.role)
            combo.currentIndexChanged.connect(lambda _n, i=i, combo=combo: self._role_changed(i, combo))
            self.parties.setCellWidget(i, 0, combo)
            self.parties.setItem(i, 1, QTableWidgetItem(entry.name))
            details = QTableWidgetItem(entry.details)
            details.setToolTip(entry.details)
            self.parties.setItem(i, 2, details)
            remove = QPushButton(_("Remove"))
            remove.setObjectName(f"removeParty{i}")
            remove.clicked.connect(lambda _c=False, i=i: self._remove_entry(i))
            self.parties.setCellWidget(i, 3, remove)
        self.parties.resizeRowsToContents()
        self.parties.setVisible(bool(self.entries))
        self.parties_empty.setVisible(not self.entries)
        self._update_missing()

    # -------------------------------------------------------- mediators

    def _add_mediator_row(self, name: str, role: str, user_id: str | None, lead: bool = False) -> None:
        row = self.mediators.rowCount()
        self.mediators.setHorizontalHeaderLabels([_("Name"), _("Role"), _("Lead"), ""])
        self.mediators.insertRow(row)
        item = QTableWidgetItem(name)
        item.setData(Qt.ItemDataRole.UserRole, user_id or "")  # never None: see cases.common._property
        self.mediators.setItem(row, 0, item)
        combo = QComboBox()
        for value, label in MEDIATOR_ROLE_LABELS.items():
            combo.addItem(_(label), value.value)
        combo.setCurrentIndex(max(0, combo.findData(role)))
        self.mediators.setCellWidget(row, 1, combo)
        lead_box = QCheckBox()
        lead_box.setChecked(lead)
        lead_box.toggled.connect(lambda on, box=lead_box: self._lead_toggled(box, on))
        self.mediators.setCellWidget(row, 2, lead_box)
        remove = QPushButton(_("Remove"))
        remove.clicked.connect(lambda _c=False, item=item: self._remove_mediator(item))
        self.mediators.setCellWidget(row, 3, remove)
        self.mediators.resizeRowsToContents()

    def _lead_toggled(self, box: QCheckBox, on: bool) -> None:
        if not on:
            return
        for row in range(self.mediators.rowCount()):
            other = self.mediators.cellWidget(row, 2)
            if isinstance(other, QCheckBox) and other is not box:
                other.setChecked(False)

    def _remove_mediator(self, item: QTableWidgetItem) -> None:
        self.mediators.removeRow(item.row())

    def add_mediator_from_fields(self) -> None:
        name = self.mediator_name.text().strip()
        if not name:
            self.mediators_error.show_message(_("{field} is required.").format(field=_("Name")))
            return
        self.mediators_error.clear_message()
        self._add_mediator_row(name, str(self.mediator_role.currentData()), None)
        self.mediator_name.clear()

    def mediator_inputs(self) -> list[MediatorInput]:
        result = []
        for row in range(self.mediators.rowCount()):
            item = self.mediators.item(row, 0)
            combo = self.mediators.cellWidget(row, 1)
            lead = self.mediators.cellWidget(row, 2)
            if item is None or not isinstance(combo, QComboBox):
                continue
            result.append(MediatorInput(item.text(), str(combo.currentData()), item.data(Qt.ItemDataRole.UserRole) or None,
                                        isinstance(lead, QCheckBox) and lead.isChecked()))
        return result

    # -------------------------------------------------------- saving

    def missing(self) -> list[str]:
        labels = []
        if not self.category.currentData():
            labels.append(_("Category"))
        if not self.summary.text().strip():
            labels.append(_("Short account"))
        if not self.entries:
            labels.append(_("Parties"))
        return labels

    def _update_missing(self) -> None:
        show_missing(self.missing_label, self.save_button, self.missing())

    def case_input(self) -> CaseInput:
        return CaseInput(
            received_on=q_to_date(self.received_on.date()),
            source=str(self.source.currentData()),
            category_code=str(self.category.currentData() or ""),
            summary=self.summary.text(),
            facts=self.facts.toPlainText(),
            points_in_dispute=self.points.toPlainText(),
            requests=self.requests.toPlainText(),
            deadline=q_to_date(self.deadline.date()),
        )

    def _show_invalid(self, exc: ValidationError) -> None:
        if exc.field in CASE_FIELDS and self.errors.show(exc):
            return
        if exc.field in ("mediator", "user_id") or (exc.field == "role" and "ediator" in exc.message):
            self.mediators_error.show_message(exc.message)
            return
        # parties, or a field of one of them (a new person's ID number, an organisation's credit code)
        self.parties_error.show_message(exc.message)
        self.search.edit.setFocus()

    def save(self, confirm_duplicate: bool = False) -> None:
        if not self.save_button.isEnabled():
            return
        self.errors.clear()
        self.parties_error.clear_message()
        self.mediators_error.clear_message()
        self.general_error.hide()
        parties = [e.party for e in self.entries]
        try:
            with self.ctx.store.write() as session:
                case = cases.register_case(session, self.ctx.actor, self.case_input(), parties, self.mediator_inputs(),
                                           confirm_duplicate=confirm_duplicate)
                self.case_id, self.case_number = case.id, case.number
        except DuplicateWarning as exc:
            self.case_id = None
            ask(self, _("Possible duplicate"), _("{message}\n\nRegister anyway?").format(message=exc.message),
                lambda: self.save(confirm_duplicate=True), yes_text=_("Register anyway"), no_text=_("Go back"))
            return
        except ValidationError as exc:
            self.case_id = None
            self._show_invalid(exc)
            return
        except Exception as exc:
            self.case_id = None
            report_error(self, self.ctx, exc, traceback.format_exc())
            return
        self.ctx.changed.emit({"dispute_case", "case_party", "person"})
        self.accept()
