"""The board: counts by level for each villager group (chips with the word) and the round's progress, the
visits overdue, the households proposed for re-assessment; sensitive factors hidden from a grid worker;
opening a round, and closing one with households left only with a reason. The table models pass Qt's
model tester."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlmodel import select

from app.clock import today, utcnow
from app.models.risk import RiskAssessment, RiskRound
from app.models.users import Role
from app.services import cases, households, risk
from app.services.cases import CaseInput, PartyInput
from app.services.context import Actor
from app.services.risk import AssessInput
from app.store.engine import Store
from app.ui.risk import RiskPage
from app.ui.risk.board import BoardView, CloseRoundDialog, OpenRoundDialog
from app.ui.risk.models import HIGH, HOUSEHOLDS, LOW, MEDIUM, NOT_ASSESSED, HouseholdRiskModel, TextTableModel
from tests.conftest import make_user
from tests.ui import make_ctx, type_text, use_fake_chinese


def this_quarter() -> str:
    return f"{today().year}Q{(today().month - 1) // 3 + 1}"


def board(qtbot: QtBot, store: Store, actor: Actor) -> BoardView:
    page = RiskPage(make_ctx(store, actor))
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    assert page.current_key() == "board"
    return page.board


def all_texts(model: HouseholdRiskModel) -> str:
    return " ".join(str(model.index(r, c).data()) for r in range(model.rowCount()) for c in range(model.columnCount()))


def rate(store: Store, admin: Actor, village: dict[str, str]) -> str:
    """0001 (一组) high for a sensitive and an ordinary factor, rated 40 days ago (its visit is overdue);
    0002 (二组) low, then a dispute case of 0002 proposes its re-assessment."""
    with store.write() as session:
        rnd = risk.open_round(session, admin, this_quarter())
        first = risk.assess(session, admin, rnd.id, AssessInput(village["h1"], ("domestic_violence", "serious_debt")))
        first.assessed_at = utcnow() - dt.timedelta(days=40)
        risk.assign_cadre(session, admin, village["h1"], "王丽", "每月上门走访")
        second = risk.assess(session, admin, rnd.id, AssessInput(village["h2"], ()))
        second.assessed_at = utcnow() - dt.timedelta(days=1)
        person = households.household_detail(session, admin, village["h2"]).members[0].id
        cases.register_case(session, admin, CaseInput(today(), "party_applied", "debt", "借款纠纷"),
                            [PartyInput("applicant", person_id=person)])
        return rnd.id


def test_the_board_counts_each_group_by_level_and_stage(
        qtbot: QtBot, qtmodeltester: ModelTester, store: Store, admin: Actor, village: dict[str, str]) -> None:
    rate(store, admin, village)
    view = board(qtbot, store, admin)
    model = view.groups_model
    qtmodeltester.check(model)
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == ["一组", "二组", "Whole village"]
    one, two, total = 0, 1, 2
    assert model.index(one, HIGH).data() == "High 1" and model.chips(model.index(one, HIGH)) == [("High 1", "#b42318")]
    assert model.index(two, LOW).data() == "Low 1" and model.chips(model.index(two, LOW))[0][1] == "#2f855a"
    assert model.index(one, MEDIUM).data() == "0" and model.chips(model.index(one, MEDIUM)) == []
    assert model.index(total, HOUSEHOLDS).data() == "2" and model.index(total, HIGH).data() == "High 1"
    assert model.index(total, 6).data() == "2" and model.index(total, NOT_ASSESSED).data() == "0"  # both at group level
    assert model.index(one, HOUSEHOLDS).data(Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    assert view.round_title.text() == f"Risk round {this_quarter()}" and view.round_state.text() == "In progress"
    assert "2 households · 0 not assessed yet" in view.round_summary.text()

    qtmodeltester.check(view.overdue_model)
    assert [r.number for r in view.overdue_model.rows()] == ["0001"] and view.overdue_box.title() == "Visits overdue (1)"
    due = view.overdue_model.index(0, view.overdue_model.column("due"))
    assert "days overdue" in due.data() and due.data(Qt.ItemDataRole.ForegroundRole) is not None
    qtmodeltester.check(view.proposals_model)
    assert [r.number for r in view.proposals_model.rows()] == ["0002"]


def test_a_grid_worker_never_sees_a_sensitive_factor_on_the_board_or_in_the_history(
        qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    rate(store, admin, village)
    worker = make_user(store, admin, "grid", Role.GRID_WORKER)
    view = board(qtbot, store, worker)
    shown = all_texts(view.overdue_model)
    assert "家庭暴力" not in shown and "Sensitive (hidden)" in shown and "重大债务纠纷" in shown
    assert not view.open_button.isVisible() and not view.close_button.isVisible()  # rounds are the committee's
    page = view.window()
    assert isinstance(page, RiskPage)
    assert "review" not in page.views  # a grid worker rates, the committee reviews
    page.show_history(village["h1"])
    model = page.history.quarters_model
    texts = " ".join(model.text(r, c) for r in range(model.rowCount()) for c in range(model.columnCount()))
    assert "家庭暴力" not in texts + page.history.facts["factors"].text()
    assert "Sensitive (hidden)" in page.history.facts["factors"].text()
    admin_view = board(qtbot, store, admin)
    assert "家庭暴力" in all_texts(admin_view.overdue_model)


def test_a_round_opens_and_closes_only_with_a_reason_when_households_are_left(
        qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    mediator = make_user(store, admin, "med", Role.MEDIATOR)
    view = board(qtbot, store, mediator)
    assert view.groups_stack.currentIndex() == 1 and "No risk round yet" in view.groups_empty.text()
    assert not view.close_button.isEnabled()
    qtbot.mouseClick(view.open_button, Qt.MouseButton.LeftButton)
    dialog = view.dialog
    assert isinstance(dialog, OpenRoundDialog) and dialog.quarter.text() == this_quarter()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert view.round_state.text() == "In progress" and view.groups_stack.currentIndex() == 0
    assert view.close_button.isEnabled() and not view.open_button.isEnabled()

    qtbot.mouseClick(view.close_button, Qt.MouseButton.LeftButton)
    closing = view.dialog
    assert isinstance(closing, CloseRoundDialog)
    assert any("2 households of" in label.text() for label in closing.findChildren(QLabel))  # the intro says how many
    assert not closing.save_button.isEnabled() and closing.missing_label.text() == "Missing: Reason"
    type_text(qtbot, closing.reason, "二组外出务工，下季补评")
    assert closing.save_button.isEnabled()
    qtbot.mouseClick(closing.save_button, Qt.MouseButton.LeftButton)
    with store.read() as session:
        rnd = session.exec(select(RiskRound)).one()
    assert rnd.closed_on == today() and rnd.close_reason == "二组外出务工，下季补评"
    assert view.round_state.text().startswith("Round closed on") and view.open_button.isEnabled()


def test_the_household_and_text_models_pass_the_model_tester(
        qtbot: QtBot, qtmodeltester: ModelTester, store: Store, admin: Actor, village: dict[str, str]) -> None:
    round_id = rate(store, admin, village)
    with store.read() as session:
        rows = risk.households_in_round(session, admin, round_id)
    model = HouseholdRiskModel(("number", "head", "group", "level", "suggested", "stage", "factors", "reason", "cadre", "due"))
    model.set_rows(rows)
    qtmodeltester.check(model)
    assert model.chips(model.index(0, 3)) == [("High", "#b42318")] and model.index(1, 3).data() == "Low"
    assert model.index(0, 5).data() == "Villager group" and model.index(0, 8).data() == "王丽"
    texts = TextTableModel(("Quarter", "Risk level"), right=(0,))
    texts.set_rows([["2026Q4", "High"], ["2026Q3"]], {(0, 1): [("High", "#b42318")]})
    qtmodeltester.check(texts)
    assert texts.index(1, 1).data() == "" and texts.chips(texts.index(0, 1)) == [("High", "#b42318")]
    with store.read() as session:
        assert len(session.exec(select(RiskAssessment)).all()) == 2


def test_every_view_relabels_and_reloads_after_a_language_switch_and_f5(
        qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, store: Store, admin: Actor, village: dict[str, str]) -> None:
    rate(store, admin, village)
    view = board(qtbot, store, admin)
    page = view.window()
    assert isinstance(page, RiskPage)
    for key in page.views:
        page.show_view(key)
    use_fake_chinese(monkeypatch)
    page.ctx.retranslate.emit()
    page.refresh()
    assert page.tabs.tabText(0) == "Board" and view.groups_model.rowCount() == 3
    assert page.current_key() == "history"
