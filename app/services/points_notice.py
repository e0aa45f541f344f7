"""Public notice of points (积分公示): a notice for a period and a villager group (or the whole village),
posted for a notice period during which villagers may object to an entry; an upheld objection produces
the correcting reversal."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.clock import today
from app.errors import NotFound, ValidationError
from app.i18n import _
from app.models.grid import GridCell
from app.models.points import PointsEntry, PointsNotice, PointsObjection
from app.models.roster import Household
from app.services import audit, points
from app.services.context import Actor, require
from app.services.identity import device_id
from app.services.periods import parse_period
from app.services.validation import clean_name, clean_text

DEFAULT_NOTICE_DAYS = 7


def post_notice(session: Session, actor: Actor, period: str, group_id: str | None = None, *, posted_on: dt.date | None = None,
                days: int = DEFAULT_NOTICE_DAYS, where_to_object: str = "") -> PointsNotice:
    require(actor, "points.notice")
    p = parse_period(period)
    posted = posted_on or today()
    if posted < p.end:
        raise ValidationError("posted_on", _("The notice of {period} can be posted only after the period ends ({end}).").format(
            period=p.text, end=p.end.isoformat()))
    if posted > today():
        raise ValidationError("posted_on", _("{field} is in the future.").format(field=_("Posted on")))
    if not 3 <= days <= 30:
        raise ValidationError("days", _("{field} must be from 3 to 30 days.").format(field=_("Notice period")))
    if group_id is not None and session.get(GridCell, group_id) is None:
        raise ValidationError("group", _("{field} does not exist.").format(field=_("Villager group")))
    notice = PointsNotice(period=p.text, group_id=group_id, posted_on=posted, objections_until=posted + dt.timedelta(days=days - 1),
                          where_to_object=clean_text(where_to_object, "where_to_object", "Where to object", max_len=200)
                          or "村委会办公室（村人民调解室）", origin=device_id(session))
    session.add(notice)
    session.flush()
    audit.record_change(session, actor, notice, None, f"{p.text}")
    return notice


def raise_objection(session: Session, actor: Actor, notice_id: str, entry_id: str, raised_by: str, content: str,
                    on: dt.date | None = None) -> PointsObjection:
    require(actor, "points.write")
    notice = session.get(PointsNotice, notice_id)
    if notice is None:
        raise NotFound(_("There is no notice with id {id}.").format(id=notice_id))
    entry = session.get(PointsEntry, entry_id)
    if entry is None:
        raise NotFound(_("There is no points entry with id {id}.").format(id=entry_id))
    day = on or today()
    if not notice.posted_on <= day <= notice.objections_until:
        raise ValidationError("raised_on", _("Objections to this notice were possible from {start} to {end}.").format(
            start=notice.posted_on.isoformat(), end=notice.objections_until.isoformat()))
    p = parse_period(notice.period)
    household = session.get(Household, entry.household_id)
    in_scope = notice.group_id is None or (household is not None and notice.group_id in (household.group_id, household.micro_grid_id))
    if not (p.start <= entry.occurred_on <= p.end) or not in_scope:
        raise ValidationError("entry", _("This entry is not on the notice."))
    row = PointsObjection(entry_id=entry.id, notice_id=notice.id, raised_by=clean_name(raised_by, "raised_by", "Raised by"),
                          raised_on=day, content=clean_text(content, "content", "Objection", max_len=2000, required=True,
                                                            multiline=True), origin=device_id(session))
    session.add(row)
    session.flush()
    audit.record_change(session, actor, row, None, f"{row.raised_by}: {row.content[:30]}")
    return row


def decide_objection(session: Session, actor: Actor, objection_id: str, upheld: bool, note: str) -> PointsObjection:
    """Upheld: the entry is reversed with the objection as its reason. Dismissed: the reason is recorded."""
    require(actor, "points.notice")
    row = session.get(PointsObjection, objection_id)
    if row is None:
        raise NotFound(_("There is no objection with id {id}.").format(id=objection_id))
    if row.decision:
        raise ValidationError("decision", _("This objection has already been decided."))
    note = clean_text(note, "note", "Reason", max_len=1000, required=True, multiline=True)
    before = audit.snapshot(row)
    if upheld:
        reversal = points.reverse(session, actor, row.entry_id, _("Objection upheld: {note}").format(note=note)[:300])
        row.reversal_id = reversal.id
    row.decision = "upheld" if upheld else "dismissed"
    row.decided_on, row.decided_by, row.decision_note = today(), actor.username, note
    session.flush()
    audit.record_change(session, actor, row, before, row.decision)
    return row


def objections(session: Session, actor: Actor, *, pending_only: bool = False) -> list[PointsObjection]:
    require(actor, "points.read")
    q = select(PointsObjection).order_by(col(PointsObjection.raised_on).desc())
    if pending_only:
        q = q.where(PointsObjection.decision == "")
    return list(session.exec(q).all())


def notices(session: Session, actor: Actor) -> list[PointsNotice]:
    """Posted notices, newest first."""
    require(actor, "points.read")
    return list(session.exec(select(PointsNotice).order_by(col(PointsNotice.posted_on).desc(), col(PointsNotice.created_at).desc())).all())


def get_notice(session: Session, actor: Actor, notice_id: str) -> PointsNotice:
    require(actor, "points.read")
    notice = session.get(PointsNotice, notice_id)
    if notice is None:
        raise NotFound(_("There is no notice with id {id}.").format(id=notice_id))
    return notice


def open_notices_for(session: Session, actor: Actor, entry_id: str, on: dt.date | None = None) -> list[PointsNotice]:
    """Notices whose objection window is open on `on` (today) and that list this entry."""
    require(actor, "points.read")
    entry = session.get(PointsEntry, entry_id)
    if entry is None:
        return []
    day = on or today()
    household = session.get(Household, entry.household_id)
    result = []
    window_open = select(PointsNotice).where(col(PointsNotice.posted_on) <= day, col(PointsNotice.objections_until) >= day)
    for notice in session.exec(window_open).all():
        p = parse_period(notice.period)
        in_scope = notice.group_id is None or (household is not None and notice.group_id in (household.group_id, household.micro_grid_id))
        if p.start <= entry.occurred_on <= p.end and in_scope:
            result.append(notice)
    return result


@dataclass(frozen=True)
class ObjectionRow:
    id: str
    raised_on: dt.date
    raised_by: str
    content: str
    decision: str
    decision_note: str
    household_number: str
    entry_reason: str
    entry_points: int
    entry_occurred_on: dt.date
    notice_period: str


def objection_rows(session: Session, actor: Actor, *, pending_only: bool = False) -> list[ObjectionRow]:
    """Objections with the contested entry and its household, newest first."""
    require(actor, "points.read")
    q = (select(PointsObjection, PointsEntry, Household.number, PointsNotice.period)
         .join(PointsEntry, col(PointsEntry.id) == col(PointsObjection.entry_id))
         .join(Household, col(Household.id) == col(PointsEntry.household_id))
         .join(PointsNotice, col(PointsNotice.id) == col(PointsObjection.notice_id), isouter=True)
         .order_by(col(PointsObjection.raised_on).desc()))
    if pending_only:
        q = q.where(PointsObjection.decision == "")
    return [ObjectionRow(o.id, o.raised_on, o.raised_by, o.content, o.decision, o.decision_note, number, e.reason, e.points,
                         e.occurred_on, period or "") for o, e, number, period in session.exec(q).all()]
