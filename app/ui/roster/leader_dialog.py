"""The grid leader (网格长) of a villager group or micro-grid: a person found in the roster as you type (name,
pinyin, initials, ID number or phone — Enter picks) and the mobile number the leader is reached on, by
default the person's own. Saved with `grid.update_cell` in one write transaction; a bad number is named in
red under its field and nothing is saved."""

from __future__ import annotations

import traceback

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.errors import NotFound, ValidationError
from app.i18n import _
from app.services import grid, households
from app.services.validation import check_mobile
from app.ui.cases.person_search import PersonHit, PersonSearch
from app.ui.context import UiContext
from app.ui.messages import error_label, missing_line, show_missing
from app.ui.roster._common import HINT_COLOUR, Form, emphasise, report_error, required_label
from app.ui.widgets import save_cancel_buttons


class LeaderDialog(QDialog):
    """Choose the grid leader of one cell (`cell_id`) and the number to reach them on."""

    def __init__(self, ctx: UiContext, cell_id: str, cell_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.cell_id = cell_id
        self.setObjectName("LeaderDialog")
        self.setWindowTitle(_("Grid leader of {cell}").format(cell=cell_name))
        self.person_id: str | None = None
        self.person_name = ""

        with ctx.store.read() as session:
            cell = grid.get_cell(session, cell_id)
            leader_id, leader_phone = cell.leader_person_id, cell.leader_phone
            try:
                current = households.get_person_input(session, ctx.actor, leader_id) if leader_id else None
            except NotFound:  # the leader has left the roster: choose another
                current = None

        intro = QLabel(_("Find the grid leader in the roster and press Enter. The mobile number is the person's own "
                         "unless you type another."))
        intro.setWordWrap(True)
        intro.setStyleSheet(f"color: {HINT_COLOUR};")

        self.chosen = QLabel()
        self.chosen.setObjectName("chosenLeader")
        self.chosen.setTextFormat(Qt.TextFormat.PlainText)
        self.chosen_detail = QLabel()
        self.chosen_detail.setObjectName("chosenLeaderDetail")
        self.chosen_detail.setTextFormat(Qt.TextFormat.PlainText)
        self.chosen_detail.setWordWrap(True)
        self.chosen_detail.setStyleSheet(f"color: {HINT_COLOUR};")
        self.search = PersonSearch(ctx)
        person_box = QWidget()
        person_column = QVBoxLayout(person_box)
        person_column.setContentsMargins(0, 0, 0, 0)
        person_column.setSpacing(2)
        person_column.addWidget(self.chosen)
        person_column.addWidget(self.chosen_detail)
        person_column.addWidget(self.search)

        self.mobile = QLineEdit()
        self.mobile.setObjectName("leaderPhone")
        self.mobile.setMaxLength(16)
        self.mobile.setPlaceholderText(_("11 digits, e.g. 13800138000"))

        form_layout = QFormLayout()
        self.form = Form(form_layout, self)
        leader_label = _("Grid leader")
        person_field = self.form.add("leader_person_id", leader_label, person_box)
        person_field.label_widget.setText(required_label(leader_label))
        person_field.label_widget.setBuddy(self.search.edit)
        self.form.add("leader_phone", _("Mobile number"), self.mobile,
                      check=lambda: check_mobile(self.mobile.text(), "leader_phone"))

        self.general_error = error_label()
        self.missing_label = missing_line()
        self.buttons, self.save_button = save_cancel_buttons(self, _("Save"), self.save)

        bottom = QHBoxLayout()
        bottom.addWidget(self.missing_label, 1)
        bottom.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form_layout)
        layout.addStretch(1)
        layout.addWidget(self.general_error)
        layout.addLayout(bottom)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 70)

        self.search.picked.connect(self.choose)
        self.form.changed.connect(self._update_missing)
        if leader_id and current is not None:
            self._show_person(leader_id, current.name, "")
            self.mobile.setText(leader_phone)
        else:
            self._show_person(None, "", "")
        # Only once the button is in the dialog does the dialog keep it as its default (Enter) button.
        self.save_button.setDefault(True)
        self.search.edit.setFocus()

    # -------------------------------------------------------- choosing

    def _show_person(self, person_id: str | None, name: str, detail: str) -> None:
        self.person_id, self.person_name = person_id, name
        self.chosen.setText(name or _("Nobody chosen yet."))
        emphasise(self.chosen, 1.1, bold=bool(name))
        self.chosen_detail.setText(detail)
        self.chosen_detail.setVisible(bool(detail))
        self.form.clear_error("leader_person_id")
        self._update_missing()

    def choose(self, hit: PersonHit) -> None:
        """The person picked in the search; their own mobile number fills the field."""
        self._show_person(hit.person_id, hit.name, hit.describe())
        self.mobile.setText(hit.mobile)
        self.form.validate("leader_phone")
        self.mobile.setFocus()
        self.mobile.selectAll()

    # -------------------------------------------------------- saving

    def missing(self) -> list[str]:
        return [] if self.person_id else [_("Grid leader")]

    def _update_missing(self) -> None:
        show_missing(self.missing_label, self.save_button, self.missing())

    def save(self) -> None:
        if not self.save_button.isEnabled() or self.person_id is None:
            return
        self.general_error.hide()
        if not self.form.validate_all():
            first = self.form.first_error_widget()
            if first is not None:
                first.setFocus()
            return
        try:
            with self.ctx.store.write() as session:
                grid.update_cell(session, self.ctx.actor, self.cell_id, leader_person_id=self.person_id,
                                 leader_phone=self.mobile.text())
        except ValidationError as exc:
            if self.form.set_error(exc.field, exc.message):
                widget = self.search.edit if exc.field == "leader_person_id" else self.form.fields[exc.field].widget
                widget.setFocus()
            else:
                self.general_error.setText(exc.message)
                self.general_error.show()
            return
        except Exception as exc:
            report_error(self, self.ctx.data_dir, exc, traceback.format_exc())
            return
        self.ctx.changed.emit({"grid_cell"})
        self.accept()
