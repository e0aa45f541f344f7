"""Demo risk data: eight rounds, most households low and few high, every stage in order, the last round
open, cadres for medium and high households."""

from collections import Counter

from sqlmodel import select

from app.models.risk import CadreAssignment, RiskAssessment, RiskRound
from app.services import check, demo, demo_risk, risk, users
from app.store.engine import Store


def test_demo_risk(store: Store) -> None:
    demo.build_demo(store, households=150, seed=5)
    summary = demo_risk.build_risk(store, seed=5)
    assert summary.rounds == 8 and summary.assessments > 150 * 7 * 3 * 0.9
    actor = users.login(store, "admin", "admin123")
    with store.read() as session:
        rounds = session.exec(select(RiskRound).order_by(RiskRound.quarter)).all()
        assert [r.closed_on is None for r in rounds] == [False] * 7 + [True]
        last_closed = rounds[-2]
        rows = risk.households_in_round(session, actor, last_closed.id)
        levels = Counter(r.level for r in rows)
        assert levels["low"] > levels["medium"] > levels["high"] and all(r.stage == 3 for r in rows)
        stages = session.exec(select(RiskAssessment.household_id, RiskAssessment.stage).where(
            RiskAssessment.round_id == rounds[-1].id)).all()
        by_household: dict[str, list[int]] = {}
        for hid, stage in stages:
            by_household.setdefault(hid, []).append(stage)
        assert all(sorted(s) == list(range(1, len(s) + 1)) for s in by_household.values())
        with_cadre = {c.household_id for c in session.exec(select(CadreAssignment)).all()}
        assert {r.household_id for r in rows if r.level in ("medium", "high")} <= with_cadre
    assert check.run_checks(store).ok
