"""The township's points catalogs through the window, between real desks: the township publishes a catalog read
from a village's Excel export (an empty name, a code twice and a cancel write nothing) and withdraws one after a
confirmation; the return bundle brings the other to a village, whose Rules page lists it, shows its items and
adopts it through the adopt dialog; a desk the township revoked is listed on every village's Sync overview, and
the revoked desk itself says so in red at the top."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app.clock import today
from app.models.users import Role
from app.services import points_catalog, township_notices
from app.services.points_catalog import DEFAULT_ITEMS, ItemInput
from app.sync import identity, importer
from app.ui.main_window import MainWindow
from app.ui.points.catalog import AdoptDialog, CatalogView
from app.ui.points.items_table import ReleaseItemsDialog
from app.ui.sync import SyncPage
from app.ui.sync import overview as overview_module
from app.ui.township.catalogs import CatalogsPage, PublishDialog
from tests.conftest import make_user
from tests.sync_support import Desk, bundle_for, deliver, pair, township_desk, village_desk
from tests.ui import answer, click, make_ctx, shown, type_text

ITEMS = [
    ItemInput("T01", "移风易俗", "婚事新办、丧事简办，不收高价彩礼", 10, 20, "year", True),
    ItemInput("T02", "平安建设", "主动排查报告矛盾纠纷线索（每次）", 3, 12, "quarter", False),
    ItemInput("T03", "遵纪守法", "参与赌博、封建迷信活动", -20, None, "year", True),
]


def small_village(path: Path, seed: int) -> Desk:
    return village_desk(path, seed=seed, households=6, cases=0, entries=10)


@pytest.fixture
def township(tmp_path: Path) -> Iterator[Desk]:
    desk = township_desk(tmp_path / "township")
    yield desk
    desk.close()


@pytest.fixture
def desks(township: Desk, tmp_path: Path) -> Iterator[tuple[Desk, Desk]]:
    a = small_village(tmp_path / "a", 1)
    pair(a, township)
    yield township, a
    a.close()


@pytest.fixture(autouse=True)
def no_sticks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(overview_module, "find_drives", lambda: [])








def releases(desk: Desk, *, include_withdrawn: bool = True) -> list[tuple[str, bool]]:
    with desk.store.read() as session:
        return [(r.name, r.withdrawn) for r in township_notices.releases(session, desk.admin, include_withdrawn=include_withdrawn)]


def exported_catalog(village: Desk, path: Path) -> list[ItemInput]:
    """The village's catalog as its Excel export, and its items."""
    with village.store.write() as session:
        points_catalog.export_xlsx(session, village.admin, path)
        return [ItemInput(i.code, i.category, i.wording, i.points, i.cap, i.cap_period, i.needs_review)
                for i in points_catalog.items(session)]


def open_publish(qtbot: QtBot, page: CatalogsPage) -> PublishDialog:
    click(qtbot, page.publish_button)
    dialog = page.dialog
    assert isinstance(dialog, PublishDialog) and dialog.isVisible()
    return dialog


