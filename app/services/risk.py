"""Quarterly risk ratings (排查评估), level by level.

A round is opened for a quarter; every live household is in it. Each household moves through three
stages — assessed by the villager group, confirmed (or changed) by the village committee, reviewed by the
town work team — each a row of its own, never edited. Medium and high households get a responsible
cadre (包保责任人), stability measures and visits due every 30 (high) or 90 (medium) days.

The suggested level (a documented rule, `suggest_level`): add up the weights of the ticked factors;
HIGH when the sum is 6 or more, or any one factor weighs 6 or more; MEDIUM when the sum is 3 or more;
LOW otherwise. The assessor may choose another level, with a reason. The next stage starts from the
level below and must give a reason to change it.

Sensitive factors (重点人员: community correction, severe mental disorder, ...) are shown only to roles
with `risk.sensitive`; others see that a sensitive factor exists, not which one, and never on a
public document.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.clock import today, utcnow
from app.errors import NotFound, ValidationError
from app.i18n import N_, _
from app.models.cases import OPEN_STATUSES, Case, CaseHousehold
from app.models.grid import GridCell
from app.models.risk import LEVEL_LABELS, CadreAssignment, RiskAssessment, RiskFactor, RiskLevel, RiskRound, RiskVisit, Stage
from app.models.roster import Household, Person
from app.services import audit, settings
from app.services.context import Actor, can, require
from app.services.identity import device_id
from app.services.periods import parse_period
from app.services.validation import check_mobile, clean_name, clean_text

HIGH_SUM, MEDIUM_SUM, SEVERE_WEIGHT = 6, 3, 6
MASK = N_("Sensitive (hidden)")

DEFAULT_FACTORS: list[tuple[str, str, int, bool, str]] = [
    ("open_dispute", "有未化解的矛盾纠纷", 3, False, "open_case"),
    ("repeated_petitions", "多次信访、越级上访", 4, False, ""),
    ("domestic_violence", "家庭暴力", 6, True, ""),
    ("serious_debt", "重大债务纠纷", 3, False, ""),
    ("community_correction", "社区矫正对象", 4, True, ""),
    ("severe_mental_disorder", "严重精神障碍患者", 6, True, ""),
    ("drug_use", "吸毒人员", 6, True, ""),
    ("released_prisoner", "刑满释放人员", 3, True, ""),
    ("housing_fire_hazard", "房屋或消防安全隐患", 3, False, ""),
    ("marriage_crisis", "婚姻家庭矛盾激化", 3, False, ""),
    ("land_dispute", "土地、宅基地纠纷未决", 2, False, ""),
    ("extreme_words", "有过激言行", 6, True, ""),
]
STAGE_PERMISSIONS = {Stage.GROUP: "risk.assess", Stage.VILLAGE: "risk.review_village", Stage.TOWN: "risk.review_town"}
VISIT_SETTING = {RiskLevel.HIGH: "risk_visit_days_high", RiskLevel.MEDIUM: "risk_visit_days_medium"}


@dataclass(frozen=True)
class AssessInput:
    household_id: str
    factors: tuple[str, ...]
    level: str | None = None  # None: take the suggestion (stage 1) or the level below (stages 2, 3)
    reason: str = ""
    note: str = ""
    assessed_by: str = ""  # the name of who rated (a town team member at stage 3); default the user


@dataclass
class HouseholdRisk:
    household_id: str
    number: str
    head_name: str
    group_name: str
    stage: int  # 0: not assessed
    level: str
    suggested_level: str
    factors: list[str] = field(default_factory=list)  # names, sensitive ones masked for roles without access
    reason: str = ""
    cadre: str = ""
    next_visit_due: dt.date | None = None


@dataclass(frozen=True)
class GroupProgress:
    group_id: str | None
    group_name: str
    households: int
    by_stage: dict[int, int]
    by_level: dict[str, int]


# ---------------------------------------------------------------- factors

def ensure_factors(session: Session) -> None:
    if session.exec(select(RiskFactor).limit(1)).first() is not None:
        return
    origin = device_id(session)
    for i, (code, name, weight, sensitive, automatic) in enumerate(DEFAULT_FACTORS):
        session.add(RiskFactor(code=code, name=name, weight=weight, sensitive=sensitive, automatic=automatic, position=i, origin=origin))
    session.flush()


def factors(session: Session, actor: Actor, *, include_inactive: bool = False) -> list[RiskFactor]:
    """The factors in use (or all, for the catalog editor); sensitive ones only for roles that may see them."""
    require(actor, "risk.read")
    ensure_factors(session)
    q = select(RiskFactor).order_by(col(RiskFactor.position))
    if not include_inactive:
        q = q.where(col(RiskFactor.active).is_(True))
    rows = session.exec(q).all()
    return [f for f in rows if can(actor, "risk.sensitive") or not f.sensitive]


def set_factor(session: Session, actor: Actor, code: str, name: str, weight: int, sensitive: bool, active: bool = True) -> RiskFactor:
    require(actor, "risk.catalog")
    ensure_factors(session)
    code = clean_text(code, "code", "Code", max_len=30, required=True)
    name = clean_text(name, "name", "Name", max_len=60, required=True)
    if not 1 <= weight <= 10:
        raise ValidationError("weight", _("{field} must be from 1 to 10.").format(field=_("Weight")))
    row = session.exec(select(RiskFactor).where(RiskFactor.code == code)).first()
    before = audit.snapshot(row) if row else None
    if row is None:
        count = len(session.exec(select(RiskFactor)).all())
        row = RiskFactor(code=code, name=name, weight=weight, sensitive=sensitive, active=active, position=count, origin=device_id(session))
        session.add(row)
    else:
        row.name, row.weight, row.sensitive, row.active = name, weight, sensitive, active
        row.updated_at = utcnow()
    session.flush()
    audit.record_change(session, actor, row, before, code)
    return row


def suggest_level(weights: Sequence[int]) -> RiskLevel:
    total = sum(weights)
    if total >= HIGH_SUM or any(w >= SEVERE_WEIGHT for w in weights):
        return RiskLevel.HIGH
    if total >= MEDIUM_SUM:
        return RiskLevel.MEDIUM
    return RiskLevel.LOW


def automatic_factors(session: Session, household_id: str) -> list[str]:
    """Factors filled in from elsewhere: an open dispute case with the household as a party's household."""
    open_case = session.exec(select(CaseHousehold.case_id).join(Case, col(Case.id) == col(CaseHousehold.case_id))
                             .where(CaseHousehold.household_id == household_id, col(Case.status).in_(OPEN_STATUSES))).first()
    if open_case is None:
        return []
    return [f.code for f in session.exec(select(RiskFactor).where(RiskFactor.automatic == "open_case")).all()]


