"""The main window (sections by role, keyboard, header, status bar) and the whole start-up as a process."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWizard
from pytestqt.qtbot import QtBot
from sqlmodel import select

from app.models.audit import AuditEvent
from app.paths import log_file
from app.services import committee, settings
from app.services.context import Actor
from app.store.engine import Store, open_store
from app.ui import launch
from app.ui.audit_page import AuditPage
from app.ui.launch import LOGIN_ENV, QUIT_ENV, Launcher, install_excepthook, setup_logging
from app.ui.login_dialog import LoginDialog
from app.ui.main_window import MainWindow
from app.ui.settings_page import SettingsPage
from app.ui.setup_wizard import SetupWizard
from app.ui.users_page import UsersPage
from tests.conftest import ADMIN_PASSWORD, make_user
from tests.ui import make_ctx, type_text

ROOT = Path(__file__).resolve().parents[2]
WindowFor = Callable[[Actor], MainWindow]


@pytest.fixture
def window_for(qtbot: QtBot, store: Store) -> Iterator[WindowFor]:
    made: list[MainWindow] = []

    def build(actor: Actor) -> MainWindow:
        win = MainWindow(make_ctx(store, actor))
        qtbot.addWidget(win)
        win.show()
        qtbot.waitExposed(win)
        win.activateWindow()
        made.append(win)
        return win

    yield build
    for win in made:
        win.idle_lock.stop()


def _nav(win: MainWindow) -> list[str]:
    return [win.nav.item(row).text() for row in range(win.nav.count())]


def test_admin_sees_users_audit_and_settings_with_title_header_and_status(
        window_for: WindowFor, store: Store, admin: Actor) -> None:
    win = window_for(admin)
    assert win.section_keys() == ["home", "cases", "points", "risk", "roster", "sync", "reports", "users", "audit", "settings"]
    assert _nav(win) == ["Today", "Disputes", "Points", "Risk", "Grid and households", "Sync", "Statistics", "Users",
                         "Audit trail", "Settings"]
    assert win.current_key() == "home"  # where the work starts: today's work
    assert win.windowTitle() == "Mediation Desk · 庄墩村人民调解委员会"
    assert win.title.text() == win.windowTitle()
    assert win.user_button.text().startswith("王丽 (Committee director (admin))")
    assert [a.text() for a in win.user_menu.actions() if a.text()] == ["Lock now", "Log out"]
    assert win.status_user.text() == "User: 王丽 (admin)"
    assert win.status_data.full_text() == f"Data directory: {store.data_dir}"
    assert win.nav.width() >= 180


def test_a_mediator_sees_no_users_and_no_audit_trail(window_for: WindowFor, store: Store, admin: Actor) -> None:
    win = window_for(make_user(store, admin, "liming", "mediator"))
    assert win.section_keys() == ["home", "cases", "points", "risk", "roster", "sync", "reports", "settings"]
    assert win.page("users") is None
    settings_page = win.page("settings")
    assert isinstance(settings_page, SettingsPage) and not settings_page.editable


def test_ctrl_digits_switch_sections_and_f5_refreshes(qtbot: QtBot, window_for: WindowFor, store: Store, admin: Actor) -> None:
    win = window_for(admin)
    qtbot.waitUntil(win.isActiveWindow)
    keys = win.section_keys()
    for n, key in enumerate(keys, start=1):
        qtbot.keyClick(win.nav, Qt.Key(Qt.Key.Key_0.value + n % 10), Qt.KeyboardModifier.ControlModifier)  # Ctrl+0: the tenth
        assert win.current_key() == key
    pages = {key: win.page(key) for key in ("users", "audit", "settings")}
    assert isinstance(pages["users"], UsersPage) and isinstance(pages["audit"], AuditPage)
    assert isinstance(pages["settings"], SettingsPage)

    qtbot.keyClick(win.nav, Qt.Key(Qt.Key.Key_0.value + keys.index("audit") + 1), Qt.KeyboardModifier.ControlModifier)
    audit_page = pages["audit"]
    assert isinstance(audit_page, AuditPage)
    before = audit_page.total
    with store.write() as session:
        settings.put(session, admin, "idle_lock_minutes", "30")  # written elsewhere (e.g. another window)
    qtbot.keyClick(win.nav, Qt.Key.Key_F5)
    assert audit_page.total == before + 1


def test_the_home_page_opens_a_case_on_the_disputes_page(window_for: WindowFor, store: Store, admin: Actor,
                                                          village: dict[str, str]) -> None:
    from app.clock import today
    from app.services import cases, households
    from app.services.cases import CaseInput, PartyInput

    with store.write() as session:
        person = households.household_detail(session, admin, village["h1"]).members[0].id
        case = cases.register_case(session, admin, CaseInput(today(), "party_applied", "debt", "借款纠纷"),
                                   [PartyInput("applicant", person_id=person)])
    win = window_for(admin)
    home = win.page("home")
    assert home is not None
    home.open_case_requested.emit(case.id)  # type: ignore[attr-defined]
    assert win.current_key() == "cases"
    from PySide6.QtWidgets import QLabel

    cases_page = win.page("cases")
    assert cases_page is not None
    header = cases_page.findChild(QLabel, "caseNumber")
    assert header is not None and case.number in header.text()


def test_the_title_follows_a_committee_rename(window_for: WindowFor, store: Store, admin: Actor) -> None:
    win = window_for(admin)
    with store.write() as session:
        desk = committee.require_current(session)
        committee.update(session, admin, committee.CommitteeInput("庄墩村调委会", desk.code, desk.seal_text, desk.village,
                                                                  desk.township))
    win.ctx.changed.emit({"committee"})
    assert win.windowTitle() == "Mediation Desk · 庄墩村调委会"


def test_log_out_is_asked_for_from_the_menu(qtbot: QtBot, window_for: WindowFor, admin: Actor) -> None:
    win = window_for(admin)
    with qtbot.waitSignal(win.logout_requested, timeout=1000):
        win.logout_action.trigger()


# -- start-up: the launcher in this process, then the whole program as a process ----------------------

@pytest.fixture
def launcher(qapp: QApplication, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Launcher, list[int]]]:
    monkeypatch.delenv(LOGIN_ENV, raising=False)
    monkeypatch.delenv(QUIT_ENV, raising=False)
    made = Launcher(qapp, data_dir, log_file(data_dir), "en")
    codes: list[int] = []
    monkeypatch.setattr(made, "exit", codes.append)  # the test's event loop must go on
    yield made, codes
    if made.window is not None:
        made.window.idle_lock.stop()
        made.window.close()
    if made.dialog is not None:
        made.dialog.close()
    made.close()


def test_launcher_logs_in_opens_the_window_logs_out_and_quits(
        qtbot: QtBot, store: Store, admin: Actor, launcher: tuple[Launcher, list[int]]) -> None:
    store.dispose()
    start, codes = launcher
    start.start()
    dialog = start.dialog
    assert isinstance(dialog, LoginDialog)  # shown at once, before the database is open
    qtbot.waitUntil(lambda: dialog.store is not None, timeout=10_000)
    assert dialog.subtitle.text() == "庄墩村人民调解委员会"
    type_text(qtbot, dialog.username, "admin")
    type_text(qtbot, dialog.password, ADMIN_PASSWORD)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    window = start.window
    assert window is not None and window.isVisible() and window.ctx.actor.username == "admin"

    window.logout_action.trigger()
    assert start.window is None and not window.isVisible() and codes == []
    again = start.dialog
    assert isinstance(again, LoginDialog) and again.isVisible() and again.store is not None
    qtbot.mouseClick(again.quit_button, Qt.MouseButton.LeftButton)
    assert codes == [0]


def test_launcher_runs_the_wizard_on_a_new_data_directory(
        qtbot: QtBot, launcher: tuple[Launcher, list[int]], data_dir: Path) -> None:
    start, codes = launcher
    start.start()
    wizard = start.dialog
    assert isinstance(wizard, SetupWizard)
    qtbot.waitUntil(lambda: wizard.store is not None, timeout=10_000)
    page = wizard.committee_page
    for field, text in ((page.name, "庄墩村人民调解委员会"), (page.code, "甘"), (page.village, "庄墩村"),
                        (page.township, "长安镇")):
        type_text(qtbot, field, text)
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    for field, text in ((wizard.admin_page.username, "wangli"), (wizard.admin_page.display_name, "王丽"),
                        (wizard.admin_page.password, "secret-123"), (wizard.admin_page.password2, "secret-123")):
        type_text(qtbot, field, text)
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    assert start.window is not None and start.window.windowTitle() == "Mediation Desk · 庄墩村人民调解委员会"
    assert codes == []


def test_an_unexpected_error_is_logged_and_shown_without_a_traceback(
        qapp: QApplication, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    monkeypatch.setattr(launch, "qInstallMessageHandler", lambda handler: None)  # pytest-qt keeps its own
    logger = logging.getLogger("mediation_desk")
    handlers = list(logger.handlers)
    path = setup_logging(data_dir)
    try:
        install_excepthook(path)
        try:
            raise RuntimeError("a bug")
        except RuntimeError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)
    finally:
        for handler in logger.handlers[len(handlers):]:
            handler.close()
            logger.removeHandler(handler)
    assert shown == [f"Something went wrong. The details are saved in {path}."]
    logged = path.read_text(encoding="utf-8")
    assert "Traceback" in logged and "RuntimeError: a bug" in logged


# -- the whole program, as a process ------------------------------------------------------------------

def _run(data_dir: Path, login: str | None, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "MEDIATION_DESK_QUIT_AFTER_SHOW": "1"}
    env.pop("MEDIATION_DESK_LOGIN", None)
    if login is not None:
        env["MEDIATION_DESK_LOGIN"] = login
    return subprocess.run([sys.executable, "-m", "app", "--data-dir", str(data_dir), "--lang", "en", *extra],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.slow
def test_program_logs_in_shows_the_main_window_and_quits(store: Store, admin: Actor, data_dir: Path) -> None:
    store.dispose()
    done = _run(data_dir, f"admin:{ADMIN_PASSWORD}")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    again = open_store(data_dir)
    try:
        with again.read() as session:
            logins = session.exec(select(AuditEvent).where(AuditEvent.action == "login")).all()
        assert len(logins) == 2
    finally:
        again.dispose()
    assert "admin logged in" in log_file(data_dir).read_text(encoding="utf-8")


@pytest.mark.slow
def test_program_refuses_a_wrong_auto_login_and_an_unset_desk(store: Store, admin: Actor, data_dir: Path,
                                                            tmp_path: Path) -> None:
    store.dispose()
    assert _run(data_dir, "admin:wrong-password").returncode == 1
    assert "refused" in log_file(data_dir).read_text(encoding="utf-8")
    empty = tmp_path / "empty-desk"
    done = _run(empty, None)
    assert done.returncode == 1
    assert "not set up" in log_file(empty).read_text(encoding="utf-8")


@pytest.mark.slow
def test_program_exits_1_for_a_database_from_a_newer_version(store: Store, data_dir: Path) -> None:
    with store.write() as session:
        session.connection().exec_driver_sql("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    store.dispose()
    done = _run(data_dir, f"admin:{ADMIN_PASSWORD}")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "cannot open the desk" in log_file(data_dir).read_text(encoding="utf-8")
