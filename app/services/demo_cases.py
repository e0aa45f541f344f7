"""Demo mediation cases: about 300 cases over three years across categories and outcomes, with
sessions, agreements, signatures, follow-ups and their history — written in bulk, so that
`--cases 100000` for the benchmarks takes seconds per ten thousand, not hours."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert
from sqlmodel import col, select

from app.clock import LOCAL_TZ, today, utcnow
from app.models.base import new_id
from app.models.cases import (
    Agreement,
    AgreementSignature,
    Case,
    CaseEvent,
    CaseHousehold,
    CaseMediator,
    CaseParty,
    CaseSearch,
    CaseStatus,
    FollowUp,
    MediationSession,
    MediatorRole,
)
from app.models.roster import Household, Person
from app.models.users import Role, User
from app.services import audit, committee, households
from app.services.case_numbers import format_case_number
from app.services.cases import DEFAULT_CATEGORIES, ensure_categories
from app.services.context import SYSTEM
from app.services.identity import device_id
from app.store.engine import Store

BATCH = 2000

# (category, weight, summary templates, terms)
STORIES: list[tuple[str, int, list[str], list[tuple[str, str]]]] = [
    ("neighbours", 26, ["{a}与{b}因排水沟堵塞引发邻里纠纷", "{a}家鸡鸭进入{b}菜地引发争吵", "{a}与{b}因门前堆放柴草发生口角"],
     [("{b}三日内清理堆放物，恢复通道畅通", ""), ("{a}向{b}赔礼道歉", ""), ("{a}赔偿{b}菜苗损失", "600")]),
    ("homestead", 18, ["{a}与{b}宅基地边界纠纷", "{a}建房占用{b}宅基地约一米", "{a}与{b}因院墙位置发生争议"],
     [("以村委会2019年丈量图为准重新确定界址", ""), ("{a}拆除越界部分院墙", ""), ("{b}补偿{a}砌墙费用", "3000")]),
    ("marriage_family", 16, ["{a}与{b}家庭矛盾，涉及赡养老人", "{a}与{b}婚姻家庭纠纷", "{a}与{b}因分家析产发生争执"],
     [("{a}每月支付赡养费", "500"), ("兄弟轮流照顾老人，每人四个月", ""), ("{b}不再干涉{a}生活", "")]),
    ("contracted_land", 10, ["{a}与{b}土地承包经营权纠纷", "{a}与{b}因地界犁过界发生纠纷"],
     [("按二轮承包合同确定地界，共同埋设界桩", ""), ("{b}赔偿{a}青苗损失", "1200")]),
    ("debt", 10, ["{a}追讨{b}借款", "{a}与{b}民间借贷纠纷"],
     [("{b}分三期归还借款", "20000"), ("{b}于年底前一次性归还", "8000")]),
    ("damages", 8, ["{a}家狗咬伤{b}", "{a}放火烧荒殃及{b}果树"],
     [("{a}赔偿{b}医药费", "1500"), ("{a}赔偿{b}果树损失", "4200")]),
    ("labour", 5, ["{a}追讨{b}拖欠的劳务费", "{a}在{b}工地受伤索赔"],
     [("{b}支付劳务费", "6800"), ("{b}支付医疗费和误工费", "9500")]),
    ("forest_water", 4, ["{a}与{b}灌溉用水纠纷", "{a}与{b}山林权属纠纷"],
     [("按轮灌表轮流用水，{a}周一至周三", ""), ("共同出资修缮水渠", "2000")]),
    ("traffic", 3, ["{a}驾驶三轮车刮碰{b}", "{a}与{b}交通事故赔偿纠纷"],
     [("{a}赔偿{b}车辆维修费", "2300")]),
]
PLACES = ["村人民调解室", "村委会会议室", "当事人家中", "田间地头", "镇综治中心"]
VOLUNTEERS = [("赵德明", MediatorRole.FIVE_ELDERS), ("孙法官", MediatorRole.JUDGE), ("周警官", MediatorRole.POLICE_OFFICER),
              ("吴律师", MediatorRole.LEGAL_ADVISOR), ("郑老师", MediatorRole.COUNSELLOR), ("钱检察官", MediatorRole.PROSECUTOR)]


@dataclass(frozen=True)
class DemoCasesSummary:
    cases: int
    sessions: int
    agreements: int
    follow_ups: int


def _pick_outcome(rng: random.Random, age_days: int) -> str:
    """Old cases are mostly closed; the last weeks' are still open at every stage."""
    r = rng.random()
    if age_days < 25:
        return rng.choice([CaseStatus.ACCEPTED, CaseStatus.MEDIATING, CaseStatus.MEDIATING, CaseStatus.AGREED])
    if age_days < 70:
        if r < 0.08:
            return CaseStatus.MEDIATING  # overdue
        if r < 0.45:
            return CaseStatus.FOLLOWING_UP
        if r < 0.55:
            return CaseStatus.AGREED
    if r < 0.06:
        return CaseStatus.FAILED
    if r < 0.09:
        return CaseStatus.TRANSFERRED
    if r < 0.11:
        return CaseStatus.WITHDRAWN
    return CaseStatus.CLOSED