# ---------------------------------------------------------------- rounds

def open_round(session: Session, actor: Actor, quarter: str) -> RiskRound:
    require(actor, "risk.rounds")
    p = parse_period(quarter)
    if "Q" not in p.text:
        raise ValidationError("quarter", _("{field} must be a quarter, e.g. 2026Q4.").format(field=_("Quarter")))
    if p.start > today():
        raise ValidationError("quarter", _("{field} has not begun yet.").format(field=_("Quarter")))
    if session.exec(select(RiskRound).where(RiskRound.quarter == p.text)).first() is not None:
        raise ValidationError("quarter", _("A round for {quarter} is already open or done.").format(quarter=p.text))
    still_open = session.exec(select(RiskRound).where(col(RiskRound.closed_on).is_(None))).first()
    if still_open is not None:
        raise ValidationError("quarter", _("Close the round of {quarter} first.").format(quarter=still_open.quarter))
    ensure_factors(session)
    row = RiskRound(quarter=p.text, opened_on=today(), origin=device_id(session))
    session.add(row)
    session.flush()
    audit.record_change(session, actor, row, None, p.text)
    return row


def get_round(session: Session, quarter: str | None = None, *, origin: str | None = None) -> RiskRound:
    """The round of `quarter`, or the open round (else the latest); `origin`: of that device only (one
    village's rounds, at a township)."""
    q = select(RiskRound)
    if origin is not None:
        q = q.where(RiskRound.origin == origin)
    if quarter:
        row = session.exec(q.where(RiskRound.quarter == parse_period(quarter).text)).first()
    else:
        row = session.exec(q.order_by(col(RiskRound.closed_on).is_not(None), col(RiskRound.quarter).desc())).first()
    if row is None:
        raise NotFound(_("There is no risk round {quarter}.").format(quarter=quarter or ""))
    return row


