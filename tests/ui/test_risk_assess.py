"""Rating a household through the form as a grid worker does: find it by pinyin initials, tick factors and
watch the suggested level follow, save; another level than the suggestion needs a reason, said in red,
and nothing is saved without it; sensitive factors are not offered to a grid worker; the people to look
after are shown as information, not as risk."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractButton, QLabel
from pytestqt.qtbot import QtBot
from sqlmodel import select

from app.clock import today
from app.models.risk import RiskAssessment
from app.models.users import Role
from app.services import households, risk
from app.services.context import Actor
from app.store.engine import Store
from app.ui.risk import RiskPage
from app.ui.risk.assess import AssessView
from tests.conftest import make_user
from tests.ui import make_ctx, type_text


def this_quarter() -> str:
    return f"{today().year}Q{(today().month - 1) // 3 + 1}"


def open_round(store: Store, admin: Actor) -> str:
    with store.write() as session:
        return risk.open_round(session, admin, this_quarter()).id


def assess_view(qtbot: QtBot, store: Store, actor: Actor) -> tuple[RiskPage, AssessView]:
    page = RiskPage(make_ctx(store, actor))
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    view = page.show_view("assess")
    assert isinstance(view, AssessView)
    return page, view


def click(qtbot: QtBot, button: QAbstractButton) -> None:
    """Click a check box or radio button on its indicator, as a person does."""
    assert button.isVisible() and button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(8, button.height() // 2))


def pick(qtbot: QtBot, view: AssessView, query: str) -> None:
    type_text(qtbot, view.finder.edit, query)
    qtbot.keyClick(view.finder.edit, Qt.Key.Key_Return)


def stored(store: Store, household_id: str) -> list[RiskAssessment]:
    with store.read() as session:
        return list(session.exec(select(RiskAssessment).where(RiskAssessment.household_id == household_id)).all())


def test_a_grid_worker_rates_a_household_and_the_suggestion_follows_the_ticks(
        qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    open_round(store, admin)
    with store.write() as session:  # 李四 is a left-behind child: information for the assessor, never a risk
        detail = households.household_detail(session, admin, village["h1"])
        li = next(m for m in detail.members if m.name == "李四")
        data = households.get_person_input(session, admin, li.id)
        households.update_person(session, admin, li.id, replace(data, care_flags=("left_behind_child",)))
    worker = make_user(store, admin, "grid", Role.GRID_WORKER)
    _page, view = assess_view(qtbot, store, worker)
    pick(qtbot, view, "zs")  # 张三's pinyin initials
    assert view.household_title.text().startswith("0001 · 张三")
    assert "Not rated yet" in view.status_label.text()
    care = [w.text() for w in view.care_box.findChildren(QLabel)]
    assert care == ["Left-behind child · 李四"] and view.care_caption.isVisible()
    assert view.suggested_chip.text() == "Low"

    click(qtbot, view.checks["serious_debt"])  # weight 3
    assert view.suggested_chip.text() == "Medium"
    click(qtbot, view.checks["repeated_petitions"])  # + 4 = 7
    assert view.suggested_chip.text() == "High"
    assert view.level_buttons["high"].isChecked()  # the level given follows the suggestion
    assert view.reason_error.isHidden()
    type_text(qtbot, view.note, "债主多次上门")
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)

    rows = stored(store, village["h1"])
    assert [(r.stage, r.level, r.suggested_level, r.assessed_by) for r in rows] == [(1, "high", "high", "测试用户")]
    assert rows[0].factors == "repeated_petitions,serious_debt" and rows[0].note == "债主多次上门"
    assert "0001" in view.saved_label.text() and view.saved_label.isVisible()
    assert not view.form.isVisible()  # ready for the next household


def test_another_level_without_a_reason_says_so_in_red_and_saves_nothing(
        qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    open_round(store, admin)
    _page, view = assess_view(qtbot, store, admin)
    pick(qtbot, view, "0002")
    assert view.household_title.text().startswith("0002 · 𠮷䶮")
    assert view.suggested_chip.text() == "Low"
    click(qtbot, view.level_buttons["high"])
    message = "Give the reason for choosing High instead of the suggested level (Low)."
    assert view.reason_error.isVisible() and view.reason_error.text() == message
    assert view.missing_label.text() == "Missing: Reason"
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    assert stored(store, village["h2"]) == []
    assert view.reason_error.isVisible() and view.reason_error.text() == message
    click(qtbot, view.checks["serious_debt"])  # the suggestion moves; the chosen level stays
    assert view.suggested_chip.text() == "Medium" and view.level_buttons["high"].isChecked()
    assert "instead of the suggested level (Medium)" in view.reason_error.text()

    type_text(qtbot, view.reason, "长期独居，情绪不稳定")
    assert view.reason_error.isHidden() and view.missing_label.text() == ""
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    rows = stored(store, village["h2"])
    assert [(r.stage, r.level, r.suggested_level, r.reason) for r in rows] == [(1, "high", "medium", "长期独居，情绪不稳定")]

    pick(qtbot, view, "0002")  # rated already: the next level reviews it
    assert "Already rated" in view.status_label.text() and not view.form.isEnabled()


def test_sensitive_factors_are_offered_only_to_roles_that_may_record_them(
        qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    open_round(store, admin)
    worker = make_user(store, admin, "grid", Role.GRID_WORKER)
    _page, mine = assess_view(qtbot, store, worker)
    pick(qtbot, mine, "0001")
    texts = [c.text() for c in mine.checks.values()]
    assert "domestic_violence" not in mine.checks and not any("家庭暴力" in t or "社区矫正" in t for t in texts)
    assert "重大债务纠纷 · weight 3" in texts
    _page2, theirs = assess_view(qtbot, store, admin)
    pick(qtbot, theirs, "0001")
    assert theirs.checks["domestic_violence"].text() == "家庭暴力 · weight 6 (sensitive)"
    click(qtbot, theirs.checks["domestic_violence"])  # one severe factor is enough for high
    assert theirs.suggested_chip.text() == "High"


def test_an_open_case_ticks_the_dispute_factor_for_the_assessor(
        qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    from app.services import cases
    from app.services.cases import CaseInput, PartyInput

    open_round(store, admin)
    with store.write() as session:
        person = households.household_detail(session, admin, village["h2"]).members[0].id
        cases.register_case(session, admin, CaseInput(today(), "party_applied", "debt", "借款纠纷"),
                            [PartyInput("applicant", person_id=person)])
    _page, view = assess_view(qtbot, store, admin)
    view.show_household(village["h2"])
    check = view.checks["open_dispute"]
    assert check.isChecked() and not check.isEnabled() and "open dispute case" in check.toolTip()
    assert view.suggested_chip.text() == "Medium"
