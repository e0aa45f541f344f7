"""The main window: a header (desk and committee, who is logged in), the section list on the left, the
section's page on the right, and a status bar that always says who works and where the data is.

Sections appear only when the user's role may use them. Pages are built the first time they are
opened, and re-label themselves on `ctx.retranslate`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QColor,
    QFont,
    QIcon,
    QKeySequence,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import N_, _
from app.models.users import ROLE_LABELS
from app.ui.context import UiContext
from app.ui.idle_lock import IdleLock
from app.ui.messages import ACCENT_COLOR

CHROME = "#eef0f3"
BORDER = "#d5dae1"
TEXT = "#1f2328"
ICON_GREY = "#4a5563"


@dataclass(frozen=True)
class Section:
    key: str
    label: str  # N_() msgid
    permission: str | None
    make: Callable[[UiContext], QWidget]
    icon: str


def _make_home(ctx: UiContext) -> QWidget:
    from app.ui.home.page import HomePage

    return HomePage(ctx)


def _make_cases(ctx: UiContext) -> QWidget:
    from app.ui.cases.page import CasesPage

    return CasesPage(ctx)


def _make_points(ctx: UiContext) -> QWidget:
    from app.ui.points.page import PointsPage

    return PointsPage(ctx)


def _make_risk(ctx: UiContext) -> QWidget:
    from app.ui.risk.page import RiskPage

    return RiskPage(ctx)


def _make_roster(ctx: UiContext) -> QWidget:
    from app.ui.roster.page import RosterPage

    return RosterPage(ctx)


def _make_reports(ctx: UiContext) -> QWidget:
    from app.ui.reports.page import ReportsPage

    return ReportsPage(ctx)


def _make_users(ctx: UiContext) -> QWidget:
    from app.ui.users_page import UsersPage

    return UsersPage(ctx)


def _make_audit(ctx: UiContext) -> QWidget:
    from app.ui.audit_page import AuditPage

    return AuditPage(ctx)


def _make_settings(ctx: UiContext) -> QWidget:
    from app.ui.settings_page import SettingsPage

    return SettingsPage(ctx)


def _make_sync(ctx: UiContext) -> QWidget:
    from app.ui.sync.page import SyncPage

    return SyncPage(ctx)


def _make_villages(ctx: UiContext) -> QWidget:
    from app.ui.township.villages import VillagesPage

    return VillagesPage(ctx)


def _make_inbox(ctx: UiContext) -> QWidget:
    from app.ui.township.inbox import InboxPage

    return InboxPage(ctx)


def _make_catalogs(ctx: UiContext) -> QWidget:
    from app.ui.township.catalogs import CatalogsPage

    return CatalogsPage(ctx)


SECTIONS: tuple[Section, ...] = (
    Section("home", N_("Today"), "cases.read", _make_home, "home"),
    Section("cases", N_("Disputes"), "cases.read", _make_cases, "cases"),
    Section("points", N_("Points"), "points.read", _make_points, "points"),
    Section("risk", N_("Risk"), "risk.read", _make_risk, "risk"),
    Section("roster", N_("Grid and households"), "roster.read", _make_roster, "roster"),
    Section("sync", N_("Sync"), "sync.run", _make_sync, "sync"),
    Section("reports", N_("Statistics"), "reports.read", _make_reports, "reports"),
    Section("users", N_("Users"), "users.manage", _make_users, "users"),
    Section("audit", N_("Audit trail"), "audit.read", _make_audit, "audit"),
    Section("settings", N_("Settings"), None, _make_settings, "settings"),
)

# A township center sees its own sections instead of the village ones (a roster, cases, points or risk
# list there would mix the villages): the villages, the inbox of escalated cases, the points catalogs it publishes,
# sync, and the shared ones.
TOWNSHIP_ONLY: tuple[Section, ...] = (
    Section("villages", N_("Villages"), "cases.read", _make_villages, "villages"),
    Section("inbox", N_("Escalated cases"), "cases.read", _make_inbox, "inbox"),
    Section("catalogs", N_("Points catalogs"), "points.read", _make_catalogs, "catalogs"),
)
SHARED_KEYS = frozenset({"sync", "reports", "users", "audit", "settings"})


def sections_for(mode: str) -> tuple[Section, ...]:
    """The sections of a village desk, or of a township center."""
    if mode != "township":
        return SECTIONS
    return TOWNSHIP_ONLY + tuple(s for s in SECTIONS if s.key in SHARED_KEYS)


# -- icons ------------------------------------------------------------------------------------------

def _icon_path(kind: str) -> QPainterPath:
    """Simple line drawings on a 24×24 grid: calm, legible at arm's length, no font glyph needed."""
    p = QPainterPath()
    if kind == "home":  # a desk lamp over a desk: today's work
        p.addRoundedRect(QRectF(3.5, 14.5, 17, 3.5), 1, 1)
        p.moveTo(6, 18)
        p.lineTo(6, 21)
        p.moveTo(18, 18)
        p.lineTo(18, 21)
        p.addEllipse(QPointF(12, 7.5), 4.5, 4.5)
        p.moveTo(12, 7.5)
        p.lineTo(12, 4.5)
        p.moveTo(12, 7.5)
        p.lineTo(14.2, 8.8)
    elif kind == "cases":  # a pair of scales
        p.moveTo(12, 3.5)
        p.lineTo(12, 20.5)
        p.moveTo(7.5, 20.5)
        p.lineTo(16.5, 20.5)
        p.moveTo(4.5, 6.5)
        p.lineTo(19.5, 6.5)
        p.moveTo(4.5, 6.5)
        p.lineTo(2.5, 12.5)
        p.lineTo(6.5, 12.5)
        p.closeSubpath()
        p.moveTo(19.5, 6.5)
        p.lineTo(17.5, 12.5)
        p.lineTo(21.5, 12.5)
        p.closeSubpath()
    elif kind == "points":  # a star
        import math

        for i in range(10):
            angle = -math.pi / 2 + math.pi * i / 5
            radius = 9.0 if i % 2 == 0 else 4.0
            pt = QPointF(12 + radius * math.cos(angle), 12.5 + radius * math.sin(angle))
            if i == 0:
                p.moveTo(pt)
            else:
                p.lineTo(pt)
        p.closeSubpath()
    elif kind == "risk":  # a flag
        p.moveTo(5.5, 21)
        p.lineTo(5.5, 3.5)
        p.lineTo(18.5, 3.5)
        p.lineTo(15.5, 8)
        p.lineTo(18.5, 12.5)
        p.lineTo(5.5, 12.5)
    elif kind == "roster":  # a house with a grid of windows
        p.moveTo(3, 11)
        p.lineTo(12, 3.5)
        p.lineTo(21, 11)
        p.addRect(QRectF(5.5, 10.5, 13, 10))
        p.moveTo(12, 10.5)
        p.lineTo(12, 20.5)
        p.moveTo(5.5, 15.5)
        p.lineTo(18.5, 15.5)
    elif kind == "reports":  # a bar chart
        p.moveTo(3.5, 20.5)
        p.lineTo(20.5, 20.5)
        for x, top in ((5.5, 13), (10.5, 7), (15.5, 10.5)):
            p.addRect(QRectF(x, top, 3.5, 20.5 - top))
    elif kind == "users":  # two people
        p.addEllipse(QPointF(9, 8), 3.5, 3.5)
        p.moveTo(2.5, 20)
        p.cubicTo(2.5, 14, 15.5, 14, 15.5, 20)
        p.addEllipse(QPointF(16.5, 9), 2.8, 2.8)
        p.moveTo(17.5, 14.2)
        p.cubicTo(20, 14.5, 21.5, 16.5, 21.5, 19)
    elif kind == "sync":  # two arrows, there and back
        p.moveTo(4, 8.5)
        p.lineTo(19, 8.5)
        p.moveTo(15.5, 5)
        p.lineTo(19, 8.5)
        p.lineTo(15.5, 12)
        p.moveTo(20, 15.5)
        p.lineTo(5, 15.5)
        p.moveTo(8.5, 12)
        p.lineTo(5, 15.5)
        p.lineTo(8.5, 19)
    elif kind == "villages":  # three houses
        for hx, hy in ((2.5, 12.0), (14.5, 12.0), (8.5, 6.0)):
            p.moveTo(hx, hy + 3)
            p.lineTo(hx + 3.5, hy)
            p.lineTo(hx + 7, hy + 3)
            p.addRect(QRectF(hx + 1, hy + 3, 5, 5.5))
        p.moveTo(2, 21)
        p.lineTo(22, 21)
    elif kind == "inbox":  # a tray with a letter coming in
        p.moveTo(3, 13)
        p.lineTo(3, 20.5)
        p.lineTo(21, 20.5)
        p.lineTo(21, 13)
        p.moveTo(3, 13)
        p.lineTo(8, 13)
        p.lineTo(9.5, 16)
        p.lineTo(14.5, 16)
        p.lineTo(16, 13)
        p.lineTo(21, 13)
        p.moveTo(12, 3)
        p.lineTo(12, 11.5)
        p.moveTo(8.5, 8)
        p.lineTo(12, 11.5)
        p.lineTo(15.5, 8)
    elif kind == "catalogs":  # a booklet of rules with a star on its cover
        p.addRoundedRect(QRectF(4.5, 3, 15, 18.5), 1.5, 1.5)
        p.moveTo(7.5, 3)
        p.lineTo(7.5, 21.5)
        import math

        for i in range(10):
            angle = -math.pi / 2 + math.pi * i / 5
            radius = 3.6 if i % 2 == 0 else 1.6
            pt = QPointF(13.5 + radius * math.cos(angle), 8.8 + radius * math.sin(angle))
            if i == 0:
                p.moveTo(pt)
            else:
                p.lineTo(pt)
        p.closeSubpath()
        for line in (15.0, 18.0):
            p.moveTo(10.5, line)
            p.lineTo(16.5, line)
    elif kind == "audit":  # a clipboard with lines
        p.addRoundedRect(QRectF(4.5, 4.5, 15, 17), 2, 2)
        p.addRect(QRectF(9, 2.5, 6, 4))
        for y in (10.5, 14, 17.5):
            p.moveTo(8, y)
            p.lineTo(16, y)
    else:  # settings: a gear
        import math

        outer, inner, teeth = 9.5, 7.0, 8
        for i in range(teeth * 2):
            angle = math.pi * 2 * i / (teeth * 2)
            r = outer if i % 2 == 0 else inner
            pt = QPointF(12 + r * math.cos(angle), 12 + r * math.sin(angle))
            if i == 0:
                p.moveTo(pt)
            else:
                p.lineTo(pt)
        p.closeSubpath()
        p.addEllipse(QPointF(12, 12), 3, 3)
    return p