def build_cases(store: Store, *, cases: int = 300, seed: int = 20261125, years: int = 3,
                progress: Callable[[int, int], None] | None = None) -> DemoCasesSummary:
    """Add `cases` demo cases to a set-up desk that has a roster."""
    rng = random.Random(seed)
    with store.write() as session:
        desk = committee.require_current(session)
        ensure_categories(session)
        origin = device_id(session)
        people = list(session.exec(select(Person.id, Person.household_id).where(
            col(Person.retired).is_(False), col(Person.household_id).is_not(None), col(Person.birth_date) < dt.date(2006, 1, 1))).all())
        if len(people) < 2:
            raise ValueError("the demo cases need a roster: run the demo village first")
        mediators = list(session.exec(select(User).where(col(User.role).in_((Role.MEDIATOR, Role.ADMIN)))).all())
        seq_by_year: dict[int, int] = {
            int(y): int(m) for y, m in session.exec(select(Case.number_year, func.max(Case.number_seq))
                                                    .where(Case.origin == origin).group_by(col(Case.number_year))).all()}
        end = today()
        start = end - dt.timedelta(days=365 * years)
        dates = sorted(start + dt.timedelta(days=rng.randrange((end - start).days + 1)) for _ in range(cases))
        weights = [w for _c, w, _s, _t in STORIES]
        counts = {"sessions": 0, "agreements": 0, "follow_ups": 0}
        rows: dict[str, list[dict[str, Any]]] = {}
        person_cache: dict[str, Person] = {}

        def person(pid: str) -> Person:
            if pid not in person_cache:
                p = session.get(Person, pid)
                assert p is not None
                person_cache[pid] = p
            return person_cache[pid]

        def add(table: str, **values: Any) -> None:
            now = utcnow()
            values.setdefault("id", new_id())
            values.setdefault("origin", origin)
            values.setdefault("created_at", now)
            values.setdefault("updated_at", now)
            rows.setdefault(table, []).append(values)

        def flush() -> None:
            for model in (Case, CaseParty, CaseMediator, CaseHousehold, MediationSession, Agreement, AgreementSignature,
                          FollowUp, CaseEvent, CaseSearch):
                batch = rows.pop(str(model.__tablename__), [])
                if batch:
                    session.execute(insert(model), batch)

        addresses = dict(session.exec(select(Household.id, Household.address)).all())
        for i, received in enumerate(dates):
            category, _w, summaries, terms = rng.choices(STORIES, weights=weights)[0]
            a_id, a_house = rng.choice(people)
            b_id, b_house = rng.choice(people)
            while b_house == a_house:
                b_id, b_house = rng.choice(people)
            a, b = person(a_id), person(b_id)
            status = _pick_outcome(rng, (end - received).days)
            year = received.year
            seq_by_year[year] = seq_by_year.get(year, 0) + 1
            case_id = new_id()
            deadline = received + dt.timedelta(days=30)
            summary = rng.choice(summaries).format(a=a.name, b=b.name)
            facts = f"{received.month}月{received.day}日，{summary}。双方多次协商未果，{a.name}向调委会申请调解。"
            closed_on = None
            timeline = [received]
            held = rng.randint(1, 3) if status != CaseStatus.ACCEPTED else 0
            sessions = [received + dt.timedelta(days=min(28, 2 + 6 * k + rng.randrange(4))) for k in range(held)]
            sessions = [d if d <= end else end for d in sessions]
            effective = sessions[-1] if sessions else received
            agreed = status in (CaseStatus.AGREED, CaseStatus.FOLLOWING_UP, CaseStatus.CLOSED)
            if status == CaseStatus.CLOSED and rng.random() < 0.1 and sessions:
                agreed = False  # a failed mediation, later closed
            add("dispute_case", id=case_id, number_year=year, number_seq=seq_by_year[year],
                number=format_case_number(year, desk.code, seq_by_year[year]), received_on=received,
                source=rng.choices(["party_applied", "committee_initiated", "screening", "police_transfer", "court_entrusted",
                                    "government_assigned", "petition_qr"], weights=[50, 15, 15, 8, 5, 4, 3])[0],
                category_code=category, summary=summary, facts=facts, points_in_dispute="责任划分及赔偿数额",
                requests="依法调解，赔偿损失", deadline=deadline, status=status, grid_cell_id=None,
                registered_by=mediators[0].id if mediators else None,
                outcome_note={CaseStatus.FAILED: "双方分歧较大，未能达成协议", CaseStatus.TRANSFERRED: "涉及多个村组，转镇综治中心",
                              CaseStatus.WITHDRAWN: "双方自行和解，申请撤回"}.get(CaseStatus(status), ""),
                routes_told="lawsuit,arbitration" if status == CaseStatus.FAILED or (status == CaseStatus.CLOSED and not agreed) else "",
                transfer_to="township_center" if status == CaseStatus.TRANSFERRED else "", closed_on=None, closed_by=None,
                retention="")
            for pos, (role, p) in enumerate((("applicant", a), ("respondent", b))):
                add("case_party", case_id=case_id, person_id=p.id,
                    role=role, position=pos, name=p.name, sex=p.sex, ethnicity=p.ethnicity, birth_date=p.birth_date,
                    id_number=p.id_number, mobile=p.mobile, address=addresses.get(p.household_id or "", ""),
                    occupation=p.occupation, is_organisation=False, credit_code="", agent_name="", agent_kind="", agent_mobile="")
            party_ids = [r["id"] for r in rows["case_party"][-2:]]
            lead = rng.choice(mediators) if mediators else None
            add("case_mediator", case_id=case_id, user_id=lead.id if lead else None, name=lead.display_name if lead else "调解员",
                role=MediatorRole.PEOPLES_MEDIATOR, is_lead=True)
            if rng.random() < 0.3:
                name, role = rng.choice(VOLUNTEERS)
                add("case_mediator", case_id=case_id, user_id=None, name=name, role=role, is_lead=False)
            for hid in {a.household_id, b.household_id}:
                add("case_household", case_id=case_id, household_id=hid)
            for k, day in enumerate(sessions):
                held_at = dt.datetime.combine(day, dt.time(9 + rng.randrange(8), rng.choice([0, 30])), LOCAL_TZ)
                last = k == len(sessions) - 1
                add("mediation_session", case_id=case_id, held_at=held_at, planned=False, place=rng.choice(PLACES),
                    attendees=f"{a.name}、{b.name}、调解员{lead.display_name if lead else ''}", rights_explained=True,
                    applicant_statement=f"{a.name}称：{summary}，要求对方承担责任。",
                    respondent_statement=f"{b.name}称：事出有因，愿意协商解决。", other_statements="",
                    facts_checked="经实地查看并询问邻居，情况基本属实。",
                    outcome="双方达成一致意见" if last and agreed else "双方同意继续协商", recorder="李文书")
                counts["sessions"] += 1
            events: list[tuple[str, str, dt.date]] = [("", CaseStatus.ACCEPTED, received)]
            if sessions:
                events.append((CaseStatus.ACCEPTED, CaseStatus.MEDIATING, sessions[0]))
            if agreed and status != CaseStatus.MEDIATING:
                agreement_id = new_id()
                chosen = rng.sample(terms, k=min(len(terms), rng.randint(1, 2)))
                deadline_perf = effective + dt.timedelta(days=rng.choice([7, 15, 30]))
                add("agreement", id=agreement_id, case_id=case_id, kind="written" if rng.random() < 0.85 else "oral",
                    facts=facts, responsibilities="双方均有一定责任。",
                    terms=json.dumps([{"text": t.format(a=a.name, b=b.name), "amount": amt} for t, amt in chosen], ensure_ascii=False),
                    performance_manner="现金或转账", performance_deadline=deadline_perf, copies=3, mediator_signed=True,
                    recorder_signed=True, seal_applied=True, effective_on=effective,
                    confirmation_applied_on=effective + dt.timedelta(days=10) if rng.random() < 0.08 else None,
                    confirmation_result="")
                counts["agreements"] += 1
                for pid in party_ids:
                    add("agreement_signature", agreement_id=agreement_id, party_id=pid, signed=True)
                events.append((CaseStatus.MEDIATING, CaseStatus.AGREED, effective))
                visit_due = deadline_perf + dt.timedelta(days=7)
                visited = status in (CaseStatus.FOLLOWING_UP, CaseStatus.CLOSED) and visit_due <= end
                add("follow_up", case_id=case_id, due_on=visit_due, reason="了解协议履行情况",
                    visited_on=visit_due if visited else None, visitor=lead.display_name if visited and lead else "",
                    performance=rng.choices(["fully", "partly", "not_yet"], weights=[85, 10, 5])[0] if visited else "",
                    satisfaction=rng.choices(["satisfied", "basically", "dissatisfied"], weights=[80, 17, 3])[0] if visited else "",
                    lawsuit=False, escalation_signs="", measures="", findings="协议已履行，双方关系缓和。" if visited else "")
                counts["follow_ups"] += 1
                if visited:
                    events.append((CaseStatus.AGREED, CaseStatus.FOLLOWING_UP, visit_due))
                    timeline.append(visit_due)
                if status == CaseStatus.CLOSED:
                    closed_on = min(end, (visit_due if visited else effective) + dt.timedelta(days=rng.randrange(1, 10)))
                    events.append((CaseStatus.FOLLOWING_UP if visited else CaseStatus.AGREED, CaseStatus.CLOSED, closed_on))
            elif status in (CaseStatus.FAILED, CaseStatus.TRANSFERRED, CaseStatus.WITHDRAWN) or (status == CaseStatus.CLOSED):
                when = sessions[-1] if sessions else received + dt.timedelta(days=3)
                final = CaseStatus.FAILED if status == CaseStatus.CLOSED else status
                events.append((CaseStatus.MEDIATING if sessions else CaseStatus.ACCEPTED, final, min(when, end)))
                if status == CaseStatus.CLOSED:
                    closed_on = min(end, when + dt.timedelta(days=5))
                    events.append((CaseStatus.FAILED, CaseStatus.CLOSED, closed_on))
            if closed_on:
                rows["dispute_case"][-1]["closed_on"] = closed_on
            for from_status, to_status, day in events:
                add("case_event", case_id=case_id, at=dt.datetime.combine(day, dt.time(10), LOCAL_TZ).astimezone(dt.UTC),
                    by_user=lead.username if lead else "system", from_status=from_status, to_status=to_status, note="")
            parts = [rows["dispute_case"][-1]["number"], f"{year}-{seq_by_year[year]}", summary, facts, "责任划分及赔偿数额",
                     dict((c, zh) for c, zh, _e in DEFAULT_CATEGORIES)[category]]
            for p in (a, b):
                full, initials = households.pinyin_forms(p.name)
                parts += [p.name, full, initials, p.mobile]
            add("case_search", case_id=case_id, text=households.SEARCH_SEPARATOR.join(x for x in parts if x).lower())
            rows["case_search"][-1].pop("origin"), rows["case_search"][-1].pop("created_at")
            rows["case_search"][-1].pop("updated_at"), rows["case_search"][-1].pop("id")
            if (i + 1) % BATCH == 0:
                flush()
                if progress:
                    progress(i + 1, cases)
        flush()
        audit.record(session, SYSTEM, "demo", table="dispute_case", summary=f"demo cases: {cases}")
    if progress:
        progress(cases, cases)
    return DemoCasesSummary(cases, counts["sessions"], counts["agreements"], counts["follow_ups"])