@dataclass(frozen=True)
class _Latest:
    stage: int
    level: str
    suggested_level: str
    factors: str
    reason: str
    assessed_at: dt.datetime

    @property
    def assessed_on(self) -> dt.date:
        return self.assessed_at.date()


def _latest_query(round_id: str) -> Any:
    """The latest stage's row of each assessed household in the round (one row per household)."""
    newer = RiskAssessment.__table__.alias("newer")  # type: ignore[attr-defined]
    return (sa_select(col(RiskAssessment.household_id), col(RiskAssessment.stage), col(RiskAssessment.level),
                      col(RiskAssessment.suggested_level), col(RiskAssessment.factors), col(RiskAssessment.reason),
                      col(RiskAssessment.assessed_at))
            .where(col(RiskAssessment.round_id) == round_id,
                   ~sa_select(newer.c.id).where(newer.c.round_id == round_id, newer.c.household_id == col(RiskAssessment.household_id),
                                                newer.c.stage > col(RiskAssessment.stage)).exists()))


def _latest(session: Session, round_id: str, *, levels: Sequence[str] = (),
            household_ids: Sequence[str] | None = None) -> dict[str, _Latest]:
    q = _latest_query(round_id)
    if levels:
        q = q.where(col(RiskAssessment.level).in_(levels))
    if household_ids is not None:
        q = q.where(col(RiskAssessment.household_id).in_(list(household_ids)))
    return {hid: _Latest(stage, level, suggested, factors, reason, at)
            for hid, stage, level, suggested, factors, reason, at in session.execute(q).all()}


def _last_visits(session: Session, household_ids: Sequence[str] | None = None, origin: str | None = None) -> dict[str, dt.date]:
    q = sa_select(col(RiskVisit.household_id), func.max(RiskVisit.visited_on)).group_by(col(RiskVisit.household_id))
    if household_ids is not None:
        q = q.where(col(RiskVisit.household_id).in_(list(household_ids)))
    if origin is not None:
        q = q.where(col(RiskVisit.origin) == origin)
    return dict(session.execute(q).all())


def _due(session: Session, level: str, assessed_on: dt.date, last_visit: dt.date | None,
         intervals: dict[str, int | None]) -> dt.date | None:
    interval = intervals.get(level)
    if interval is None:
        return None
    start = max(last_visit, assessed_on) if last_visit else assessed_on
    return start + dt.timedelta(days=interval)


def _intervals(session: Session) -> dict[str, int | None]:
    return {lv.value: visit_interval(session, lv.value) for lv in RiskLevel}


def close_round(session: Session, actor: Actor, round_id: str, reason: str = "") -> RiskRound:
    require(actor, "risk.rounds")
    row = session.get(RiskRound, round_id)
    if row is None:
        raise NotFound(_("There is no risk round with id {id}.").format(id=round_id))
    if row.closed_on is not None:
        raise ValidationError("round", _("The round of {quarter} is already closed.").format(quarter=row.quarter))
    live = session.exec(select(func.count()).select_from(Household).where(col(Household.retired).is_(False))).one()
    assessed = len(_latest(session, row.id))
    left = int(live) - assessed
    reason = clean_text(reason, "reason", "Reason", max_len=1000, multiline=True)
    if left > 0 and not reason:
        raise ValidationError("reason", _("{n} households are not assessed yet; give the reason for closing anyway.").format(n=left))
    before = audit.snapshot(row)
    row.closed_on, row.closed_by, row.close_reason = today(), actor.username, reason
    session.flush()
    audit.record_change(session, actor, row, before, row.quarter)
    return row


# ---------------------------------------------------------------- assessments

