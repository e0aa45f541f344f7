"""The risk factor catalog: the director sees every factor in use (sensitive ones too) and the rule that
makes the suggested level, adds a factor and changes one — the service's refusal under the field it
names — and a factor taken out of use leaves the list. Other roles have no catalog tab."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app.models.users import Role
from app.services import risk
from app.services.context import Actor
from app.store.engine import Store
from app.ui.risk import RiskPage
from app.ui.risk.factors import ACTIVE, CODE, NAME, SENSITIVE, WEIGHT, FactorDialog, FactorsView
from tests.conftest import make_user
from tests.ui import make_ctx, type_text


def page_for(qtbot: QtBot, store: Store, actor: Actor) -> RiskPage:
    page = RiskPage(make_ctx(store, actor))
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    return page


def open_catalog(qtbot: QtBot, page: RiskPage) -> FactorsView:
    index = list(page.views).index("factors")
    bar = page.tabs.tabBar()
    assert bar.tabText(index) == "Risk factors"
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    view = page.tabs.currentWidget()
    assert isinstance(view, FactorsView)
    return view


def codes(view: FactorsView) -> list[str]:
    return [view.model.text(r, CODE) for r in range(view.model.rowCount())]


def click_factor(qtbot: QtBot, view: FactorsView, code: str) -> None:
    row = codes(view).index(code)
    rect = view.table.visualRect(view.model.index(row, NAME))
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def stored(store: Store, admin: Actor) -> dict[str, tuple[str, int, bool, bool]]:
    with store.read() as session:
        return {f.code: (f.name, f.weight, f.sensitive, f.active) for f in risk.factors(session, admin)}


def test_the_director_reads_the_catalog_and_the_rule(qtbot: QtBot, qtmodeltester: ModelTester, store: Store,
                                                    admin: Actor) -> None:
    view = open_catalog(qtbot, page_for(qtbot, store, admin))
    qtmodeltester.check(view.model)
    assert codes(view) == [code for code, *_rest in risk.DEFAULT_FACTORS]  # sensitive ones too, for the director
    row = codes(view).index("domestic_violence")
    assert [view.model.text(row, c) for c in range(5)] == ["domestic_violence", "家庭暴力", "6", "Yes", "Yes"]
    assert view.model.index(row, WEIGHT).data(Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    assert view.model.text(codes(view).index("serious_debt"), SENSITIVE) == "No"
    assert [view.model.headerData(c, Qt.Orientation.Horizontal) for c in range(5)] == [
        "Code", "Factor name", "Weight", "Sensitive", "In use"]

    assert view.rule_box.title() == "How the suggested level is worked out"
    assert [(view.rule_chips[lv].text(), view.rule_texts[lv].text()) for lv in ("high", "medium", "low")] == [
        ("High", "the sum is 6 or more, or any one factor weighs 6 or more"),
        ("Medium", "the sum is 3 or more"),
        ("Low", "otherwise")]
    assert view.rule_chips["high"].property("chipColor") == "#b42318"
    assert not view.hidden_note.isVisible()


def test_the_director_adds_and_changes_a_factor(qtbot: QtBot, store: Store, admin: Actor) -> None:
    view = open_catalog(qtbot, page_for(qtbot, store, admin))
    assert not view.edit_button.isEnabled()  # nothing chosen yet

    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    dialog = view.dialog
    assert isinstance(dialog, FactorDialog)
    qtbot.waitExposed(dialog)
    assert dialog.missing_label.text() == "Missing: Code, Factor name"
    type_text(qtbot, dialog.code, "serious_debt")  # a code already in the list
    type_text(qtbot, dialog.name, "重大债务")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.errors.error("code").text() == (
        "There is already a factor with the code serious_debt: choose it in the list to change it.")
    assert stored(store, admin)["serious_debt"] == ("重大债务纠纷", 3, False, True)  # not overwritten

    dialog.code.selectAll()
    type_text(qtbot, dialog.code, "illegal_building")
    dialog.name.selectAll()
    type_text(qtbot, dialog.name, "违章建筑纠纷")
    dialog.weight.selectAll()
    type_text(qtbot, dialog.weight, "4")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert stored(store, admin)["illegal_building"] == ("违章建筑纠纷", 4, False, True)
    assert codes(view)[-1] == "illegal_building" and view.current_code() == "illegal_building"

    # Change it: a double-click opens it; the code stays; the name is required.
    rect = view.table.visualRect(view.model.index(codes(view).index("illegal_building"), NAME))
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # a double-click's first press
    qtbot.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    edit = view.dialog
    assert isinstance(edit, FactorDialog) and edit is not dialog
    assert edit.code.isReadOnly() and edit.code.text() == "illegal_building"
    edit.name.clear()
    assert edit.missing_label.text() == "Missing: Factor name" and not edit.save_button.isEnabled()
    type_text(qtbot, edit.name, "违章建筑引发纠纷")
    edit.weight.selectAll()
    type_text(qtbot, edit.weight, "6")
    qtbot.mouseClick(edit.sensitive, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(edit.save_button, Qt.MouseButton.LeftButton)
    assert stored(store, admin)["illegal_building"] == ("违章建筑引发纠纷", 6, True, True)
    row = codes(view).index("illegal_building")
    assert [view.model.text(row, c) for c in (NAME, WEIGHT, SENSITIVE)] == ["违章建筑引发纠纷", "6", "Yes"]

    # Out of use: it leaves the rating form but stays in the catalog, marked as not in use, to be used again.
    click_factor(qtbot, view, "land_dispute")
    qtbot.mouseClick(view.edit_button, Qt.MouseButton.LeftButton)
    retire = view.dialog
    assert isinstance(retire, FactorDialog)
    qtbot.mouseClick(retire.active, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(retire.save_button, Qt.MouseButton.LeftButton)
    assert "land_dispute" not in stored(store, admin)
    row = codes(view).index("land_dispute")
    assert view.model.text(row, ACTIVE) == "No"


def test_only_the_director_has_the_catalog(qtbot: QtBot, store: Store, admin: Actor) -> None:
    for role in (Role.MEDIATOR, Role.GRID_WORKER, Role.VIEWER):
        page = page_for(qtbot, store, make_user(store, admin, f"u_{role.value}", role))
        assert "factors" not in page.views
        assert "Risk factors" not in [page.tabs.tabText(i) for i in range(page.tabs.count())]
        assert page.factors.add() is None
