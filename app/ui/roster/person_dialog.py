"""A person's details: the form (reused for the head when a household is created) and the dialog that adds a
member to a household or edits one."""

from __future__ import annotations

import datetime as dt
import traceback

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import DuplicateWarning, ValidationError
from app.i18n import _
from app.models.roster import CARE_FLAG_LABELS, SEX_LABELS, Sex
from app.services import households
from app.services.households import PersonInput
from app.services.validation import (
    check_birth_date,
    check_id_number,
    check_mobile,
    clean_name,
    clean_text,
    id_number_facts,
    parse_date,
)
from app.ui.context import UiContext
from app.ui.messages import error_label, missing_line, show_missing
from app.ui.roster._common import Form, ask, report_error
from app.ui.widgets import save_cancel_buttons

# Values as they are stored and as village offices write them (data, not interface text).
ETHNICITIES = ("汉族", "回族", "满族", "蒙古族", "藏族", "维吾尔族", "壮族", "苗族", "彝族", "土家族", "布依族",
               "侗族", "瑶族", "朝鲜族", "白族", "哈尼族", "哈萨克族", "黎族", "傣族", "东乡族", "土族", "撒拉族",
               "裕固族", "保安族")
RELATIONS = ("户主", "配偶", "子", "女", "父亲", "母亲", "孙子", "孙女", "儿媳", "女婿", "其他")
PERSON_FIELDS = frozenset({"name", "sex", "ethnicity", "birth_date", "id_number", "mobile", "relation_to_head",
                           "care_flags", "occupation", "note"})


