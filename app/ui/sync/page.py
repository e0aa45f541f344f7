"""The Sync section (同步), on a village desk and at a township center alike: where sync stands and the
USB and network buttons, the bundle log, and identity and enrollment — as tabs. A view is loaded when it
is shown; a change elsewhere (`ctx.changed`) marks the others to reload when next shown."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from app.i18n import N_, _
from app.ui.context import UiContext
from app.ui.sync.identity_view import IdentityView
from app.ui.sync.log_view import LogView
from app.ui.sync.overview import OverviewView
from app.ui.widgets import StaleTabs

TAB_LABELS = {"overview": N_("Overview"), "log": N_("Bundle log"), "identity": N_("Identity and enrollment")}


class SyncPage(StaleTabs, QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("SyncPage")
        self.overview = OverviewView(ctx, self)
        self.log = LogView(ctx, self)
        self.identity = IdentityView(ctx, self)
        self.views: dict[str, QWidget] = {"overview": self.overview, "log": self.log, "identity": self.identity}
        self.tabs = QTabWidget()
        self.tabs.setObjectName("syncTabs")
        self.tabs.setDocumentMode(True)
        for view in self.views.values():
            self.tabs.addTab(view, "")
        self._stale = set(self.views)
        self.tabs.currentChanged.connect(lambda _i: self._load_current())
        self.overview.enroll_requested.connect(lambda: self.show_view("identity"))
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
            view.relabel()  # type: ignore[attr-defined]

    def attach_monitor(self, monitor: Any) -> None:
        """The window's background pusher: "Send over the network now" goes through it."""
        self.overview.attach_monitor(monitor)

    def _on_changed(self, _tables: object) -> None:
        self._stale = set(self.views)  # the sync state follows every write (pending changes)
        if self.isVisible():
            self._load_current()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._load_current()

    def show_view(self, key: str) -> QWidget:
        view = self.views[key]
        self.tabs.setCurrentWidget(view)
        self._load_current()
        return view
