"""The home page's "today": counters and the items that open their case."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from app.clock import LOCAL_TZ, today, utcnow
from app.services import case_flow, cases, households
from app.services.case_flow import AgreementInput, FollowUpInput, SessionInput, Term
from app.services.cases import CaseInput, PartyInput
from app.services.context import Actor
from app.store.engine import Store
from app.ui.home import HomePage
from tests.ui import make_ctx


def _case(store: Store, admin: Actor, village: dict[str, str], received: dt.date, summary: str) -> str:
    with store.read() as session:
        zhang, li = (m.id for m in households.household_detail(session, admin, village["h1"]).members)
    with store.write() as session:
        return cases.register_case(session, admin, CaseInput(received, "party_applied", "neighbours", summary),
                                   [PartyInput("applicant", person_id=zhang), PartyInput("respondent", person_id=li)],
                                   confirm_duplicate=True).id


def test_home_lists_what_is_due_today_and_opens_the_case(qtbot: QtBot, store: Store, admin: Actor,
                                                         village: dict[str, str]) -> None:
    overdue = _case(store, admin, village, today() - dt.timedelta(days=33), "排水沟纠纷")
    planned = _case(store, admin, village, today(), "院墙纠纷")
    agreed = _case(store, admin, village, today() - dt.timedelta(days=60), "借款纠纷")
    at = dt.datetime.now(LOCAL_TZ).replace(second=0, microsecond=0)
    with store.write() as session:
        case_flow.record_session(session, admin, planned, SessionInput(at, place="村调解室", planned=True))
        case_flow.record_session(session, admin, agreed, SessionInput(utcnow() - dt.timedelta(days=30), place="村调解室"))
        case_flow.register_oral_agreement(session, admin, agreed, AgreementInput((Term("归还借款", "8000"),)),
                                          on=today() - dt.timedelta(days=30))  # visit due today, window closes today
    with store.read() as session:
        due = [f for f in case_flow.follow_ups_of(session, agreed) if f.visited_on is None]
    assert due and due[0].due_on <= today()

    page = HomePage(make_ctx(store, admin))
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    counts = {kind: card.number.text() for kind, card in page.cards.items()}
    assert counts == {"session": "1", "follow_up": "1", "confirmation": "1", "overdue": "1", "risk_visit": "0",
                      "not_assessed": "0", "points_review": "0"}
    kinds = [(item.kind, item.case_id) for item in page.shown]
    assert kinds == [("session", planned), ("overdue", overdue), ("confirmation", agreed), ("follow_up", agreed)]
    assert page.table.item(0, 0).text() == at.strftime("%H:%M")  # type: ignore[union-attr]
    assert page.table.item(1, 0).text() == "3 days overdue"  # type: ignore[union-attr]
    assert page.table.item(1, 1).text() == "Overdue"  # type: ignore[union-attr]

    # pressing a card shows only its items
    qtbot.mouseClick(page.cards["overdue"], Qt.MouseButton.LeftButton)
    assert [item.case_id for item in page.shown] == [overdue]
    assert page.filter_label.isVisible()

    button = page.table.cellWidget(0, 6)
    assert isinstance(button, QPushButton) and button.text() == "Open"
    with qtbot.waitSignal(page.open_case_requested) as signal:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert signal.args == [overdue]

    # once the visit is recorded it is no longer due; the page follows the change
    ctx = page.ctx
    with store.write() as session:
        case_flow.record_follow_up(session, admin, agreed, FollowUpInput(today(), "王丽", "fully", "satisfied"))
    ctx.changed.emit({"dispute_case"})
    assert page.cards["follow_up"].number.text() == "0"


def test_an_empty_day_says_so(qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    page = HomePage(make_ctx(store, admin))
    qtbot.addWidget(page)
    assert page.shown == []
    assert page.list_stack.currentIndex() == 1
    assert page.empty.text() == "Nothing is due today: no session planned, no visit due, no deadline passed."
