"""Demo risk ratings: eight quarters of rounds (the last one still open and half done) with realistic
distributions — most households low, about one in ten medium, a few high, levels that persist from quarter
to quarter — responsible cadres for medium and high households, and their visits. Written in bulk."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert
from sqlmodel import col, select

from app.clock import LOCAL_TZ, today, utcnow
from app.models.base import new_id
from app.models.risk import CadreAssignment, RiskAssessment, RiskFactor, RiskLevel, RiskRound, RiskVisit
from app.models.roster import Household
from app.models.users import Role, User
from app.services import audit, committee, risk
from app.services.context import SYSTEM
from app.services.identity import device_id
from app.services.periods import parse_period
from app.store.engine import Store

MEASURES = ["每月上门走访，了解家庭情况", "联系村调委会及时化解纠纷", "协调派出所、司法所共同稳控", "落实低保帮扶，缓解生活困难",
            "安排网格长每周电话联系"]
FINDINGS = ["家庭情况稳定，无异常", "情绪较前平稳，已做思想工作", "债务问题仍在协商中", "邻里关系有所缓和", "本人外出务工，与家属交流"]


@dataclass(frozen=True)
class DemoRiskSummary:
    rounds: int
    assessments: int
    visits: int


def _quarters(count: int) -> list[str]:
    day = today()
    index = day.year * 4 + (day.month - 1) // 3
    return [f"{i // 4}Q{i % 4 + 1}" for i in range(index - count + 1, index + 1)]


def build_risk(store: Store, *, quarters: int = 8, seed: int = 20261125,
               progress: Callable[[int, int], None] | None = None) -> DemoRiskSummary:
    rng = random.Random(seed)
    with store.write() as session:
        committee.require_current(session)
        risk.ensure_factors(session)
        origin = device_id(session)
        factors = list(session.exec(select(RiskFactor).where(col(RiskFactor.automatic) == "")).all())
        by_weight = sorted(factors, key=lambda f: f.weight)
        households = list(session.exec(select(Household.id).where(col(Household.retired).is_(False))).all())
        staff = list(session.exec(select(User).where(col(User.role).in_((Role.ADMIN, Role.MEDIATOR, Role.GRID_WORKER)))).all())
        names = [u.display_name for u in staff] or ["网格员"]
        existing = {r.quarter for r in session.exec(select(RiskRound)).all()}
        now = utcnow()
        state: dict[str, list[str]] = {}  # household -> factor codes, carried over quarter to quarter
        rows: dict[str, list[dict[str, Any]]] = {"risk_round": [], "risk_assessment": [], "cadre_assignment": [], "risk_visit": []}
        cadres: dict[str, str] = {}
        assessments = visits = 0
        plan = [q for q in _quarters(quarters) if q not in existing]
        for qi, quarter in enumerate(plan):
            period = parse_period(quarter)
            last = qi == len(plan) - 1
            round_id = new_id()
            rows["risk_round"].append({"id": round_id, "origin": origin, "created_at": now, "updated_at": now, "quarter": quarter,
                                       "opened_on": period.start + dt.timedelta(days=5), "closed_on": None if last else period.end,
                                       "closed_by": "" if last else "admin", "close_reason": ""})
            for hid in households:
                codes = state.get(hid, [])
                r = rng.random()
                if codes and r < 0.35:
                    codes = codes[:-1]  # a factor resolved
                elif r > 0.93:
                    pool = by_weight[: len(by_weight) * 3 // 4] if rng.random() < 0.8 else by_weight  # mostly the lighter factors
                    codes = sorted(set(codes) | {rng.choice(pool).code})
                state[hid] = codes
                weights = [f.weight for f in factors if f.code in codes]
                suggested = risk.suggest_level(weights)
                stages = 3 if not last else rng.choice([0, 1, 1, 2, 2, 3])
                day = period.start + dt.timedelta(days=10 + rng.randrange(40))
                if last and day > today():
                    day = today()
                level = suggested
                for stage in range(1, stages + 1):
                    reason = ""
                    if stage == 2 and suggested == RiskLevel.MEDIUM and rng.random() < 0.1:
                        level, reason = RiskLevel.LOW, "已化解，经核实风险降低"
                    at = dt.datetime.combine(day + dt.timedelta(days=7 * (stage - 1)), dt.time(10), LOCAL_TZ).astimezone(dt.UTC)
                    if at > now:
                        break
                    rows["risk_assessment"].append({
                        "id": new_id(), "origin": origin, "created_at": now, "updated_at": now, "round_id": round_id, "household_id": hid,
                        "stage": stage, "factors": ",".join(codes), "suggested_level": suggested, "level": level, "reason": reason,
                        "note": "", "assessed_by": "镇工作队" if stage == 3 else rng.choice(names), "assessed_at": at})
                    assessments += 1
                if level in (RiskLevel.MEDIUM, RiskLevel.HIGH):
                    if hid not in cadres:
                        cadres[hid] = rng.choice(names)
                        rows["cadre_assignment"].append({
                            "id": new_id(), "origin": origin, "created_at": now, "updated_at": now, "household_id": hid,
                            "cadre_name": cadres[hid], "cadre_user_id": None, "cadre_phone": "", "measures": rng.choice(MEASURES),
                            "assigned_on": day, "assigned_by": "admin"})
                    interval = 30 if level == RiskLevel.HIGH else 90
                    visit_day = day + dt.timedelta(days=rng.randrange(5, interval + 10))
                    while visit_day <= min(period.end, today()):
                        if rng.random() < 0.9:
                            rows["risk_visit"].append({
                                "id": new_id(), "origin": origin, "created_at": now, "updated_at": now, "household_id": hid,
                                "visited_on": visit_day, "visitor": cadres[hid], "findings": rng.choice(FINDINGS),
                                "measures_taken": rng.choice(MEASURES), "recorded_by": "admin"})
                            visits += 1
                        visit_day += dt.timedelta(days=interval + rng.randrange(-5, 12))
            if progress:
                progress(qi + 1, len(plan))
        for model in (RiskRound, RiskAssessment, CadreAssignment, RiskVisit):
            batch = rows[str(model.__tablename__)]
            for start in range(0, len(batch), 5000):
                session.execute(insert(model), batch[start:start + 5000])
        audit.record(session, SYSTEM, "demo", table="risk_assessment", summary=f"demo risk: {len(plan)} rounds")
    return DemoRiskSummary(len(plan), assessments, visits)
