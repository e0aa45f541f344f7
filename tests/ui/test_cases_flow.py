"""A case from intake to closing, driven through the window as a mediator would: register it with two
parties found in the roster by typing, record a session, write the agreement (the amount in capitals
while typing), tick every signature, print the agreement to a PDF, record the follow-up visit, and close
it once the missing proof of identity is attached."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QDialog, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from app.clock import today
from app.models.cases import CaseStatus
from app.services import case_flow, cases
from app.services.context import Actor
from app.store.engine import Store
from app.ui.cases import CasesPage
from app.ui.cases.attachments_tab import AttachmentDialog
from app.ui.cases.case_page import CasePage
from app.ui.cases.follow_ups_tab import FollowUpDialog
from app.ui.cases.new_case_dialog import NewCaseDialog
from app.ui.cases.outcome_dialogs import CloseDialog
from app.ui.cases.sessions_tab import SessionDialog
from app.ui.print_preview import PrintPreviewDialog
from tests.ui import answer, make_ctx, type_text


def show_page(qtbot: QtBot, page: QWidget) -> None:
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)


def click(qtbot: QtBot, button: QPushButton) -> None:
    assert button.isVisible(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def opened(qtbot: QtBot, owner: object, kind: type[QDialog]) -> QDialog:
    qtbot.waitUntil(lambda: isinstance(getattr(owner, "dialog", None), kind) and owner.dialog.isVisible())  # type: ignore[attr-defined]
    dialog = owner.dialog  # type: ignore[attr-defined]
    assert isinstance(dialog, kind)
    return dialog


def status_of(store: Store, admin: Actor, case_id: str) -> str:
    with store.read() as session:
        return cases.get_case(session, case_id).status




def test_a_case_from_intake_to_closing(qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str],
                                       tmp_path: Path) -> None:
    ctx = make_ctx(store, admin)
    page = CasesPage(ctx)
    show_page(qtbot, page)
    assert page.empty_label.text() == "No dispute cases yet. Press Ctrl+N to register the first."

    # ---- register: Ctrl+N, parties found by typing and picked with Enter
    qtbot.keyClick(page.search, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = opened(qtbot, page, NewCaseDialog)
    assert isinstance(dialog, NewCaseDialog)
    assert dialog.missing_label.text() == "Missing: Category, Short account, Parties"
    assert not dialog.save_button.isEnabled()
    type_text(qtbot, dialog.search.edit, "zs")
    qtbot.keyClick(dialog.search.edit, Qt.Key.Key_Return)
    assert dialog.isVisible()  # Enter picked the person; it did not press Save
    assert [(e.name, e.party.role) for e in dialog.entries] == [("张三", "applicant")]
    type_text(qtbot, dialog.search.edit, "13912345678")  # 𠮷䶮, by phone
    qtbot.wait(250)  # the search runs after a short pause in typing
    assert dialog.search.results.count() == 1
    qtbot.keyClick(dialog.search.edit, Qt.Key.Key_Return)
    assert [(e.name, e.party.role) for e in dialog.entries] == [("张三", "applicant"), ("𠮷䶮", "respondent")]
    assert [m.name for m in dialog.mediator_inputs()] == ["王丽"]  # the user, as people's mediator
    dialog.category.setCurrentIndex(dialog.category.findData("homestead"))
    type_text(qtbot, dialog.summary, "张三与𠮷䶮宅基地边界纠纷")
    assert dialog.missing_label.text() == "", (dialog.summary.text(), dialog.category.currentData())
    assert dialog.save_button.isEnabled()
    click(qtbot, dialog.save_button)
    assert dialog.result() == QDialog.DialogCode.Accepted
    case_id = dialog.case_id
    assert case_id is not None
    number = dialog.case_number
    assert page.stack.currentWidget() is page.case_page
    cp: CasePage = page.case_page
    assert cp.number_label.text() == number
    assert cp.status_chip.text() == "Accepted"
    assert cp.deadline_label.text() == "30 days left"
    assert status_of(store, admin, case_id) == CaseStatus.ACCEPTED

    # ---- a session, through its dialog
    click(qtbot, cp.buttons["session"])
    session_dialog = opened(qtbot, cp.sessions_tab, SessionDialog)
    assert isinstance(session_dialog, SessionDialog)
    assert session_dialog.attendees.text() == "张三、𠮷䶮、王丽"
    type_text(qtbot, session_dialog.applicant, "围墙越界一米")
    type_text(qtbot, session_dialog.respondent, "没有越界")
    type_text(qtbot, session_dialog.facts, "现场丈量，越界属实")
    type_text(qtbot, session_dialog.outcome, "同意协商")
    click(qtbot, session_dialog.save_button)
    assert session_dialog.result() == QDialog.DialogCode.Accepted
    assert status_of(store, admin, case_id) == CaseStatus.MEDIATING
    assert cp.status_chip.text() == "Mediating"
    assert cp.sessions_tab.table.rowCount() == 1

    # ---- the written agreement: a term with an amount, shown in capitals while typing
    click(qtbot, cp.buttons["agreement"])
    tab = cp.agreement_tab
    assert cp.tabs.currentWidget() is tab
    row = tab.terms.rows[0]
    type_text(qtbot, row.text, "张三补偿李四")
    row.amount.setFocus()
    qtbot.keyClicks(row.amount, "1200")
    assert row.capitals.text() == "人民币壹仟贰佰元整"
    qtbot.keyClicks(row.amount, "0")
    assert "壹万贰仟元整" in row.capitals.text()
    assert tab.copies.value() == 3  # one per party and one for the committee
    assert tab.unsaved_label.text() == "Unsaved changes"
    assert not tab.checklist_box.isVisible()
    click(qtbot, tab.save_button)
    with store.read() as session:
        agreement = case_flow.get_agreement(session, case_id)
        assert agreement is not None and case_flow.agreement_terms(agreement) == [
            case_flow.Term("张三补偿李四", "12000")]
    assert tab.checklist_box.isVisible()
    boxes = list(tab.checks.values())
    assert len(boxes) == 5  # two parties, mediator, recorder, seal
    for box in boxes:
        assert isinstance(box, QCheckBox) and box.isEnabled()
        box.setFocus()
        qtbot.keyClick(box, Qt.Key.Key_Space)
    assert cp.status_chip.text() == "Agreement reached"
    assert status_of(store, admin, case_id) == CaseStatus.AGREED
    assert tab.state_label.text() == f"Written agreement in force since {today():%B} {today().day}, {today().year}"
    assert "possible until" in tab.confirmation_label.text() and "30 days left" in tab.confirmation_label.text()

    # ---- print the agreement (Ctrl+P) and save it as PDF
    page.activateWindow()  # offscreen, nothing gives the window back its focus after a dialog
    qtbot.waitUntil(page.isActiveWindow)
    cp.tabs.setFocus()
    qtbot.keyClick(cp.tabs, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: isinstance(cp.preview, PrintPreviewDialog))
    preview = cp.preview
    assert isinstance(preview, PrintPreviewDialog)
    qtbot.waitUntil(lambda: preview.is_ready() or preview.error is not None, timeout=30_000)
    assert preview.error is None and preview.page_count() >= 1
    assert preview.copies.value() == 3
    assert preview.file_name == f"人民调解协议书-{number}.pdf"
    preview.choose_save_path = lambda _parent, default: tmp_path / "out" / default.name
    click(qtbot, preview.save_button)
    saved = tmp_path / "out" / preview.file_name
    assert saved.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(saved), "-"], capture_output=True, check=True, text=True).stdout
        assert number in text and "壹万贰仟元整" in text
    preview.reject()

    # ---- the follow-up visit
    click(qtbot, cp.buttons["follow_up"])
    visit = opened(qtbot, cp.follow_ups_tab, FollowUpDialog)
    assert isinstance(visit, FollowUpDialog)
    assert not visit.save_button.isEnabled()
    visit.performance.setCurrentIndex(visit.performance.findData("fully"))
    visit.satisfaction.setCurrentIndex(visit.satisfaction.findData("satisfied"))
    type_text(qtbot, visit.findings, "已按期支付")
    click(qtbot, visit.save_button)
    assert status_of(store, admin, case_id) == CaseStatus.FOLLOWING_UP
    assert cp.status_chip.text() == "Following up"

    # ---- closing: first refused with the reason in words, then allowed once the proof is attached
    close = cp.buttons["close"]
    assert not close.allowed and "Proof of identity" in close.toolTip()
    click(qtbot, close)
    assert cp.reason_label.isVisible()
    assert cp.reason_label.text() == "Close the case: not possible now. The case file lacks: Proof of identity."
    assert status_of(store, admin, case_id) == CaseStatus.FOLLOWING_UP

    scan = tmp_path / "id-scan.jpg"
    scan.write_bytes(b"\xff\xd8\xff" + b"scan" * 100)
    cp.tabs.setCurrentWidget(cp.attachments_tab)
    click(qtbot, cp.attachments_tab.add_button)
    add = opened(qtbot, cp.attachments_tab, AttachmentDialog)
    assert isinstance(add, AttachmentDialog)
    add.chooser = lambda _parent: scan
    add.browse()
    add.kind.setCurrentIndex(add.kind.findData("id_proof"))
    click(qtbot, add.save_button)
    assert cp.attachments_tab.table.rowCount() == 1
    assert not cp.reason_label.isVisible()

    close = cp.buttons["close"]
    assert close.allowed
    click(qtbot, close)
    closing = opened(qtbot, cp, CloseDialog)
    assert isinstance(closing, CloseDialog)
    click(qtbot, closing.save_button)
    assert status_of(store, admin, case_id) == CaseStatus.CLOSED
    assert cp.status_chip.text() == "Closed"
    assert not cp.actions_widget.isVisible()
    assert [label.property("stepState") for label in cp.stepper.labels] == ["done"] * 5
    history = cp.history_tab.events
    assert [history.item(r, 2).text() for r in range(history.rowCount())][-1] == "Following up → Closed"  # type: ignore[union-attr]

    # ---- Esc goes back to the list, where the case is chosen and its status shown
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    cp.tabs.setFocus()
    qtbot.keyClick(cp.tabs, Qt.Key.Key_Escape)
    assert page.stack.currentIndex() == 0
    assert page.current_case_id() == case_id
    assert page.model.index(0, 5).data() == "Closed"


def test_a_refusal_is_shown_under_its_field_and_a_duplicate_is_asked_about(
        qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    ctx = make_ctx(store, admin)
    page = CasesPage(ctx)
    show_page(qtbot, page)

    def fill(dialog: NewCaseDialog) -> None:
        for query in ("zs", "13912345678"):  # 张三 by pinyin initials, 𠮷䶮 by phone
            type_text(qtbot, dialog.search.edit, query)
            qtbot.keyClick(dialog.search.edit, Qt.Key.Key_Return)
        dialog.category.setCurrentIndex(dialog.category.findData("neighbours"))
        type_text(qtbot, dialog.summary, "排水沟纠纷")

    dialog = page.new_case()
    assert isinstance(dialog, NewCaseDialog)
    fill(dialog)
    dialog.deadline.setDate(dialog.received_on.date().addDays(-3))
    click(qtbot, dialog.save_button)
    assert dialog.isVisible() and dialog.case_id is None
    assert dialog.errors.error("deadline").text() == "Deadline is before the date the case was received."
    assert dialog.errors.error("deadline").isVisible()
    with store.read() as session:
        assert cases.count_cases(session, admin) == 0
    dialog.deadline.setDate(dialog.received_on.date().addDays(20))
    click(qtbot, dialog.save_button)
    assert dialog.result() == QDialog.DialogCode.Accepted

    again = page.new_case()
    assert isinstance(again, NewCaseDialog)
    fill(again)
    click(qtbot, again.save_button)
    answer(qtbot, "Register anyway")
    qtbot.waitUntil(lambda: again.case_id is not None)
    with store.read() as session:
        assert cases.count_cases(session, admin) == 2


@pytest.mark.parametrize("amount", ["12.345", "abc"])
def test_a_bad_amount_says_so_while_typing(qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str],
                                           amount: str) -> None:
    from app.ui.cases.agreement_tab import TermRow

    row = TermRow(1)
    qtbot.addWidget(row)
    qtbot.keyClicks(row.amount, amount)
    assert "Amount must" in row.capitals.text()


def test_a_new_person_and_an_organisation_as_parties(qtbot: QtBot, store: Store, admin: Actor,
                                                     village: dict[str, str]) -> None:
    from app.services import households
    from app.ui.cases.party_dialogs import NewPartyDialog

    page = CasesPage(make_ctx(store, admin))
    show_page(qtbot, page)
    dialog = page.new_case()
    assert isinstance(dialog, NewCaseDialog)

    click(qtbot, dialog.new_person_button)
    person = opened(qtbot, dialog, NewPartyDialog)
    assert isinstance(person, NewPartyDialog)
    type_text(qtbot, person.name, "赵𠮷")
    type_text(qtbot, person.id_number, "110105194912310021")  # wrong check character
    type_text(qtbot, person.household.edit, "0002")
    person.household.search_now()
    qtbot.mouseClick(person.household.results.viewport(), Qt.MouseButton.LeftButton,
                     pos=person.household.results.visualItemRect(person.household.results.item(0)).center())
    assert person.household.household_id == village["h2"]
    click(qtbot, person.ok_button)
    assert person.isVisible() and person.errors.error("id_number").isVisible()
    person.id_number.clear()
    type_text(qtbot, person.mobile, "13700001111")
    click(qtbot, person.ok_button)
    assert [e.name for e in dialog.entries] == ["赵𠮷"]

    click(qtbot, dialog.new_org_button)
    org = opened(qtbot, dialog, NewPartyDialog)
    assert isinstance(org, NewPartyDialog) and org.organisation
    type_text(qtbot, org.name, "甘州区某建筑公司")
    type_text(qtbot, org.credit_code, "91620702MA00000000")
    type_text(qtbot, org.agent_name, "钱经理")
    click(qtbot, org.ok_button)
    assert org.errors.error("credit_code").isVisible()
    org.credit_code.clear()
    type_text(qtbot, org.credit_code, "91110108551385082Q")
    click(qtbot, org.ok_button)
    assert [(e.name, e.party.role) for e in dialog.entries] == [("赵𠮷", "applicant"), ("甘州区某建筑公司", "respondent")]

    dialog.category.setCurrentIndex(dialog.category.findData("labour"))
    type_text(qtbot, dialog.summary, "拖欠工资")
    type_text(qtbot, dialog.mediator_name, "赵德明")
    dialog.mediator_role.setCurrentIndex(dialog.mediator_role.findData("five_elders"))
    qtbot.keyClick(dialog.mediator_name, Qt.Key.Key_Return)  # adds the mediator; does not save the case
    assert dialog.isVisible() and [m.role for m in dialog.mediator_inputs()] == ["peoples_mediator", "five_elders"]
    click(qtbot, dialog.save_button)
    assert dialog.case_id is not None
    with store.read() as session:
        view = cases.case_view(session, admin, dialog.case_id)
        assert [(p.name, p.is_organisation) for p in view.parties] == [("赵𠮷", False), ("甘州区某建筑公司", True)]
        assert [m.name for m in view.mediators] == ["王丽", "赵德明"]
        assert households.count_households(session, admin, query="赵𠮷") == 1
        assert village["h2"] in view.household_ids
