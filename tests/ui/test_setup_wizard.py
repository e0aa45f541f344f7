"""The first-run wizard, driven as a person would: type, click Next, click Finish."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot
from sqlmodel import select

from app.models.committee import Committee, Setting
from app.models.users import Role, User
from app.services import audit, committee
from app.store.engine import Store
from app.ui.setup_wizard import SetupWizard
from tests.ui import type_text


def _wizard(qtbot: QtBot, store: Store) -> SetupWizard:
    wizard = SetupWizard(store)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    return wizard


def _click(qtbot: QtBot, wizard: SetupWizard, which: QWizard.WizardButton) -> None:
    qtbot.mouseClick(wizard.button(which), Qt.MouseButton.LeftButton)


def _type_committee(qtbot: QtBot, wizard: SetupWizard, name: str = "庄墩村人民调解委员会") -> None:
    page = wizard.committee_page
    type_text(qtbot, page.name, name)
    type_text(qtbot, page.code, "甘")
    type_text(qtbot, page.village, "庄墩村")
    type_text(qtbot, page.township, "长安镇")


def _type_admin(qtbot: QtBot, wizard: SetupWizard, password: str = "secret-123", repeat: str | None = None) -> None:
    page = wizard.admin_page
    type_text(qtbot, page.username, "wangli")
    type_text(qtbot, page.display_name, "王丽")
    type_text(qtbot, page.password, password)
    type_text(qtbot, page.password2, password if repeat is None else repeat)


def _nothing_written(store: Store) -> None:
    with store.read() as session:
        assert not committee.is_set_up(session)
        assert session.exec(select(User)).first() is None
        assert session.get(Setting, "device_id") is None
        assert audit.count_events(session) == 0


def test_wizard_creates_the_committee_and_its_director_and_logs_them_in(qtbot: QtBot, store: Store) -> None:
    wizard = _wizard(qtbot, store)
    _type_committee(qtbot, wizard)
    _click(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.currentPage() is wizard.admin_page
    _type_admin(qtbot, wizard)
    _click(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.currentPage() is wizard.summary_page
    assert wizard.summary_page.summary["name"].text() == "庄墩村人民调解委员会"
    assert wizard.summary_page.summary["seal_text"].text() == "庄墩村人民调解委员会"  # defaults to the name
    assert "wangli" in wizard.summary_page.summary["admin"].text()
    _click(qtbot, wizard, QWizard.WizardButton.FinishButton)

    assert wizard.result() == QWizard.DialogCode.Accepted
    assert wizard.actor is not None and wizard.actor.username == "wangli" and wizard.actor.role == Role.ADMIN
    with store.read() as session:
        desk = session.exec(select(Committee)).one()
        assert (desk.name, desk.code, desk.village, desk.township) == ("庄墩村人民调解委员会", "甘", "庄墩村", "长安镇")
        user = session.exec(select(User).where(User.username == "wangli")).one()
        assert user.display_name == "王丽" and user.role == Role.ADMIN and user.last_login is not None
        assert audit.verify_chain(session).ok


def test_empty_committee_name_is_shown_under_the_field_and_nothing_is_written(qtbot: QtBot, store: Store) -> None:
    wizard = _wizard(qtbot, store)
    _type_committee(qtbot, wizard, name="")
    _click(qtbot, wizard, QWizard.WizardButton.NextButton)

    assert wizard.currentPage() is wizard.committee_page
    assert wizard.committee_page.errors.error("name").text() == "Committee name is required."
    assert not wizard.committee_page.errors.error("code").text()
    _nothing_written(store)

    # Fixing it clears the message and lets the person go on.
    type_text(qtbot, wizard.committee_page.name, "庄墩村人民调解委员会")
    _click(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.currentPage() is wizard.admin_page
    _nothing_written(store)


def test_bad_code_is_refused_by_the_service_with_its_own_message(qtbot: QtBot, store: Store) -> None:
    wizard = _wizard(qtbot, store)
    page = wizard.committee_page
    type_text(qtbot, page.name, "庄墩村人民调解委员会")
    type_text(qtbot, page.code, "12")
    type_text(qtbot, page.village, "庄墩村")
    type_text(qtbot, page.township, "长安镇")
    _click(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.currentPage() is page
    assert "Committee code must be 1–6 Chinese characters or letters" in page.errors.error("code").text()
    _nothing_written(store)


def test_admin_page_checks_the_repeated_password_and_the_service_rules(qtbot: QtBot, store: Store) -> None:
    wizard = _wizard(qtbot, store)
    _type_committee(qtbot, wizard)
    _click(qtbot, wizard, QWizard.WizardButton.NextButton)
    _type_admin(qtbot, wizard, password="secret-123", repeat="secret-124")
    _click(qtbot, wizard, QWizard.WizardButton.NextButton)
    page = wizard.admin_page
    assert wizard.currentPage() is page
    assert page.errors.error("password2").text() == "The two passwords differ."

    page.password.clear()
    page.password2.clear()
    type_text(qtbot, page.password, "abc")
    type_text(qtbot, page.password2, "abc")
    _click(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.currentPage() is page
    assert page.errors.error("password").text() == "Password must have at least 6 characters."
    assert not page.errors.error("password2").text()
    _nothing_written(store)


def test_cancel_writes_nothing(qtbot: QtBot, store: Store) -> None:
    wizard = _wizard(qtbot, store)
    _type_committee(qtbot, wizard)
    _click(qtbot, wizard, QWizard.WizardButton.NextButton)
    _click(qtbot, wizard, QWizard.WizardButton.CancelButton)
    assert wizard.result() == QWizard.DialogCode.Rejected and wizard.actor is None
    _nothing_written(store)


def test_wizard_shown_before_the_store_is_open_waits_for_it(qtbot: QtBot, store: Store) -> None:
    wizard = SetupWizard(None)
    qtbot.addWidget(wizard)
    wizard.show()
    _type_committee(qtbot, wizard)
    _click(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.currentPage() is wizard.committee_page
    assert wizard.committee_page.status.text() == "The desk is still opening. Try again in a moment."
    wizard.set_store(store)
    _click(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.currentPage() is wizard.admin_page


def test_a_required_field_left_empty_says_so_when_the_focus_leaves_it(qtbot: QtBot, store: Store) -> None:
    wizard = _wizard(qtbot, store)
    wizard.activateWindow()
    qtbot.waitUntil(wizard.isActiveWindow)
    page = wizard.committee_page
    page.name.setFocus()
    qtbot.keyClick(page.name, Qt.Key.Key_Tab)
    assert page.errors.error("name").text() == "Committee name is required."
    type_text(qtbot, page.name, "庄墩村人民调解委员会")
    qtbot.keyClick(page.name, Qt.Key.Key_Tab)
    assert page.errors.error("name").text() == ""
    _nothing_written(store)
