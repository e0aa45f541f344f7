"""The township center's own work: the villages it receives bundles from (with what each sent and how
current it is), each village's imported records (read-only), and the inbox of cases the villages
escalated to it — accept, decide, or send back. A decision is a row of the township's own that
travels back to the village; the village's case is never edited here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.clock import LOCAL_TZ, today
from app.errors import NotFound, ValidationError
from app.i18n import _
from app.models.cases import OPEN_STATUSES, Case, CaseDecision, CaseEvent, CaseStatus, DecisionKind
from app.models.committee import Committee, DeskMode
from app.models.risk import RiskAssessment, RiskLevel, RiskRound
from app.models.roster import Household
from app.models.sync import PeerKind, SyncPeer
from app.services import audit, committee, households, points, risk
from app.services.cases import CaseView, _matching_case_ids, case_view
from app.services.context import Actor, require
from app.services.households import HouseholdRow, mask_id_number
from app.services.identity import device_id
from app.services.risk import HouseholdRisk

ESCALATED_TO = "township_center"


def require_township(session: Session) -> Committee:
    own = committee.require_current(session)
    if own.mode != DeskMode.TOWNSHIP:
        raise ValidationError("mode", _("This is a village desk; only a township center does this."))
    return own


@dataclass(frozen=True)
class VillageRow:
    device_id: str
    name: str
    code: str
    revoked: bool
    households: int
    cases: int
    open_cases: int
    escalated_waiting: int
    high_risk: int
    last_import: dt.datetime | None
    applied_seq: int
    held: int
    missing: str
    rejected: int


def villages(session: Session, actor: Actor, data_dir: Path) -> list[VillageRow]:
    """Every enrolled village with its figures and how current its data is here."""
    require(actor, "cases.read")
    require_township(session)
    from app.sync.status import summary

    status = {p.device_id: p for p in summary(session, data_dir).peers}

    def per_origin(query: Any) -> dict[str, int]:
        return {o: int(n) for o, n in session.execute(query).all()}

    households = per_origin(
        sa_select(col(Household.origin), func.count()).where(col(Household.retired).is_(False)).group_by(col(Household.origin))
    )
    cases = per_origin(sa_select(col(Case.origin), func.count()).group_by(col(Case.origin)))
    open_cases = per_origin(sa_select(col(Case.origin), func.count()).where(col(Case.status).in_(OPEN_STATUSES)).group_by(col(Case.origin)))
    waiting: dict[str, int] = {}
    for row in inbox(session, actor):
        if row.state != "decided":
            waiting[row.origin] = waiting.get(row.origin, 0) + 1
    high = _high_risk(session)
    rows = []
    for peer in session.exec(select(SyncPeer).where(col(SyncPeer.kind) == PeerKind.VILLAGE).order_by(col(SyncPeer.committee_name))):
        st = status.get(peer.device_id)
        rows.append(
            VillageRow(
                peer.device_id,
                peer.committee_name,
                peer.committee_code,
                peer.revoked_at is not None,
                households.get(peer.device_id, 0),
                cases.get(peer.device_id, 0),
                open_cases.get(peer.device_id, 0),
                waiting.get(peer.device_id, 0),
                high.get(peer.device_id, 0),
                st.last_import if st else None,
                st.applied_seq if st else 0,
                st.held if st else 0,
                st.missing if st else "",
                st.rejected if st else 0,
            )
        )
    return rows


def _high_risk(session: Session) -> dict[str, int]:
    """High-risk households of each village in its latest round (the last stage entered counts)."""
    latest = {
        o: r
        for o, r in session.execute(
            sa_select(col(RiskRound.origin), func.max(col(RiskRound.quarter))).group_by(col(RiskRound.origin))
        ).all()
    }
    result: dict[str, int] = {}
    for origin, quarter in latest.items():
        round_id = session.execute(
            sa_select(col(RiskRound.id)).where(col(RiskRound.origin) == origin, col(RiskRound.quarter) == quarter)
        ).scalar_one()
        last_stage = (
            sa_select(col(RiskAssessment.household_id), func.max(col(RiskAssessment.stage)).label("stage"))
            .where(col(RiskAssessment.round_id) == round_id)
            .group_by(col(RiskAssessment.household_id))
            .subquery()
        )
        n = session.execute(
            sa_select(func.count())
            .select_from(RiskAssessment)
            .join(
                last_stage,
                (last_stage.c.household_id == col(RiskAssessment.household_id)) & (last_stage.c.stage == col(RiskAssessment.stage)),
            )
            .where(col(RiskAssessment.round_id) == round_id, col(RiskAssessment.level) == "high")
        ).scalar_one()
        result[origin] = int(n)
    return result


@dataclass(frozen=True)
class InboxRow:
    case_id: str
    origin: str
    village: str
    number: str
    summary: str
    category_code: str
    received_on: dt.date
    escalated_on: dt.date | None
    reason: str
    state: str  # waiting / accepted / decided / returned
    last_decision: str


def inbox(session: Session, actor: Actor, *, include_done: bool = True) -> list[InboxRow]:
    """Cases the villages transferred to the township center, newest escalation first."""
    require(actor, "cases.read")
    me = device_id(session)
    names = {p.device_id: p.committee_name for p in session.exec(select(SyncPeer))}
    escalated = session.exec(
        select(Case).where(col(Case.status) == CaseStatus.TRANSFERRED, col(Case.transfer_to) == ESCALATED_TO, col(Case.origin) != me)
    ).all()
    rows: list[InboxRow] = []
    for case in escalated:
        decisions = session.exec(
            select(CaseDecision).where(col(CaseDecision.case_id) == case.id).order_by(col(CaseDecision.created_at))
        ).all()
        event = session.exec(
            select(CaseEvent)
            .where(col(CaseEvent.case_id) == case.id, col(CaseEvent.to_status) == CaseStatus.TRANSFERRED)
            .order_by(col(CaseEvent.at).desc())
        ).first()
        state = "waiting"
        if decisions:
            state = {DecisionKind.ACCEPTED: "accepted", DecisionKind.DECIDED: "decided", DecisionKind.RETURNED: "returned"}.get(
                DecisionKind(decisions[-1].kind), "accepted"
            )
        if not include_done and state in ("decided", "returned"):
            continue
        rows.append(
            InboxRow(
                case.id,
                case.origin,
                names.get(case.origin, case.origin[:8]),
                case.number,
                case.summary,
                case.category_code,
                case.received_on,
                event.at.astimezone(LOCAL_TZ).date() if event else None,  # the local day, as received_on
                case.outcome_note,
                state,
                decisions[-1].text if decisions else "",
            )
        )
    order = {"waiting": 0, "accepted": 1, "returned": 2, "decided": 3}
    rows.sort(key=lambda r: (order[r.state], -(r.escalated_on or r.received_on).toordinal()))
    return rows


def decide(session: Session, actor: Actor, case_id: str, kind: str, text: str, *, on: dt.date | None = None) -> CaseDecision:
    """Record the township's step on an escalated case; it travels back to the village with the next return bundle."""
    require(actor, "township.decide")
    require_township(session)
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(_("No such case."))
    if case.status != CaseStatus.TRANSFERRED or case.transfer_to != ESCALATED_TO:
        raise ValidationError("case", _("This case was not escalated to the township center."))
    if kind not in DecisionKind._value2member_map_:
        raise ValidationError("kind", _("Decision: choose accepted, decided or returned."))
    text = text.strip()
    if kind != DecisionKind.ACCEPTED and not text:
        raise ValidationError("text", _("Decision: write what was decided."))
    if len(text) > 5000:
        raise ValidationError("text", _("Decision: at most {n} characters.").format(n=5000))
    day = on or today()
    if day > today():
        raise ValidationError("decided_on", _("Date of the decision: it cannot be in the future."))
    if day < case.received_on:
        raise ValidationError("decided_on", _("Date of the decision: it cannot be before the case was received."))
    previous = session.exec(
        select(CaseDecision).where(col(CaseDecision.case_id) == case_id).order_by(col(CaseDecision.created_at).desc())
    ).first()
    if previous is not None and previous.kind in (DecisionKind.DECIDED, DecisionKind.RETURNED):
        raise ValidationError("kind", _("This case is already decided; a further step is a new case."))
    if previous is not None and kind == DecisionKind.ACCEPTED:
        raise ValidationError("kind", _("This case is already accepted."))
    row = CaseDecision(case_id=case_id, kind=kind, text=text, decided_on=day, handler=actor.display_name, audience=case.origin)
    session.add(row)
    audit.record(session, actor, "township.decide", table="case_decision", record_id=case_id, summary=f"{case.number} {kind}")
    session.flush()
    return row


