"""Settings, work rules: the admin sets the days to settle a case, the follow-up visit after the performance
deadline and how often high- and medium-risk households are visited; the service checks each value (its
refusal under the field, nothing saved) and audits the change. Other roles only read them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlmodel import select

from app.models.audit import AuditEvent
from app.services import settings
from app.services.context import Actor
from app.store.engine import Store
from app.ui.settings_page import SettingsPage
from tests.conftest import make_user
from tests.ui import make_ctx, type_text

KEYS = ("case_deadline_days", "follow_up_after_days", "risk_visit_days_high", "risk_visit_days_medium")


def _page(qtbot: QtBot, store: Store, actor: Actor) -> SettingsPage:
    page = SettingsPage(make_ctx(store, actor))
    qtbot.addWidget(page)
    page.resize(900, 1000)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    return page


def _stored(store: Store) -> dict[str, int]:
    with store.read() as session:
        return {key: settings.get_int(session, key) for key in KEYS}


def _retype(qtbot: QtBot, page: SettingsPage, key: str, text: str) -> None:
    days = page.work_days[key]
    days.setFocus()
    days.selectAll()
    type_text(qtbot, days, text)


def test_the_admin_changes_the_work_rules(qtbot: QtBot, store: Store, admin: Actor) -> None:
    page = _page(qtbot, store, admin)
    assert page.work_box.isVisible() and page.work_box.title() == "Work rules"
    assert {key: page.work_days[key].value() for key in KEYS} == {
        "case_deadline_days": 30, "follow_up_after_days": 7, "risk_visit_days_high": 30, "risk_visit_days_medium": 90}
    assert page.work_days["case_deadline_days"].text() == "30 days"

    _retype(qtbot, page, "case_deadline_days", "45")
    _retype(qtbot, page, "follow_up_after_days", "10")
    _retype(qtbot, page, "risk_visit_days_high", "14")
    _retype(qtbot, page, "risk_visit_days_medium", "60")
    with qtbot.waitSignal(page.ctx.changed, timeout=1000) as changed:
        qtbot.mouseClick(page.save_work, Qt.MouseButton.LeftButton)
    assert changed.args[0] == {"setting"}
    assert page.work_saved.text() == "Saved."
    assert _stored(store) == {"case_deadline_days": 45, "follow_up_after_days": 10, "risk_visit_days_high": 14,
                              "risk_visit_days_medium": 60}
    with store.read() as session:
        audited = {e.record_id for e in session.exec(select(AuditEvent).where(AuditEvent.table_name == "setting")).all()}
    assert set(KEYS) <= audited

    # A fresh page reads what is stored.
    again = _page(qtbot, store, admin)
    assert again.work_days["risk_visit_days_high"].value() == 14


def test_a_value_the_service_refuses_is_named_under_its_field_and_nothing_is_saved(
        qtbot: QtBot, store: Store, admin: Actor) -> None:
    page = _page(qtbot, store, admin)
    _retype(qtbot, page, "case_deadline_days", "45")
    _retype(qtbot, page, "risk_visit_days_medium", "400")
    qtbot.mouseClick(page.save_work, Qt.MouseButton.LeftButton)
    error = page.work_errors.error("risk_visit_days_medium")
    assert error.isVisible()
    assert error.text() == "Visit a medium-risk household every (days) must be a whole number from 1 to 365."
    assert not page.work_errors.error("case_deadline_days").isVisible()
    assert page.work_saved.text() == ""
    assert page.work_days["risk_visit_days_medium"].hasFocus()
    assert _stored(store)["case_deadline_days"] == 30  # the four are saved together, or none

    _retype(qtbot, page, "risk_visit_days_medium", "120")
    qtbot.mouseClick(page.save_work, Qt.MouseButton.LeftButton)
    assert not error.isVisible()
    assert _stored(store) == {"case_deadline_days": 45, "follow_up_after_days": 7, "risk_visit_days_high": 30,
                              "risk_visit_days_medium": 120}


def test_a_mediator_reads_the_work_rules_but_cannot_change_them(qtbot: QtBot, store: Store, admin: Actor) -> None:
    with store.write() as session:
        settings.put(session, admin, "case_deadline_days", "20")
    mediator = make_user(store, admin, "liming", "mediator")
    page = _page(qtbot, store, mediator)
    assert page.read_only_note.isVisible()
    assert page.work_days["case_deadline_days"].value() == 20
    for widget in (*page.work_days.values(), page.save_work):
        assert not widget.isEnabled()
