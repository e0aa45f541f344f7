"""Start the window: options, logging, the QApplication, then login (or the first-run wizard), then the
main window.

Start-up speed: this module imports only Qt and light parts of `app`. The first window (login, or the
wizard when there is no database yet) is shown at once; the database is opened on a worker thread —
which is where SQLAlchemy, sqlmodel and Alembic get imported — while that window paints. When the store
is ready the window wakes up; it re-labels itself if the stored language differs from the one guessed.

Two environment variables serve benchmarks and screenshot scripts:
- MEDIATION_DESK_LOGIN="username:password" submits the login by itself (the password is still checked);
- MEDIATION_DESK_QUIT_AFTER_SHOW=1 quits (exit 0) once the main window has been shown and painted, and
  quits with exit 1 when it cannot get there (login refused, desk not set up), so a script never hangs.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from app import i18n
from app.errors import DeskError
from app.i18n import _
from app.paths import DB_FILE, log_file
from app.paths import data_dir as resolve_data_dir
from app.ui.login_dialog import LoginDialog
from app.ui.messages import ACCENT_COLOR, error_text
from app.ui.qt_setup import apply_font_size, install_qt_translations, make_app
from app.ui.setup_wizard import SetupWizard

if TYPE_CHECKING:
    from app.services.context import Actor
    from app.store.engine import Store
    from app.ui.main_window import MainWindow
    from app.ui.worker import Progress

# Qt-free modules the main window needs, imported on a worker while the user types the password.
WARM_UP_MODULES = ("app.ui.context", "app.services.users", "app.services.audit", "app.services.grid",
                   "app.services.households")
LOGIN_ENV = "MEDIATION_DESK_LOGIN"
QUIT_ENV = "MEDIATION_DESK_QUIT_AFTER_SHOW"

log = logging.getLogger("mediation_desk")


# -- options, logging, look -------------------------------------------------------------------------

def parse_args(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    """Our options; whatever else is on the line is left for Qt (e.g. `-platform offscreen`)."""
    parser = argparse.ArgumentParser(prog="mediation-desk", add_help=False)
    parser.add_argument("--data-dir")
    parser.add_argument("--lang", choices=i18n.LANGUAGES)
    return parser.parse_known_args(argv)


def setup_logging(base: Path) -> Path:
    """Log to <data dir>/logs/desk.log; Qt's own warnings go there too."""
    path = log_file(base)
    handler: logging.Handler
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(path, encoding="utf-8")
    except OSError:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    qInstallMessageHandler(_qt_message)
    return path


def _qt_message(kind: QtMsgType, _context: Any, message: str) -> None:
    level = {QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
             QtMsgType.QtWarningMsg: logging.WARNING}.get(kind, logging.ERROR)
    if message.startswith("This plugin does not support"):  # the offscreen platform, harmless
        level = logging.DEBUG
    log.log(level, "Qt: %s", message)


def apply_palette(app: QApplication) -> None:
    """Fusion with a restrained palette: grey chrome, white pages, one calm blue accent."""
    palette = QPalette()
    chrome, text, base = QColor("#eef0f3"), QColor("#1f2328"), QColor("#ffffff")
    accent = QColor(ACCENT_COLOR)
    roles = {
        QPalette.ColorRole.Window: chrome,
        QPalette.ColorRole.WindowText: text,
        QPalette.ColorRole.Base: base,
        QPalette.ColorRole.AlternateBase: QColor("#f5f7fa"),
        QPalette.ColorRole.Text: text,
        QPalette.ColorRole.Button: QColor("#f6f7f9"),
        QPalette.ColorRole.ButtonText: text,
        QPalette.ColorRole.ToolTipBase: base,
        QPalette.ColorRole.ToolTipText: text,
        QPalette.ColorRole.PlaceholderText: QColor("#6b7280"),
        QPalette.ColorRole.Highlight: accent,
        QPalette.ColorRole.HighlightedText: base,
        QPalette.ColorRole.Link: accent,
        QPalette.ColorRole.Mid: QColor("#c9ced6"),
    }
    for role, color in roles.items():
        palette.setColor(role, color)
    grey = QColor("#8a9099")
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, grey)
    app.setPalette(palette)


def set_ui_language(app: QApplication, language: str) -> str:
    """Our catalog and Qt's own; falls back to English (logged) when the catalog is missing."""
    try:
        language = i18n.set_language(language)
    except OSError:
        log.exception("the %s catalog cannot be loaded; using English", language)
        language = i18n.set_language("en")
    install_qt_translations(app, language)
    return language


