"""A party who is not picked from the roster: a new person (added to the roster, optionally to a
household) or an organisation; and the dialog that adds a party to a registered case."""

from __future__ import annotations

import traceback
from dataclasses import dataclass, replace

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import DuplicateWarning, ValidationError
from app.i18n import _
from app.models.cases import PARTY_ROLE_LABELS, PartyRole
from app.models.roster import SEX_LABELS, Sex
from app.services import cases, households
from app.services.cases import PartyInput
from app.services.households import PersonInput
from app.services.validation import clean_name, clean_text
from app.ui.cases.common import HINT_COLOR, ask, error_label, read_or_report, report_error
from app.ui.cases.person_search import PersonHit, PersonSearch
from app.ui.context import UiContext
from app.ui.messages import FieldErrors, required_note


@dataclass(frozen=True)
class PartyEntry:
    """A party chosen in a form, before it is saved: what the service needs and what the list shows."""

    party: PartyInput
    name: str
    details: str

    def with_role(self, role: str) -> PartyEntry:
        return replace(self, party=replace(self.party, role=role))


def entry_from_hit(hit: PersonHit, role: str) -> PartyEntry:
    details = " · ".join(p for p in (_("household {number}").format(number=hit.household_number), hit.address,
                                     hit.mobile, hit.id_number) if p)
    return PartyEntry(PartyInput(role, person_id=hit.person_id), hit.name, details)


def role_combo(selected: str = PartyRole.APPLICANT) -> QComboBox:
    combo = QComboBox()
    for role, label in PARTY_ROLE_LABELS.items():
        combo.addItem(_(label), role.value)
    combo.setCurrentIndex(max(0, combo.findData(selected)))
    return combo