class PersonForm(QWidget):
    """Name, sex, ethnicity, birth date, ID number, mobile, relation, care flags, occupation, note."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, relation: str = "") -> None:
        super().__init__(parent)
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.form = Form(layout, self)
        # The stored number as shown (masked); saved back unchanged, it keeps the stored number.
        self.masked_id = ""

        self.name = QLineEdit()
        self.name.setMaxLength(50)
        self.sex = QComboBox()
        self.sex.addItem(_("Not given"), "")
        for value in (Sex.MALE, Sex.FEMALE):
            self.sex.addItem(_(SEX_LABELS[value]), value.value)
        self.ethnicity = QComboBox()
        self.ethnicity.setEditable(True)
        self.ethnicity.addItems(list(ETHNICITIES))
        self.ethnicity.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.birth_date = QLineEdit()
        self.birth_date.setPlaceholderText(_("e.g. 1962-03-15; empty if not known"))
        self.id_number = QLineEdit()
        self.id_number.setMaxLength(22)
        self.id_number.setPlaceholderText(_("18 characters; fills birth date and sex"))
        self.mobile = QLineEdit()
        self.mobile.setMaxLength(16)
        self.relation = QComboBox()
        self.relation.setEditable(True)
        self.relation.addItems(list(RELATIONS))
        self.relation.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.relation.setCurrentText(relation)
        for combo in (self.ethnicity, self.relation):
            combo.setMinimumContentsLength(8)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.care_flags: dict[str, QCheckBox] = {}
        flags_box = QWidget()
        flags_grid = QGridLayout(flags_box)
        flags_grid.setContentsMargins(0, 0, 0, 0)
        for i, (flag, label) in enumerate(CARE_FLAG_LABELS.items()):
            box = QCheckBox(_(label))
            box.setObjectName(f"care_{flag.value}")
            self.care_flags[flag.value] = box
            flags_grid.addWidget(box, i // 2, i % 2)
        self.occupation = QLineEdit()
        self.occupation.setMaxLength(50)
        self.note = QPlainTextEdit()
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 12)

        f = self.form
        f.add("name", _("Name"), self.name, required=True, check=lambda: clean_name(self.name.text()))
        f.add("sex", _("Sex"), self.sex)
        f.add("ethnicity", _("Ethnicity"), self.ethnicity,
              check=lambda: clean_text(self.ethnicity.currentText(), "ethnicity", "Ethnicity", max_len=20))
        f.add("birth_date", _("Birth date"), self.birth_date, check=self._check_birth_date)
        f.add("id_number", _("ID number"), self.id_number, check=self._check_id_number)
        f.add("mobile", _("Mobile number"), self.mobile, check=lambda: check_mobile(self.mobile.text()))
        f.add("relation_to_head", _("Relation to head"), self.relation,
              check=lambda: clean_text(self.relation.currentText(), "relation_to_head", "Relation to head", max_len=20))
        f.add("care_flags", _("Care flags"), flags_box)
        f.add("occupation", _("Occupation"), self.occupation,
              check=lambda: clean_text(self.occupation.text(), "occupation", "Occupation", max_len=50))
        f.add("note", _("Note"), self.note,
              check=lambda: clean_text(self.note.toPlainText(), "note", "Note", max_len=1000, multiline=True))
        f.changed.connect(self.changed)
        for box in self.care_flags.values():
            box.toggled.connect(self.changed)
        self.sex.currentIndexChanged.connect(self._recheck_id)

    # -------------------------------------------------------- checks

    def _parsed_birth_date(self) -> dt.date | None:
        return check_birth_date(parse_date(self.birth_date.text(), "birth_date", "Birth date"))

    def _check_birth_date(self) -> None:
        self._parsed_birth_date()

    def _check_id_number(self) -> None:
        if self.masked_id and self.id_number.text().strip() == self.masked_id:
            return
        number = check_id_number(self.id_number.text())
        if not number:
            return
        born, sex = id_number_facts(number)
        # A valid number fills birth date and sex when they are still empty.
        if not self.birth_date.text().strip():
            self.birth_date.setText(born.isoformat())
            self.form.clear_error("birth_date")
        if not self.sex.currentData():
            self.sex.blockSignals(True)  # no re-check of this number from the sex's change
            self.sex.setCurrentIndex(self.sex.findData(sex))
            self.sex.blockSignals(False)
        try:
            birth = self._parsed_birth_date()
        except ValidationError:
            birth = None
        check_id_number(number, birth_date=birth, sex=self.sex.currentData() or None)

    def _recheck_id(self) -> None:
        if self.id_number.text().strip():
            self.form.validate("id_number")

    # -------------------------------------------------------- values

    def set_input(self, data: PersonInput) -> None:
        self.name.setText(data.name)
        index = self.sex.findData(data.sex or "")
        self.sex.setCurrentIndex(max(index, 0))
        self.ethnicity.setCurrentText(data.ethnicity or "")
        self.birth_date.setText(data.birth_date.isoformat() if data.birth_date else "")
        self.masked_id = data.id_number if "*" in data.id_number else ""
        self.id_number.setText(data.id_number)
        self.mobile.setText(data.mobile)
        self.relation.setCurrentText(data.relation_to_head)
        for flag, box in self.care_flags.items():
            box.setChecked(flag in data.care_flags)
        self.occupation.setText(data.occupation)
        self.note.setPlainText(data.note)
        self.form.clear_errors()

    def value(self) -> PersonInput:
        """What is typed, as the service's input (raises ValidationError for an unreadable birth date)."""
        return PersonInput(
            name=self.name.text(),
            sex=self.sex.currentData() or "",
            ethnicity=self.ethnicity.currentText(),
            birth_date=parse_date(self.birth_date.text(), "birth_date", "Birth date"),
            id_number=self.id_number.text().strip().replace(" ", ""),
            mobile=self.mobile.text(),
            relation_to_head=self.relation.currentText(),
            care_flags=tuple(flag for flag, box in self.care_flags.items() if box.isChecked()),
            occupation=self.occupation.text(),
            note=self.note.toPlainText(),
        )

    def validate_all(self) -> bool:
        return self.form.validate_all()

    def missing(self) -> list[str]:
        return self.form.missing()

    def show_error(self, field: str, message: str) -> bool:
        shown = self.form.set_error(field, message)
        if shown:
            self.form.fields[field].widget.setFocus(Qt.FocusReason.OtherFocusReason)
        return shown


