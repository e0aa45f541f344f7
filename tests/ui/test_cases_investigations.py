"""Investigations on the case page: listed under the sessions (time, place, investigator, person
interviewed, content), recorded with their dialog while the case allows it — the service's refusal under
the field it names — and still listed, but no longer recordable, once the mediation has ended."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QDateTime, Qt, QTime
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from app.clock import LOCAL_TZ, utcnow
from app.models.cases import CaseStatus
from app.models.users import Role
from app.services import case_flow
from app.services.context import Actor
from app.store.engine import Store
from app.ui.cases.case_page import CasePage
from app.ui.cases.outcome_dialogs import FailDialog
from app.ui.cases.sessions_tab import InvestigationDialog
from tests.conftest import make_user
from tests.ui import make_ctx, type_text
from tests.ui.test_cases_flow import click, opened, show_page, status_of
from tests.ui.test_cases_list import people, register


def case_page(qtbot: QtBot, store: Store, actor: Actor, case_id: str) -> CasePage:
    page = CasePage(make_ctx(store, actor))
    show_page(qtbot, page)
    page.load(case_id)
    return page


def stored(store: Store, case_id: str) -> list[tuple[str, str, str, str]]:
    with store.read() as session:
        return [(i.place, i.investigator, i.interviewee, i.content) for i in case_flow.investigations_of(session, case_id)]


def test_an_investigation_is_recorded_and_listed_under_the_sessions(
        qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    zhang, li, _rare = people(store, admin, village)
    case_id = register(store, admin, (zhang, li)).id
    page = case_page(qtbot, store, admin, case_id)
    qtbot.mouseClick(page.tabs.tabBar(), Qt.MouseButton.LeftButton,
                     pos=page.tabs.tabBar().tabRect(page.tabs.indexOf(page.sessions_tab)).center())
    tab = page.sessions_tab
    assert page.tabs.currentWidget() is tab
    assert tab.investigations_box.title() == "Investigations (0)"
    assert tab.investigations_empty.isVisible()
    assert tab.investigations_empty.text() == "No investigation recorded yet."
    assert tab.investigate_button.isEnabled()

    click(qtbot, tab.investigate_button)
    dialog = opened(qtbot, tab, InvestigationDialog)
    assert isinstance(dialog, InvestigationDialog)
    assert dialog.investigator.text() == "王丽"
    assert dialog.missing_label.text() == "Missing: Person interviewed, Content"
    assert not dialog.save_button.isEnabled()
    dialog.place.setCurrentText("")
    type_text(qtbot, dialog.place.lineEdit(), "张三家院内")  # type: ignore[arg-type]
    type_text(qtbot, dialog.interviewee, "邻居赵六")
    type_text(qtbot, dialog.content, "赵六证实围墙于2019年砌成，当时未越界。")

    # A time in the future: the service refuses it, under the time field, and nothing is saved.
    tomorrow = (utcnow() + dt.timedelta(days=1)).astimezone(LOCAL_TZ)
    dialog.held_at.setDateTime(QDateTime(QDate(tomorrow.year, tomorrow.month, tomorrow.day), QTime(10, 0)))
    click(qtbot, dialog.save_button)
    assert dialog.isVisible()
    assert dialog.errors.error("held_at").text() == "Time is in the future."
    assert stored(store, case_id) == []

    now = utcnow().astimezone(LOCAL_TZ) - dt.timedelta(hours=1)
    dialog.held_at.setDateTime(QDateTime(QDate(now.year, now.month, now.day), QTime(now.hour, 0)))
    click(qtbot, dialog.save_button)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert stored(store, case_id) == [("张三家院内", "王丽", "邻居赵六", "赵六证实围墙于2019年砌成，当时未越界。")]

    table = tab.investigations_table
    assert tab.investigations_box.title() == "Investigations (1)" and not tab.investigations_empty.isVisible()
    assert [table.horizontalHeaderItem(c).text() for c in range(5)] == [  # type: ignore[union-attr]
        "Time", "Place", "Investigator", "Person interviewed", "Content"]
    assert [table.item(0, c).text() for c in range(1, 5)] == [  # type: ignore[union-attr]
        "张三家院内", "王丽", "邻居赵六", "赵六证实围墙于2019年砌成，当时未越界。"]
    rect = table.visualItemRect(table.item(0, 3))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert "邻居赵六" in tab.detail.toPlainText() and "Person interviewed" in tab.detail.toPlainText()

    # The action at the top of the page opens the same dialog.
    click(qtbot, page.buttons["investigation"])
    assert isinstance(opened(qtbot, tab, InvestigationDialog), InvestigationDialog)
    tab.dialog.reject()  # type: ignore[union-attr]


def test_an_ended_mediation_lists_its_investigations_but_records_no_more(
        qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    zhang, li, _rare = people(store, admin, village)
    case_id = register(store, admin, (zhang, li)).id
    with store.write() as session:
        case_flow.record_investigation(session, admin, case_id, case_flow.InvestigationInput(
            utcnow() - dt.timedelta(days=1), "村委会会议室", "王丽", "李四", "", "李四称围墙越界"))
    page = case_page(qtbot, store, admin, case_id)
    click(qtbot, page.buttons["fail"])
    fail = opened(qtbot, page, FailDialog)
    assert isinstance(fail, FailDialog)
    type_text(qtbot, fail.reason, "双方分歧太大")
    fail.routes["lawsuit"].setChecked(True)
    click(qtbot, fail.save_button)
    assert status_of(store, admin, case_id) == CaseStatus.FAILED

    tab = page.sessions_tab
    page.tabs.setCurrentWidget(tab)
    assert tab.investigations_table.rowCount() == 1
    assert tab.investigations_table.item(0, 3).text() == "李四"  # type: ignore[union-attr]
    assert tab.investigate_button.isVisible() and not tab.investigate_button.isEnabled()
    assert tab.investigate_button.toolTip() == "Not possible while the case is “Mediation failed”."
    assert tab.investigate() is None
    assert len(stored(store, case_id)) == 1

    viewer = make_user(store, admin, "viewer", Role.VIEWER)
    read_only = case_page(qtbot, store, viewer, case_id)
    assert read_only.sessions_tab.investigations_table.rowCount() == 1
    assert not read_only.sessions_tab.investigate_button.isVisibleTo(read_only)