def assess(session: Session, actor: Actor, round_id: str, data: AssessInput) -> RiskAssessment:
    """Rate a household at the next stage. Stage 1 takes the ticked factors and suggests a level; stages 2
    and 3 confirm or change the level below (changing needs a reason). Sensitive factors ticked earlier
    stay even when the assessor may not see them."""
    rnd = session.get(RiskRound, round_id)
    if rnd is None:
        raise NotFound(_("There is no risk round with id {id}.").format(id=round_id))
    if rnd.closed_on is not None:
        raise ValidationError("round", _("The round of {quarter} is closed.").format(quarter=rnd.quarter))
    household = session.get(Household, data.household_id)
    if household is None or household.retired:
        raise ValidationError("household_id", _("{field} does not exist.").format(field=_("Household")))
    previous = session.exec(select(RiskAssessment).where(RiskAssessment.round_id == rnd.id, RiskAssessment.household_id == household.id)
                            .order_by(col(RiskAssessment.stage).desc())).first()
    if previous and previous.stage >= Stage.TOWN:
        raise ValidationError("stage", _("This household has already been reviewed by the town work team."))
    stage = Stage(previous.stage + 1) if previous else Stage.GROUP
    require(actor, STAGE_PERMISSIONS[stage])
    ensure_factors(session)
    catalog = {f.code: f for f in session.exec(select(RiskFactor)).all()}
    unknown = [c for c in data.factors if c not in catalog or not catalog[c].active]
    if unknown:
        raise ValidationError("factors", _("Unknown risk factor: {codes}.").format(codes=", ".join(unknown)))
    ticked = set(data.factors)
    if previous is not None and not ticked:  # a review that names no factors keeps those of the level below
        visible = can(actor, "risk.sensitive")
        ticked = {c for c in previous.factors.split(",") if c and c in catalog and (visible or not catalog[c].sensitive)}
    if any(catalog[c].sensitive for c in ticked) and not can(actor, "risk.sensitive"):
        raise ValidationError("factors", _("Your role may not record sensitive factors; ask the committee."))
    if previous is not None and not can(actor, "risk.sensitive"):
        ticked |= {c for c in previous.factors.split(",") if c and catalog.get(c) and catalog[c].sensitive}
    ticked |= set(automatic_factors(session, household.id))
    codes = sorted(ticked, key=lambda c: catalog[c].position)
    suggested = suggest_level([catalog[c].weight for c in codes])
    base = RiskLevel(previous.level) if previous else suggested
    level = RiskLevel(data.level) if data.level else base
    if data.level and data.level not in {lv.value for lv in RiskLevel}:
        raise ValidationError("level", _("{field} must be low, medium or high.").format(field=_("Risk level")))
    reason = clean_text(data.reason, "reason", "Reason", max_len=1000, multiline=True)
    if level != base and not reason:
        what = _("the suggested level") if previous is None else _("the level given at the stage below")
        raise ValidationError("reason", _("Give the reason for choosing {level} instead of {what} ({base}).").format(
            level=_(LEVEL_LABELS[level]), what=what, base=_(LEVEL_LABELS[base])))
    row = RiskAssessment(round_id=rnd.id, household_id=household.id, stage=stage, factors=",".join(codes),
                         suggested_level=suggested, level=level, reason=reason,
                         note=clean_text(data.note, "note", "Note", max_len=2000, multiline=True),
                         assessed_by=clean_name(data.assessed_by, "assessed_by", "Assessed by") if data.assessed_by.strip()
                         else actor.display_name, assessed_at=utcnow(), origin=device_id(session))
    session.add(row)
    session.flush()
    audit.record_change(session, actor, row, None, f"{rnd.quarter} {household.number} {level}")
    return row


# ---------------------------------------------------------------- cadres and visits

def assign_cadre(session: Session, actor: Actor, household_id: str, cadre_name: str, measures: str, *,
                 cadre_user_id: str | None = None, cadre_phone: str = "", on: dt.date | None = None) -> CadreAssignment:
    require(actor, "risk.review_village")
    if session.get(Household, household_id) is None:
        raise ValidationError("household_id", _("{field} does not exist.").format(field=_("Household")))
    day = on or today()
    if day > today():
        raise ValidationError("assigned_on", _("{field} is in the future.").format(field=_("Date")))
    row = CadreAssignment(household_id=household_id, cadre_name=clean_name(cadre_name, "cadre_name", "Responsible cadre"),
                          cadre_user_id=cadre_user_id, cadre_phone=check_mobile(cadre_phone, "cadre_phone"),
                          measures=clean_text(measures, "measures", "Stability measures", max_len=2000, required=True, multiline=True),
                          assigned_on=day, assigned_by=actor.username, origin=device_id(session))
    session.add(row)
    session.flush()
    audit.record_change(session, actor, row, None, row.cadre_name)
    return row