def test_the_township_publishes_a_catalog_from_excel_and_withdraws_another(qtbot: QtBot, qtmodeltester: ModelTester,
                                                                            desks: tuple[Desk, Desk], tmp_path: Path) -> None:
    township, a = desks
    workbook = tmp_path / "积分细则.xlsx"
    village_items = exported_catalog(a, workbook)
    page = shown(qtbot, CatalogsPage(make_ctx(township.store, township.admin)))
    assert isinstance(page, CatalogsPage)
    assert page.empty.isVisible() and not page.table.isVisible()
    assert "next return bundle" in page.hint.text() and page.hint.isVisible()

    # an empty name: said under the field the moment the focus leaves it; Publish says what is missing
    dialog = open_publish(qtbot, page)
    assert dialog.issued_on.date().toPython() == today()
    assert not dialog.save_button.isEnabled() and dialog.missing_label.text() == "Missing: Catalog name, Items"
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    dialog.name.setFocus()
    qtbot.keyClick(dialog.name, Qt.Key.Key_Tab)
    assert dialog.errors.error("name").isVisible() and dialog.errors.error("name").text() == "Catalog name is required."
    dialog.choose_open_path = lambda: workbook
    click(qtbot, dialog.excel_button)
    assert dialog.preview_model.rowCount() == len(village_items) == len(DEFAULT_ITEMS)
    assert dialog.source.text() == f"{len(village_items)} items read from 积分细则.xlsx."
    assert dialog.preview_model.text(0, "code") == village_items[0].code
    assert dialog.preview_model.text(0, "points") == "+5" and dialog.preview_model.text(2, "points") == "-5"
    qtmodeltester.check(dialog.preview_model)
    assert not dialog.save_button.isEnabled() and dialog.missing_label.text() == "Missing: Catalog name"
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # Ctrl+S does nothing either
    assert dialog.isVisible() and releases(township) == []

    # a workbook with a code twice: read, but the service refuses it; its message under Items, nothing written
    doubled = tmp_path / "重复.xlsx"
    wb = load_workbook(workbook)
    ws = wb.active
    assert ws is not None
    ws.append(["A01", "环境卫生", "重复的条目", 2, None, "year", "否"])
    wb.save(doubled)
    dialog.choose_open_path = lambda: doubled
    click(qtbot, dialog.excel_button)
    assert dialog.preview_model.rowCount() == len(village_items) + 1
    type_text(qtbot, dialog.name, "长安镇村规民约积分参考目录（2027年）")
    type_text(qtbot, dialog.note, "经镇党委会研究")
    click(qtbot, dialog.save_button)
    assert dialog.isVisible() and dialog.errors.error("items").text() == "Code used twice: A01."
    assert releases(township) == []

    # a file that is no workbook: said under Items, the items read before stay
    junk = tmp_path / "junk.xlsx"
    junk.write_text("not a workbook")
    dialog.choose_open_path = lambda: junk
    click(qtbot, dialog.excel_button)
    assert "is not an Excel workbook" in dialog.errors.error("items").text()
    assert dialog.preview_model.rowCount() == len(village_items) + 1

    dialog.choose_open_path = lambda: workbook
    click(qtbot, dialog.excel_button)
    assert not dialog.errors.error("items").isVisible() and dialog.save_button.isEnabled()
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert releases(township) == [("长安镇村规民约积分参考目录（2027年）", False)]
    model = page.model
    assert model.rowCount() == 1 and page.table.isVisible() and not page.empty.isVisible()
    assert model.text(0, "state") == "Published" and model.text(0, "issued_by") == "赵文"
    assert model.text(0, "items") == str(len(village_items)) and page.counts.text() == "1 published"
    assert page.items_view.isVisible() and page.items_model.rowCount() == len(village_items)
    assert page.items_model.text(0, "wording") == village_items[0].wording
    assert "经镇党委会研究" in page.items_note.text()
    qtmodeltester.check(model)

    # cancelling writes nothing
    dialog = open_publish(qtbot, page)
    click(qtbot, dialog.model_button)
    type_text(qtbot, dialog.name, "不发布的目录")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert len(releases(township)) == 1

    # the model catalog, published; it becomes the selected, newest row
    dialog = open_publish(qtbot, page)
    click(qtbot, dialog.model_button)
    assert dialog.preview_model.rowCount() == len(DEFAULT_ITEMS) and dialog.source.text().startswith(
        f"{len(DEFAULT_ITEMS)} items of the model catalog")
    type_text(qtbot, dialog.name, "示范目录")
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert model.rowCount() == 2 and page.current() is not None and page.current().name == "示范目录"
    assert page.counts.text() == "2 published"

    # withdraw the first, after a confirmation that names it
    old_row = next(r for r in range(2) if model.text(r, "name") == "长安镇村规民约积分参考目录（2027年）")
    page.table.selectRow(old_row)
    assert page.current() is not None and page.current().name == "长安镇村规民约积分参考目录（2027年）"
    click(qtbot, page.withdraw_button)
    assert page.confirm is not None and "“长安镇村规民约积分参考目录（2027年）”" in page.confirm.text()
    answer(qtbot, "Keep it")
    assert dict(releases(township)) == {"示范目录": False, "长安镇村规民约积分参考目录（2027年）": False}
    click(qtbot, page.withdraw_button)
    answer(qtbot, "Withdraw")
    qtbot.waitUntil(lambda: model.text(old_row, "state") == "Withdrawn")
    assert dict(releases(township)) == {"示范目录": False, "长安镇村规民约积分参考目录（2027年）": True}
    assert page.current() is not None and page.current().withdrawn and not page.withdraw_button.isEnabled()
    assert page.counts.text() == "1 published · 1 withdrawn"
    assert page.items_title.text().startswith("长安镇村规民约积分参考目录（2027年） · withdrawn")


