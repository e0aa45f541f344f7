"""The township's drill-down into one village, driven as a clerk does: open the village from the villages
table, go through the tabs (cases, households, risk, points), filter each, scroll a list that loads a page at
a time, open a case and read its parties, its draft agreement and the township's decision on the village's own
case page — read-only, with no step, form, tick or print button to use — and go back."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QCheckBox, QLineEdit, QPlainTextEdit, QTableWidget, QWidget
from pytestqt.qtbot import QtBot

from app.services import case_flow, risk, township
from app.services.case_flow import AgreementInput, Term
from app.services.risk import AssessInput
from app.ui.township import village_detail
from app.ui.township.village_detail import ReadOnlyCasePage, RecordsTab, VillageDetailView
from app.ui.township.villages import VillagesPage
from tests.sync_support import Desk, bundle_for, deliver, open_case, pair, township_desk, village_desk
from tests.ui import make_ctx, type_text

FULL_ID = re.compile(r"\d{17}[\dX]")


class Desks:
    def __init__(self, village: Desk, township: Desk, agreed: str, escalated: str, high: str) -> None:
        self.village, self.township, self.agreed, self.escalated, self.high = village, township, agreed, escalated, high


@pytest.fixture
def desks(tmp_path: Path) -> Iterator[Desks]:
    village = village_desk(tmp_path / "village", households=6, cases=0, entries=10)
    agreed = open_case(village, "两家因宅基地界址发生争执")
    escalated = open_case(village, "两村之间的灌溉水渠纠纷")
    with village.store.write() as session:
        case_flow.draft_agreement(session, village.admin, agreed, AgreementInput(
            (Term("李某拆除越界围墙"), Term("张某补偿李某损失", "1200")), facts="双方因宅基地界址发生争执。"))
        case_flow.transfer(session, village.admin, escalated, "township_center", "涉及两个村，需镇里协调")
        rnd = risk.get_round(session)
        row = next(r for r in risk.households_in_round(session, village.admin, rnd.id) if r.stage < 3)
        risk.assess(session, village.admin, rnd.id, AssessInput(row.household_id, (), level="high", reason="有过激言行"))
    town = township_desk(tmp_path / "township")
    pair(village, town)
    assert deliver(village, town, bundle_for(village, town)).status == "imported"
    with town.store.write() as session:
        township.decide(session, town.admin, escalated, "accepted", "")
    yield Desks(village, town, agreed, escalated, row.number)
    village.close()
    town.close()


def opened(qtbot: QtBot, desks: Desks) -> VillagesPage:
    """The villages page with the village opened (the caller keeps the page: it owns the view)."""
    page = VillagesPage(make_ctx(desks.township.store, desks.township.admin))
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    centre = page.table.visualRect(page.model.index(0, 0)).center()
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert page.stack.currentWidget() is page.detail
    wait(qtbot, page.detail.cases_tab)
    return page


def wait(qtbot: QtBot, tab: RecordsTab) -> None:
    qtbot.waitUntil(lambda: not tab.loading and not tab.stale, timeout=10_000)


def switch(qtbot: QtBot, detail: VillageDetailView, tab: RecordsTab) -> None:
    bar = detail.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(detail.tabs.indexOf(tab)).center())
    assert detail.tabs.currentWidget() is tab
    wait(qtbot, tab)


def filter_by(qtbot: QtBot, tab: RecordsTab, text: str) -> None:
    tab.filter_edit.clear()
    if text:
        type_text(qtbot, tab.filter_edit, text)
    qtbot.keyClick(tab.filter_edit, Qt.Key.Key_Return)
    wait(qtbot, tab)


def column(tab: RecordsTab, key: str) -> list[str]:
    return [tab.model.text(r, key) for r in range(tab.model.rowCount())]


def test_the_tabs_show_the_villages_records_and_filter_them(qtbot: QtBot, desks: Desks) -> None:
    page = opened(qtbot, desks)
    detail = page.detail
    assert [detail.tabs.tabText(i) for i in range(detail.tabs.count())] == ["Dispute cases", "Household roster", "Risk", "Points"]
    assert detail.counts.text().startswith("2 cases · 1 open · 1 escalated, waiting · 6 households")
    assert detail.note.text() == "Read-only: these are the village's own records as last imported here."

    cases = detail.cases_tab
    assert cases.model.rowCount() == 2 and cases.summary.text() == "2 cases"
    assert column(cases, "summary") == ["两村之间的灌溉水渠纠纷", "两家因宅基地界址发生争执"]  # newest first
    assert column(cases, "status") == ["Transferred", "Accepted"]
    filter_by(qtbot, cases, "水渠")
    assert column(cases, "summary") == ["两村之间的灌溉水渠纠纷"] and cases.summary.text() == "1 case"
    filter_by(qtbot, cases, "没有这件事")
    assert cases.model.rowCount() == 0 and not cases.table.isVisible()
    assert cases.empty.isVisible() and cases.empty.text() == "Nothing matches “没有这件事”."
    filter_by(qtbot, cases, "")
    assert cases.model.rowCount() == 2 and cases.table.isVisible()

    households = detail.households_tab
    assert households.stale  # read only when shown
    switch(qtbot, detail, households)
    assert households.model.rowCount() == 6 and households.summary.text() == "6 households"
    numbers = column(households, "number")
    assert numbers == sorted(numbers)
    ids = column(households, "id_number")
    assert all("********" in i and not FULL_ID.search(i) for i in ids)
    head = households.model.text(3, "head")
    filter_by(qtbot, households, head)
    assert head in column(households, "head") and households.model.rowCount() < 6

    risk_tab = detail.risk_tab
    switch(qtbot, detail, risk_tab)
    levels = column(risk_tab, "level")
    assert levels and levels[0] == "High" and column(risk_tab, "number")[0] == desks.high
    assert risk_tab.model.text(0, "reason") == "有过激言行"
    order = {"High": 0, "Medium": 1, "Low": 2}
    assert [order[lv] for lv in levels] == sorted(order[lv] for lv in levels)
    assert risk_tab.summary.text().startswith("Round 20") and "the highest risk first" in risk_tab.summary.text()
    filter_by(qtbot, risk_tab, risk_tab.model.text(0, "head"))
    assert column(risk_tab, "number")[0] == desks.high

    points_tab = detail.points_tab
    switch(qtbot, detail, points_tab)
    balances = [int(b.replace(",", "")) for b in column(points_tab, "balance")]
    assert len(balances) == 6 and balances == sorted(balances, reverse=True) and any(balances)
    filter_by(qtbot, points_tab, "没有这户")
    assert points_tab.model.rowCount() == 0 and points_tab.empty.isVisible()

    qtbot.mouseClick(detail.back_button, Qt.MouseButton.LeftButton)
    assert page.stack.currentWidget() is page.list_page


def test_a_long_list_loads_a_page_at_a_time(qtbot: QtBot, desks: Desks, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(village_detail, "PAGE_SIZE", 2)
    page = opened(qtbot, desks)
    detail = page.detail
    households = detail.households_tab
    inserted: list[int] = []
    households.model.rowsInserted.connect(lambda _parent, first, last: inserted.append(last - first + 1))
    switch(qtbot, detail, households)
    assert households.summary.text() == "6 households" and households.model.total == 6
    while households.model.rowCount() < 6:  # the view asks for the next page as it scrolls (or has room)
        households.table.scrollToBottom()
        before = len(inserted)
        households.model.fetchMore()
        qtbot.waitUntil(lambda b=before: len(inserted) > b or households.model.rowCount() == 6, timeout=10_000)
    assert inserted and set(inserted) == {2} and households.model.rowCount() == 2 + sum(inserted)
    with desks.township.store.read() as session:
        every = township.village_households(session, desks.township.admin, desks.village.device)
    assert column(households, "number") == [r.number for r in every]
    assert not households.model.canFetchMore()


def buttons_to_press(page: QWidget) -> list[str]:
    return [b.text() for b in page.findChildren(QAbstractButton)
            if b.isVisibleTo(page) and b.isEnabled() and not isinstance(b, QCheckBox) and b.objectName() != "backButton"
            and b.text() not in ("Open",)]  # an attachment is opened to read it


def test_a_case_opens_read_only_on_the_villages_case_page(qtbot: QtBot, desks: Desks) -> None:
    villages = opened(qtbot, desks)
    detail = villages.detail
    cases = detail.cases_tab
    row = column(cases, "summary").index("两家因宅基地界址发生争执")
    rect = cases.table.visualRect(cases.model.index(row, 0))
    qtbot.mouseClick(cases.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(cases.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    page = detail.case_page
    assert isinstance(page, ReadOnlyCasePage) and detail.stack.currentWidget() is page
    assert page.case_id == desks.agreed and page.summary_label.text() == "两家因宅基地界址发生争执"
    assert page.read_only_note.isVisible() and page.read_only_note.text().startswith("Read-only")
    assert page.back_button.text() == "← Back to the village"
    assert page.ctx.actor.username == desks.township.admin.username and not page.ctx.can("cases.mediate")

    # parties, their ID numbers masked
    parties: QTableWidget = page.parties_tab.parties
    assert parties.rowCount() == 2
    names = [parties.item(r, 1).text() for r in range(2)]
    assert all(names)
    ids = [parties.item(r, 4).text() for r in range(2)]
    assert all("********" in i and not FULL_ID.search(i) for i in ids)

    # the draft agreement is shown, and nothing on the page can change it
    qtbot.mouseClick(page.tabs.tabBar(), Qt.MouseButton.LeftButton,
                     pos=page.tabs.tabBar().tabRect(page.tabs.indexOf(page.agreement_tab)).center())
    agreement = page.agreement_tab
    assert agreement.isVisible() and agreement.state_label.text().startswith("Draft of a written agreement")
    assert [t.text for t in agreement.terms.terms()] == ["李某拆除越界围墙", "张某补偿李某损失"]
    assert agreement.facts.toPlainText() == "双方因宅基地界址发生争执。" and agreement.facts.isReadOnly()
    # every field is read-only or disabled (the date and the number of copies)
    assert all(edit.isReadOnly() or not edit.isEnabled() for edit in agreement.findChildren(QLineEdit) if edit.isVisibleTo(agreement))
    assert all(edit.isReadOnly() for edit in agreement.findChildren(QPlainTextEdit))
    ticks = list(agreement.checks.values())
    assert ticks and not any(t.isEnabled() for t in ticks)
    assert not page.buttons and not page.actions_widget.isVisible()
    for tab_index in range(page.tabs.count()):
        page.tabs.setCurrentIndex(tab_index)
        assert buttons_to_press(page) == [], page.tabs.tabText(tab_index)
    assert page.print_agreement() is None

    # Esc goes back to the village's tabs, the cases list as it was
    page.tabs.setFocus()
    qtbot.keyClick(page.tabs, Qt.Key.Key_Escape)
    assert detail.stack.currentWidget() is detail.overview and cases.model.rowCount() == 2


def test_an_escalated_case_shows_the_townships_decision(qtbot: QtBot, desks: Desks) -> None:
    page = opened(qtbot, desks)
    detail = page.detail
    case_page = detail.open_case(desks.escalated)
    assert isinstance(case_page, ReadOnlyCasePage)
    assert case_page.decisions_box.isVisible() and case_page.decisions_box.text().startswith("Accepted by the township")
    assert case_page.ended_label.isVisible() and "transferred" in case_page.ended_label.text()
    assert buttons_to_press(case_page) == []



def test_an_import_while_the_village_is_open_shows_its_new_records(qtbot: QtBot, desks: Desks) -> None:
    page = opened(qtbot, desks)
    detail = page.detail
    cases = detail.cases_tab
    filter_by(qtbot, cases, "两")
    assert cases.model.rowCount() == 2
    open_case(desks.village, "两户邻居因排水沟发生纠纷")
    assert deliver(desks.village, desks.township, bundle_for(desks.village, desks.township)).status == "imported"
    page.ctx.changed.emit(set())  # the Sync page says so after an import
    wait(qtbot, cases)
    assert detail.counts.text().startswith("3 cases · 2 open")
    assert cases.filter_edit.text() == "两" and cases.model.rowCount() == 3  # the same village: the filter stays
    assert column(cases, "summary")[0] == "两户邻居因排水沟发生纠纷"