def install_excepthook(log_path: Path) -> None:
    """A bug anywhere: the traceback goes to the log, the user reads one plain sentence."""
    showing = False

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        nonlocal showing
        if issubclass(kind, KeyboardInterrupt):
            QApplication.exit(1)
            return
        log.error("unhandled exception", exc_info=(kind, exc, tb))
        if showing or QApplication.instance() is None:
            return
        showing = True
        try:
            QMessageBox.critical(None, _("Mediation Desk"), error_text(exc, log_path))
        finally:
            showing = False

    sys.excepthook = hook


# -- the start-up sequence --------------------------------------------------------------------------

@dataclass(frozen=True)
class Opened:
    store: Store
    set_up: bool
    committee_name: str
    language: str
    font_size: str


def open_desk(base: Path) -> Opened:
    """Runs on a worker thread: open (and migrate) the database, read what the first window needs."""
    from app.services import committee, settings
    from app.store.engine import open_store

    store = open_store(base)
    try:
        with store.read() as session:
            current = committee.current(session)
            language = settings.get(session, "language")
            font_size = settings.get(session, "font_size")
    except BaseException:
        store.dispose()
        raise
    return Opened(store, current is not None, current.name if current is not None else "", language, font_size)


def warm_up(_progress: Progress) -> None:
    """Import what the main window will need, off the GUI thread (a missing module is skipped)."""
    import importlib

    for name in WARM_UP_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            log.debug("warm-up: %s not importable", name)


