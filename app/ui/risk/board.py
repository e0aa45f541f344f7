"""The board (总览) of the risk section: the round of the moment and its state, each villager group's
households by level (chips with the word) and by stage of the round, the visits overdue, and the
households a new dispute case proposes to re-assess. Opening and closing a round are here too (closing
with households left asks why)."""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import Session

from app.i18n import N_, _, format_date, ngettext
from app.models.risk import RiskRound
from app.services import grid, risk
from app.services.risk import GroupProgress, HouseholdRisk
from app.ui.cases.common import HINT_COLOR, OK_COLOR, Chip, ask, bigger, open_dialog, report_error, tr, write
from app.ui.cases.form_dialog import FormDialog, text_box
from app.ui.context import UiContext
from app.ui.risk.common import RISK_TABLES, current_round, empty_state, fit_columns, hint, make_table, this_quarter
from app.ui.risk.models import GroupProgressModel, HouseholdRiskModel

OVERDUE_COLUMNS = ("number", "head", "group", "level", "cadre", "due", "factors")
PROPOSAL_COLUMNS = ("number", "head", "group", "level", "stage", "factors")


@dataclass
class BoardData:
    round: RiskRound | None
    groups: list[GroupProgress] = field(default_factory=list)
    overdue: list[HouseholdRisk] = field(default_factory=list)
    proposals: list[HouseholdRisk] = field(default_factory=list)

    @property
    def left(self) -> int:
        """Households not assessed yet in the round."""
        return sum(g.by_stage.get(0, 0) for g in self.groups)


def load_board(ctx: UiContext) -> BoardData:
    with ctx.store.read() as session:
        rnd = current_round(session)
        if rnd is None:
            return BoardData(None)
        order = {g.name: i for i, g in enumerate(grid.groups(session))}  # the village's own order: 一组, 二组 …
        groups = sorted(risk.progress(session, ctx.actor, rnd.id), key=lambda g: (order.get(g.group_name, len(order)), g.group_name))
        return BoardData(rnd, groups, risk.overdue_visits(session, ctx.actor),
                         risk.reassessment_proposals(session, ctx.actor))


class OpenRoundDialog(FormDialog):
    tables = RISK_TABLES

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, _("Open a risk round"), _("Open the round"), parent,
                         intro=_("Every household of the village is in the round: the villager groups rate them, then the "
                                 "village committee confirms and the town work team reviews."))
        self.setObjectName("OpenRoundDialog")
        self.quarter = QLineEdit(this_quarter())
        self.quarter.setObjectName("quarter")
        self.quarter.setMaxLength(6)
        self.row("quarter", _("Quarter"), self.quarter, required=True)
        self.opened: RiskRound | None = None
        self.finish()

    def perform(self, session: Session) -> RiskRound:
        self.opened = risk.open_round(session, self.ctx.actor, self.quarter.text())
        return self.opened


class CloseRoundDialog(FormDialog):
    """Closing with households not assessed asks for the reason (e.g. a group away for work)."""

    tables = RISK_TABLES

    def __init__(self, ctx: UiContext, rnd: RiskRound, left: int, parent: QWidget | None = None) -> None:
        intro = ngettext("{n} household of {quarter} is not assessed yet. Say why the round closes anyway; the reason "
                         "is kept with the round.", "{n} households of {quarter} are not assessed yet. Say why the round "
                         "closes anyway; the reason is kept with the round.", left).format(n=left, quarter=rnd.quarter)
        super().__init__(ctx, _("Close the round of {quarter}").format(quarter=rnd.quarter), _("Close the round"), parent,
                         intro=intro)
        self.setObjectName("CloseRoundDialog")
        self.round_id = rnd.id
        self.reason = text_box(self, 3)
        self.reason.setObjectName("reason")
        self.row("reason", _("Reason"), self.reason, required=True)
        self.finish()

    def perform(self, session: Session) -> RiskRound:
        return risk.close_round(session, self.ctx.actor, self.round_id, self.reason.toPlainText())


