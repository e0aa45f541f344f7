"""The Sync section (同步), on a village desk and at a township center alike: where sync stands and the
USB and network buttons, the bundle log, and identity and enrollment — as tabs. A view is loaded when it
is shown; a change elsewhere (`ctx.changed`) marks the others to reload when next shown."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget

from app.i18n import N_
from app.ui.context import UiContext
from app.ui.sync.identity_view import IdentityView
from app.ui.sync.log_view import LogView
from app.ui.sync.overview import OverviewView
from app.ui.widgets import StaleTabs

TAB_LABELS = {"overview": N_("Overview"), "log": N_("Bundle log"), "identity": N_("Identity and enrollment")}


class SyncPage(StaleTabs):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("SyncPage")
        self.overview = OverviewView(ctx, self)
        self.log = LogView(ctx, self)
        self.identity = IdentityView(ctx, self)
        self.views: dict[str, QWidget] = {"overview": self.overview, "log": self.log, "identity": self.identity}
        self.add_tabs("syncTabs")
        self.overview.enroll_requested.connect(lambda: self.show_view("identity"))
        ctx.changed.connect(self._on_changed)
        ctx.retranslate.connect(self.relabel)
        self.relabel()

    def relabel(self) -> None:
        self.relabel_tabs(TAB_LABELS)

    def attach_monitor(self, monitor: Any) -> None:
        """The window's background pusher: "Send over the network now" goes through it."""
        self.overview.attach_monitor(monitor)

    def _on_changed(self, _tables: object) -> None:
        self.mark_stale()  # the sync state follows every write (pending changes)
