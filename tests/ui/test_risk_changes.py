"""Changes between two rounds: choose the rounds, see which households went up and which went down (户号,
head, the level in each round as chips with the word) with how many each way — as the service compares
them; with fewer than two rounds the view says why there is nothing to compare."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app.clock import today
from app.models.users import Role
from app.services import households, risk
from app.services.context import Actor
from app.services.households import HouseholdInput, PersonInput
from app.services.risk import AssessInput
from app.store.engine import Store
from app.ui.risk import RiskPage
from app.ui.risk.changes import AFTER, BEFORE, ChangesModel, ChangesView
from tests.conftest import make_user
from tests.ui import make_ctx

HIGH, MEDIUM, LOW = "#b42318", "#b45309", "#2f855a"


def this_quarter() -> str:
    return f"{today().year}Q{(today().month - 1) // 3 + 1}"


def last_year(quarter: int) -> str:
    return f"{today().year - 1}Q{quarter}"


def three_rounds(store: Store, admin: Actor, village: dict[str, str]) -> None:
    """Last year's Q3 and Q4, then this quarter. 0001: low → high → high; 0002: medium → low → medium;
    0003: low → medium, not rated this quarter."""
    with store.write() as session:
        h3 = households.create_household(session, admin, HouseholdInput("0003", group_id=village["g1"]),
                                         [PersonInput("王五")]).id
        ratings = {
            last_year(3): {village["h1"]: (), village["h2"]: ("serious_debt",), h3: ()},
            last_year(4): {village["h1"]: ("domestic_violence",), village["h2"]: (), h3: ("serious_debt",)},
            this_quarter(): {village["h1"]: ("drug_use",), village["h2"]: ("marriage_crisis",)},
        }
        for quarter, rated in ratings.items():
            rnd = risk.open_round(session, admin, quarter)
            for household_id, factors in rated.items():
                risk.assess(session, admin, rnd.id, AssessInput(household_id, factors))
            risk.close_round(session, admin, rnd.id, "" if len(rated) == 3 else "三户中一户外出务工")


def page_for(qtbot: QtBot, store: Store, actor: Actor) -> RiskPage:
    page = RiskPage(make_ctx(store, actor))
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    return page


def open_changes(qtbot: QtBot, page: RiskPage) -> ChangesView:
    index = list(page.views).index("changes")
    bar = page.tabs.tabBar()
    assert bar.tabText(index) == "Changes between rounds"
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    view = page.tabs.currentWidget()
    assert isinstance(view, ChangesView)
    return view


def pick(qtbot: QtBot, combo: QComboBox, quarter: str) -> None:
    """Choose a round in the list with the keyboard, as a person would."""
    combo.setFocus()
    while combo.currentText() != quarter:
        before = combo.currentIndex()
        qtbot.keyClick(combo, Qt.Key.Key_Down if combo.findText(quarter) > before else Qt.Key.Key_Up)
        assert combo.currentIndex() != before, quarter


def rows(model: ChangesModel) -> list[tuple[str, ...]]:
    return [tuple(model.text(r, c) for c in range(4)) for r in range(model.rowCount())]


def test_households_that_went_up_and_down_between_two_rounds(
        qtbot: QtBot, qtmodeltester: ModelTester, store: Store, admin: Actor, village: dict[str, str]) -> None:
    three_rounds(store, admin, village)
    view = open_changes(qtbot, page_for(qtbot, store, admin))
    # by default the round before the latest, to the latest
    assert (view.from_combo.currentText(), view.to_combo.currentText()) == (last_year(4), this_quarter())
    assert [view.from_combo.itemText(i) for i in range(view.from_combo.count())] == [
        this_quarter(), last_year(4), last_year(3)]
    assert view.up_box.title() == "Went up (1)" and view.down_box.title() == "Went down (0)"
    assert rows(view.up_model) == [("0002", "𠮷䶮", "Low", "Medium")]
    assert rows(view.down_model) == []  # 0001 stayed high; 0003 was not rated this quarter
    assert view.summary.text() == f"From {last_year(4)} to {this_quarter()}: 1 went up, 0 went down."

    pick(qtbot, view.from_combo, last_year(3))
    pick(qtbot, view.to_combo, last_year(4))
    qtmodeltester.check(view.up_model)
    with store.read() as session:
        expected = risk.changes_between(session, admin, last_year(3), last_year(4))
    assert expected == [("0001", "张三", "low", "high"), ("0002", "𠮷䶮", "medium", "low"),
                        ("0003", "王五", "low", "medium")]
    assert rows(view.up_model) == [("0001", "张三", "Low", "High"), ("0003", "王五", "Low", "Medium")]
    assert rows(view.down_model) == [("0002", "𠮷䶮", "Medium", "Low")]
    assert view.up_box.title() == "Went up (2)" and view.down_box.title() == "Went down (1)"
    assert view.summary.text() == f"From {last_year(3)} to {last_year(4)}: 2 went up, 1 went down."
    assert view.up_model.chips(view.up_model.index(0, BEFORE)) == [("Low", LOW)]
    assert view.up_model.chips(view.up_model.index(0, AFTER)) == [("High", HIGH)]
    assert view.down_model.chips(view.down_model.index(0, AFTER)) == [("Low", LOW)]
    assert view.up_model.headerData(BEFORE, Qt.Orientation.Horizontal) == f"Level in {last_year(3)}"
    assert view.up_model.headerData(AFTER, Qt.Orientation.Horizontal) == f"Level in {last_year(4)}"

    # The same round twice compares nothing.
    pick(qtbot, view.to_combo, last_year(3))
    assert view.message.isVisible() and view.message.text() == "Choose two different rounds."
    assert not view.tables.isVisible() and view.up_model.rowCount() == 0


def test_fewer_than_two_rounds_say_why_nothing_is_compared(qtbot: QtBot, store: Store, admin: Actor,
                                                          village: dict[str, str]) -> None:
    viewer = make_user(store, admin, "viewer", Role.VIEWER)  # every role may read the changes
    page = page_for(qtbot, store, viewer)
    view = open_changes(qtbot, page)
    assert view.message.text() == "No risk round yet." and not view.from_combo.isEnabled()
    with store.write() as session:
        rnd = risk.open_round(session, admin, this_quarter())
        risk.assess(session, admin, rnd.id, AssessInput(village["h1"], ()))
    page.refresh()
    assert view.message.text() == "Changes need two risk rounds; there is only one so far."
    assert not view.tables.isVisible()