class BoardView(QWidget):
    # A household was chosen in one of the lists (double-click or Enter): the page may show its history.
    household_requested = Signal(str)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("RiskBoard")
        self.data = BoardData(None)
        self.dialog: QDialog | None = None

        # ---- the round
        self.round_title = QLabel()
        self.round_title.setObjectName("roundTitle")
        self.round_state = Chip()
        self.round_state.setObjectName("roundState")
        self.round_summary = hint()
        self.round_summary.setObjectName("roundSummary")
        self.open_button = tr(QPushButton(), N_("Open a round…"))
        self.open_button.setObjectName("openRound")
        self.open_button.clicked.connect(self.open_round)
        self.close_button = tr(QPushButton(), N_("Close the round…"))
        self.close_button.setObjectName("closeRound")
        self.close_button.clicked.connect(self.close_round)
        for b in (self.open_button, self.close_button):
            b.setVisible(ctx.can("risk.rounds"))
        top = QHBoxLayout()
        top.addWidget(self.round_title)
        top.addWidget(self.round_state)
        top.addWidget(self.round_summary, 1)
        top.addWidget(self.open_button)
        top.addWidget(self.close_button)

        # ---- groups
        self.groups_model = GroupProgressModel(self)
        self.groups_table = make_table(self.groups_model, "groups")
        self.groups_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        groups_header = self.groups_table.horizontalHeader()
        groups_header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)  # every header in full
        groups_header.setStretchLastSection(False)
        self.groups_empty = empty_state()
        self.groups_stack = QStackedWidget()
        self.groups_stack.addWidget(self.groups_table)
        self.groups_stack.addWidget(self.groups_empty)
        self.groups_box = tr(QGroupBox(), N_("Villager groups: households by level and how far the round has come"))
        box_layout = QVBoxLayout(self.groups_box)
        box_layout.addWidget(self.groups_stack)

        # ---- overdue visits and proposals
        self.overdue_model = HouseholdRiskModel(OVERDUE_COLUMNS, self)
        self.overdue_table = make_table(self.overdue_model, "overdue")
        self.overdue_table.activated.connect(lambda index: self._activated(self.overdue_model, index))
        self.overdue_empty = empty_state()
        self.overdue_stack = QStackedWidget()
        self.overdue_stack.addWidget(self.overdue_table)
        self.overdue_stack.addWidget(self.overdue_empty)
        self.overdue_box = QGroupBox()
        QVBoxLayout(self.overdue_box).addWidget(self.overdue_stack)

        self.proposals_model = HouseholdRiskModel(PROPOSAL_COLUMNS, self)
        self.proposals_table = make_table(self.proposals_model, "proposals")
        self.proposals_table.activated.connect(lambda index: self._activated(self.proposals_model, index))
        self.proposals_empty = empty_state()
        self.proposals_stack = QStackedWidget()
        self.proposals_stack.addWidget(self.proposals_table)
        self.proposals_stack.addWidget(self.proposals_empty)
        self.proposals_box = QGroupBox()
        proposals_layout = QVBoxLayout(self.proposals_box)
        self.proposals_hint = hint()
        proposals_layout.addWidget(self.proposals_hint)
        proposals_layout.addWidget(self.proposals_stack)

        lists = QSplitter(Qt.Orientation.Horizontal)
        lists.addWidget(self.overdue_box)
        lists.addWidget(self.proposals_box)
        lists.setChildrenCollapsible(False)
        body = QSplitter(Qt.Orientation.Vertical)
        body.addWidget(self.groups_box)
        body.addWidget(lists)
        body.setStretchFactor(0, 3)
        body.setStretchFactor(1, 2)
        body.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(body, 1)
        self.relabel()

    def relabel(self) -> None:
        bigger(self.round_title, 1.25)
        self.groups_model.retranslate()
        self.overdue_model.retranslate()
        self.proposals_model.retranslate()
        self.proposals_hint.setText(_("Rated before a dispute case of theirs was registered: the case makes the next "
                                      "rating count it. Double-click to see the household."))
        self.groups_empty.setText(_("No risk round yet. Open the round of this quarter to start the screening."))
        self._show()

    # -------------------------------------------------------- loading

    def refresh(self) -> None:
        try:
            self.data = load_board(self.ctx)
        except Exception as exc:
            self.data = BoardData(None)
            report_error(self, self.ctx, exc, traceback.format_exc())
        self.groups_model.set_groups(self.data.groups)
        self.overdue_model.set_rows(self.data.overdue)
        self.proposals_model.set_rows(self.data.proposals)
        self._show()
        fit_columns(self.overdue_table)
        fit_columns(self.proposals_table)

    def _show(self) -> None:
        d = self.data
        rnd = d.round
        if rnd is None:
            self.round_title.setText(_("Risk screening"))
            self.round_state.set_chip(_("No round yet"), HINT_COLOR)
            self.round_summary.setText("")
        else:
            self.round_title.setText(_("Risk round {quarter}").format(quarter=rnd.quarter))
            if rnd.closed_on is None:
                self.round_state.set_chip(_("In progress"), OK_COLOR)
            else:
                self.round_state.set_chip(_("Round closed on {date}").format(date=format_date(rnd.closed_on)), HINT_COLOR)
            total = sum(g.households for g in d.groups)
            town = sum(g.by_stage.get(3, 0) for g in d.groups)
            self.round_summary.setText(
                _("{total} households · {left} not assessed yet · {town} reviewed by the town work team").format(
                    total=total, left=d.left, town=town))
        is_open = rnd is not None and rnd.closed_on is None
        self.open_button.setEnabled(not is_open)
        self.open_button.setToolTip(_("Close the open round first") if is_open else "")
        self.close_button.setEnabled(is_open)
        self.close_button.setToolTip("" if is_open else _("No round is open"))
        self.groups_stack.setCurrentIndex(0 if d.groups else 1)
        self.overdue_box.setTitle(_("Visits overdue ({n})").format(n=len(d.overdue)))
        self.overdue_empty.setText(_("No visit is overdue."))
        self.overdue_stack.setCurrentIndex(0 if d.overdue else 1)
        self.proposals_box.setTitle(_("Proposed for re-assessment ({n})").format(n=len(d.proposals)))
        self.proposals_empty.setText(_("No household needs re-assessing."))
        self.proposals_stack.setCurrentIndex(0 if d.proposals else 1)

    def _activated(self, model: HouseholdRiskModel, index: QModelIndex) -> None:
        row = model.row_data(index.row())
        if row is not None:
            self.household_requested.emit(row.household_id)

    # -------------------------------------------------------- rounds

    def open_round(self) -> QDialog | None:
        if not self.ctx.can("risk.rounds"):
            return None
        return open_dialog(self, OpenRoundDialog(self.ctx, self), self.refresh)

    def close_round(self) -> QDialog | None:
        rnd = self.data.round
        if rnd is None or rnd.closed_on is not None or not self.ctx.can("risk.rounds"):
            return None
        if self.data.left > 0:
            return open_dialog(self, CloseRoundDialog(self.ctx, rnd, self.data.left, self), self.refresh)
        round_id = rnd.id

        def close() -> None:
            if write(self, self.ctx, lambda s: risk.close_round(s, self.ctx.actor, round_id), tables=RISK_TABLES):
                self.refresh()

        box = ask(self, _("Close the round"), _("Every household of {quarter} is assessed. Close the round?").format(
            quarter=rnd.quarter), close, yes_text=_("Close the round"), no_text=_("Keep it open"))
        self.dialog = None
        self.question = box
        return None