def current_cadre(session: Session, household_id: str) -> CadreAssignment | None:
    return session.exec(select(CadreAssignment).where(CadreAssignment.household_id == household_id)
                        .order_by(col(CadreAssignment.assigned_on).desc(), col(CadreAssignment.created_at).desc())).first()


def record_visit(session: Session, actor: Actor, household_id: str, visited_on: dt.date, visitor: str, findings: str,
                 measures_taken: str = "") -> RiskVisit:
    require(actor, "risk.visit")
    if session.get(Household, household_id) is None:
        raise ValidationError("household_id", _("{field} does not exist.").format(field=_("Household")))
    if visited_on > today():
        raise ValidationError("visited_on", _("{field} is in the future.").format(field=_("Visited on")))
    row = RiskVisit(household_id=household_id, visited_on=visited_on, visitor=clean_name(visitor, "visitor", "Visitor"),
                    findings=clean_text(findings, "findings", "Findings", max_len=2000, required=True, multiline=True),
                    measures_taken=clean_text(measures_taken, "measures_taken", "Measures taken", max_len=2000, multiline=True),
                    recorded_by=actor.username, origin=device_id(session))
    session.add(row)
    session.flush()
    audit.record_change(session, actor, row, None, row.visitor)
    return row


def visit_interval(session: Session, level: str) -> int | None:
    key = VISIT_SETTING.get(RiskLevel(level)) if level in {lv.value for lv in RiskLevel} else None
    return settings.get_int(session, key) if key else None


def next_visit_due(session: Session, household_id: str, level: str, since: dt.date) -> dt.date | None:
    """Due `interval` days after the last visit, or after `since` (when the level was given) if never visited."""
    interval = visit_interval(session, level)
    if interval is None:
        return None
    last = session.exec(select(func.max(RiskVisit.visited_on)).where(RiskVisit.household_id == household_id)).one()
    start = max(last, since) if last else since
    return start + dt.timedelta(days=interval)


# ---------------------------------------------------------------- reads

def _factor_names(codes: str, catalog: dict[str, RiskFactor], show_sensitive: bool) -> list[str]:
    names = []
    for code in (c for c in codes.split(",") if c):
        factor = catalog.get(code)
        if factor is None:
            continue
        names.append(factor.name if show_sensitive or not factor.sensitive else _(MASK))
    return names


def households_in_round(session: Session, actor: Actor, round_id: str, *, group_id: str | None = None,
                        level: str | None = None, stage: int | None = None,
                        household_ids: Sequence[str] | None = None, origin: str | None = None) -> list[HouseholdRisk]:
    """Every household in the round with its latest stage and level (not assessed: stage 0); `origin`: only
    the households (and cadres, visits) that device made — one village's, at a township."""
    require(actor, "risk.read")
    latest = _latest(session, round_id, household_ids=household_ids)
    catalog = {f.code: f for f in session.exec(select(RiskFactor)).all()}
    show = can(actor, "risk.sensitive")
    q = (sa_select(col(Household.id), col(Household.number), col(Person.name), col(GridCell.name))
         .select_from(Household)
         .outerjoin(Person, col(Person.id) == col(Household.head_person_id))
         .outerjoin(GridCell, col(GridCell.id) == col(Household.group_id))
         .where(col(Household.retired).is_(False)).order_by(col(Household.number)))
    if group_id:
        q = q.where(col(Household.group_id) == group_id)
    if household_ids is not None:
        q = q.where(col(Household.id).in_(list(household_ids)))
    if origin is not None:
        q = q.where(col(Household.origin) == origin)
    cadre_query = select(CadreAssignment).order_by(col(CadreAssignment.assigned_on), col(CadreAssignment.created_at))
    if household_ids is not None:
        cadre_query = cadre_query.where(col(CadreAssignment.household_id).in_(list(household_ids)))
    if origin is not None:
        cadre_query = cadre_query.where(col(CadreAssignment.origin) == origin)
    cadres = {c.household_id: c.cadre_name for c in session.exec(cadre_query).all()}
    visits = _last_visits(session, household_ids, origin)
    intervals = _intervals(session)
    result = []
    for hid, number, head, group in session.execute(q).all():
        a = latest.get(hid)
        if level and (a.level if a else "") != level:
            continue
        if stage is not None and (a.stage if a else 0) != stage:
            continue
        row = HouseholdRisk(hid, number, head or "", group or "", a.stage if a else 0, a.level if a else "",
                            a.suggested_level if a else "", _factor_names(a.factors, catalog, show) if a else [], a.reason if a else "")
        row.cadre = cadres.get(hid, "")
        if a is not None:
            row.next_visit_due = _due(session, a.level, a.assessed_on, visits.get(hid), intervals)
        result.append(row)
    return result


