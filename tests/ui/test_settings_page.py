"""Settings: language and font size apply at once, committee details are saved with the service, and only
the committee director may change anything."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app import i18n
from app.models.committee import Committee
from app.services import committee, settings
from app.services.context import Actor
from app.store.engine import Store
from app.ui.main_window import MainWindow
from app.ui.settings_page import SettingsPage
from tests.conftest import make_user
from tests.ui import make_ctx, type_text, use_fake_chinese


@pytest.fixture(autouse=True)
def keep_app_font_and_locale(qapp: QApplication) -> Iterator[None]:
    font, locale = QFont(qapp.font()), QLocale()
    yield
    qapp.setFont(font)
    QLocale.setDefault(locale)


def _page(qtbot: QtBot, store: Store, actor: Actor) -> SettingsPage:
    page = SettingsPage(make_ctx(store, actor))
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    return page


def _stored(store: Store, key: str) -> str:
    with store.read() as session:
        return settings.get(session, key)


def test_switching_to_english_relabels_the_navigation_at_once(
        qtbot: QtBot, store: Store, admin: Actor, monkeypatch: pytest.MonkeyPatch) -> None:
    use_fake_chinese(monkeypatch)
    window = MainWindow(make_ctx(store, admin))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    nav = [window.nav.item(row).text() for row in range(window.nav.count())]
    assert nav[-3:] == ["用户", "操作记录", "设置"]
    assert window.windowTitle() == "调解工作台 · 庄墩村人民调解委员会"

    qtbot.keyClick(window.nav, Qt.Key.Key_End)  # the last section: Settings
    page = window.page("settings")
    assert isinstance(page, SettingsPage) and page.isVisible()
    assert page.language.currentText() == "简体中文"
    page.language.setFocus()
    qtbot.keyClick(page.language, Qt.Key.Key_Down)  # the next language: English

    assert i18n.language() == "en"
    nav = [window.nav.item(row).text() for row in range(window.nav.count())]
    assert nav[-3:] == ["Users", "Audit trail", "Settings"]
    assert window.windowTitle() == "Mediation Desk · 庄墩村人民调解委员会"
    assert window.lock_action.text() == "Lock now"
    assert _stored(store, "language") == "en"
    window.idle_lock.stop()


def test_large_font_applies_at_once_and_is_stored(qtbot: QtBot, store: Store, admin: Actor) -> None:
    page = _page(qtbot, store, admin)
    assert page.font_size.currentText() == "Normal (12 pt)"
    page.font_size.setFocus()
    qtbot.keyClick(page.font_size, Qt.Key.Key_Down)
    assert page.font_size.currentText() == "Large (15 pt)"
    assert QApplication.font().pointSize() == 15
    assert _stored(store, "font_size") == "large"


def test_committee_details_are_saved_and_a_bad_field_is_named(qtbot: QtBot, store: Store, admin: Actor) -> None:
    page = _page(qtbot, store, admin)
    assert page.name.text() == "庄墩村人民调解委员会"
    page.code.clear()
    qtbot.mouseClick(page.save_committee, Qt.MouseButton.LeftButton)
    assert page.committee_errors.error("code").text() == "Committee code is required."
    with store.read() as session:
        assert committee.require_current(session).code == "甘"  # unchanged

    type_text(qtbot, page.code, "庄")
    page.name.clear()
    type_text(qtbot, page.name, "庄墩村人民调解委员会（新）")
    with qtbot.waitSignal(page.ctx.changed, timeout=1000) as changed:
        qtbot.mouseClick(page.save_committee, Qt.MouseButton.LeftButton)
    assert "committee" in changed.args[0]
    assert not page.committee_errors.error("code").text()
    assert page.committee_saved.text() == "Saved."
    with store.read() as session:
        desk: Committee = committee.require_current(session)
        assert (desk.name, desk.code) == ("庄墩村人民调解委员会（新）", "庄")


def test_idle_minutes_are_saved(qtbot: QtBot, store: Store, admin: Actor) -> None:
    page = _page(qtbot, store, admin)
    assert page.idle_minutes.value() == 10
    page.idle_minutes.selectAll()
    type_text(qtbot, page.idle_minutes, "15")
    qtbot.mouseClick(page.save_idle, Qt.MouseButton.LeftButton)
    assert _stored(store, "idle_lock_minutes") == "15"
    assert page.idle_saved.text() == "Saved."


def test_a_mediator_sees_the_settings_but_cannot_change_them(qtbot: QtBot, store: Store, admin: Actor) -> None:
    mediator = make_user(store, admin, "liming", "mediator")
    page = _page(qtbot, store, mediator)
    assert page.read_only_note.isVisible()
    assert page.read_only_note.text() == "Only the committee director can change these settings."
    for widget in (page.name, page.save_committee, page.language, page.font_size, page.idle_minutes, page.save_idle):
        assert not widget.isEnabled()
    assert page.name.text() == "庄墩村人民调解委员会"
