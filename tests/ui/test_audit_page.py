"""The audit trail page: lists events newest first, filters by user, action, text and dates, pages by 200;
and the service function behind it."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app.clock import today
from app.errors import PermissionDenied
from app.services import audit, settings
from app.services.context import Actor
from app.store.engine import Store
from app.ui.audit_page import PAGE_SIZE, AuditPage
from tests.conftest import make_user
from tests.ui import make_ctx, type_text


def _page(qtbot: QtBot, store: Store, admin: Actor) -> AuditPage:
    page = AuditPage(make_ctx(store, admin))
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    return page


def _actions(page: AuditPage) -> list[str]:
    return [row.action for row in page.model.rows()]


def test_lists_the_login_event_newest_first(qtbot: QtBot, store: Store, admin: Actor, qtmodeltester: ModelTester) -> None:
    page = _page(qtbot, store, admin)
    qtmodeltester.check(page.model)
    actions = _actions(page)
    assert actions[0] == "login"  # the admin fixture logged in last
    assert set(actions) >= {"setup", "create", "login"}
    first = [page.model.index(0, c).data() for c in range(6)]
    assert first[2:5] == ["admin", "Logged in", "User"]
    assert first[1].startswith(f"{today():%b} ")  # a date and time in the desk's zone
    assert page.model.index(0, 0).data(Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    assert page.page_label.text() == f"1–{len(actions)} of {len(actions)}"
    assert "admin" in page.details.toPlainText()


def test_changes_show_each_field_before_and_after(qtbot: QtBot, store: Store, admin: Actor) -> None:
    with store.write() as session:
        settings.put(session, admin, "idle_lock_minutes", "15")
    page = _page(qtbot, store, admin)
    assert page.model.rows()[0].action == "setting"
    assert page.model.index(0, 6).data() == "idle_lock_minutes: 10 → 15"


def test_filters_by_action_user_text_and_dates(qtbot: QtBot, store: Store, admin: Actor) -> None:
    make_user(store, admin, "liming", "mediator")
    page = _page(qtbot, store, admin)
    everything = page.total

    page.action_filter.setFocus()
    qtbot.keyClicks(page.action_filter, "Logged")  # typing picks the entry "Logged in"
    assert page.action_filter.currentData() == "login"
    assert set(_actions(page)) == {"login"} and page.total == 2

    page.user_filter.setFocus()
    qtbot.keyClicks(page.user_filter, "liming")
    assert [(r.username, r.action) for r in page.model.rows()] == [("liming", "login")]

    qtbot.mouseClick(page.clear_button, Qt.MouseButton.LeftButton)
    assert page.total == everything

    type_text(qtbot, page.text_filter, "庄墩村")
    qtbot.keyClick(page.text_filter, Qt.Key.Key_Return)
    assert page.total >= 1 and all("庄墩村" in r.summary or "庄墩村" in str(r.changes) for r in page.model.rows())

    page.text_filter.clear()
    type_text(qtbot, page.text_filter, "nothing-like-this")
    qtbot.keyClick(page.text_filter, Qt.Key.Key_Return)
    assert page.total == 0 and page.model.rowCount() == 0
    assert not page.empty.isHidden() and page.empty.text() == "No events match these filters."

    qtbot.mouseClick(page.clear_button, Qt.MouseButton.LeftButton)
    yesterday = QDate.currentDate().addDays(-2)
    page.until_filter.setDate(yesterday)
    assert page.total == 0
    page.until_filter.setDate(QDate.currentDate().addDays(1))
    page.since_filter.setDate(yesterday)
    assert page.total == everything


def test_pages_of_two_hundred(qtbot: QtBot, store: Store, admin: Actor) -> None:
    with store.write() as session:
        for n in range(PAGE_SIZE + 30):
            settings.put(session, admin, "idle_lock_minutes", str(n % 200 + 11))
    page = _page(qtbot, store, admin)
    total = page.total
    assert total > PAGE_SIZE and page.model.rowCount() == PAGE_SIZE
    assert not page.newer_button.isEnabled() and page.older_button.isEnabled()
    qtbot.mouseClick(page.older_button, Qt.MouseButton.LeftButton)
    assert page.model.rowCount() == total - PAGE_SIZE
    assert page.page_label.text() == f"201–{total} of {total}"
    assert page.model.rows()[-1].seq == 1
    qtbot.mouseClick(page.newer_button, Qt.MouseButton.LeftButton)
    assert page.offset == 0 and page.model.rows()[0].seq == total


def test_refresh_shows_new_events(qtbot: QtBot, store: Store, admin: Actor) -> None:
    page = _page(qtbot, store, admin)
    before = page.total
    with store.write() as session:
        settings.put(session, admin, "font_size", "large")
    page.refresh()
    assert page.total == before + 1 and page.model.rows()[0].action == "setting"


def test_list_events_service_needs_audit_read_and_escapes_like(store: Store, admin: Actor) -> None:
    mediator = make_user(store, admin, "liming", "mediator")
    with store.read() as session, pytest.raises(PermissionDenied):
        audit.list_events(session, mediator)
    with store.read() as session:
        total, rows = audit.list_events(session, admin, text="%")
        assert total == 0 and rows == []
        total, rows = audit.list_events(session, admin, username="liming", action="login")
        assert total == 1 and rows[0].table == "desk_user"
        now = dt.datetime.now(dt.UTC)
        assert audit.list_events(session, admin, since=now + dt.timedelta(hours=1))[0] == 0
        assert audit.list_events(session, admin, until=now - dt.timedelta(days=1))[0] == 0
        facets = audit.event_facets(session, admin)
        assert facets.usernames == ["admin", "liming", "system"]
        assert "login" in facets.actions and "desk_user" in facets.tables
