"""The review queues (a mediator confirms at village level in one click, or changes the level with a
reason; the admin may switch to the town queue), naming the responsible cadre, logging a visit from
"My households", the ledger's export and preview, and the household overview in the roster's detail."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot
from sqlmodel import col, select

from app.clock import today
from app.models.risk import CadreAssignment, RiskAssessment, RiskVisit
from app.models.users import Role
from app.services import cases, households, points, risk
from app.services.cases import CaseInput, PartyInput
from app.services.context import Actor
from app.services.risk import AssessInput
from app.store.engine import Store
from app.ui.risk import RiskPage
from app.ui.risk.review import CadreDialog, ChangeLevelDialog, ReviewView
from app.ui.risk.tasks import TasksView, VisitDialog
from app.ui.roster import RosterPage
from tests.conftest import make_user
from tests.ui import make_ctx, type_text


def this_quarter() -> str:
    return f"{today().year}Q{(today().month - 1) // 3 + 1}"


def rated_by_group(store: Store, admin: Actor, village: dict[str, str]) -> tuple[str, Actor]:
    worker = make_user(store, admin, "grid", Role.GRID_WORKER)
    with store.write() as session:
        rnd = risk.open_round(session, admin, this_quarter())
        risk.assess(session, worker, rnd.id, AssessInput(village["h1"], ("serious_debt",)))
        risk.assess(session, worker, rnd.id, AssessInput(village["h2"], ()))
    return rnd.id, worker


def page_for(qtbot: QtBot, store: Store, actor: Actor) -> RiskPage:
    page = RiskPage(make_ctx(store, actor))
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    return page


def click_row(qtbot: QtBot, view: ReviewView | TasksView, number: str) -> None:
    row = next(r for r in range(view.model.rowCount()) if view.model.index(r, 0).data() == number)
    rect = view.table.visualRect(view.model.index(row, 1))
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def stages(store: Store, household_id: str) -> list[tuple[int, str]]:
    with store.read() as session:
        rows = session.exec(select(RiskAssessment).where(RiskAssessment.household_id == household_id)
                            .order_by(col(RiskAssessment.stage))).all()
    return [(r.stage, r.level) for r in rows]


def test_a_mediator_confirms_a_rating_at_village_level_in_one_click(
        qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    rated_by_group(store, admin, village)
    mediator = make_user(store, admin, "med", Role.MEDIATOR)
    page = page_for(qtbot, store, mediator)
    view = page.show_view("review")
    assert isinstance(view, ReviewView)
    assert view.queues == ["village"] and not view.queue.isVisible()  # the role decides the queue
    assert "Village committee" in view.queue_title.text() and not view.by_row.isVisible()
    assert [view.model.index(r, 0).data() for r in range(view.model.rowCount())] == ["0001", "0002"]
    assert view.model.index(0, view.model.column("level")).data() == "Medium"
    click_row(qtbot, view, "0001")
    qtbot.mouseClick(view.confirm_button, Qt.MouseButton.LeftButton)
    assert stages(store, village["h1"]) == [(1, "medium"), (2, "medium")]
    assert [view.model.index(r, 0).data() for r in range(view.model.rowCount())] == ["0002"]
    assert view.message.text() == "Household 0001: Medium confirmed."

    click_row(qtbot, view, "0002")  # changing the level asks for the reason
    qtbot.mouseClick(view.change_button, Qt.MouseButton.LeftButton)
    dialog = view.dialog
    assert isinstance(dialog, ChangeLevelDialog)
    assert [dialog.level.itemText(i) for i in range(dialog.level.count())] == ["Medium", "High"]
    assert not dialog.save_button.isEnabled()
    type_text(qtbot, dialog.reason, "邻里反映近期争吵频繁")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert stages(store, village["h2"]) == [(1, "low"), (2, "medium")]
    assert view.model.rowCount() == 0 and view.stack.currentIndex() == 1 and "Nothing waits" in view.empty.text()


def test_the_admin_switches_to_the_town_queue_and_names_the_reviewer(
        qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    round_id, _worker = rated_by_group(store, admin, village)
    with store.write() as session:
        risk.assess(session, admin, round_id, AssessInput(village["h1"], ()))
    page = page_for(qtbot, store, admin)
    view = page.show_view("review")
    assert isinstance(view, ReviewView) and view.queues == ["village", "town"] and view.queue.isVisible()
    view.set_queue("town")
    assert view.by_row.isVisible() and [r.number for r in view.model.rows()] == ["0001"]
    type_text(qtbot, view.assessed_by, "镇工作队 刘明")
    click_row(qtbot, view, "0001")
    qtbot.mouseClick(view.confirm_button, Qt.MouseButton.LeftButton)
    with store.read() as session:
        town = session.exec(select(RiskAssessment).where(RiskAssessment.stage == 3)).one()
    assert (town.household_id, town.level, town.assessed_by) == (village["h1"], "medium", "镇工作队 刘明")


def test_a_cadre_is_named_and_logs_a_visit_from_my_households(
        qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    _round_id, worker = rated_by_group(store, admin, village)
    page = page_for(qtbot, store, admin)
    review = page.show_view("review")
    assert isinstance(review, ReviewView)
    click_row(qtbot, review, "0002")
    assert not review.cadre_button.isEnabled()  # a low household has no cadre
    click_row(qtbot, review, "0001")
    qtbot.mouseClick(review.cadre_button, Qt.MouseButton.LeftButton)
    dialog = review.dialog
    assert isinstance(dialog, CadreDialog)
    dialog.cadre.setCurrentIndex(dialog.cadre.findData(worker.user_id))  # the admin picks the grid worker
    type_text(qtbot, dialog.measures, "每月上门走访，了解债务协商进展")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    with store.read() as session:
        cadre = session.exec(select(CadreAssignment)).one()
    assert (cadre.household_id, cadre.cadre_user_id, cadre.cadre_name) == (village["h1"], worker.user_id, "测试用户")

    mine = page_for(qtbot, store, worker)
    tasks = mine.show_view("tasks")
    assert isinstance(tasks, TasksView)
    assert [t.row.number for t in tasks.tasks] == ["0001"]
    due = tasks.model.index(0, tasks.model.column("due")).data()
    assert "in 90 days" in due or "in 89 days" in due  # medium: a visit a quarter
    assert "每月上门走访" in tasks.measures_label.text()
    qtbot.mouseClick(tasks.visit_button, Qt.MouseButton.LeftButton)
    visit = tasks.dialog
    assert isinstance(visit, VisitDialog) and visit.visitor.text() == "测试用户"
    assert not visit.save_button.isEnabled()  # what was found is required
    type_text(qtbot, visit.findings, "户主情绪稳定，债务已达成分期还款")
    qtbot.mouseClick(visit.save_button, Qt.MouseButton.LeftButton)
    with store.read() as session:
        logged = session.exec(select(RiskVisit)).one()
    assert (logged.household_id, logged.visited_on, logged.findings) == (village["h1"], today(), "户主情绪稳定，债务已达成分期还款")
    assert tasks.message.text() == "Visit to household 0001 recorded."

    # another user of the same name (every test user is 测试用户) is not the cadre of a household linked to the worker …
    namesake = page_for(qtbot, store, make_user(store, admin, "other", Role.MEDIATOR)).show_view("tasks")
    assert isinstance(namesake, TasksView) and namesake.tasks == [] and namesake.stack.currentIndex() == 1
    # … but a cadre named without a user is found by the name
    with store.write() as session:
        risk.assign_cadre(session, admin, village["h1"], "王丽", "每周电话联系")
    by_name = page_for(qtbot, store, admin).show_view("tasks")
    assert isinstance(by_name, TasksView) and [t.row.number for t in by_name.tasks] == ["0001"]


def test_the_ledger_exports_the_rows_and_previews_the_pdf(
        qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str], tmp_path: Path) -> None:
    rated_by_group(store, admin, village)
    page = page_for(qtbot, store, admin)
    ledger = page.ledger
    page.show_view("ledger")
    assert ledger.model.rowCount() == 2 and ledger.totals_text()["medium"] == "Medium 1"
    ledger.set_group(village["g1"])
    assert [r.number for r in ledger.model.rows()] == ["0001"]
    target = tmp_path / "台账.xlsx"
    ledger.choose_xlsx_path = lambda _parent, _default: target
    qtbot.mouseClick(ledger.export_button, Qt.MouseButton.LeftButton)
    sheet = openpyxl.load_workbook(target).active
    assert sheet is not None
    assert [(str(r[1]), r[4]) for r in sheet.iter_rows(min_row=4, values_only=True)] == [("0001", "中")]
    assert "Wrote 1 households" in ledger.message.text()
    qtbot.mouseClick(ledger.preview_button, Qt.MouseButton.LeftButton)
    preview = ledger.dialog
    assert preview is not None
    qtbot.waitUntil(lambda: preview.is_ready() or preview.error is not None, timeout=20000)  # type: ignore[attr-defined]
    assert preview.is_ready() and preview.page_count() == 1  # type: ignore[attr-defined]
    preview.close()


def test_the_roster_detail_shows_the_households_cases_points_and_risk(
        qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    rated_by_group(store, admin, village)
    with store.write() as session:
        person = households.household_detail(session, admin, village["h1"]).members[0].id
        case = cases.register_case(session, admin, CaseInput(today(), "party_applied", "debt", "借款纠纷"),
                                   [PartyInput("applicant", person_id=person)])
        points.add_entry(session, admin, points.EntryInput(village["h1"], today(), "A01"))
    page = RosterPage(make_ctx(store, admin))
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    row = page.model.row_of(village["h1"])
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=page.table.visualRect(page.model.index(row, 1)).center())
    overview = page.detail.overview
    assert overview.isVisible()
    numbers = [w.text() for w in overview.findChildren(QLabel, "overviewCaseNumber")]
    assert numbers == [case.number]
    assert overview.points_label.text() == "5"
    assert overview.level_chip.text() == "Medium" and "重大债务纠纷" in overview.risk_label.text()
    assert page.detail.members.rowCount() == 2  # the members stay in sight above
