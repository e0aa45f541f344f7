"""The parties of a case with their details, the roster household of the chosen party, and the mediators."""

from __future__ import annotations

import traceback
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import N_, _, format_date
from app.models.cases import MEDIATOR_ROLE_LABELS, PARTY_ROLE_LABELS
from app.models.roster import SEX_LABELS, Sex
from app.services import households
from app.services.cases import CaseView, PartyView
from app.services.households import HouseholdDetail
from app.ui.cases.common import (
    MEDIATING_STATES,
    case_table,
    hint_label,
    open_dialog,
    report_error,
    tr,
)
from app.ui.cases.party_dialogs import AddPartyDialog
from app.ui.context import UiContext


def _label(labels: Mapping[Any, str], value: str) -> str:
    label = labels.get(value)
    return _(label) if label else value


class PartiesTab(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.view: CaseView | None = None
        self.dialog: QDialog | None = None
        self.households: dict[str, HouseholdDetail] = {}
        self.parties = case_table(7, "caseParties")
        self.parties.itemSelectionChanged.connect(self._selected)
        self.add_button = tr(QPushButton(), N_("Add a party…"))
        self.add_button.setObjectName("addParty")
        self.add_button.clicked.connect(self.add_party)
        self.household_title = QLabel()
        self.household_title.setWordWrap(True)
        self.members = case_table(5, "householdMembers", selection=QAbstractItemView.SelectionMode.NoSelection)
        self.household_note = hint_label()
        self.mediators = case_table(3, "caseMediators", selection=QAbstractItemView.SelectionMode.NoSelection)
        household_box = tr(QGroupBox(), N_("The party's household in the roster"))
        household_layout = QVBoxLayout(household_box)
        household_layout.addWidget(self.household_title)
        household_layout.addWidget(self.household_note)
        household_layout.addWidget(self.members, 1)
        mediators_box = tr(QGroupBox(), N_("Mediators"))
        QVBoxLayout(mediators_box).addWidget(self.mediators)
        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.addWidget(household_box)
        bottom.addWidget(mediators_box)
        bottom.setStretchFactor(0, 3)
        bottom.setStretchFactor(1, 2)
        bottom.setChildrenCollapsible(False)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        top_layout.addLayout(buttons)
        top_layout.addWidget(self.parties, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(bottom)
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(split)

    def show_case(self, view: CaseView) -> None:
        self.view = view
        self.households = {}
        try:
            with self.ctx.store.read() as session:
                for household_id in view.household_ids:
                    try:
                        self.households[household_id] = households.household_detail(session, self.ctx.actor, household_id)
                    except Exception:  # a household retired since: the case keeps its own copy of the details
                        continue
        except Exception as exc:
            report_error(self, self.ctx, exc, traceback.format_exc())
        self.parties.setHorizontalHeaderLabels([_("Role"), _("Name"), _("Sex"), _("Born"), _("ID number"),
                                                _("Mobile number"), _("Address")])
        self.parties.setRowCount(len(view.parties))
        for i, p in enumerate(view.parties):
            sex = _(SEX_LABELS[Sex(p.sex)]) if p.sex in (Sex.MALE, Sex.FEMALE) else ""
            name = p.name
            if p.is_organisation:
                name += "  " + _("(legal representative {name})").format(name=p.agent_name)
            elif p.agent_name:
                name += "  " + _("(agent {name})").format(name=p.agent_name)
            values = [_label(PARTY_ROLE_LABELS, p.role), name, sex, format_date(p.birth_date),
                      p.credit_code if p.is_organisation else p.id_number, p.mobile, p.address]
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.parties.setItem(i, column, item)
        self.mediators.setHorizontalHeaderLabels([_("Name"), _("Role"), _("Lead")])
        self.mediators.setRowCount(len(view.mediators))
        for i, m in enumerate(view.mediators):
            for column, value in enumerate((m.name, _label(MEDIATOR_ROLE_LABELS, m.role), _("Lead") if m.is_lead else "")):
                self.mediators.setItem(i, column, QTableWidgetItem(value))
        self.add_button.setVisible(self.ctx.can("cases.register"))
        self.add_button.setEnabled(view.status in MEDIATING_STATES)
        if view.parties and not self.parties.selectionModel().selectedRows():
            self.parties.selectRow(0)
        self._selected()

    def _party(self) -> PartyView | None:
        if self.view is None:
            return None
        rows = self.parties.selectionModel().selectedRows()
        row = rows[0].row() if rows else -1
        return self.view.parties[row] if 0 <= row < len(self.view.parties) else None

    def household_of(self, party: PartyView) -> HouseholdDetail | None:
        for detail in self.households.values():
            if any(m.id == party.person_id for m in detail.members):
                return detail
        return None

    def _selected(self) -> None:
        party = self._party()
        detail = self.household_of(party) if party is not None and party.person_id else None
        self.members.setHorizontalHeaderLabels([_("Name"), _("Relation to head"), _("Born"), _("Mobile number"),
                                                _("ID number")])
        if detail is None:
            self.household_title.setText("")
            self.household_note.setText(_("Choose a party above.") if party is None else
                                        _("{name} is not in a household of the roster.").format(name=party.name))
            self.household_note.show()
            self.members.setRowCount(0)
            self.members.hide()
            return
        self.household_note.hide()
        self.members.show()
        parts = [_("Household {number}").format(number=detail.number), detail.address, detail.group_name,
                 detail.micro_grid_name]
        self.household_title.setText(" · ".join(p for p in parts if p))
        self.members.setRowCount(len(detail.members))
        for i, m in enumerate(detail.members):
            name = m.name + ("  " + _("(head)") if m.is_head else "")
            for column, value in enumerate((name, m.relation_to_head, format_date(m.birth_date), m.mobile, m.id_number)):
                item = QTableWidgetItem(value)
                if party is not None and m.id == party.person_id:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.members.setItem(i, column, item)

    def add_party(self) -> AddPartyDialog | None:
        if self.view is None or not self.ctx.can("cases.register") or self.view.status not in MEDIATING_STATES:
            return None
        dialog = AddPartyDialog(self.ctx, self.view.id, parent=self)
        open_dialog(self, dialog)
        return dialog