def _draw_icon(kind: str, color: str, size: int = 48) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.scale(size / 24, size / 24)
    pen = QPen(QColor(color), 1.7)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    painter.drawPath(_icon_path(kind))
    painter.end()
    return pixmap


def section_icon(kind: str) -> QIcon:
    icon = QIcon()
    icon.addPixmap(_draw_icon(kind, ICON_GREY), QIcon.Mode.Normal)
    icon.addPixmap(_draw_icon(kind, "#ffffff"), QIcon.Mode.Selected)
    return icon


class ElidedLabel(QLabel):
    """A label that shortens a long text (a data directory path) in the middle instead of widening the window."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self.updateGeometry()
        self.update()

    def full_text(self) -> str:
        return self._full

    def sizeHint(self) -> QSize:
        return QSize(self.fontMetrics().horizontalAdvance(self._full) + 8, super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:
        return QSize(120, super().minimumSizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        text = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideMiddle, self.width())
        painter.drawText(self.rect(), int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)


class MainWindow(QMainWindow):
    logout_requested = Signal()
    closed = Signal()

    def __init__(self, ctx: UiContext, *, idle_timeout_ms: int | None = None) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.ctx = ctx
        self._committee_name = ""
        self._sections: list[Section] = []
        self._pages: dict[str, QWidget] = {}

        central = QWidget()
        central.setObjectName("central")
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self._build_header())
        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(0)
        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setIconSize(QSize(24, 24))
        self.nav.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.nav.setStyleSheet(
            f"QListWidget#nav {{ background: {CHROME}; border: none; border-right: 1px solid {BORDER};"
            f" padding-top: 10px; outline: 0; }}"
            f"QListWidget#nav::item {{ padding: 9px 10px; margin: 2px 8px; border-radius: 6px; color: {TEXT}; }}"
            f"QListWidget#nav::item:selected {{ background: {ACCENT_COLOR}; color: white; }}"
            f"QListWidget#nav::item:hover:!selected {{ background: #dfe4ea; }}"
        )
        self.stack = QStackedWidget()
        self.stack.setObjectName("pages")
        pages_palette = self.stack.palette()  # white pages in grey chrome
        pages_palette.setColor(QPalette.ColorRole.Window, pages_palette.color(QPalette.ColorRole.Base))
        self.stack.setPalette(pages_palette)
        self.stack.setAutoFillBackground(True)
        body.addWidget(self.nav)
        body.addWidget(self.stack, 1)
        outer.addLayout(body, 1)
        self.setCentralWidget(central)

        self.status_user = QLabel()
        self.status_user.setObjectName("statusUser")
        self.status_user.setStyleSheet(f"QLabel#statusUser {{ padding: 0 12px 0 6px; border-right: 1px solid {BORDER}; }}")
        self.status_data = ElidedLabel()
        self.status_data.setObjectName("statusDataDir")
        # Permanent: a passing status message never covers who is working and where the data is.
        self.statusBar().addPermanentWidget(self.status_user)
        self.statusBar().addPermanentWidget(self.status_data)
        self.statusBar().setSizeGripEnabled(True)

        self._build_actions()
        self.desk_mode = self._read_desk_mode()
        self.status_sync = QLabel()
        self.status_sync.setObjectName("statusSync")
        self.status_sync.setStyleSheet(f"QLabel#statusSync {{ padding: 0 8px; border-left: 1px solid {BORDER}; }}")
        self.statusBar().addPermanentWidget(self.status_sync)
        self.sync_monitor = self._start_sync_monitor()
        for section in sections_for(self.desk_mode):
            if section.permission is None or ctx.can(section.permission):
                self._add_section(section)
        self.nav.currentRowChanged.connect(self._show_section)

        self.idle_lock = IdleLock(self, ctx, idle_timeout_ms)
        self.idle_lock.logout_requested.connect(self.logout_requested)
        self.idle_lock.locked.connect(lambda: self._set_actions_enabled(False))
        self.idle_lock.unlocked.connect(lambda: self._set_actions_enabled(True))

        ctx.retranslate.connect(self.retranslate)
        ctx.changed.connect(self._on_changed)
        self._load_committee_name()
        self.retranslate()
        if self.nav.count():
            self.nav.setCurrentRow(0)
        self._fit_to_screen()

    # -- building ---------------------------------------------------------------------------------

    def _build_header(self) -> QWidget:
        header = QFrame()
        header.setObjectName("header")
        header.setStyleSheet(f"QFrame#header {{ background: white; border-bottom: 1px solid {BORDER}; }}")
        layout = QHBoxLayout(header)
        layout.setContentsMargins(16, 8, 12, 8)
        self.title = QLabel()
        self.title.setObjectName("headerTitle")
        self.user_button = QToolButton()
        self.user_button.setObjectName("userButton")
        self.user_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.user_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.user_button.setAutoRaise(True)
        self.user_button.setStyleSheet("QToolButton#userButton::menu-indicator { image: none; width: 0px; }")
        self.user_menu = QMenu(self.user_button)
        self.user_button.setMenu(self.user_menu)
        layout.addWidget(self.title)
        layout.addStretch(1)
        layout.addWidget(self.user_button)
        return header

    def _build_actions(self) -> None:
        self.lock_action = QAction(self)
        self.lock_action.setObjectName("lockAction")
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(self.lock_now)
        self.logout_action = QAction(self)
        self.logout_action.setObjectName("logoutAction")
        self.logout_action.triggered.connect(self.logout_requested)
        self.user_menu.addAction(self.lock_action)
        self.user_menu.addSeparator()
        self.user_menu.addAction(self.logout_action)
        self.addAction(self.lock_action)

        self.section_actions: list[QAction] = []
        for n in range(1, 11):  # Ctrl+1 … Ctrl+9, then Ctrl+0 for the tenth section
            action = QAction(self)
            action.setShortcut(QKeySequence(f"Ctrl+{n % 10}"))
            action.triggered.connect(lambda _checked=False, row=n - 1: self.select_row(row))
            self.addAction(action)
            self.section_actions.append(action)
        self.refresh_action = QAction(self)
        self.refresh_action.setShortcut(QKeySequence(Qt.Key.Key_F5))
        self.refresh_action.triggered.connect(self.refresh_current)
        self.addAction(self.refresh_action)

    def _fit_to_screen(self) -> None:
        """1200×780 where there is room; on the common 1366×768 village PC, the available area (minus the
        taskbar and the title bar) so that the status bar is never below the screen's edge."""
        screen = self.screen() or QApplication.primaryScreen()
        width, height = 1200, 780
        if screen is not None:
            area = screen.availableGeometry()
            width, height = min(width, area.width() - 20), min(height, area.height() - 50)
        self.resize(max(width, 800), max(height, 560))

    def _add_section(self, section: Section) -> None:
        item = QListWidgetItem(section_icon(section.icon), _(section.label))
        item.setData(Qt.ItemDataRole.UserRole, section.key)
        item.setSizeHint(QSize(0, max(44, self.fontMetrics().height() + 26)))
        placeholder = QWidget()  # the page itself is built when first opened
        self.nav.addItem(item)
        self.stack.addWidget(placeholder)
        self._sections.append(section)

    def _install_page(self, row: int, page: QWidget) -> None:
        old = self.stack.widget(row)
        self.stack.insertWidget(row, page)
        if old is not None:
            self.stack.removeWidget(old)
            old.deleteLater()
        self._pages[self._sections[row].key] = page

    # -- behaviour --------------------------------------------------------------------------------

    def section_keys(self) -> list[str]:
        return [s.key for s in self._sections]

    def page(self, key: str) -> QWidget | None:
        """The page of a section, built if needed (None if the user's role has no such section)."""
        keys = self.section_keys()
        if key not in keys:
            return None
        row = keys.index(key)
        if key not in self._pages:
            page = self._sections[row].make(self.ctx)
            self._install_page(row, page)
            wants_case = getattr(page, "open_case_requested", None)
            if wants_case is not None:
                wants_case.connect(self.open_case)
            attach = getattr(page, "attach_monitor", None)
            if callable(attach) and self.sync_monitor is not None:
                attach(self.sync_monitor)
            wants_record = getattr(page, "open_record_requested", None)
            if wants_record is not None:
                wants_record.connect(self.open_record)
        return self._pages[key]

    def open_case(self, case_id: str) -> None:
        """Show a case on the Disputes page (from the home page's today list, for example)."""
        page = self.page("cases")
        if page is None:
            return
        self.select_section("cases")
        open_case = getattr(page, "open_case", None)
        if callable(open_case):
            open_case(case_id)

    def open_record(self, record: str, record_id: str) -> None:
        """Show a record other than a case (from the home page): a household's risk history, the rating of a
        household, a points entry in the review queue."""
        if record == "section":  # the home page's backup and sync line
            self.select_section(record_id)
            return
        section = {"risk_household": "risk", "assess_household": "risk", "points_entry": "points"}.get(record)
        page = self.page(section) if section else None
        if page is None:
            return
        self.select_section(section or "")
        if record in ("risk_household", "assess_household"):
            show = getattr(page, "show_history" if record == "risk_household" else "rate_household", None)
            if callable(show):
                show(record_id)
            return
        show_view = getattr(page, "show_view", None)
        view = show_view("review") if callable(show_view) else None
        select = getattr(view, "select", None)
        if callable(select):
            select(record_id)

    def select_section(self, key: str) -> None:
        keys = self.section_keys()
        if key in keys:
            self.nav.setCurrentRow(keys.index(key))

    def select_row(self, row: int) -> None:
        if self.idle_lock.is_locked:
            return
        if 0 <= row < self.nav.count():
            self.nav.setCurrentRow(row)

    def current_key(self) -> str | None:
        row = self.nav.currentRow()
        return self._sections[row].key if 0 <= row < len(self._sections) else None

    def _show_section(self, row: int) -> None:
        if not 0 <= row < len(self._sections):
            return
        self.page(self._sections[row].key)
        self.stack.setCurrentIndex(row)

    def refresh_current(self) -> None:
        if self.idle_lock.is_locked:
            return
        widget = self.stack.currentWidget()
        refresh = getattr(widget, "refresh", None)
        if callable(refresh):
            refresh()

    def lock_now(self) -> None:
        self.idle_lock.lock_now()

    def _set_actions_enabled(self, enabled: bool) -> None:
        for action in (*self.section_actions, self.refresh_action, self.lock_action, self.logout_action):
            action.setEnabled(enabled)

    def _on_changed(self, tables: object) -> None:
        if isinstance(tables, set | frozenset | list | tuple) and "committee" in tables:
            self._load_committee_name()
            self.retranslate()

    def _read_desk_mode(self) -> str:
        from app.services import committee

        with self.ctx.store.read() as session:
            current = committee.current(session)
            return str(current.mode) if current is not None else "village"

    def _start_sync_monitor(self) -> object | None:
        """Where sync stands, in the status bar; on a village desk with a township address, pushes in the background."""
        from app.ui.sync.background import SyncMonitor

        try:
            monitor = SyncMonitor(self.ctx, self)
        except Exception:  # a desk without keys yet (set up by an older version): no sync line, the window still opens
            logging.getLogger("mediation_desk").exception("sync status unavailable")
            self.status_sync.hide()
            return None
        monitor.state_changed.connect(self._show_sync_state)
        self._show_sync_state(*monitor.text())
        monitor.start()
        return monitor

    def _show_sync_state(self, text: str, colour: str) -> None:
        self.status_sync.setText(text)
        self.status_sync.setStyleSheet(f"QLabel#statusSync {{ padding: 0 8px; border-left: 1px solid {BORDER}; color: {colour}; }}")

    def _load_committee_name(self) -> None:
        from app.services import committee

        with self.ctx.store.read() as session:
            current = committee.current(session)
            self._committee_name = current.name if current is not None else ""

    def retranslate(self) -> None:
        font = QFont(QApplication.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title.setFont(font)
        title = _("Mediation Desk")
        if self._committee_name:
            title = f"{title} · {self._committee_name}"
        self.setWindowTitle(title)
        self.title.setText(title)
        actor = self.ctx.actor
        role = _(ROLE_LABELS[actor.role])
        self.user_button.setText(_("{name} ({role})").format(name=actor.display_name, role=role) + "  ▾")
        self.lock_action.setText(_("Lock now"))
        self.logout_action.setText(_("Log out"))
        for row, section in enumerate(self._sections):
            item = self.nav.item(row)
            item.setText(_(section.label))
            item.setToolTip(_("{section} (Ctrl+{n})").format(section=_(section.label), n=(row + 1) % 10))
            item.setSizeHint(QSize(0, max(44, self.fontMetrics().height() + 26)))
        self.status_user.setText(_("User: {name} ({username})").format(name=actor.display_name,
                                                                        username=actor.username))
        self.status_data.set_full_text(_("Data directory: {path}").format(path=self.ctx.data_dir))
        self._fit_nav()

    def _fit_nav(self) -> None:
        metrics = self.nav.fontMetrics()
        widest = max((metrics.horizontalAdvance(self.nav.item(r).text()) for r in range(self.nav.count())), default=80)
        self.nav.setFixedWidth(max(180, widest + self.nav.iconSize().width() + 64))

    def closeEvent(self, event: QCloseEvent) -> None:
        self.idle_lock.stop()
        stop_sync = getattr(self.sync_monitor, "stop", None)
        if callable(stop_sync):
            stop_sync()
        super().closeEvent(event)
        if event.isAccepted():
            self.closed.emit()
