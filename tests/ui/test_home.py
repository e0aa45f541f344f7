"""The home page's "today": counters and the items that open their case, read on the worker pool."""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QMessageBox
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
from app.ui.home.items import OPEN, WHAT, WHEN
from tests.ui import make_ctx


def _loaded(qtbot: QtBot, page: HomePage) -> None:
    """Wait until the page's reads (on the worker pool) have come back and been drawn."""
    qtbot.waitUntil(lambda: not page.loading and page.today is not None, timeout=10_000)


def _cell(page: HomePage, row: int, column: int) -> str:
    """The text the list shows in a cell (what the view reads from the page's model)."""
    model = page.table.model()
    assert model is page.model
    return str(model.index(row, column).data())


def _click_open(qtbot: QtBot, page: HomePage, row: int) -> None:
    """Click the Open button painted in a row (the view has no widget there: the click is on the viewport)."""
    index = page.model.index(row, OPEN)
    page.table.scrollTo(index)
    assert _cell(page, row, OPEN) == "Open"
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=page.table.visualRect(index).center())


def _double_click(qtbot: QtBot, page: HomePage, row: int) -> None:
    index = page.model.index(row, WHEN)
    page.table.scrollTo(index)
    pos = page.table.visualRect(index).center()
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=pos)  # a double-click's first click
    qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def _enter_on(qtbot: QtBot, page: HomePage, row: int) -> None:
    """Choose a row with the keyboard (from the first row, Down) and press Enter."""
    page.table.setFocus()
    page.table.setCurrentIndex(page.model.index(0, 0))
    for _ in range(row):
        qtbot.keyClick(page.table, Qt.Key.Key_Down)
    assert page.table.currentIndex().row() == row
    assert [i.row() for i in page.table.selectionModel().selectedRows()] == [row]
    qtbot.keyClick(page.table, Qt.Key.Key_Return)


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
    assert page.model.rowCount() == 4 and page.model.items == page.shown
    assert _cell(page, 0, WHEN) == at.strftime("%H:%M")
    assert _cell(page, 1, WHEN) == "3 days overdue"
    assert _cell(page, 1, WHAT) == "Overdue"
    assert page.model.chips(page.model.index(1, WHAT)) == [("Overdue", home_page.KINDS["overdue"][1])]

    # pressing a card shows only its items
    qtbot.mouseClick(page.cards["overdue"], Qt.MouseButton.LeftButton)
    assert [item.case_id for item in page.shown] == [overdue]
    assert page.model.rowCount() == 1 and _cell(page, 0, WHEN) == "3 days overdue"
    assert page.filter_label.isVisible()

    # the row's Open button, a double-click on the row, Enter on the row: each opens the case, once
    opened: list[str] = []
    page.open_case_requested.connect(opened.append)
    _click_open(qtbot, page, 0)
    assert opened == [overdue]
    _double_click(qtbot, page, 0)
    assert opened == [overdue, overdue]
    _enter_on(qtbot, page, 0)
    assert opened == [overdue, overdue, overdue]
    page.open_case_requested.disconnect(opened.append)

    # once the visit is recorded it is no longer due; the page follows the change
    ctx = page.ctx
    with store.write() as session:
        case_flow.record_follow_up(session, admin, agreed, FollowUpInput(today(), "王丽", "fully", "satisfied"))
    ctx.changed.emit({"dispute_case"})
    _loaded(qtbot, page)
    assert page.cards["follow_up"].number.text() == "0"

    # a language change relabels at once, keeping the figures while they are read again
    ctx.retranslate.emit()
    assert page.cards["overdue"].number.text() == "1" and _cell(page, 0, WHAT) == "Overdue"
    _loaded(qtbot, page)
    assert page.cards["overdue"].number.text() == "1"

    # pressing the card again shows everything; the case chosen stays chosen
    qtbot.mouseClick(page.cards["overdue"], Qt.MouseButton.LeftButton)
    assert not page.filter_label.isVisible()
    assert page.model.rowCount() == 3 and page.table.currentIndex().row() == 1 and _cell(page, 1, WHAT) == "Overdue"


