"""The points section of the window (积分): the village-rule points of every household. A list at the left
chooses the view — accounts, a household's ledger, quick entry, batch entry, the review queue, the rules,
the shop, the public notice. Views are made the first time they are shown; a view whose data changed while
hidden is read again when it is shown. Views a role cannot use are not listed."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import N_, _
from app.ui.context import UiContext
from app.ui.points.common import POINTS_TABLES, ROSTER_TABLES, bigger, error_message, touches


@dataclass(frozen=True)
class SubView:
    key: str
    label: str  # N_() msgid
    permission: str
    make: Callable[[UiContext], QWidget]


def _accounts(ctx: UiContext) -> QWidget:
    from app.ui.points.accounts import AccountsView

    return AccountsView(ctx)


def _ledger(ctx: UiContext) -> QWidget:
    from app.ui.points.ledger import LedgerView

    return LedgerView(ctx)


def _quick(ctx: UiContext) -> QWidget:
    from app.ui.points.quick_entry import QuickEntryView

    return QuickEntryView(ctx)


def _batch(ctx: UiContext) -> QWidget:
    from app.ui.points.batch import BatchEntryView

    return BatchEntryView(ctx)


def _review(ctx: UiContext) -> QWidget:
    from app.ui.points.review import ReviewView

    return ReviewView(ctx)


def _catalog(ctx: UiContext) -> QWidget:
    from app.ui.points.catalog import CatalogView

    return CatalogView(ctx)


def _shop(ctx: UiContext) -> QWidget:
    from app.ui.points.shop import ShopView

    return ShopView(ctx)


def _notice(ctx: UiContext) -> QWidget:
    from app.ui.points.notice import NoticeView

    return NoticeView(ctx)


SUB_VIEWS: tuple[SubView, ...] = (
    SubView("accounts", N_("Accounts"), "points.read", _accounts),
    SubView("ledger", N_("Household ledger"), "points.read", _ledger),
    SubView("quick", N_("Quick entry"), "points.write", _quick),
    SubView("batch", N_("Batch entry"), "points.write", _batch),
    SubView("review", N_("Review queue"), "points.review", _review),
    SubView("catalog", N_("Rules and stars"), "points.read", _catalog),
    SubView("shop", N_("Points shop"), "points.read", _shop),
    SubView("notice", N_("Public notice"), "points.read", _notice),
)


class PointsPage(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("PointsPage")
        self.sub_views = [v for v in SUB_VIEWS if ctx.can(v.permission)]
        self.views: dict[str, QWidget] = {}
        self._stale: set[str] = set()
        self._pending_reviews: int | None = None

        self.title = QLabel()
        self.title.setObjectName("pointsTitle")
        self.nav = QListWidget()
        self.nav.setObjectName("pointsNav")
        self.nav.setSpacing(2)
        self.nav.setUniformItemSizes(True)
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.stack = QStackedWidget()
        for view in self.sub_views:
            self.nav.addItem(QListWidgetItem())
            placeholder = QWidget()
            placeholder.setObjectName(f"placeholder_{view.key}")
            self.stack.addWidget(placeholder)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.hide()

        left = QVBoxLayout()
        left.addWidget(self.title)
        left.addWidget(self.nav, 1)
        right = QVBoxLayout()
        right.addWidget(self.error_label)
        right.addWidget(self.stack, 1)
        layout = QHBoxLayout(self)
        layout.addLayout(left)
        layout.addLayout(right, 1)

        self.new_action = QAction(self)
        self.new_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.new_action.triggered.connect(lambda: self.show_view("quick"))
        self.new_action.setEnabled(ctx.can("points.write"))
        self.addAction(self.new_action)
        self.find_action = QAction(self)
        self.find_action.setShortcut(QKeySequence.StandardKey.Find)
        self.find_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.find_action.triggered.connect(self.focus_filter)
        self.addAction(self.find_action)

        self.nav.currentRowChanged.connect(self._row_changed)
        ctx.changed.connect(self._on_changed)
        ctx.retranslate.connect(self.relabel)
        self.relabel()
        self._count_reviews()
        self.nav.setCurrentRow(0)

    # -------------------------------------------------------- labels

    def relabel(self) -> None:
        self.title.setText(_("Points"))
        bigger(self.title, 1.25)
        for row, view in enumerate(self.sub_views):
            item = self.nav.item(row)
            text = _(view.label)
            if view.key == "review" and self._pending_reviews:
                text = _("{label} ({n})").format(label=text, n=self._pending_reviews)
            item.setText(text)
        metrics = self.nav.fontMetrics()
        widest = max((metrics.horizontalAdvance(self.nav.item(r).text()) for r in range(self.nav.count())), default=80)
        self.nav.setFixedWidth(max(widest + 40, metrics.horizontalAdvance(self.title.text()) + 40, 120))
        for row in range(self.nav.count()):
            self.nav.item(row).setSizeHint(QSize(0, metrics.height() + 14))
        self.new_action.setText(_("Quick entry"))
        self.find_action.setText(_("Search"))
        for widget in self.views.values():
            relabel = getattr(widget, "relabel", None)
            if callable(relabel):
                relabel()

    # -------------------------------------------------------- views

    def view_keys(self) -> list[str]:
        return [v.key for v in self.sub_views]

    def view(self, key: str) -> QWidget | None:
        """The view `key`, made now if it was not yet (None if the role may not see it)."""
        if key in self.views:
            return self.views[key]
        index = self.view_keys().index(key) if key in self.view_keys() else -1
        if index < 0:
            return None
        try:
            widget = self.sub_views[index].make(self.ctx)
        except Exception as exc:
            self.error_label.setText(error_message(self.ctx, exc, traceback.format_exc()))
            self.error_label.show()
            return None
        open_household = getattr(widget, "open_household", None)
        if open_household is not None:
            open_household.connect(self.open_ledger)
        placeholder = self.stack.widget(index)
        self.stack.insertWidget(index, widget)
        if placeholder is not None:
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()
        self.views[key] = widget
        return widget

    def current_key(self) -> str | None:
        row = self.nav.currentRow()
        return self.sub_views[row].key if 0 <= row < len(self.sub_views) else None

    def current_view(self) -> QWidget | None:
        key = self.current_key()
        return self.views.get(key) if key else None

    def show_view(self, key: str) -> QWidget | None:
        if key not in self.view_keys():
            return None
        self.nav.setCurrentRow(self.view_keys().index(key))
        return self.views.get(key)

    def _row_changed(self, row: int) -> None:
        if not 0 <= row < len(self.sub_views):
            return
        key = self.sub_views[row].key
        created = key not in self.views
        widget = self.view(key)
        if widget is None:
            return
        self.stack.setCurrentWidget(widget)
        if (created and key == "accounts") or key in self._stale:  # the accounts load on a worker
            self._refresh_view(key)
        focus_first = getattr(widget, "focus_first", None)
        if callable(focus_first):
            focus_first()

    def _refresh_view(self, key: str) -> None:
        self._stale.discard(key)
        widget = self.views.get(key)
        refresh = getattr(widget, "refresh", None)
        if callable(refresh):
            try:
                refresh()
            except Exception as exc:
                self.error_label.setText(error_message(self.ctx, exc, traceback.format_exc()))
                self.error_label.show()

    def refresh(self) -> None:
        """F5, or coming back to the section: read the view shown again; the others when they are shown."""
        self.error_label.hide()
        current = self.current_key()
        self._stale.update(k for k in self.views if k != current)
        if current is not None:
            self._refresh_view(current)
        self._count_reviews()

    def _on_changed(self, tables: object) -> None:
        if not touches(tables, POINTS_TABLES | ROSTER_TABLES):
            return
        current = self.current_key()
        self._stale.update(k for k in self.views if k != current)
        if current is not None and current in self.views:
            self._refresh_view(current)
        self._count_reviews()

    def _count_reviews(self) -> None:
        if "review" not in self.view_keys():
            return
        from app.services import points

        try:
            with self.ctx.store.read() as session:
                count = len(points.review_queue(session, self.ctx.actor))
        except Exception:
            return
        if count != self._pending_reviews:
            self._pending_reviews = count
            row = self.view_keys().index("review")
            text = _(self.sub_views[row].label)
            self.nav.item(row).setText(_("{label} ({n})").format(label=text, n=count) if count else text)

    # -------------------------------------------------------- moving between views

    def open_ledger(self, household_id: str) -> None:
        self.show_view("ledger")
        ledger = self.views.get("ledger")
        show = getattr(ledger, "show_household", None)
        if callable(show):
            show(household_id)

    def focus_filter(self) -> None:
        widget = self.current_view()
        for name in ("focus_filter", "focus_first"):
            focus = getattr(widget, name, None)
            if callable(focus):
                focus()
                return
