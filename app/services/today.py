"""Today's work (今日待办) for the home page: what is due today at the desk, each item naming the record it
opens.

* cases — sessions planned for today, overdue cases, judicial-confirmation windows closing within a week,
  follow-up visits due (the case services' "today" filters);
* risk — households whose risk visit is due today or earlier (medium and high households of the latest
  round), households not yet assessed in the open round;
* points — entries awaiting a second person's review that this user may review (not the ones they
  recorded themselves; only for roles that review).

Each kind is counted in full; at most `MAX_LISTED` items of a kind are listed (a round that has just
opened leaves hundreds of households to assess: the counter says how many, the list shows the first).
No Qt here: the home page calls `gather_today` and draws the result.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.clock import LOCAL_TZ, today
from app.i18n import N_, _, ngettext
from app.models.grid import GridCell
from app.models.risk import LEVEL_LABELS, RiskAssessment, RiskLevel, RiskRound
from app.models.roster import Household, Person
from app.services import cases, points, risk
from app.services.cases import CaseFilter, CaseRow
from app.services.context import Actor, can, require

MAX_LISTED = 200  # items listed per kind (the counters count them all)

# kind → what the item opens
CASE = "case"
RISK_HOUSEHOLD = "risk_household"  # the household's risk history (record the visit there)
ASSESS_HOUSEHOLD = "assess_household"  # rate the household in the open round
POINTS_ENTRY = "points_entry"  # the entry in the review queue

KINDS = ("session", "overdue", "confirmation", "follow_up", "risk_visit", "points_review", "not_assessed")
KIND_LABELS = {
    "session": N_("Sessions today"),
    "follow_up": N_("Follow-ups due"),
    "confirmation": N_("Confirmation windows closing"),
    "overdue": N_("Overdue cases"),
    "risk_visit": N_("Risk visits due"),
    "not_assessed": N_("Not yet assessed"),
    "points_review": N_("Points for you to review"),  # not your own entries: the Points tab counts all
}
ITEM_WORDS = {
    "session": N_("Session"),
    "follow_up": N_("Follow-up due"),
    "confirmation": N_("Confirmation window closing"),
    "overdue": N_("Overdue"),
    "risk_visit": N_("Risk visit due"),
    "not_assessed": N_("Not assessed"),
    "points_review": N_("Awaiting review"),
}


@dataclass(frozen=True)
class TodayItem:
    kind: str  # one of KINDS
    record: str  # CASE, RISK_HOUSEHOLD, ASSESS_HOUSEHOLD or POINTS_ENTRY
    record_id: str  # the case, household or points entry
    number: str  # the case number, or the household number
    category: str  # the case category; the risk level; the rule code
    parties: str  # the parties; the head of household
    summary: str  # the short account; the villager group; the entry's reason
    when: str  # "09:30" for a session; a short note otherwise
    at: dt.datetime | None = None

    @property
    def case_id(self) -> str:
        """The case this item opens ("" when it opens something else)."""
        return self.record_id if self.record == CASE else ""


@dataclass
class Today:
    on: dt.date
    items: list[TodayItem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    kinds: tuple[str, ...] = ()  # the kinds this user sees (a viewer does not review points)


def kinds_for(actor: Actor) -> tuple[str, ...]:
    """The kinds of work shown to this user."""
    allowed = {"risk_visit": can(actor, "risk.read"), "points_review": can(actor, "points.review"),
               "not_assessed": can(actor, "risk.assess")}
    return tuple(k for k in KINDS if allowed.get(k, True))


def _case_item(kind: str, row: CaseRow, when: str, at: dt.datetime | None = None) -> TodayItem:
    return TodayItem(kind, CASE, row.id, row.number, row.category, row.parties, row.summary, when, at)


def _level_word(level: str) -> str:
    try:
        return _(LEVEL_LABELS[RiskLevel(level)])
    except ValueError:
        return level


def _case_items(session: Session, actor: Actor, on: dt.date, result: Today) -> None:
    overdue_total = cases.count_cases(session, actor, CaseFilter(overdue_only=True))
    due_total = cases.count_cases(session, actor, CaseFilter(follow_up_due_only=True))
    closing_total = cases.count_cases(session, actor, CaseFilter(confirmation_closing_only=True))
    overdue = cases.list_cases(session, actor, CaseFilter(overdue_only=True), limit=MAX_LISTED)
    due = cases.list_cases(session, actor, CaseFilter(follow_up_due_only=True), limit=MAX_LISTED)
    closing = cases.list_cases(session, actor, CaseFilter(confirmation_closing_only=True), limit=MAX_LISTED)
    rows = {r.id: r for r in cases.list_cases(session, actor, CaseFilter(session_planned_on=on), limit=MAX_LISTED)}
    planned = [(rows[case_id], held_at.astimezone(LOCAL_TZ)) for case_id, held_at, _place in cases.planned_sessions(session, actor, on)
               if case_id in rows]
    for row, at in planned:
        result.items.append(_case_item("session", row, at.strftime("%H:%M"), at))
    for row in overdue:
        result.items.append(_case_item("overdue", row, ngettext("{n} day overdue", "{n} days overdue", row.overdue_days).format(
            n=row.overdue_days)))
    for row in closing:
        result.items.append(_case_item("confirmation", row, _("The 30 days end within a week")))
    for row in due:
        result.items.append(_case_item("follow_up", row, _("Visit due")))
    result.counts.update(session=len(planned), overdue=overdue_total, confirmation=closing_total, follow_up=due_total)


def _risk_visits(session: Session, actor: Actor, on: dt.date, result: Today) -> None:
    rows = risk.overdue_visits(session, actor, as_of=on + dt.timedelta(days=1))  # due today or earlier
    rows.sort(key=lambda r: (r.next_visit_due or on, r.number))
    for r in rows[:MAX_LISTED]:
        late = (on - r.next_visit_due).days if r.next_visit_due else 0
        when = ngettext("{n} day late", "{n} days late", late).format(n=late) if late > 0 else _("Due today")
        result.items.append(TodayItem("risk_visit", RISK_HOUSEHOLD, r.household_id, r.number, _level_word(r.level), r.head_name,
                                      r.group_name, when))
    result.counts["risk_visit"] = len(rows)


def _open_round(session: Session) -> RiskRound | None:
    return session.exec(select(RiskRound).where(col(RiskRound.closed_on).is_(None))
                        .order_by(col(RiskRound.quarter).desc())).first()


def _not_assessed(session: Session, actor: Actor, result: Today) -> None:
    rnd = _open_round(session)
    if rnd is None:
        result.counts["not_assessed"] = 0
        return
    rated = sa_select(col(RiskAssessment.household_id)).where(col(RiskAssessment.round_id) == rnd.id)
    where = (col(Household.retired).is_(False), col(Household.id).not_in(rated))
    total = int(session.execute(sa_select(func.count()).select_from(Household).where(*where)).scalar_one())
    rows = session.execute(sa_select(col(Household.id), col(Household.number), col(Person.name), col(GridCell.name))
                           .select_from(Household)
                           .outerjoin(Person, col(Person.id) == col(Household.head_person_id))
                           .outerjoin(GridCell, col(GridCell.id) == col(Household.group_id))
                           .where(*where).order_by(col(Household.number)).limit(MAX_LISTED)).all()
    when = _("Round {quarter}").format(quarter=rnd.quarter)
    for hid, number, head, group in rows:
        result.items.append(TodayItem("not_assessed", ASSESS_HOUSEHOLD, hid, number, "", head or "", group or "", when))
    result.counts["not_assessed"] = total


def _points_reviews(session: Session, actor: Actor, result: Today) -> None:
    mine = [(e, number, head) for e, number, head in points.review_queue(session, actor) if e.recorded_by != actor.username]
    for entry, number, head in mine[:MAX_LISTED]:
        result.items.append(TodayItem("points_review", POINTS_ENTRY, entry.id, number, entry.rule_code or _("Outside the rules"),
                                      head, f"{entry.reason} ({entry.points:+d})",
                                      _("Recorded by {name}").format(name=entry.recorded_by)))
    result.counts["points_review"] = len(mine)


def gather_today(session: Session, actor: Actor, on: dt.date | None = None) -> Today:
    """Everything due on `on` (today) for this user, counted in full, listed up to `MAX_LISTED` a kind."""
    require(actor, "cases.read")
    on = on or today()
    result = Today(on, kinds=kinds_for(actor))
    _case_items(session, actor, on, result)
    if "risk_visit" in result.kinds:
        _risk_visits(session, actor, on, result)
    if "not_assessed" in result.kinds:
        _not_assessed(session, actor, result)
    if "points_review" in result.kinds:
        _points_reviews(session, actor, result)
    return result


BACKUP_STALE_DAYS = 2  # automatic backups run daily: two days without one means they are not running
SYNC_STALE_DAYS = 7  # a village carries the stick to town about once a week


@dataclass(frozen=True)
class Safekeeping:
    """Whether what was typed is also somewhere else: the last backup and the last sync with the township."""

    last_backup: dt.datetime | None
    backup_recent: bool
    reports_to_township: bool  # a township center is enrolled (else sync is not in use)
    last_sync: dt.datetime | None
    sync_recent: bool
    pending: int  # changes the township has not acknowledged


def safekeeping(session: Session, data_dir: Path, now: dt.datetime | None = None) -> Safekeeping:
    from app.clock import utcnow
    from app.services.backup import latest_backup
    from app.sync.identity import township_peer
    from app.sync.status import summary

    now = now or utcnow()
    latest = latest_backup(data_dir)
    last_backup = latest[1] if latest else None
    township = township_peer(session)
    last_sync, pending = None, 0
    if township is not None:
        state = summary(session, data_dir)
        peer = next((p for p in state.peers if p.device_id == township.device_id), None)
        if peer is not None:
            times = [t for t in (peer.last_receipt, peer.last_import) if t is not None]
            last_sync, pending = (max(times) if times else None), peer.pending
    return Safekeeping(
        last_backup, last_backup is not None and now - last_backup <= dt.timedelta(days=BACKUP_STALE_DAYS),
        township is not None, last_sync,
        township is None or (last_sync is not None and now - last_sync <= dt.timedelta(days=SYNC_STALE_DAYS)) or pending == 0,
        pending)