def test_a_clerk_without_the_right_reads_the_catalogs_only(qtbot: QtBot, township: Desk) -> None:
    with township.store.write() as session:
        township_notices.publish_catalog(session, township.admin, "参考目录", today(), ITEMS)
    clerk = make_user(township.store, township.admin, "qian", Role.MEDIATOR)
    page = shown(qtbot, CatalogsPage(make_ctx(township.store, clerk)))
    assert isinstance(page, CatalogsPage)
    assert not page.publish_button.isVisible() and not page.withdraw_button.isVisible()
    assert page.model.rowCount() == 1 and page.items_model.rowCount() == 3
    assert page.publish() is None and page.withdraw() is None


def test_the_township_window_lists_the_catalogs_section(qtbot: QtBot, township: Desk) -> None:
    win = MainWindow(make_ctx(township.store, township.admin))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    try:
        keys = win.section_keys()
        assert keys.index("catalogs") == keys.index("inbox") + 1
        assert win.nav.item(keys.index("catalogs")).text() == "Points catalogs"
        win.select_section("catalogs")
        assert isinstance(win.page("catalogs"), CatalogsPage)
    finally:
        win.idle_lock.stop()


def test_a_village_sees_the_townships_catalog_and_its_assembly_adopts_it(qtbot: QtBot, desks: tuple[Desk, Desk]) -> None:
    township, a = desks
    view = shown(qtbot, CatalogView(make_ctx(a.store, a.admin)))
    assert isinstance(view, CatalogView)
    box = view.township
    assert box.isVisible() and box.empty.isVisible() and box.empty.text() == "No catalog from the township yet."
    assert not box.table.isVisible()

    with township.store.write() as session:
        release = township_notices.publish_catalog(session, township.admin, "长安镇参考目录（2027）", today(), ITEMS,
                                                   note="经镇党委会研究")
        gone = township_notices.publish_catalog(session, township.admin, "旧目录", today(), ITEMS[:1])
        township_notices.withdraw_catalog(session, township.admin, gone.id)
    assert deliver(township, a, bundle_for(township, a)).status == "imported"
    view.refresh()  # the Sync page tells the window after an import
    assert not box.empty.isVisible() and box.table.isVisible()
    assert box.model.rowCount() == 1  # the withdrawn one is not offered
    assert box.model.text(0, "name") == "长安镇参考目录（2027）" and box.model.text(0, "items") == "3"
    assert box.selected() is not None and box.view_button.isEnabled() and box.adopt_button.isVisible()

    click(qtbot, box.view_button)
    items = view.dialog
    assert isinstance(items, ReleaseItemsDialog) and items.isVisible()
    assert items.model.rowCount() == 3 and items.model.text(2, "wording") == "参与赌博、封建迷信活动"
    assert items.note.text() == "经镇党委会研究"
    items.reject()

    click(qtbot, box.adopt_button)
    dialog = view.dialog
    assert isinstance(dialog, AdoptDialog) and dialog.isVisible()
    assert dialog.items == ITEMS and dialog.release_id == release.id
    assert "“长安镇参考目录（2027）”" in dialog.note.toPlainText() and "3 items of the township's catalog" in dialog.items_label.text()
    click(qtbot, dialog.save_button)  # no version name yet: said under the field, nothing written
    assert dialog.isVisible() and dialog.errors.error("name").text()
    with a.store.read() as session:
        active = points_catalog.active_version(session)
        assert active is not None and active.name != "村规民约积分细则（2027年修订）"
    type_text(qtbot, dialog.name, "村规民约积分细则（2027年修订）")
    type_text(qtbot, dialog.adopted_by, "2027年第一次村民代表会议")
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert view.message.kind == "ok"
    with a.store.read() as session:
        active = points_catalog.active_version(session)
        assert active is not None and active.name == "村规民约积分细则（2027年修订）" and "长安镇参考目录（2027）" in active.note
        assert active.origin == a.device
        assert [ItemInput(i.code, i.category, i.wording, i.points, i.cap, i.cap_period, i.needs_review)
                for i in points_catalog.items(session)] == ITEMS
    assert view.title.text() == "村规民约积分细则（2027年修订）" and view.table.rowCount() == 3
    assert view.table.item(0, 0).text() == "T01"