class Launcher(QObject):
    """Login or wizard → main window; log out → login again. Keeps the exit code."""

    def __init__(self, app: QApplication, base: Path, log_path: Path, forced_language: str | None) -> None:
        super().__init__()
        self.app = app
        self.base = base
        self.log_path = log_path
        self.forced_language = forced_language
        self.store: Store | None = None
        self.dialog: LoginDialog | SetupWizard | None = None
        self.window: MainWindow | None = None
        self.exit_code = 0
        self.quit_after_show = os.environ.get(QUIT_ENV, "") not in ("", "0")
        self.auto_login = os.environ.get(LOGIN_ENV, "")
        self._logging_out = False
        self.main_opened = False  # someone logged in: an automatic backup on exit (app.services.backup)

    def start(self) -> None:
        from app.ui.worker import run_task

        if (self.base / DB_FILE).exists():
            self._show_login()
        else:
            self._show_wizard()
        run_task(self._open, self._opened, self._open_failed)

    def _open(self, _progress: Progress) -> Opened:
        return open_desk(self.base)

    def exit(self, code: int) -> None:
        self.exit_code = code
        self.app.exit(code)

    # -- the first windows ------------------------------------------------------------------------

    def _show_login(self, committee_name: str = "") -> None:
        dialog = LoginDialog(self.store, committee_name=committee_name)
        dialog.finished.connect(lambda result: self._login_finished(dialog, result))
        self._replace_dialog(dialog)

    def _show_wizard(self) -> None:
        wizard = SetupWizard(self.store)
        wizard.finished.connect(lambda result: self._wizard_finished(wizard, result))
        self._replace_dialog(wizard)

    def _replace_dialog(self, dialog: LoginDialog | SetupWizard) -> None:
        old = self.dialog
        self.dialog = dialog
        if old is not None:
            old.blockSignals(True)
            old.close()
            old.deleteLater()
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    def _opened(self, opened: Opened) -> None:
        from app.ui.worker import run_task

        self.store = opened.store
        if opened.set_up:
            run_task(warm_up, lambda _result: None, lambda exc, tb: log.warning("warm-up failed: %s\n%s", exc, tb))
        language = self.forced_language or opened.language
        if language != i18n.language():
            set_ui_language(self.app, language)
        if opened.font_size != "normal":
            apply_font_size(self.app, opened.font_size)
        if not opened.set_up:
            if self.quit_after_show:
                log.error("%s is set but the desk in %s is not set up", QUIT_ENV, self.base)
                self.exit(1)
                return
            if not isinstance(self.dialog, SetupWizard):
                self._show_wizard()
            assert isinstance(self.dialog, SetupWizard)
            self.dialog.retranslate()
            self.dialog.set_store(opened.store)
            return
        if not isinstance(self.dialog, LoginDialog):
            self._show_login(opened.committee_name)
        assert isinstance(self.dialog, LoginDialog)
        self.dialog.set_store(opened.store, opened.committee_name)
        if self.auto_login:
            self._submit_auto_login(self.dialog)

    def _submit_auto_login(self, dialog: LoginDialog) -> None:
        username, _sep, password = self.auto_login.partition(":")
        self.auto_login = ""  # once only: after a log-out a person logs in
        dialog.username.setText(username)
        dialog.password.setText(password)
        dialog.submit()
        if dialog.actor is None and self.quit_after_show:
            log.error("%s was refused: %s", LOGIN_ENV, dialog.error.text())
            self.exit(1)

    def _open_failed(self, exc: BaseException, tb: str) -> None:
        if not isinstance(exc, DeskError):
            log.error("cannot open the desk in %s\n%s", self.base, tb)
        else:
            log.error("cannot open the desk in %s: %s", self.base, exc.message)
        if self.dialog is not None:
            self.dialog.blockSignals(True)
            self.dialog.hide()
        if not self.quit_after_show:
            QMessageBox.critical(None, _("Mediation Desk"), error_text(exc, self.log_path))
        self.exit(1)

    def _login_finished(self, dialog: LoginDialog, result: int) -> None:
        if result == QDialog.DialogCode.Accepted and dialog.actor is not None:
            self._open_main(dialog.actor)
        else:
            self.exit(0)

    def _wizard_finished(self, wizard: SetupWizard, result: int) -> None:
        if result == QDialog.DialogCode.Accepted and wizard.actor is not None:
            self._open_main(wizard.actor)
        else:
            self.exit(0)

    # -- the main window --------------------------------------------------------------------------

    def _open_main(self, actor: Actor) -> None:
        from app.ui.context import UiContext
        from app.ui.main_window import MainWindow

        assert self.store is not None
        if self.dialog is not None:
            self.dialog.deleteLater()
            self.dialog = None
        window = MainWindow(UiContext(self.store, actor, self.base))
        window.logout_requested.connect(self._logout)
        window.closed.connect(self._window_closed)
        self.window = window
        window.show()
        log.info("%s logged in", actor.username)
        if not self.main_opened:
            self.main_opened = True
            self._daily_backup()
        if self.quit_after_show:
            QTimer.singleShot(0, self._quit_after_paint)

    def _quit_after_paint(self) -> None:
        if self.window is not None:
            self.window.repaint()  # painted for certain before we go
        self.exit(0)

    def _logout(self) -> None:
        window = self.window
        if window is None:
            return
        self._logging_out = True
        self.window = None
        window.close()
        window.deleteLater()
        self._logging_out = False
        from app.services import committee

        assert self.store is not None
        with self.store.read() as session:
            current = committee.current(session)
        self._show_login(current.name if current is not None else "")

    def _window_closed(self) -> None:
        if not self._logging_out:
            self.exit(0)

    def _daily_backup(self) -> None:
        """The daily automatic backup, on a worker: the window never waits for it."""
        from app.ui.worker import run_task

        store = self.store
        if store is None or self.quit_after_show:
            return

        def work(_progress: Progress) -> object:
            from app.services import backup

            return backup.auto_backup(store, reason="daily")

        run_task(work, lambda info: log.info("daily backup: %s", getattr(info, "path", "not needed")),
                 lambda exc, tb: log.error("the daily backup failed: %s\n%s", exc, tb))

    def exit_backup(self) -> None:
        """The automatic backup on exit (the window is gone by then); a failure is logged, never shown."""
        if self.store is None or not self.main_opened or self.quit_after_show:
            return
        try:
            from app.services import backup

            info = backup.auto_backup(self.store, reason="exit")
            log.info("backup on exit: %s", info.path if info is not None else "nothing changed")
        except Exception:
            log.exception("the backup on exit failed")

    def close(self) -> None:
        if self.store is not None:
            from PySide6.QtCore import QThreadPool

            QThreadPool.globalInstance().waitForDone(60_000)  # a daily backup still running finishes first
            self.exit_backup()
            self.store.dispose()


def launch(argv: list[str]) -> int:
    """Open the window; returns the process exit code (0 done, 1 the desk could not be opened)."""
    try:
        args, rest = parse_args(list(argv))
    except SystemExit as exc:  # argparse has said what is wrong
        return int(exc.code or 0) if isinstance(exc.code, int) else 2
    base = resolve_data_dir(args.data_dir)
    log_path = setup_logging(base)
    app = make_app([sys.argv[0] if sys.argv else "mediation-desk", *rest])
    app.setQuitOnLastWindowClosed(False)  # the launcher decides when the program ends
    install_excepthook(log_path)
    set_ui_language(app, args.lang or i18n.DEFAULT_LANGUAGE)
    apply_font_size(app, "normal")
    apply_palette(app)
    launcher = Launcher(app, base, log_path, args.lang)
    launcher.start()
    try:
        code = app.exec()
    finally:
        launcher.close()
    return code if code else launcher.exit_code