def progress(session: Session, actor: Actor, round_id: str) -> list[GroupProgress]:
    """Per villager group: households, how many at each stage, how many at each level (one aggregate query)."""
    require(actor, "risk.read")
    latest = _latest_query(round_id).subquery()
    stage_col = func.coalesce(latest.c.stage, 0)
    rows = session.execute(
        sa_select(col(Household.group_id), col(GridCell.name), col(GridCell.position), func.count(),
                  *[func.sum(case((stage_col == s, 1), else_=0)) for s in (0, 1, 2, 3)],
                  *[func.sum(case((latest.c.level == lv.value, 1), else_=0)) for lv in RiskLevel])
        .select_from(Household)
        .outerjoin(latest, latest.c.household_id == col(Household.id))
        .outerjoin(GridCell, col(GridCell.id) == col(Household.group_id))
        .where(col(Household.retired).is_(False))
        .group_by(col(Household.group_id))
        .order_by(col(GridCell.position), col(GridCell.name))).all()
    result = []
    for group_id, name, _position, count, *figures in rows:
        by_stage = {s: int(figures[i] or 0) for i, s in enumerate((0, 1, 2, 3))}
        by_level = {lv.value: int(figures[4 + i] or 0) for i, lv in enumerate(RiskLevel)}
        result.append(GroupProgress(group_id, name or "", int(count), by_stage, by_level))
    return result


def overdue_visits(session: Session, actor: Actor, *, as_of: dt.date | None = None) -> list[HouseholdRisk]:
    """Medium and high households of the latest round whose visit is due before `as_of` (today)."""
    require(actor, "risk.read")
    day = as_of or today()
    try:
        rnd = get_round(session)
    except NotFound:
        return []
    watched = _latest(session, rnd.id, levels=(RiskLevel.MEDIUM, RiskLevel.HIGH))
    visits = _last_visits(session)
    intervals = _intervals(session)
    late = [hid for hid, a in watched.items() if (due := _due(session, a.level, a.assessed_on, visits.get(hid), intervals)) and due < day]
    if not late:
        return []
    return households_in_round(session, actor, rnd.id, household_ids=late)


def history(session: Session, actor: Actor, household_id: str) -> list[tuple[str, int, str, str, list[str]]]:
    """A household's level through the quarters: (quarter, final stage, level, reason, factors)."""
    require(actor, "risk.read")
    catalog = {f.code: f for f in session.exec(select(RiskFactor)).all()}
    show = can(actor, "risk.sensitive")
    rows = session.exec(select(RiskAssessment, RiskRound.quarter).join(RiskRound, col(RiskRound.id) == col(RiskAssessment.round_id))
                        .where(RiskAssessment.household_id == household_id)
                        .order_by(col(RiskRound.quarter), col(RiskAssessment.stage))).all()
    final: dict[str, Any] = {}
    for a, quarter in rows:
        final[quarter] = (quarter, a.stage, a.level, a.reason, _factor_names(a.factors, catalog, show))
    return list(final.values())