# ---------------------------------------------------------------- one village's records, read-only
#
# The township reads a village's rows as its bundles brought them (each carries the village's device as
# `origin`) and never edits them. Each read below takes the village's device id, is refused for an id that
# is not an enrolled village, and returns that village's rows only; ID numbers are always masked.


def _village(session: Session, origin: str) -> SyncPeer:
    require_township(session)
    peer = session.exec(select(SyncPeer).where(col(SyncPeer.device_id) == origin, col(SyncPeer.kind) == PeerKind.VILLAGE)).first()
    if peer is None:
        raise NotFound(_("No such village is enrolled at this township center."))
    return peer


def _cases_query(session: Session, origin: str, query: str) -> Any:
    q = select(Case).where(col(Case.origin) == origin)
    if query.strip():
        q = q.where(col(Case.id).in_(_matching_case_ids(session, query)))
    return q


def village_cases(session: Session, actor: Actor, origin: str, *, query: str = "", offset: int = 0,
                  limit: int = 200) -> list[Case]:
    """One page of a village's cases as imported here (read-only), the newest number first; `query` as the
    village's case list searches (number, account, parties' names and their pinyin)."""
    require(actor, "cases.read")
    _village(session, origin)
    q = _cases_query(session, origin, query).order_by(col(Case.number_year).desc(), col(Case.number_seq).desc())
    return list(session.exec(q.offset(offset).limit(limit)).all())


