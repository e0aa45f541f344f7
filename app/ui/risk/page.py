"""The risk section of the window (风险, 一会一课一排查's screening): the board, rating a household, the review
queues, the logged-in cadre's households, the ledger, the changes between two rounds, the factor catalog
(for the director) and one household's history — as tabs. A view is loaded when it is shown; a change
elsewhere (`ctx.changed`) marks the others to reload when next shown."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.i18n import N_
from app.ui.context import UiContext
from app.ui.risk.assess import AssessView
from app.ui.risk.board import BoardView
from app.ui.risk.changes import ChangesView
from app.ui.risk.common import touches_risk
from app.ui.risk.factors import FactorsView
from app.ui.risk.history import HistoryView
from app.ui.risk.ledger import LedgerView
from app.ui.risk.review import ReviewView
from app.ui.risk.tasks import TasksView
from app.ui.widgets import StaleTabs

TAB_LABELS = {"board": N_("Board"), "assess": N_("Rate a household"), "review": N_("Review"), "tasks": N_("My households"),
              "ledger": N_("Ledger"), "changes": N_("Changes between rounds"), "factors": N_("Risk factors"),
              "history": N_("Household history")}


class RiskPage(StaleTabs):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("RiskPage")
        self.board = BoardView(ctx, self)
        self.assess = AssessView(ctx, self)
        self.review = ReviewView(ctx, self)
        self.tasks = TasksView(ctx, self)
        self.ledger = LedgerView(ctx, self)
        self.changes = ChangesView(ctx, self)
        self.factors = FactorsView(ctx, self)
        self.history = HistoryView(ctx, self)
        self.views: dict[str, QWidget] = {"board": self.board}
        if ctx.can("risk.assess"):
            self.views["assess"] = self.assess
        if self.review.queues:
            self.views["review"] = self.review
        self.views["tasks"] = self.tasks
        self.views["ledger"] = self.ledger
        self.views["changes"] = self.changes
        if ctx.can("risk.catalog"):
            self.views["factors"] = self.factors
        self.views["history"] = self.history
        for hidden in (self.assess, self.review, self.factors):
            if hidden not in self.views.values():
                hidden.hide()  # the role does not rate, review or keep the factor catalog
        for key, view in self.views.items():
            view.setProperty("riskView", key)
        self.add_tabs("riskTabs")
        self.board.household_requested.connect(self.show_history)
        self.review.household_requested.connect(self.show_history)
        self.tasks.household_requested.connect(self.show_history)
        ctx.changed.connect(self._on_changed)
        ctx.retranslate.connect(self.relabel)
        self.relabel()

    def relabel(self) -> None:
        self.relabel_tabs(TAB_LABELS)

    def _on_changed(self, tables: object) -> None:
        if touches_risk(tables):
            self.mark_stale()

    # -------------------------------------------------------- going to a view

    def show_history(self, household_id: str) -> None:
        self.show_view("history")
        self.history.show_household(household_id)

    def rate_household(self, household_id: str) -> None:
        if "assess" in self.views:
            self.show_view("assess")
            self.assess.show_household(household_id)