def changes_between(session: Session, actor: Actor, first_quarter: str, second_quarter: str) -> list[tuple[str, str, str, str]]:
    """Who went up and who went down: (household number, head, level in the first, level in the second)."""
    require(actor, "risk.read")
    a = _latest(session, get_round(session, first_quarter).id)
    b = _latest(session, get_round(session, second_quarter).id)
    numbers = {h: (n, p or "") for h, n, p in session.execute(
        sa_select(col(Household.id), col(Household.number), col(Person.name))
        .outerjoin(Person, col(Person.id) == col(Household.head_person_id))).all()}
    changed = []
    for hid in sorted(set(a) & set(b), key=lambda h: numbers.get(h, ("", ""))[0]):
        if a[hid].level != b[hid].level:
            number, head = numbers.get(hid, ("", ""))
            changed.append((number, head, a[hid].level, b[hid].level))
    return changed


def reassessment_proposals(session: Session, actor: Actor) -> list[HouseholdRisk]:
    """Households of the open round rated before a dispute case of theirs was registered: a new case proposes
    a re-assessment (the case is an automatic factor of the next rating)."""
    require(actor, "risk.read")
    try:
        rnd = get_round(session)
    except NotFound:
        return []
    if rnd.closed_on is not None:
        return []
    latest = _latest(session, rnd.id)
    recent = session.exec(select(CaseHousehold.household_id, func.max(Case.created_at))
                          .join(Case, col(Case.id) == col(CaseHousehold.case_id))
                          .where(col(Case.status).in_(OPEN_STATUSES)).group_by(col(CaseHousehold.household_id))).all()
    wanted = {hid for hid, created in recent if hid in latest and latest[hid].assessed_at < created
              and "open_dispute" not in latest[hid].factors.split(",") and latest[hid].stage < Stage.TOWN}
    return [r for r in households_in_round(session, actor, rnd.id) if r.household_id in wanted]


@dataclass(frozen=True)
class HouseholdOverview:
    """Cases, points and risk of one household together, for the household page."""

    cases: list[tuple[str, str, str, str]]  # (case id, number, status, short account)
    balance: int
    risk_level: str
    risk_stage: int
    risk_factors: list[str]
    cadre: str
    next_visit_due: dt.date | None


def household_overview(session: Session, actor: Actor, household_id: str) -> HouseholdOverview:
    from app.models.cases import CaseParty
    from app.models.roster import Person as RosterPerson
    from app.services import points

    require(actor, "roster.read")
    people = sa_select(col(RosterPerson.id)).where(col(RosterPerson.household_id) == household_id)
    linked = sa_select(col(CaseHousehold.case_id)).where(col(CaseHousehold.household_id) == household_id)
    as_party = sa_select(col(CaseParty.case_id)).where(col(CaseParty.person_id).in_(people))
    case_rows = session.exec(select(Case).where(col(Case.id).in_(linked) | col(Case.id).in_(as_party))
                             .order_by(col(Case.received_on).desc())).all() if can(actor, "cases.read") else []
    level, stage, names, due = "", 0, [], None
    try:
        rnd = get_round(session)
        rows = households_in_round(session, actor, rnd.id)
        mine = next((r for r in rows if r.household_id == household_id), None)
        if mine is not None:
            level, stage, names, due = mine.level, mine.stage, mine.factors, mine.next_visit_due
    except NotFound:
        pass
    cadre = current_cadre(session, household_id)
    return HouseholdOverview([(c.id, c.number, c.status, c.summary) for c in case_rows], points.balance(session, household_id),
                             level, stage, names, cadre.cadre_name if cadre else "", due)


def rounds(session: Session, actor: Actor) -> list[RiskRound]:
    """Every round, newest first."""
    require(actor, "risk.read")
    return list(session.exec(select(RiskRound).order_by(col(RiskRound.quarter).desc())).all())


def visits(session: Session, actor: Actor, household_id: str) -> list[RiskVisit]:
    """A household's visits, oldest first."""
    require(actor, "risk.read")
    return list(session.exec(select(RiskVisit).where(RiskVisit.household_id == household_id)
                             .order_by(col(RiskVisit.visited_on), col(RiskVisit.created_at))).all())
