"""Township mode through the window: the township's own sections; the villages table filling in after an
import, and the drill-down into a village (the rest of it in test_township_village_detail.py); the inbox of
escalated cases — accept, then record the decision — and that decision shown on the village's case page once
the return bundle is imported there."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.services import case_flow
from app.sync import export, importer
from app.ui.cases.case_page import CasePage
from app.ui.main_window import MainWindow
from app.ui.township.inbox import DecisionDialog, InboxPage
from app.ui.township.villages import VillagesPage
from tests.sync_support import Desk, bundle_for, deliver, open_case, pair, township_desk, village_desk
from tests.ui import click, make_ctx, shown, type_text


@pytest.fixture
def desks(tmp_path: Path) -> Iterator[tuple[Desk, Desk]]:
    village = village_desk(tmp_path / "village", households=6, cases=3, entries=10)
    township = township_desk(tmp_path / "township")
    pair(village, township)
    yield village, township
    village.close()
    township.close()






def escalate(village: Desk, township: Desk) -> str:
    case_id = open_case(village, "两村之间的灌溉水渠纠纷")
    with village.store.write() as session:
        case_flow.transfer(session, village.admin, case_id, "township_center", "涉及两个村，需镇里协调")
    assert deliver(village, township, bundle_for(village, township)).status == "imported"
    return case_id


def test_a_township_desk_shows_the_township_sections(qtbot: QtBot, desks: tuple[Desk, Desk]) -> None:
    _village, township = desks
    win = MainWindow(make_ctx(township.store, township.admin))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    try:
        keys = win.section_keys()
        assert keys[:4] == ["villages", "inbox", "catalogs", "sync"] and keys[-3:] == ["users", "audit", "settings"]
        assert not {"home", "cases", "points", "risk", "roster"} & set(keys)
        assert win.current_key() == "villages" and isinstance(win.page("villages"), VillagesPage)
        assert win.nav.item(1).text() == "Escalated cases"
        assert win.status_sync.text() == "Last import: never · 1 village"
    finally:
        win.idle_lock.stop()


def test_the_villages_table_fills_in_after_an_import_and_drills_into_a_village(qtbot: QtBot, desks: tuple[Desk, Desk]) -> None:
    village, township = desks
    page = shown(qtbot, VillagesPage(make_ctx(township.store, township.admin)))
    assert isinstance(page, VillagesPage)
    model = page.model
    assert model.rowCount() == 1 and model.text(0, "name") == "庄墩村人民调解委员会"
    assert model.text(0, "cases") == "0" and model.text(0, "state") == "Nothing received yet"

    deliver(village, township, bundle_for(village, township))
    page.ctx.changed.emit(set())  # the Sync page says so after an import
    assert model.text(0, "cases") == "3" and model.text(0, "households") == "6"
    assert model.text(0, "last_import") != "never" and model.text(0, "state") == "Receiving"

    index = model.index(0, 0)
    page.table.scrollTo(index)
    rect = page.table.visualRect(index)
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert page.stack.currentWidget() is page.detail
    detail = page.detail
    assert detail.title.text() == "庄墩村人民调解委员会" and detail.counts.text().startswith("3 cases · ")
    cases = detail.cases_tab
    qtbot.waitUntil(lambda: not cases.loading)
    assert cases.model.rowCount() == 3 and cases.summary.text() == "3 cases"
    assert all("调字" in cases.model.text(r, "number") for r in range(3))
    click(qtbot, detail.back_button)
    assert page.stack.currentWidget() is page.list_page
    page.table.setFocus()
    page.table.setCurrentIndex(model.index(0, 1))
    qtbot.keyClick(page.table, Qt.Key.Key_Return)  # Enter opens it too
    assert page.stack.currentWidget() is page.detail


def test_the_inbox_accepts_then_decides_and_the_village_sees_the_decision(qtbot: QtBot, desks: tuple[Desk, Desk],
                                                                          tmp_path: Path) -> None:
    village, township = desks
    case_id = escalate(village, township)
    page = shown(qtbot, InboxPage(make_ctx(township.store, township.admin)))
    assert isinstance(page, InboxPage)
    model = page.model
    assert model.rowCount() == 1 and model.text(0, "state") == "Waiting"
    assert model.text(0, "village") == "庄墩村人民调解委员会" and "需镇里协调" in model.text(0, "reason")
    assert page.counts.text() == "1 waiting · 1 listed"
    assert not page.panel.scroll_area.isVisible()

    page.table.selectRow(0)
    panel = page.panel
    assert panel.row is not None and panel.row.case_id == case_id
    assert panel.facts["summary"].text() == "两村之间的灌溉水渠纠纷" and panel.facts["reason"].text() == "涉及两个村，需镇里协调"
    assert panel.accept_button.isVisible() and not panel.decisions.isVisible()

    click(qtbot, panel.accept_button)
    dialog = page.dialog
    assert isinstance(dialog, DecisionDialog) and dialog.save_button.isEnabled()  # a note is optional when accepting
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert model.text(0, "state") == "Accepted, in hand" and page.panel.row is not None
    assert not panel.accept_button.isVisible() and panel.decide_button.isVisible()
    assert panel.decisions.isVisible() and panel.decisions.text().startswith("Accepted by the township")

    click(qtbot, panel.decide_button)
    deciding = page.dialog
    assert isinstance(deciding, DecisionDialog) and deciding is not dialog
    assert not deciding.save_button.isEnabled() and deciding.missing_label.text() == "Missing: Decision"
    type_text(qtbot, deciding.text, "由镇司法所牵头，两村共同调解，已达成协议。")
    click(qtbot, deciding.save_button)
    qtbot.waitUntil(lambda: not deciding.isVisible())
    assert model.text(0, "state") == "Decided"
    assert not panel.decide_button.isVisible() and not panel.return_button.isVisible() and panel.done_label.isVisible()
    assert "由镇司法所牵头" in panel.decisions.text()

    # the return bundle carries both steps back; the village's case page shows them
    usb = tmp_path / "usb"
    usb.mkdir()
    with township.store.write() as session:
        [(_built, path)] = export.export_to_folder(session, township.admin, township.data_dir, usb)
    assert importer.import_path(village.store, village.data_dir, path, actor=village.admin).status == "imported"
    case_page = shown(qtbot, CasePage(make_ctx(village.store, village.admin)))
    assert isinstance(case_page, CasePage)
    case_page.load(case_id)
    box = case_page.decisions_box
    assert box.isVisible() and box.title() == "Township center's decisions"
    lines = box.text().splitlines()
    assert len(lines) == 2 and lines[0].startswith("Accepted by the township") and "赵文" in lines[0]
    assert lines[1].startswith("Township decision") and lines[1].endswith("由镇司法所牵头，两村共同调解，已达成协议。")


def test_a_case_without_decisions_shows_no_decisions_box(qtbot: QtBot, desks: tuple[Desk, Desk]) -> None:
    village, _township = desks
    case_id = open_case(village)
    page = shown(qtbot, CasePage(make_ctx(village.store, village.admin)))
    assert isinstance(page, CasePage)
    page.load(case_id)
    assert not page.decisions_box.isVisible() and page.decisions_box.text() == ""