def load_person_input(ctx: UiContext, person_id: str) -> PersonInput:
    """The stored fields of a person, for editing (the note is not part of the detail's member rows)."""
    with ctx.store.read() as session:
        return households.get_person_input(session, ctx.actor, person_id)


class PersonDialog(QDialog):
    """Add a member to a household (`person_id` None) or edit one. Saves in one write transaction."""

    def __init__(self, ctx: UiContext, household_id: str, person_id: str | None = None, *,
                 household_number: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.household_id = household_id
        self.person_id = person_id
        self.setObjectName("PersonDialog")
        if person_id is None:
            self.setWindowTitle(_("Add a member to household {number}").format(number=household_number)
                                if household_number else _("Add a member"))
        else:
            self.setWindowTitle(_("Edit member"))

        self.person = PersonForm(self)
        if person_id is not None:
            self.person.set_input(load_person_input(ctx, person_id))
        # The ID number is shown masked; a role that may read it asks for it, and that is audited.
        self.reveal_button = QPushButton(_("Show the full ID number"))
        self.reveal_button.setObjectName("revealIdNumber")
        self.reveal_button.setAutoDefault(False)
        self.reveal_button.setToolTip(_("Looking at a full ID number is recorded in the audit trail."))
        self.reveal_button.setVisible(bool(self.person.masked_id) and ctx.can("id_number.read"))
        self.reveal_button.clicked.connect(self.reveal_id_number)
        self.general_error = error_label()
        self.missing_label = missing_line()
        self.buttons, self.save_button = save_cancel_buttons(self, _("Save"), self.save)

        bottom = QHBoxLayout()
        bottom.addWidget(self.missing_label, 1)
        bottom.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.person)
        layout.addWidget(self.reveal_button, 0, Qt.AlignmentFlag.AlignRight)
        layout.addWidget(self.general_error)
        layout.addLayout(bottom)
        self.person.changed.connect(self._update_missing)
        # Only once the button is in the dialog does the dialog keep it as its default (Enter) button.
        self.save_button.setDefault(True)
        self._update_missing()
        self.person.name.setFocus()

    def reveal_id_number(self) -> None:
        """Put the full number in the field (audited), so it can be read or corrected."""
        if self.person_id is None or not self.person.masked_id:
            return
        try:
            with self.ctx.store.write() as session:
                number = households.reveal_id_number(session, self.ctx.actor, self.person_id)
        except Exception as exc:
            report_error(self, self.ctx.data_dir, exc, traceback.format_exc())
            return
        if self.person.id_number.text().strip() == self.person.masked_id:
            self.person.id_number.setText(number)
        self.person.masked_id = ""
        self.reveal_button.hide()

    def _update_missing(self) -> None:
        show_missing(self.missing_label, self.save_button, self.person.missing())

    def save(self, confirm_duplicate: bool = False) -> None:
        if not self.save_button.isEnabled():
            return
        self.general_error.hide()
        if not self.person.validate_all():
            first = self.person.form.first_error_widget()
            if first is not None:
                first.setFocus()
            return
        try:
            data = self.person.value()
            with self.ctx.store.write() as session:
                if self.person_id is None:
                    person = households.add_member(session, self.ctx.actor, self.household_id, data,
                                                   confirm_duplicate=confirm_duplicate)
                    self.person_id = person.id
                else:
                    households.update_person(session, self.ctx.actor, self.person_id, data,
                                             confirm_duplicate=confirm_duplicate)
        except DuplicateWarning as exc:
            ask(self, _("Same ID number"), _("{message}\n\nSave anyway?").format(message=exc.message),
                lambda: self.save(confirm_duplicate=True), yes_text=_("Save anyway"), no_text=_("Go back"))
            return
        except ValidationError as exc:
            if not self.person.show_error(exc.field, exc.message):
                self.general_error.setText(exc.message)
                self.general_error.show()
            return
        except Exception as exc:
            report_error(self, self.ctx.data_dir, exc, traceback.format_exc())
            return
        self.ctx.changed.emit({"person", "household"})
        self.accept()
