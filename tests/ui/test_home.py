"""The home page's "today": counters and the items that open their case, read on the worker pool."""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from app.clock import LOCAL_TZ, today, utcnow
from app.services import case_flow, cases, households
from app.services.case_flow import AgreementInput, FollowUpInput, SessionInput, Term
from app.services.cases import CaseInput, PartyInput
from app.services.context import Actor
from app.services.today import Today
from app.store.engine import Store
from app.ui.home import HomePage
from app.ui.home import page as home_page
from tests.ui import make_ctx


def _loaded(qtbot: QtBot, page: HomePage) -> None:
    """Wait until the page's reads (on the worker pool) have come back and been drawn."""
    qtbot.waitUntil(lambda: not page.loading and page.today is not None, timeout=10_000)


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
    _loaded(qtbot, page)
    counts = {kind: card.number.text() for kind, card in page.cards.items()}
    assert counts == {"session": "1", "follow_up": "1", "confirmation": "1", "overdue": "1", "risk_visit": "0",
                      "points_review": "0", "not_assessed": "0"}
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
    _loaded(qtbot, page)
    assert page.cards["follow_up"].number.text() == "0"

    # a language change relabels at once, keeping the figures while they are read again
    ctx.retranslate.emit()
    assert page.cards["overdue"].number.text() == "1" and page.table.item(0, 1).text() == "Overdue"  # type: ignore[union-attr]
    _loaded(qtbot, page)
    assert page.cards["overdue"].number.text() == "1"


