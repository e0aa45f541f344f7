"""The risk section of the window (风险, 一会一课一排查's screening): the board, rating a household, the review
queues, the logged-in cadre's households, the ledger, the changes between two rounds, the factor catalog
(for the director) and one household's history — as tabs. A view is loaded when it is shown; a change
elsewhere (`ctx.changed`) marks the others to reload when next shown."""

from __future__ import annotations

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from app.i18n import N_, _
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


class RiskPage(StaleTabs, QWidget):
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
        self.tabs = QTabWidget()
        self.tabs.setObjectName("riskTabs")
        self.tabs.setDocumentMode(True)
        for key, view in self.views.items():
            view.setProperty("riskView", key)
            self.tabs.addTab(view, "")
        self._stale = set(self.views)
        self.tabs.currentChanged.connect(lambda _i: self._load_current())
        self.board.household_requested.connect(self.show_history)
        self.review.household_requested.connect(self.show_history)
        self.tasks.household_requested.connect(self.show_history)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        ctx.changed.connect(self._on_changed)
        ctx.retranslate.connect(self.relabel)
        self.relabel()

    def relabel(self) -> None:
        for i, key in enumerate(self.views):
            self.tabs.setTabText(i, _(TAB_LABELS[key]))
        for view in self.views.values():
            relabel = getattr(view, "relabel", None)
            if callable(relabel):
                relabel()

    # -------------------------------------------------------- loading

    def _mark_stale(self) -> None:
        self._stale = set(self.views)
        if self.isVisible():
            self._load_current()

    def _on_changed(self, tables: object) -> None:
        if touches_risk(tables):
            self._mark_stale()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._load_current()

    # -------------------------------------------------------- going to a view

    def show_view(self, key: str) -> QWidget:
        view = self.views[key]
        self.tabs.setCurrentWidget(view)
        self._load_current()
        return view

    def show_history(self, household_id: str) -> None:
        self.show_view("history")
        self.history.show_household(household_id)

    def rate_household(self, household_id: str) -> None:
        if "assess" in self.views:
            self.show_view("assess")
            self.assess.show_household(household_id)