def test_a_mediator_reads_the_townships_catalog_but_does_not_adopt_it(qtbot: QtBot, desks: tuple[Desk, Desk]) -> None:
    township, a = desks
    with township.store.write() as session:
        township_notices.publish_catalog(session, township.admin, "长安镇参考目录（2027）", today(), ITEMS)
    deliver(township, a, bundle_for(township, a))
    mediator = make_user(a.store, a.admin, "liu", Role.MEDIATOR)
    view = shown(qtbot, CatalogView(make_ctx(a.store, mediator)))
    assert isinstance(view, CatalogView)
    box = view.township
    assert box.model.rowCount() == 1 and box.view_button.isVisible() and not box.adopt_button.isVisible()
    assert view.adopt_release() is None


def test_revoked_desks_are_listed_on_the_sync_overview(qtbot: QtBot, desks: tuple[Desk, Desk], tmp_path: Path,
                                                        request: pytest.FixtureRequest) -> None:
    township, a = desks
    b = small_village(tmp_path / "b", 2)
    request.addfinalizer(b.close)
    pair(b, township)
    page = shown(qtbot, SyncPage(make_ctx(a.store, a.admin)))
    assert isinstance(page, SyncPage)
    overview = page.overview
    assert not overview.revoked_box.isVisible() and not overview.own_revoked.isVisible()
    with township.store.write() as session:
        peer = identity.revoke(session, township.admin, b.device, "笔记本电脑遗失")
        b_committee = peer.committee_name
    assert deliver(township, a, bundle_for(township, a)).status == "imported"
    page.ctx.changed.emit(set())  # as after an import on the Sync page
    assert overview.revoked_box.isVisible() and overview.revoked_box.title() == "Desks revoked by the township"
    model = overview.revoked_model
    assert model.rowCount() == 1
    assert model.text(0, "committee") == b_committee and model.text(0, "reason") == "笔记本电脑遗失"
    assert model.text(0, "revoked") == today().strftime("%B %-d, %Y")
    assert not overview.own_revoked.isVisible()  # about another desk: no red line

    # the township shows the same list
    there = shown(qtbot, SyncPage(make_ctx(township.store, township.admin)))
    assert isinstance(there, SyncPage)
    assert there.overview.revoked_box.isVisible() and there.overview.revoked_model.rowCount() == 1
    assert there.overview.revoked_model.text(0, "reason") == "笔记本电脑遗失"

    # the revoked desk itself, once a bundle from the township reaches it, says so in red at the top
    built = bundle_for(township, b)  # (its receipt would be refused at the township: B is revoked there)
    assert importer.import_bytes(b.store, b.data_dir, built.data, actor=b.admin, file_name=built.file_name).status == "imported"
    revoked = shown(qtbot, SyncPage(make_ctx(b.store, b.admin)))
    assert isinstance(revoked, SyncPage)
    line = revoked.overview.own_revoked
    assert line.isVisible() and line.text() == (
        f"This desk's key was revoked by the township on {today().strftime('%B %-d, %Y')} (笔记本电脑遗失). "
        "Bundles from it are refused; set the desk up again with the township.")
    assert "#b42318" in line.styleSheet()
