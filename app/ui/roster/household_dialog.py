"""A household: 户号, address, villager group, micro-grid, note — and, when it is new, its head."""

from __future__ import annotations

import traceback
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.errors import DuplicateWarning, ValidationError
from app.i18n import _
from app.services import grid, households
from app.services.households import HouseholdInput
from app.services.validation import clean_text
from app.ui.context import UiContext
from app.ui.messages import error_label, missing_line, show_missing
from app.ui.roster._common import Form, ask, report_error
from app.ui.roster.person_dialog import PERSON_FIELDS, PersonForm
from app.ui.widgets import save_cancel_buttons

HOUSEHOLD_FIELDS = frozenset({"number", "address", "group_id", "micro_grid_id", "note"})


@dataclass(frozen=True)
class _Cell:
    id: str
    name: str
    parent_id: str | None


class HouseholdDialog(QDialog):
    """New household (`household_id` None, with its head) or edit one. Saves in one write transaction."""

    def __init__(self, ctx: UiContext, household_id: str | None = None, *, cell_id: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.household_id = household_id
        self.setObjectName("HouseholdDialog")
        creating = household_id is None
        self.setWindowTitle(_("New household") if creating else _("Edit household"))

        with ctx.store.read() as session:
            self._groups = [_Cell(g.id, g.name, g.parent_id) for g in grid.groups(session)]
            self._micros = [_Cell(m.id, m.name, m.parent_id) for m in grid.micro_grids(session)]
            detail = households.household_detail(session, ctx.actor, household_id) if household_id else None

        wide = self.fontMetrics().averageCharWidth() * 30
        self.number = QLineEdit()
        self.number.setMaxLength(30)
        self.address = QLineEdit()
        self.address.setMaxLength(200)
        self.address.setMinimumWidth(wide)
        self.group = QComboBox()
        self.group.addItem(_("None"), None)
        for g in self._groups:
            self.group.addItem(g.name, g.id)
        self.micro = QComboBox()
        for combo in (self.group, self.micro):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.setMinimumWidth(wide // 2)
        self.note = QPlainTextEdit()
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 12)

        household_box = QGroupBox(_("Household"))
        household_layout = QFormLayout(household_box)
        self.form = Form(household_layout, self)
        self.form.add("number", _("Household number"), self.number, required=True,
                      check=lambda: clean_text(self.number.text(), "number", "Household number", max_len=30,
                                               required=True))
        self.form.add("address", _("Address"), self.address,
                      check=lambda: clean_text(self.address.text(), "address", "Address", max_len=200))
        self.form.add("group_id", _("Villager group"), self.group)
        self.form.add("micro_grid_id", _("Micro-grid"), self.micro)
        self.form.add("note", _("Note"), self.note,
                      check=lambda: clean_text(self.note.toPlainText(), "note", "Note", max_len=1000, multiline=True))

        self.person: PersonForm | None = None
        columns = QHBoxLayout()
        columns.addWidget(household_box, 1, Qt.AlignmentFlag.AlignTop)
        if creating:
            self.person = PersonForm(self, relation="户主")
            head_box = QGroupBox(_("Head of household"))
            head_layout = QVBoxLayout(head_box)
            head_layout.addWidget(self.person)
            columns.addWidget(head_box, 1, Qt.AlignmentFlag.AlignTop)
            self.person.changed.connect(self._update_missing)

        self.general_error = error_label()
        self.missing_label = missing_line()
        self.buttons, self.save_button = save_cancel_buttons(self, _("Save"), self.save)

        bottom = QHBoxLayout()
        bottom.addWidget(self.missing_label, 1)
        bottom.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addWidget(self.general_error)
        layout.addLayout(bottom)

        self.group.currentIndexChanged.connect(self._fill_micro)
        self.micro.currentIndexChanged.connect(self._micro_picked)
        self.form.changed.connect(self._update_missing)

        if detail is not None:
            self.number.setText(detail.number)
            self.address.setText(detail.address)
            self._select_cells(detail.group_id, detail.micro_grid_id)
            self.note.setPlainText(detail.note)
        else:
            self._preselect(cell_id)
        # Only once the button is in the dialog does the dialog keep it as its default (Enter) button.
        self.save_button.setDefault(True)
        self._update_missing()
        self.number.setFocus()

    # -------------------------------------------------------- group / micro-grid

    def _preselect(self, cell_id: str | None) -> None:
        micro = next((m for m in self._micros if m.id == cell_id), None)
        if micro is not None:
            self._select_cells(micro.parent_id, micro.id)
        elif any(g.id == cell_id for g in self._groups):
            self._select_cells(cell_id, None)
        else:
            self._fill_micro()

    def _select_cells(self, group_id: str | None, micro_id: str | None) -> None:
        self.group.blockSignals(True)
        self.group.setCurrentIndex(max(self.group.findData(group_id), 0) if group_id else 0)
        self.group.blockSignals(False)
        self._fill_micro()
        if micro_id:
            self.micro.setCurrentIndex(max(self.micro.findData(micro_id), 0))

    def _fill_micro(self) -> None:
        """The micro-grids of the chosen group; all of them (named with their group) when none is chosen."""
        group_id = self.group.currentData()
        keep = self.micro.currentData()
        names = {g.id: g.name for g in self._groups}
        self.micro.blockSignals(True)
        self.micro.clear()
        self.micro.addItem(_("None"), None)
        for m in self._micros:
            if group_id is None:
                label = "{group} / {name}".format(group=names.get(m.parent_id or "", ""), name=m.name)
                self.micro.addItem(label, m.id)
            elif m.parent_id == group_id:
                self.micro.addItem(m.name, m.id)
        index = self.micro.findData(keep) if keep else 0
        self.micro.setCurrentIndex(max(index, 0))
        self.micro.blockSignals(False)

    def _micro_picked(self) -> None:
        micro_id = self.micro.currentData()
        if micro_id and self.group.currentData() is None:
            micro = next((m for m in self._micros if m.id == micro_id), None)
            if micro is not None and micro.parent_id:
                self._select_cells(micro.parent_id, micro_id)

    # -------------------------------------------------------- saving

    def _update_missing(self) -> None:
        labels = self.form.missing() + (self.person.missing() if self.person is not None else [])
        show_missing(self.missing_label, self.save_button, labels)

    def value(self) -> HouseholdInput:
        return HouseholdInput(number=self.number.text(), address=self.address.text(),
                              group_id=self.group.currentData(), micro_grid_id=self.micro.currentData(),
                              note=self.note.toPlainText())

    def _show_error(self, exc: ValidationError) -> None:
        field = exc.field
        shown = False
        if self.person is not None and field in PERSON_FIELDS and (field != "note" or not self.form.error_text("note")):
            # A household's note is checked here before saving, so a "note" error from the service is the head's.
            shown = self.person.show_error(field, exc.message)
        elif field in HOUSEHOLD_FIELDS:
            shown = self.form.set_error(field, exc.message)
            if shown:
                self.form.fields[field].widget.setFocus()
        if not shown:
            self.general_error.setText(exc.message)
            self.general_error.show()

    def save(self, confirm_duplicate: bool = False) -> None:
        if not self.save_button.isEnabled():
            return
        self.general_error.hide()
        ok = self.form.validate_all()
        ok = (self.person.validate_all() if self.person is not None else True) and ok
        if not ok:
            first = self.form.first_error_widget() or (
                self.person.form.first_error_widget() if self.person is not None else None)
            if first is not None:
                first.setFocus()
            return
        try:
            data = self.value()
            head = self.person.value() if self.person is not None else None
            with self.ctx.store.write() as session:
                if self.household_id is None:
                    household = households.create_household(session, self.ctx.actor, data,
                                                            [head] if head is not None else [],
                                                            confirm_duplicates=confirm_duplicate)
                    new_id = household.id
                else:
                    households.update_household(session, self.ctx.actor, self.household_id, data)
                    new_id = self.household_id
        except DuplicateWarning as exc:
            ask(self, _("Same ID number"), _("{message}\n\nSave anyway?").format(message=exc.message),
                lambda: self.save(confirm_duplicate=True), yes_text=_("Save anyway"), no_text=_("Go back"))
            return
        except ValidationError as exc:
            self._show_error(exc)
            return
        except Exception as exc:
            report_error(self, self.ctx.data_dir, exc, traceback.format_exc())
            return
        self.household_id = new_id
        self.ctx.changed.emit({"household", "person"})
        self.accept()