def count_village_cases(session: Session, actor: Actor, origin: str, *, query: str = "") -> int:
    require(actor, "cases.read")
    _village(session, origin)
    sub = _cases_query(session, origin, query).subquery()
    return int(session.execute(sa_select(func.count()).select_from(sub)).scalar_one())


def village_case(session: Session, actor: Actor, origin: str, case_id: str) -> CaseView:
    """A village's case with everything the case page shows (parties, mediators, the township's decisions),
    the parties' ID numbers masked; NotFound for a case that is not that village's."""
    require(actor, "cases.read")
    _village(session, origin)
    case = session.get(Case, case_id)
    if case is None or case.origin != origin:
        raise NotFound(_("No such case."))
    view = case_view(session, actor, case_id)
    view.parties = [replace(p, id_number=mask_id_number(p.id_number)) for p in view.parties]  # masking is idempotent
    return view


def village_households(session: Session, actor: Actor, origin: str, *, query: str = "", offset: int = 0,
                       limit: int = 200) -> list[HouseholdRow]:
    """One page of a village's live households by 户号: head (ID number masked), group, members; `query` as
    the village's roster searches (户号, names, pinyin, initials, mobile, a full ID number)."""
    require(actor, "roster.read")
    _village(session, origin)
    return households.list_households(session, actor, query=query, offset=offset, limit=limit, origin=origin)


def count_village_households(session: Session, actor: Actor, origin: str, *, query: str = "") -> int:
    require(actor, "roster.read")
    _village(session, origin)
    return households.count_households(session, actor, query=query, origin=origin)


def _matching(session: Session, origin: str, query: str) -> set[str] | None:
    """The ids of the village's households matching `query` (None: no query)."""
    if not query.strip():
        return None
    return set(session.execute(sa_select(col(Household.id)).where(
        col(Household.origin) == origin, col(Household.id).in_(households.matching_household_ids(session, query)))).scalars())


@dataclass(frozen=True)
class VillageRisk:
    """A village's latest risk round as imported here: each rated household's level at the last stage entered."""

    quarter: str  # "" when the village has not opened a round
    closed: bool
    ratings: list[HouseholdRisk]  # the rated households: high first, then medium, then low; by 户号 within a level
    not_rated: int  # live households of the village without a rating in the round (for the filter used)


def village_risk(session: Session, actor: Actor, origin: str, *, query: str = "") -> VillageRisk:
    """The village's latest round (its open round, else its latest) with every rated household's level,
    stage, reason and factors (sensitive ones masked for a role without `risk.sensitive`)."""
    require(actor, "risk.read")
    _village(session, origin)
    try:
        rnd = risk.get_round(session, origin=origin)
    except NotFound:
        return VillageRisk("", False, [], 0)
    wanted = _matching(session, origin, query)
    few = sorted(wanted) if wanted is not None and len(wanted) <= 500 else None  # a name or a number: read just those
    rows = risk.households_in_round(session, actor, rnd.id, household_ids=few, origin=origin)
    if wanted is not None:
        rows = [r for r in rows if r.household_id in wanted]
    rated = [r for r in rows if r.stage > 0]
    order: dict[str, int] = {RiskLevel.HIGH: 0, RiskLevel.MEDIUM: 1, RiskLevel.LOW: 2}
    rated.sort(key=lambda r: (order.get(r.level, 3), r.number))
    return VillageRisk(rnd.quarter, rnd.closed_on is not None, rated, len(rows) - len(rated))


@dataclass(frozen=True)
class PointsRow:
    household_id: str
    number: str
    head_name: str
    group_name: str
    balance: int  # points available now
    gained: int  # this year (redemptions left out)
    deducted: int  # this year, as a positive number
    last_entry: dt.date | None  # the day of its latest counted entry this year (None: none this year)


def village_points(session: Session, actor: Actor, origin: str, *, query: str = "") -> list[PointsRow]:
    """Every live household of the village with its balance, this year's gains and deductions and its latest
    counted entry this year (the village's ranking, `points.ranking`, for the year), the highest balance
    first (then by 户号)."""
    require(actor, "points.read")
    _village(session, origin)
    rows = points.ranking(session, actor, str(today().year), origin=origin)
    wanted = _matching(session, origin, query)
    result = [PointsRow(r.household_id, r.number, r.head_name, r.group_name, r.balance, r.gained, r.deducted, r.last_entry)
              for r in rows if wanted is None or r.household_id in wanted]
    result.sort(key=lambda r: (-r.balance, r.number))
    return result