def test_an_empty_day_says_so(qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    page = HomePage(make_ctx(store, admin))
    qtbot.addWidget(page)
    _loaded(qtbot, page)
    assert page.shown == [] and page.model.rowCount() == 0
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
    assert _cell(page, 2, WHAT) == "Not assessed"
    assert _cell(page, 2, 4) == "𠮷䶮"

    # the visit due: the household's risk history (the row's Open button)
    with qtbot.waitSignal(page.open_record_requested) as signal:
        _click_open(qtbot, page, 0)
    assert signal.args == [RISK_HOUSEHOLD, village["h1"]]
    risk_page = win.page("risk")
    assert win.current_key() == "risk" and risk_page.current_key() == "history"  # type: ignore[union-attr]
    history = risk_page.history  # type: ignore[union-attr]
    assert history.data is not None and history.data.hit.id == village["h1"]

    # not yet assessed: the rating form on that household (a double-click on the row)
    win.select_section("home")
    _double_click(qtbot, page, 2)
    assert win.current_key() == "risk" and risk_page.current_key() == "assess"  # type: ignore[union-attr]
    assess = risk_page.assess  # type: ignore[union-attr]
    assert assess.state is not None and assess.state.hit.id == village["h2"]

    # awaiting review: the review queue with the entry chosen (Enter on the row)
    win.select_section("home")
    _enter_on(qtbot, page, 1)
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
    assert page.list_stack.currentIndex() == 0 and page.model.rowCount() == 1


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
    assert len(page.shown) == 2 and page.model.rowCount() == 2


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


def _risk_desk(store: Store, admin: Actor, village: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Some of every kind: cases overdue and planned today, a risk visit due, a household not assessed (𠮷䶮's),
    an entry awaiting review."""
    from app.services import points, risk
    from app.services.points import EntryInput
    from app.services.risk import AssessInput
    from tests.conftest import make_user

    mediator = make_user(store, admin, "mediator", "mediator")
    for days, summary in ((33, "排水沟纠纷"), (40, "宅基地纠纷"), (0, "院墙纠纷")):
        case_id = _case(store, admin, village, today() - dt.timedelta(days=days), summary)
        if not days:
            with store.write() as session:
                case_flow.record_session(session, admin, case_id,
                                         SessionInput(dt.datetime.now(LOCAL_TZ).replace(second=0, microsecond=0),
                                                      place="村调解室", planned=True))
    with store.write() as session:
        rnd = risk.open_round(session, admin, f"{today().year}Q{(today().month - 1) // 3 + 1}")
        monkeypatch.setattr(risk, "utcnow", lambda: utcnow() - dt.timedelta(days=40))
        risk.assess(session, admin, rnd.id, AssessInput(village["h1"], ("domestic_violence",)))
        monkeypatch.undo()
        points.add_entry(session, mediator, EntryInput(village["h1"], today(), "B01"))


def test_the_list_is_a_model_of_the_services_items(qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The view's rows are the service's items, in the order of the cards, each cell showing the item's words;
    the kind is a chip in its colour; a row chosen with the keyboard opens with Enter."""
    from app.i18n import _
    from app.services.today import ITEM_WORDS, gather_today

    _risk_desk(store, admin, village, monkeypatch)
    with store.read() as session:
        found = gather_today(session, admin)
    expected = sorted(found.items, key=lambda i: home_page.ORDER.index(i.kind))
    assert {i.kind for i in expected} == {"session", "overdue", "risk_visit", "points_review", "not_assessed"}

    page = HomePage(make_ctx(store, admin))
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    _loaded(qtbot, page)
    model = page.table.model()
    assert model is page.model and page.list_stack.currentIndex() == 0
    assert model.rowCount() == len(expected) == len(page.shown) and model.columnCount() == 7
    shown = [[_cell(page, row, column) for column in range(model.columnCount())] for row in range(model.rowCount())]
    assert shown == [[i.when, _(ITEM_WORDS[i.kind]), i.number, i.category, i.parties, i.summary, "Open"] for i in expected]
    assert [page.model.chips(model.index(row, WHAT)) for row in range(model.rowCount())] == [
        [(_(ITEM_WORDS[i.kind]), home_page.KINDS[i.kind][1])] for i in expected]
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(7)] == [
        "When", "What", "Number", "Type", "Parties or head of household", "Details", ""]
    # no widget per row: the rows are painted (the Open buttons too)
    assert page.table.indexWidget(model.index(0, OPEN)) is None

    # the keyboard: Enter on each row opens that row's record
    opened: list[tuple[str, str]] = []
    page.open_case_requested.connect(lambda case_id: opened.append(("case", case_id)))
    page.open_record_requested.connect(lambda record, record_id: opened.append((record, record_id)))
    for row in range(model.rowCount()):
        _enter_on(qtbot, page, row)
    assert opened == [(i.record, i.record_id) for i in expected]

    # a new read replaces the rows (one model reset, the row chosen kept chosen)
    chosen = expected[-1]
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    _case(store, admin, village, today() - dt.timedelta(days=50), "赡养纠纷")
    page.ctx.changed.emit({"dispute_case"})
    _loaded(qtbot, page)
    assert resets == [1] and model.rowCount() == len(expected) + 1
    assert page.model.item(page.table.currentIndex().row()) == chosen


def test_rows_fit_rare_characters_and_the_large_font(qtbot: QtBot, qapp: Any, store: Store, admin: Actor,
                                                     village: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """One row height for all rows, from the font: tall enough for the rare-character font (𠮷䶮) and the
    chips, at 12 pt and at 15 pt, and again after the font size changes while the page is open."""
    from PySide6.QtGui import QFont, QFontMetrics

    from app.ui.qt_setup import apply_font_size

    _risk_desk(store, admin, village, monkeypatch)
    kept = QFont(qapp.font())
    try:
        apply_font_size(qapp, "large")
        page = HomePage(make_ctx(store, admin))
        qtbot.addWidget(page)
        page.resize(1280, 800)
        page.show()
        _loaded(qtbot, page)

        def fits() -> int:
            font = page.table.font()
            each = [QFont(font) for _family in font.families()]
            for one, family in zip(each, font.families(), strict=True):
                one.setFamilies([family])
            tallest = max(QFontMetrics(one).height() for one in each)
            assert len(each) == 2  # the bundled UI font and the rare-character font
            rows = range(page.model.rowCount())
            heights = {page.table.rowHeight(row) for row in rows}
            assert len(heights) == 1  # one height, not measured row by row
            height = heights.pop()
            assert all(page.table.sizeHintForRow(row) <= height for row in rows)  # what each row's cells ask for
            assert height >= tallest + 8
            return height

        assert page.table.font().pointSize() == 15
        assert any("𠮷" in i.parties for i in page.shown)
        large = fits()
        apply_font_size(qapp, "normal")
        page.ctx.retranslate.emit()  # as Settings does after choosing the size
        qtbot.waitUntil(lambda: page.table.font().pointSize() == 12 and page.table.rowHeight(0) < large, timeout=5_000)
        fits()
        assert page.table.horizontalHeader().font() == page.table.font()
    finally:
        qapp.setFont(kept)
