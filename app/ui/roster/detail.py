"""One household in full: its facts, its members, and the member actions (add, edit, remove, make head)."""

from __future__ import annotations

import traceback

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import NotFound
from app.i18n import _, format_date
from app.models.roster import CARE_FLAG_LABELS, SEX_LABELS, CareFlag, Sex
from app.services import households
from app.services.households import HouseholdDetail, MemberRow
from app.ui.context import UiContext
from app.ui.risk.overview import HouseholdOverviewPanel
from app.ui.roster._common import HINT_COLOUR, ask, emphasise, report_error
from app.ui.roster.person_dialog import PersonDialog
from app.ui.widgets import fact_labels

PERSON_ID_ROLE = Qt.ItemDataRole.UserRole + 1


def sex_label(value: str) -> str:
    try:
        return _(SEX_LABELS[Sex(value)])
    except ValueError:
        return value


def care_flags_text(flags: tuple[str, ...]) -> str:
    words = []
    for flag in flags:
        try:
            words.append(_(CARE_FLAG_LABELS[CareFlag(flag)]))
        except ValueError:
            words.append(flag)
    return _(", ").join(words)


class HouseholdDetailPanel(QWidget):
    # Emitted with the dialog a member action opened (tests and the page may want it).
    dialog_opened = Signal(object)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.household_id: str | None = None
        self.detail: HouseholdDetail | None = None
        self.dialog: PersonDialog | None = None

        self.placeholder = QLabel()
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setStyleSheet(f"color: {HINT_COLOUR};")

        self.title = QLabel()
        self.title.setObjectName("detailTitle")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self._fact_labels: dict[str, QLabel] = {}
        self._fact_values: dict[str, QLabel] = {}
        facts = QGridLayout()
        facts.setHorizontalSpacing(12)
        for i, key in enumerate(("number", "group", "address", "micro_grid", "note")):
            name, value = fact_labels(f"fact_{key}")
            self._fact_labels[key] = name
            self._fact_values[key] = value
            row, col = (i // 2, (i % 2) * 2)
            if key == "note":
                facts.addWidget(name, row, 0)
                facts.addWidget(value, row, 1, 1, 3)
            else:
                facts.addWidget(name, row, col)
                facts.addWidget(value, row, col + 1)
        facts.setColumnStretch(1, 1)
        facts.setColumnStretch(3, 1)

        self.members = QTableWidget(0, 7)
        self.members.setObjectName("members")
        self.members.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.members.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.members.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.members.setAlternatingRowColors(True)
        self.members.verticalHeader().hide()
        self.members.setWordWrap(False)
        header = self.members.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.members.itemSelectionChanged.connect(self._update_buttons)
        self.members.itemDoubleClicked.connect(lambda *_a: self.edit_member())

        self.add_button = QPushButton()
        self.edit_button = QPushButton()
        self.remove_button = QPushButton()
        self.head_button = QPushButton()
        # Members' ID numbers are masked; a role that may read them shows one at a time (audited).
        self.reveal_button = QPushButton()
        self.reveal_button.setObjectName("revealIdNumber")
        self.reveal_button.clicked.connect(self.reveal_id_number)
        self.add_button.clicked.connect(self.add_member)
        self.edit_button.clicked.connect(self.edit_member)
        self.remove_button.clicked.connect(self.remove_member)
        self.head_button.clicked.connect(self.make_head)
        buttons = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.remove_button, self.head_button):
            buttons.addWidget(b)
            b.setVisible(ctx.can("roster.write"))
        buttons.addStretch(1)
        buttons.addWidget(self.reveal_button)
        self.reveal_button.setVisible(ctx.can("id_number.read"))

        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.addWidget(self.title)
        body_layout.addLayout(facts)
        body_layout.addWidget(self.members, 1)
        # room for a few members even with the overview below
        rows = self.members.verticalHeader().defaultSectionSize()
        self.members.setMinimumHeight(rows * 4 + 2 * self.members.frameWidth())
        body_layout.addLayout(buttons)
        # the household's cases, points and risk, under its members
        self.overview = HouseholdOverviewPanel(ctx)
        body_layout.addWidget(self.overview)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.relabel()

    def relabel(self) -> None:
        self.placeholder.setText(_("Choose a household in the list to see its members."))
        emphasise(self.title, 1.15)
        for key, text in (("number", _("Household no.")), ("group", _("Villager group")), ("address", _("Address")),
                          ("micro_grid", _("Micro-grid")), ("note", _("Note"))):
            self._fact_labels[key].setText(text)
        self.members.setHorizontalHeaderLabels([_("Name"), _("Sex"), _("Birth date"), _("ID number"),
                                                _("Mobile number"), _("Relation to head"), _("Care flags")])
        self.add_button.setText(_("Add member…"))
        self.edit_button.setText(_("Edit member…"))
        self.remove_button.setText(_("Remove member…"))
        self.head_button.setText(_("Make head"))
        self.reveal_button.setText(_("Show ID number"))
        self.overview.relabel()
        if self.household_id is not None:
            self.reload()
        self._update_buttons()

    # -------------------------------------------------------- showing

    def show_household(self, household_id: str | None) -> None:
        self.household_id = household_id
        self.reload()

    def reload(self) -> None:
        keep = self.selected_person_id()
        self.detail = None
        if self.household_id is not None:
            try:
                with self.ctx.store.read() as session:
                    self.detail = households.household_detail(session, self.ctx.actor, self.household_id)
            except NotFound:
                self.household_id = None
        if self.detail is None:
            self.members.setRowCount(0)
            self.overview.show_household(None)
            self.stack.setCurrentIndex(0)
            self._update_buttons()
            return
        d = self.detail
        head = next((m.name for m in d.members if m.is_head), "")
        self.title.setText(_("Household {number} · {head}").format(number=d.number, head=head) if head
                           else _("Household {number}").format(number=d.number))
        for key, value in (("number", d.number), ("group", d.group_name), ("address", d.address),
                           ("micro_grid", d.micro_grid_name), ("note", d.note)):
            self._fact_values[key].setText(value or "—")
        self.members.setRowCount(len(d.members))
        for row, m in enumerate(d.members):
            self._fill_row(row, m)
        self.members.resizeColumnsToContents()
        self.overview.show_household(d.id)
        self.stack.setCurrentIndex(1)
        if keep is not None:
            self.select_person(keep)
        self._update_buttons()

    def _fill_row(self, row: int, m: MemberRow) -> None:
        values = [m.name, sex_label(m.sex), format_date(m.birth_date), m.id_number, m.mobile,
                  m.relation_to_head, care_flags_text(m.care_flags)]
        for column, value in enumerate(values):
            item = QTableWidgetItem(value)
            item.setData(PERSON_ID_ROLE, m.id)
            if column == 6 and value:
                item.setToolTip(value)
            if m.is_head:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
                if column == 0:
                    item.setToolTip(_("Head of household"))
            self.members.setItem(row, column, item)

    # -------------------------------------------------------- members

    def selected_person_id(self) -> str | None:
        rows = self.members.selectionModel().selectedRows() if self.members.selectionModel() else []
        if not rows:
            return None
        item = self.members.item(rows[0].row(), 0)
        return item.data(PERSON_ID_ROLE) if item is not None else None

    def selected_member(self) -> MemberRow | None:
        person_id = self.selected_person_id()
        if self.detail is None or person_id is None:
            return None
        return next((m for m in self.detail.members if m.id == person_id), None)

    def select_person(self, person_id: str) -> None:
        for row in range(self.members.rowCount()):
            item = self.members.item(row, 0)
            if item is not None and item.data(PERSON_ID_ROLE) == person_id:
                self.members.selectRow(row)
                return

    def _update_buttons(self) -> None:
        member = self.selected_member()
        has_household = self.detail is not None
        self.add_button.setEnabled(has_household)
        self.edit_button.setEnabled(member is not None)
        self.remove_button.setEnabled(member is not None)
        self.head_button.setEnabled(member is not None and not member.is_head)
        can_reveal = member is not None and "*" in member.id_number
        self.reveal_button.setEnabled(can_reveal)
        self.reveal_button.setToolTip(_("Shows the chosen member's full ID number; this is recorded in the audit trail.")
                                      if can_reveal else _("Choose a member with an ID number first"))
        self.head_button.setToolTip(_("Already the head of this household") if member is not None and member.is_head
                                    else _("Make the chosen member the head of this household"))
        for b in (self.edit_button, self.remove_button):
            b.setToolTip("" if member is not None else _("Choose a member in the table first"))

    def reveal_id_number(self) -> None:
        """Show the chosen member's full ID number in the table until the next reload (audited)."""
        member = self.selected_member()
        if member is None or "*" not in member.id_number or not self.ctx.can("id_number.read"):
            return
        try:
            with self.ctx.store.write() as session:
                number = households.reveal_id_number(session, self.ctx.actor, member.id)
        except Exception as exc:
            report_error(self, self.ctx.data_dir, exc, traceback.format_exc())
            return
        for row in range(self.members.rowCount()):
            item = self.members.item(row, 0)
            if item is not None and item.data(PERSON_ID_ROLE) == member.id:
                cell = self.members.item(row, 3)
                if cell is not None:
                    cell.setText(number)
                    cell.setToolTip(_("Shown in full; recorded in the audit trail."))
                self.members.resizeColumnToContents(3)
        self.reveal_button.setEnabled(False)

    def _open(self, dialog: PersonDialog) -> None:
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._after_dialog(dialog))
        self.dialog_opened.emit(dialog)
        dialog.open()

    def _after_dialog(self, dialog: PersonDialog) -> None:
        if dialog.person_id is not None:
            self.select_person(dialog.person_id)

    def add_member(self) -> None:
        if self.detail is None or not self.ctx.can("roster.write"):
            return
        self._open(PersonDialog(self.ctx, self.detail.id, household_number=self.detail.number, parent=self))

    def edit_member(self) -> None:
        member = self.selected_member()
        if self.detail is None or member is None or not self.ctx.can("roster.write"):
            return
        try:
            dialog = PersonDialog(self.ctx, self.detail.id, member.id, household_number=self.detail.number, parent=self)
        except Exception as exc:
            report_error(self, self.ctx.data_dir, exc, traceback.format_exc())
            return
        self._open(dialog)

    def remove_member(self) -> None:
        member = self.selected_member()
        if self.detail is None or member is None:
            return
        text = _("Take {name} off household {number}? Do this when the person has moved away or died; "
                 "the record is kept for history.").format(name=member.name, number=self.detail.number)
        person_id = member.id
        ask(self, _("Remove member"), text, lambda: self._write_removal(person_id),
            yes_text=_("Remove"), no_text=_("Keep"))

    def _write_removal(self, person_id: str) -> None:
        try:
            with self.ctx.store.write() as session:
                households.remove_member(session, self.ctx.actor, person_id)
        except Exception as exc:
            report_error(self, self.ctx.data_dir, exc, traceback.format_exc())
            return
        self.ctx.changed.emit({"person", "household"})

    def make_head(self) -> None:
        member = self.selected_member()
        if self.detail is None or member is None or member.is_head:
            return
        household_id = self.detail.id
        try:
            with self.ctx.store.write() as session:
                households.set_head(session, self.ctx.actor, household_id, member.id)
        except Exception as exc:
            report_error(self, self.ctx.data_dir, exc, traceback.format_exc())
            return
        self.ctx.changed.emit({"household"})
