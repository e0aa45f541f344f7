"""The other ways a case goes — failed, transferred, withdrawn, an oral agreement with its judicial
confirmation, a planned session filled in later — each one dialog and one service call, the refusal of
the service shown under the field it names."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from app.clock import LOCAL_TZ, today, utcnow
from app.models.cases import CaseStatus
from app.services import case_flow, cases
from app.services.case_flow import SessionInput
from app.services.context import Actor
from app.store.engine import Store
from app.ui.cases.agreement_tab import ConfirmationDialog
from app.ui.cases.case_page import CasePage
from app.ui.cases.outcome_dialogs import FailDialog, TransferDialog, WithdrawDialog
from app.ui.cases.sessions_tab import SessionDialog
from tests.ui import CHINESE, make_ctx, type_text, use_fake_chinese
from tests.ui.test_cases_flow import answer, click, opened, show_page, status_of
from tests.ui.test_cases_list import people, register


def case_page(qtbot: QtBot, store: Store, admin: Actor, case_id: str) -> CasePage:
    page = CasePage(make_ctx(store, admin))
    show_page(qtbot, page)
    page.load(case_id)
    return page


def test_failed_transferred_and_withdrawn(qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    zhang, li, rare = people(store, admin, village)
    failed, moved, withdrawn = (register(store, admin, (zhang, p)).id for p in (li, rare, li))

    page = case_page(qtbot, store, admin, failed)
    click(qtbot, page.buttons["fail"])
    dialog = opened(qtbot, page, FailDialog)
    assert isinstance(dialog, FailDialog)
    type_text(qtbot, dialog.reason, "双方分歧太大")
    assert dialog.missing_label.text() == "Missing: Routes the parties were told of"
    dialog.routes["lawsuit"].setChecked(True)
    click(qtbot, dialog.save_button)
    assert status_of(store, admin, failed) == CaseStatus.FAILED
    assert page.status_chip.text() == "Mediation failed"
    assert list(page.buttons) == ["close"] and not page.buttons["close"].allowed
    assert page.ended_label.text() == "Mediation failed: 双方分歧太大 The parties were told of: Lawsuit."
    assert [label.property("stepState") for label in page.stepper.labels] == ["done", "done", "ended", "todo"]

    page.load(moved)
    click(qtbot, page.buttons["transfer"])
    transfer = opened(qtbot, page, TransferDialog)
    assert isinstance(transfer, TransferDialog)
    transfer.to.setCurrentIndex(transfer.to.findData("township_center"))
    type_text(qtbot, transfer.reason, "涉及多个村")
    click(qtbot, transfer.save_button)
    assert status_of(store, admin, moved) == CaseStatus.TRANSFERRED
    assert page.buttons == {}
    assert page.ended_label.text() == "The case was transferred to: Township comprehensive-governance center. 涉及多个村"

    page.load(withdrawn)
    click(qtbot, page.buttons["withdraw"])
    withdraw = opened(qtbot, page, WithdrawDialog)
    assert isinstance(withdraw, WithdrawDialog)
    type_text(qtbot, withdraw.reason, "当事人自行和解")
    click(qtbot, withdraw.save_button)
    assert status_of(store, admin, withdrawn) == CaseStatus.WITHDRAWN
    assert page.status_chip.text() == "Withdrawn"


def test_a_refused_session_is_shown_under_its_field_and_a_planned_one_is_filled_in_later(
        qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    zhang, li, _rare = people(store, admin, village)
    case_id = register(store, admin, (zhang, li)).id
    page = case_page(qtbot, store, admin, case_id)
    click(qtbot, page.buttons["session"])
    dialog = opened(qtbot, page.sessions_tab, SessionDialog)
    assert isinstance(dialog, SessionDialog)
    dialog.held_at.setDateTime(dialog.held_at.dateTime().addDays(2))
    click(qtbot, dialog.save_button)
    assert dialog.isVisible()
    assert dialog.errors.error("held_at").text() == "Time is in the future; record it as planned instead."
    dialog.reject()
    with store.read() as session:
        assert cases.sessions_of(session, case_id) == []

    page.tabs.setCurrentWidget(page.sessions_tab)
    click(qtbot, page.sessions_tab.plan_button)
    plan = opened(qtbot, page.sessions_tab, SessionDialog)
    assert isinstance(plan, SessionDialog) and plan.planned
    click(qtbot, plan.save_button)
    assert status_of(store, admin, case_id) == CaseStatus.ACCEPTED  # planned, not yet held
    table = page.sessions_tab.table
    assert table.rowCount() == 1 and table.item(0, 1).text() == "Planned"  # type: ignore[union-attr]
    with store.write() as session:  # the planned time has come
        row = cases.sessions_of(session, case_id)[0]
        row.held_at = utcnow() - dt.timedelta(hours=1)
    page.refresh()
    page.sessions_tab.table.selectRow(0)
    click(qtbot, page.sessions_tab.fill_button)
    fill = opened(qtbot, page.sessions_tab, SessionDialog)
    assert isinstance(fill, SessionDialog) and fill.planned_row is not None
    type_text(qtbot, fill.outcome, "同意再谈")
    click(qtbot, fill.save_button)
    assert status_of(store, admin, case_id) == CaseStatus.MEDIATING
    assert page.sessions_tab.table.item(0, 1).text() == "Held"  # type: ignore[union-attr]


def test_an_oral_agreement_and_its_judicial_confirmation(qtbot: QtBot, store: Store, admin: Actor,
                                                         village: dict[str, str]) -> None:
    zhang, li, _rare = people(store, admin, village)
    case_id = register(store, admin, (zhang, li)).id
    with store.write() as session:
        case_flow.record_session(session, admin, case_id, SessionInput(dt.datetime.now(LOCAL_TZ), place="村调解室"))
    page = case_page(qtbot, store, admin, case_id)
    click(qtbot, page.buttons["oral"])
    assert page.tabs.currentWidget() is page.agreement_tab
    assert "oral agreement" in page.reason_label.text()
    tab = page.agreement_tab
    type_text(qtbot, tab.terms.rows[0].text, "互相赔礼道歉")
    click(qtbot, tab.oral_button)
    answer(qtbot, "Register")
    qtbot.waitUntil(lambda: status_of(store, admin, case_id) == CaseStatus.AGREED)
    assert page.status_chip.text() == "Agreement reached"
    assert tab.state_label.text().startswith("Oral agreement in force since")
    assert not tab.checklist_box.isVisible()  # an oral agreement has no signatures to tick
    assert tab.confirmation_label.text().endswith("30 days left")
    assert tab.terms.rows[0].text.isReadOnly()

    click(qtbot, tab.confirm_button)
    confirm = opened(qtbot, tab, ConfirmationDialog)
    assert isinstance(confirm, ConfirmationDialog)
    type_text(qtbot, confirm.result_edit, "已受理")
    qtbot.mouseClick(confirm.save_button, Qt.MouseButton.LeftButton)
    assert confirm.result() == QDialog.DialogCode.Accepted
    with store.read() as session:
        agreement = case_flow.get_agreement(session, case_id)
        assert agreement is not None and agreement.confirmation_applied_on == today()
    assert tab.confirmation_label.text().startswith("Joint application to the court for judicial confirmation made on")
    assert not tab.confirm_button.isVisible()


def test_a_language_switch_relabels_the_case_page(qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    zhang, li, _rare = people(store, admin, village)
    page = case_page(qtbot, store, admin, register(store, admin, (zhang, li)).id)
    assert page.sessions_tab.record_button.text() == "Record a session…"
    for english, chinese in (("Record a session…", "填写调解记录…"), ("Signatures and seal", "签名和印章"),
                             ("Accepted", "受理"), ("Parties", "当事人"), ("Amount", "金额")):
        monkeypatch.setitem(CHINESE, english, chinese)
    use_fake_chinese(monkeypatch)
    page.ctx.retranslate.emit()
    assert page.sessions_tab.record_button.text() == "填写调解记录…"
    assert page.agreement_tab.checklist_box.title() == "签名和印章"
    assert page.status_chip.text() == "受理"
    assert page.tabs.tabText(0) == "当事人"