class HouseholdPicker(QWidget):
    """Which household a new person joins (optional): a search over the roster's households."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.household_id: str | None = None
        self.edit = QLineEdit()
        self.edit.setObjectName("householdSearch")
        self.edit.setClearButtonEnabled(True)
        self.edit.setPlaceholderText(_("Household no., head's name or initials; empty: none"))
        self.results = QListWidget()
        self.results.hide()
        self.results.itemActivated.connect(self._pick)
        self.results.itemClicked.connect(self._pick)
        self.chosen = QLabel()
        self.chosen.setStyleSheet(f"color: {HINT_COLOR};")
        self.chosen.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit)
        layout.addWidget(self.results)
        layout.addWidget(self.chosen)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(200)
        self._timer.timeout.connect(self.search_now)
        self.edit.textEdited.connect(lambda _text: self._timer.start())
        self._show_choice()

    def search_now(self) -> None:
        self._timer.stop()
        query = self.edit.text().strip()
        self.results.clear()
        if not query:
            self.household_id = None
            self.results.hide()
            self._show_choice()
            return
        rows: list[households.HouseholdRow] = read_or_report(self, self.ctx, lambda session: households.list_households(
            session, self.ctx.actor, query=query, limit=8), [])
        for row in rows:
            item = QListWidgetItem(" · ".join(p for p in (row.number, row.head_name, row.address) if p))
            item.setData(Qt.ItemDataRole.UserRole, row.id)
            self.results.addItem(item)
        if rows:
            self.results.setCurrentRow(0)
            self.results.setFixedHeight(self.results.sizeHintForRow(0) * min(len(rows), 5) + 6)
        self.results.setVisible(bool(rows))

    def _pick(self, item: QListWidgetItem) -> None:
        self.household_id = item.data(Qt.ItemDataRole.UserRole)
        self.edit.setText(item.text())
        self.results.hide()
        self._show_choice()

    def _show_choice(self) -> None:
        self.chosen.setText(_("Joins this household in the roster.") if self.household_id
                            else _("Not added to a household (the roster keeps the person on their own)."))


class NewPartyDialog(QDialog):
    """Enter a party who is not in the roster: a person (name, sex, ID number, mobile, household) or an
    organisation (name, unified social credit code, legal representative). Checked before it is added
    to the form; the case is saved later."""

    def __init__(self, ctx: UiContext, *, organisation: bool, role: str = PartyRole.APPLICANT,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.organisation = organisation
        self.entry: PartyEntry | None = None
        self.setObjectName("NewPartyDialog")
        self.setWindowTitle(_("An organisation as party") if organisation else _("A new person as party"))
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.errors = FieldErrors()
        self.role = role_combo(role)
        self.errors.add_row(form, "role", _("Role"), self.role)
        self.name = QLineEdit()
        self.name.setMaxLength(100 if organisation else 50)
        self.address = QLineEdit()
        self.address.setMaxLength(200)
        if organisation:
            self.credit_code = QLineEdit()
            self.credit_code.setMaxLength(18)
            self.credit_code.setPlaceholderText(_("18 characters"))
            self.agent_name = QLineEdit()
            self.agent_name.setMaxLength(50)
            self.agent_mobile = QLineEdit()
            self.agent_mobile.setMaxLength(11)
            self.errors.add_row(form, "organisation_name", _("Organisation"), self.name, required=True, aliases=("name",))
            self.errors.add_row(form, "credit_code", _("Unified social credit code"), self.credit_code, required=True)
            self.errors.add_row(form, "agent_name", _("Legal representative"), self.agent_name, required=True)
            self.errors.add_row(form, "agent_mobile", _("Representative's mobile"), self.agent_mobile)
            self.errors.add_row(form, "address", _("Address"), self.address)
        else:
            self.sex = QComboBox()
            self.sex.addItem(_("Not given"), "")
            for value in (Sex.MALE, Sex.FEMALE):
                self.sex.addItem(_(SEX_LABELS[value]), value.value)
            self.id_number = QLineEdit()
            self.id_number.setMaxLength(22)
            self.id_number.setPlaceholderText(_("18 characters; fills birth date and sex"))
            self.mobile = QLineEdit()
            self.mobile.setMaxLength(16)
            self.household = HouseholdPicker(ctx)
            self.errors.add_row(form, "name", _("Name"), self.name, required=True)
            self.errors.add_row(form, "sex", _("Sex"), self.sex)
            self.errors.add_row(form, "id_number", _("ID number"), self.id_number)
            self.errors.add_row(form, "mobile", _("Mobile number"), self.mobile)
            self.errors.add_row(form, "household_id", _("Household"), self.household)
            self.errors.add_row(form, "address", _("Address"), self.address)
        note = QLabel(required_note())
        note.setTextFormat(Qt.TextFormat.RichText)
        self.general_error = error_label()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_("Add party"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self.buttons.accepted.connect(self.check_and_accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 70)
        self.name.setFocus()

    def _build(self) -> PartyEntry:
        role = str(self.role.currentData())
        if self.organisation:
            name = clean_text(self.name.text(), "organisation_name", "Organisation", max_len=100, required=True)
            code = cases.check_credit_code(self.credit_code.text())
            agent = clean_name(self.agent_name.text(), "agent_name", "Legal representative")
            party = PartyInput(role, is_organisation=True, organisation_name=name, credit_code=code, agent_name=agent,
                               agent_kind="legal_representative", agent_mobile=self.agent_mobile.text().strip(),
                               address=self.address.text())
            details = " · ".join(p for p in (code, _("legal representative {name}").format(name=agent),
                                             self.agent_mobile.text().strip()) if p)
            return PartyEntry(party, name, details)
        person = households.clean_person(PersonInput(
            name=self.name.text(), sex=self.sex.currentData() or "", id_number=self.id_number.text().strip(),
            mobile=self.mobile.text().strip()))
        party = PartyInput(role, person=person, household_id=self.household.household_id, address=self.address.text())
        details = " · ".join(p for p in (_("new in the roster"), person.mobile, person.id_number) if p)
        return PartyEntry(party, person.name, details)

    def check_and_accept(self) -> None:
        self.errors.clear()
        self.general_error.hide()
        try:
            self.entry = self._build()
        except ValidationError as exc:
            if not self.errors.show(exc):
                self.general_error.setText(exc.message)
                self.general_error.show()
            return
        self.accept()


class AddPartyDialog(QDialog):
    """Add a party to a registered case: pick from the roster, or enter a new person or organisation."""

    def __init__(self, ctx: UiContext, case_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.case_id = case_id
        self.dialog: QDialog | None = None
        self.setObjectName("AddPartyDialog")
        self.setWindowTitle(_("Add a party"))
        self.role = role_combo(PartyRole.THIRD_PARTY)
        self.search = PersonSearch(ctx)
        self.search.picked.connect(self._picked)
        new_person = QPushButton(_("Enter a new person…"))
        new_person.clicked.connect(lambda: self._enter_new(False))
        new_org = QPushButton(_("An organisation…"))
        new_org.clicked.connect(lambda: self._enter_new(True))
        self.general_error = error_label()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        buttons.rejected.connect(self.reject)
        role_row = QHBoxLayout()
        role_row.addWidget(QLabel(_("Add as")))
        role_row.addWidget(self.role)
        role_row.addStretch(1)
        other = QHBoxLayout()
        other.addWidget(new_person)
        other.addWidget(new_org)
        other.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(role_row)
        layout.addWidget(self.search)
        layout.addLayout(other)
        layout.addWidget(self.general_error)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 80)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.reject)
        self.search.edit.setFocus()

    def _picked(self, hit: PersonHit) -> None:
        self.save(entry_from_hit(hit, str(self.role.currentData())))

    def _enter_new(self, organisation: bool) -> None:
        dialog = NewPartyDialog(self.ctx, organisation=organisation, role=str(self.role.currentData()), parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.save(dialog.entry) if dialog.entry else None)
        self.dialog = dialog
        dialog.open()

    def save(self, entry: PartyEntry, confirm_duplicate: bool = False) -> None:
        self.general_error.hide()
        try:
            with self.ctx.store.write() as session:
                cases.add_party(session, self.ctx.actor, self.case_id, entry.party, confirm_duplicate=confirm_duplicate)
        except DuplicateWarning as exc:
            ask(self, _("Same ID number"), _("{message}\n\nSave anyway?").format(message=exc.message),
                lambda: self.save(entry, confirm_duplicate=True), yes_text=_("Save anyway"), no_text=_("Go back"))
            return
        except ValidationError as exc:
            self.general_error.setText(exc.message)
            self.general_error.show()
            return
        except Exception as exc:
            report_error(self, self.ctx, exc, traceback.format_exc())
            return
        self.ctx.changed.emit({"dispute_case", "case_party", "person"})
        self.accept()
