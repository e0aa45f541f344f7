"""Today's work (`services.today`): the risk and points items beside the case ones, what each item opens,
who sees which kinds, and the cap on long lists."""

from __future__ import annotations

import datetime as dt

import pytest

from app.clock import today, utcnow
from app.services import households, points, risk
from app.services import today as today_service
from app.services.context import Actor
from app.services.points import EntryInput
from app.services.risk import AssessInput
from app.services.today import ASSESS_HOUSEHOLD, POINTS_ENTRY, RISK_HOUSEHOLD, gather_today, kinds_for
from app.store.engine import Store
from tests.conftest import make_user


def _quarter(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


@pytest.fixture
def work(store: Store, admin: Actor, village: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """h1 rated high 40 days ago (its monthly visit is 10 days late), h2 not assessed in the open round, and an
    entry awaiting review recorded by a mediator."""
    mediator = make_user(store, admin, "mediator", "mediator")
    with store.write() as session:
        rnd = risk.open_round(session, admin, _quarter(today()))
        monkeypatch.setattr(risk, "utcnow", lambda: utcnow() - dt.timedelta(days=40))
        risk.assess(session, admin, rnd.id, AssessInput(village["h1"], ("domestic_violence",)))
        monkeypatch.undo()
        entry = points.add_entry(session, mediator, EntryInput(village["h2"], today(), "B02"))  # counts at once
        pending = points.add_entry(session, mediator, EntryInput(village["h1"], today(), "B01"))  # needs a review
        mine = points.add_entry(session, admin, EntryInput(village["h2"], today(), "D02"))  # the admin's own
    assert not entry.needs_review and pending.needs_review and mine.needs_review
    return {"pending": pending.id, "mine": mine.id}


def test_risk_and_points_items_open_their_record(store: Store, admin: Actor, village: dict[str, str],
                                                 work: dict[str, str]) -> None:
    with store.read() as session:
        t = gather_today(session, admin)
    assert t.kinds == ("session", "overdue", "confirmation", "follow_up", "risk_visit", "points_review", "not_assessed")
    assert {k: t.counts[k] for k in ("risk_visit", "not_assessed", "points_review")} == {
        "risk_visit": 1, "not_assessed": 1, "points_review": 1}
    visit, = (i for i in t.items if i.kind == "risk_visit")
    assert (visit.record, visit.record_id, visit.number, visit.parties, visit.category) == (
        RISK_HOUSEHOLD, village["h1"], "0001", "张三", "High")
    with store.read() as session:
        due = risk.overdue_visits(session, admin)[0].next_visit_due  # 30 days after the rating
    assert due is not None and (today() - due).days in (10, 11)  # the rating's day is kept as a UTC date
    assert visit.when == f"{(today() - due).days} days late" and visit.case_id == ""
    rate, = (i for i in t.items if i.kind == "not_assessed")
    assert (rate.record, rate.record_id, rate.number, rate.parties, rate.summary, rate.category) == (
        ASSESS_HOUSEHOLD, village["h2"], "0002", "𠮷䶮", "二组", "")
    assert rate.when == f"Round {_quarter(today())}"
    review, = (i for i in t.items if i.kind == "points_review")  # not the admin's own entry: a colleague reviews it
    assert (review.record, review.record_id, review.number, review.category) == (POINTS_ENTRY, work["pending"], "0001", "B01")
    assert review.when == "Recorded by mediator" and review.summary.endswith("(+10)")


def test_a_visit_due_today_and_after_the_visit(store: Store, admin: Actor, village: dict[str, str], work: dict[str, str]) -> None:
    with store.read() as session:
        due = risk.overdue_visits(session, admin)[0].next_visit_due
        assert due is not None
        assert [i.when for i in gather_today(session, admin, due).items if i.kind == "risk_visit"] == ["Due today"]
        assert gather_today(session, admin, due - dt.timedelta(days=1)).counts["risk_visit"] == 0
    with store.write() as session:
        risk.record_visit(session, admin, village["h1"], today(), "王丽", "家中平稳", "")
    with store.read() as session:
        assert gather_today(session, admin).counts["risk_visit"] == 0


def test_what_each_role_sees(store: Store, admin: Actor, village: dict[str, str], work: dict[str, str]) -> None:
    viewer = make_user(store, admin, "viewer", "viewer")
    grid_worker = make_user(store, admin, "grid", "grid_worker")
    assert kinds_for(viewer) == ("session", "overdue", "confirmation", "follow_up", "risk_visit")
    assert kinds_for(grid_worker) == ("session", "overdue", "confirmation", "follow_up", "risk_visit", "not_assessed")
    with store.read() as session:
        t = gather_today(session, viewer)
    assert "points_review" not in t.counts and not any(i.kind in ("points_review", "not_assessed") for i in t.items)


def test_no_open_round_nothing_to_assess(store: Store, admin: Actor, village: dict[str, str]) -> None:
    with store.read() as session:
        t = gather_today(session, admin)
    assert (t.counts["not_assessed"], t.counts["risk_visit"], t.counts["points_review"]) == (0, 0, 0)
    assert t.items == []


def test_long_lists_are_cut_but_counted(store: Store, admin: Actor, village: dict[str, str], work: dict[str, str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    with store.write() as session:
        households.create_household(session, admin, households.HouseholdInput("0003", "庄墩村二组9号", group_id=village["g2"]),
                                    [households.PersonInput("王五")])
    monkeypatch.setattr(today_service, "MAX_LISTED", 1)
    with store.read() as session:
        t = gather_today(session, admin)
    assert t.counts["not_assessed"] == 2
    assert [i.number for i in t.items if i.kind == "not_assessed"] == ["0002"]
