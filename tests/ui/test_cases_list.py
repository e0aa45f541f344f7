"""The case list: its model under Qt's model tester, paging at 3,000 cases, the search after the typing
pause, filters, the empty state, and what a viewer sees."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QModelIndex, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app.clock import today, utcnow
from app.models.cases import Case
from app.models.users import Role
from app.services import case_flow, cases, demo, demo_cases, households, users
from app.services.case_flow import SessionInput
from app.services.cases import CaseFilter, CaseInput, MediatorInput, PartyInput
from app.services.context import Actor
from app.store.engine import Store
from app.ui.cases import CasesPage
from app.ui.cases.common import CHIPS_ROLE
from app.ui.cases.list_model import BADGES_ROLE, DEADLINE, STATUS, CaseListModel
from tests.conftest import make_user
from tests.ui import make_ctx, type_text


def people(store: Store, admin: Actor, village: dict[str, str]) -> tuple[str, str, str]:
    with store.read() as session:
        zhang, li = (m.id for m in households.household_detail(session, admin, village["h1"]).members)
        rare = households.household_detail(session, admin, village["h2"]).members[0].id
    return zhang, li, rare


def register(store: Store, admin: Actor, parties: tuple[str, str], *, summary: str = "宅基地边界纠纷",
             received: dt.date | None = None) -> Case:
    with store.write() as session:
        return cases.register_case(
            session, admin, CaseInput(received or today(), "party_applied", "homestead", summary),
            [PartyInput("applicant", person_id=parties[0]), PartyInput("respondent", person_id=parties[1])],
            [MediatorInput("王丽", user_id=admin.user_id, is_lead=True)], confirm_duplicate=True)


def show(qtbot: QtBot, page: CasesPage) -> CasesPage:
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    return page


def test_the_model_passes_qts_model_tester_while_it_fetches_pages(
        qtbot: QtBot, qtmodeltester: ModelTester, store: Store, admin: Actor, village: dict[str, str]) -> None:
    zhang, li, rare = people(store, admin, village)
    old = register(store, admin, (zhang, rare), received=today() - dt.timedelta(days=40))
    for i in range(4):
        register(store, admin, (zhang, li), summary=f"邻里纠纷{i}")
    model = CaseListModel(make_ctx(store, admin), page_size=2)
    model.set_filter(CaseFilter())
    assert (model.rowCount(), model.total) == (2, 5)
    qtmodeltester.check(model, force_py=True)  # the tester fetches the other pages as it goes
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == 5 and not model.canFetchMore(QModelIndex())
    row = model.row_of(old.id)
    assert model.index(row, STATUS).data() == "Accepted"
    assert model.index(row, STATUS).data(CHIPS_ROLE) == [("Accepted", "#5f6b7a")]
    assert model.index(row, DEADLINE).data() == "10 days overdue"
    assert model.index(row, DEADLINE).data(BADGES_ROLE) == ["overdue"]
    assert model.index(row, 3).data() == "张三 / 𠮷䶮"
    model.refresh()
    assert model.rowCount() == 5


def test_with_3000_cases_only_the_first_page_is_loaded(qtbot: QtBot, store: Store) -> None:
    demo.build_demo(store, households=200)
    demo_cases.build_cases(store, cases=3000)
    admin = users.login(store, "admin", "admin123")
    page = show(qtbot, CasesPage(make_ctx(store, admin)))
    assert page.model.total == 3000
    assert page.model.rowCount() == 200
    assert page.count_label.text() == "3,000 cases"
    assert page.model.canFetchMore(QModelIndex())
    page.model.fetchMore(QModelIndex())
    assert page.model.rowCount() == 400


def test_the_search_filters_after_the_typing_pause(qtbot: QtBot, store: Store, admin: Actor,
                                                  village: dict[str, str]) -> None:
    zhang, li, rare = people(store, admin, village)
    rare_case = register(store, admin, (rare, li), summary="排水沟堵塞")
    register(store, admin, (zhang, li), summary="宅基地边界")
    page = show(qtbot, CasesPage(make_ctx(store, admin)))
    assert page.model.total == 2
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    qtbot.keyClick(page.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert page.search.hasFocus()
    type_text(qtbot, page.search, "13912345678")  # 𠮷䶮's phone
    assert page.model.total == 2  # not yet: the list waits for a pause in typing
    qtbot.waitUntil(lambda: page.model.total == 1, timeout=2000)
    assert page.model.case_id(0) == rare_case.id
    page.search.clear()
    type_text(qtbot, page.search, "排水沟")
    qtbot.waitUntil(lambda: page.model.total == 1 and page.model.case_id(0) == rare_case.id, timeout=2000)
    type_text(qtbot, page.search, "不存在")
    qtbot.waitUntil(lambda: page.model.total == 0, timeout=2000)
    assert page.table_stack.currentIndex() == 1
    assert page.empty_label.text() == "No case matches “排水沟不存在”."
    assert page.empty_clear.isVisible() and not page.empty_new.isVisible()
    qtbot.mouseClick(page.empty_clear, Qt.MouseButton.LeftButton)
    assert page.model.total == 2 and page.search.text() == ""


def test_filters_status_overdue_and_period(qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    zhang, li, rare = people(store, admin, village)
    old = register(store, admin, (zhang, rare), received=today() - dt.timedelta(days=400))
    new = register(store, admin, (zhang, li))
    with store.write() as session:
        case_flow.record_session(session, admin, new.id, SessionInput(utcnow(), place="村调解室"))
    page = show(qtbot, CasesPage(make_ctx(store, admin)))
    page.status_filter.setCurrentIndex(page.status_filter.findData("mediating"))
    assert [page.model.case_id(r) for r in range(page.model.rowCount())] == [new.id]
    page.status_filter.setCurrentIndex(page.status_filter.findData("open"))
    assert page.model.total == 2
    page.overdue_only.setChecked(True)
    assert [page.model.case_id(r) for r in range(page.model.rowCount())] == [old.id]
    page.overdue_only.setChecked(False)
    page.period_filter.setCurrentIndex(page.period_filter.findData("month"))
    assert [page.model.case_id(r) for r in range(page.model.rowCount())] == [new.id]
    page.period_filter.setCurrentIndex(page.period_filter.findData("custom"))
    assert page.period_from.isVisible() and page.period_to.isVisible()
    page.period_from.setDate(page.period_from.date().addYears(-3))
    assert page.model.total == 2
    page.mine_only.setChecked(True)
    assert page.model.total == 2  # the admin is the lead mediator of both
    page.clear_filters()
    assert page.model.total == 2 and not page.period_from.isVisible()


def test_enter_opens_the_case_and_back_returns(qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    zhang, li, _rare = people(store, admin, village)
    case = register(store, admin, (zhang, li))
    page = show(qtbot, CasesPage(make_ctx(store, admin)))
    page.table.setFocus()
    page.table.setCurrentIndex(page.model.index(0, 0))
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert page.stack.currentWidget() is page.case_page
    assert page.case_page.number_label.text() == case.number
    qtbot.mouseClick(page.case_page.back_button, Qt.MouseButton.LeftButton)
    assert page.stack.currentIndex() == 0
    rect = page.table.visualRect(page.model.index(0, 1))
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert page.stack.currentWidget() is page.case_page


def test_a_viewer_reads_but_sees_no_new_or_edit_buttons(qtbot: QtBot, store: Store, admin: Actor,
                                                        village: dict[str, str]) -> None:
    zhang, li, _rare = people(store, admin, village)
    register(store, admin, (zhang, li))
    viewer = make_user(store, admin, "viewer", Role.VIEWER)
    page = show(qtbot, CasesPage(make_ctx(store, viewer)))
    assert not page.new_action.isVisible()
    assert page.new_case() is None
    page.open_case(page.model.case_id(0) or "")
    cp = page.case_page
    assert cp.buttons == {} and not cp.actions_widget.isVisible()
    assert cp.ended_label.text() == "You may read this case; your role does not record its steps."
    assert not cp.parties_tab.add_button.isVisible()
    for b in (cp.sessions_tab.record_button, cp.sessions_tab.plan_button, cp.sessions_tab.investigate_button):
        assert not b.isVisibleTo(cp)
    assert not cp.agreement_tab.editor_box.isVisibleTo(cp)
    assert not cp.follow_ups_tab.record_button.isVisibleTo(cp)
    assert not cp.attachments_tab.add_button.isVisibleTo(cp)
    assert cp.parties_tab.parties.item(0, 4).text() == "110105********002X"  # type: ignore[union-attr]
    assert not cp.history_tab.audit_box.isVisibleTo(cp)
    empty = show(qtbot, CasesPage(make_ctx(store, viewer)))
    empty.search.setText("nothing like this")
    empty.apply_filter()
    assert empty.model.total == 0 and not empty.empty_new.isVisible()