def test_an_empty_day_says_so(qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    page = HomePage(make_ctx(store, admin))
    qtbot.addWidget(page)
    _loaded(qtbot, page)
    assert page.shown == []
    assert page.list_stack.currentIndex() == 1
    assert page.empty.text() == "Nothing is due today: no session planned, no visit due, no deadline passed."


def test_risk_and_points_items_open_their_record_in_the_window(qtbot: QtBot, store: Store, admin: Actor,
                                                               village: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A risk visit due, a household not yet assessed, an entry awaiting review: each opens its view."""
    from app.services import points, risk
    from app.services.points import EntryInput
    from app.services.risk import AssessInput
    from app.services.today import ASSESS_HOUSEHOLD, POINTS_ENTRY, RISK_HOUSEHOLD
    from app.ui.main_window import MainWindow
    from tests.conftest import make_user

    mediator = make_user(store, admin, "mediator", "mediator")
    with store.write() as session:
        rnd = risk.open_round(session, admin, f"{today().year}Q{(today().month - 1) // 3 + 1}")
        monkeypatch.setattr(risk, "utcnow", lambda: utcnow() - dt.timedelta(days=40))
        risk.assess(session, admin, rnd.id, AssessInput(village["h1"], ("domestic_violence",)))
        monkeypatch.undo()
        entry = points.add_entry(session, mediator, EntryInput(village["h1"], today(), "B01"))

    win = MainWindow(make_ctx(store, admin))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    page = win.page("home")
    assert isinstance(page, HomePage)
    _loaded(qtbot, page)
    counts = {kind: card.number.text() for kind, card in page.cards.items()}
    assert (counts["risk_visit"], counts["not_assessed"], counts["points_review"]) == ("1", "1", "1")
    assert [(i.kind, i.record, i.record_id) for i in page.shown] == [
        ("risk_visit", RISK_HOUSEHOLD, village["h1"]), ("points_review", POINTS_ENTRY, entry.id),
        ("not_assessed", ASSESS_HOUSEHOLD, village["h2"])]
    assert page.table.item(2, 1).text() == "Not assessed"  # type: ignore[union-attr]
    assert page.table.item(2, 4).text() == "𠮷䶮"  # type: ignore[union-attr]

    # the visit due: the household's risk history
    with qtbot.waitSignal(page.open_record_requested) as signal:
        qtbot.mouseClick(page.table.cellWidget(0, 6), Qt.MouseButton.LeftButton)
    assert signal.args == [RISK_HOUSEHOLD, village["h1"]]
    risk_page = win.page("risk")
    assert win.current_key() == "risk" and risk_page.current_key() == "history"  # type: ignore[union-attr]
    history = risk_page.history  # type: ignore[union-attr]
    assert history.data is not None and history.data.hit.id == village["h1"]

    # not yet assessed: the rating form on that household
    win.select_section("home")
    qtbot.mouseClick(page.table.cellWidget(2, 6), Qt.MouseButton.LeftButton)
    assert win.current_key() == "risk" and risk_page.current_key() == "assess"  # type: ignore[union-attr]
    assess = risk_page.assess  # type: ignore[union-attr]
    assert assess.state is not None and assess.state.hit.id == village["h2"]

    # awaiting review: the review queue with the entry chosen
    win.select_section("home")
    page.open_row(1)  # Enter on the row does the same as the button
    points_page = win.page("points")
    assert win.current_key() == "points" and points_page.current_key() == "review"  # type: ignore[union-attr]
    review = points_page.views["review"]  # type: ignore[union-attr]
    assert review.selected() is not None and review.selected().id == entry.id


def test_the_home_page_says_when_the_last_backup_and_sync_were(qtbot: QtBot, tmp_path: Path) -> None:
    """No backup yet and a township that never answered show in the warning colour; after a backup and a
    delivered bundle the line turns quiet, and its links open Settings and Sync."""
    from app.services import backup
    from app.ui.cases.common import HINT_COLOR, WARNING_COLOR
    from app.ui.main_window import MainWindow
    from tests.sync_support import bundle_for, deliver, pair, township_desk, village_desk

    village = village_desk(tmp_path / "village", households=3, cases=0, entries=0)
    township = township_desk(tmp_path / "township")
    pair(village, township)
    ctx = make_ctx(village.store, village.admin)
    page = HomePage(ctx)
    qtbot.addWidget(page)
    _loaded(qtbot, page)
    text = page.safety_label.text()
    assert "No backup yet" in text and "never synced with the township" in text and WARNING_COLOR in text
    backup.create_backup(village.store, village.data_dir / "backups", actor=None, kind="auto")
    deliver(village, township, bundle_for(village, township))
    page.refresh()
    _loaded(qtbot, page)
    text = page.safety_label.text()
    assert "Last backup:" in text and "last sync with the township:" in text
    assert WARNING_COLOR not in text and HINT_COLOR in text
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    home = window.page("home")
    home.safety_label.linkActivated.emit("sync")
    assert window.section_keys()[window.nav.currentRow()] == "sync"
    village.close()
    township.close()


def _slow(monkeypatch: pytest.MonkeyPatch, seconds: float, *, before: bool = True,
          calls: list[Today] | None = None, read: threading.Event | None = None) -> None:
    """Make the page's read of today's work take `seconds` longer (before or after the real read)."""
    real = home_page.gather_today

    def slow(session: object, actor: Actor, on: dt.date | None = None) -> Today:
        if before:
            time.sleep(seconds)
        found = real(session, actor, on)  # type: ignore[arg-type]
        if calls is not None:
            calls.append(found)
        if read is not None:
            read.set()
        if not before:
            time.sleep(seconds)
        return found

    monkeypatch.setattr(home_page, "gather_today", slow)


def test_refresh_does_not_block_the_window(qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A read that takes half a second: refresh() returns at once, the page shows what it had (or
    "Loading…" the first time) and the window keeps running until the new figures arrive."""
    _slow(monkeypatch, 0.5)
    page = HomePage(make_ctx(store, admin))  # reads on the worker pool: not waited for here
    qtbot.addWidget(page)
    page.show()
    assert page.loading and page.empty.text() == "Loading…" and page.list_stack.currentIndex() == 1
    assert {card.number.text() for card in page.cards.values()} == {"…"}  # not a zero that says "nothing due"
    _loaded(qtbot, page)
    assert page.cards["overdue"].number.text() == "0"
    assert page.empty.text() == "Nothing is due today: no session planned, no visit due, no deadline passed."

    _case(store, admin, village, today() - dt.timedelta(days=33), "排水沟纠纷")
    gate, threads = threading.Event(), []
    real = home_page.gather_today

    def held(session: object, actor: Actor, on: dt.date | None = None) -> Today:
        threads.append(threading.current_thread())
        gate.wait(30)  # released by the test once it has seen the window run meanwhile
        return real(session, actor, on)  # type: ignore[arg-type]

    monkeypatch.setattr(home_page, "gather_today", held)
    ticks: list[int] = []
    timer = QTimer(page)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(20)
    page.refresh()  # returns while the read waits at the gate
    assert page.loading and page.cards["overdue"].number.text() == "0"  # the previous figures meanwhile
    qtbot.waitUntil(lambda: len(ticks) >= 5 and bool(threads), timeout=10_000)  # the event loop runs during the read
    assert not gate.is_set() and page.cards["overdue"].number.text() == "0"
    gate.set()
    qtbot.waitUntil(lambda: page.cards["overdue"].number.text() == "1", timeout=10_000)
    assert threads and all(t is not threading.main_thread() for t in threads)
    assert not page.loading and [item.kind for item in page.shown] == ["overdue"]


def test_quick_refreshes_are_coalesced_and_end_with_the_newest(qtbot: QtBot, store: Store, admin: Actor,
                                                               village: dict[str, str],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Refreshes asked for while a read runs make one more read, after it; what is shown never goes back
    to an older figure."""
    page = HomePage(make_ctx(store, admin))
    qtbot.addWidget(page)
    page.show()
    _loaded(qtbot, page)
    calls: list[Today] = []
    read = threading.Event()
    _slow(monkeypatch, 0.3, before=False, calls=calls, read=read)  # the first read's figures are old when they arrive
    card = page.cards["overdue"]
    seen: list[int] = []
    set_count = card.set_count

    def spy(count: int) -> None:
        seen.append(count)
        set_count(count)

    card.set_count = spy  # type: ignore[method-assign]

    _case(store, admin, village, today() - dt.timedelta(days=33), "排水沟纠纷")
    page.refresh()
    assert read.wait(10)  # the first read has counted one overdue case ...
    _case(store, admin, village, today() - dt.timedelta(days=40), "宅基地纠纷")  # ... before the second was registered
    page.refresh()
    page.refresh()
    page.refresh()
    assert page.loading
    _loaded(qtbot, page)
    assert [found.counts.get("overdue") for found in calls] == [1, 2]  # four refreshes, two reads
    assert seen == [1, 2] and card.number.text() == "2"
    assert len(page.shown) == 2


def test_a_failed_read_shows_the_usual_error(qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    page = HomePage(make_ctx(store, admin))
    qtbot.addWidget(page)
    page.show()
    _loaded(qtbot, page)

    def broken(*args: object, **kwargs: object) -> Today:
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(home_page, "gather_today", broken)
    page.refresh()
    qtbot.waitUntil(lambda: any(box.isVisible() for box in page.findChildren(QMessageBox)), timeout=10_000)
    box = next(box for box in page.findChildren(QMessageBox) if box.isVisible())
    assert box.windowTitle() == "Something went wrong"
    box.close()
    assert not page.loading
    assert {card.number.text() for card in page.cards.values()} == {"0"}
    assert "No backup yet" in page.safety_label.text()  # the backup line is read on its own
