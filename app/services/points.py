"""The household points ledger: entries by rule or free reason, batch entry, the review queue, reversals,
caps per period, balances, gains and losses per period, rankings and star ratings, a household's history.

Counted entries are those that need no review, or were approved by a second person. A household's
balance (可用积分) is the sum of its counted entries, redemptions included; its accumulated points
(累计积分, for the stars) leave redemptions out. A period's gains and deductions leave redemptions out;
a reversal counts in the period in which it is recorded, like any other entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, and_, bindparam, case, delete, func, literal, literal_column, or_, text
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as pg_upsert
from sqlalchemy.dialects.sqlite import insert as sqlite_upsert
from sqlmodel import Session, col, select

from app.clock import today, utcnow
from app.errors import NotFound, ValidationError
from app.i18n import _
from app.models.base import new_id
from app.models.grid import GridCell, GridLevel
from app.models.points import EntryKind, PointsBalance, PointsEntry, PointsReview, RuleItem
from app.models.roster import Household, Person
from app.services import audit
from app.services.context import Actor, require
from app.services.identity import device_id
from app.services.periods import Period, parse_period
from app.services.points_catalog import find_item
from app.services.validation import clean_text

MAX_BATCH = 5000
DEFAULT_STARS = "100,200,300,400,500"


@dataclass(frozen=True)
class EntryInput:
    household_id: str
    occurred_on: dt.date
    rule_code: str = ""
    reason: str = ""  # free text when there is no rule; always reviewed
    points: int | None = None  # only for a free reason
    note: str = ""
    photo_sha256: str = ""


@dataclass(frozen=True)
class BalanceRow:
    household_id: str
    number: str
    head_name: str
    group_name: str
    gained: int
    deducted: int  # as a positive number
    net: int
    balance: int
    accumulated: int
    rank: int
    stars: int
    last_entry: dt.date | None = None  # the day of its latest counted entry in the period (None: none then)


@dataclass(frozen=True)
class LedgerLine:
    id: str
    occurred_on: dt.date
    kind: str
    rule_code: str
    reason: str
    points: int
    status: str  # counted / pending / rejected / reversed
    recorded_by: str
    note: str
    reverses_id: str | None
    recorded_at: dt.datetime


# ---------------------------------------------------------------- counting

def counted_clause() -> Any:
    """SQL condition: the entry counts (no review needed, or approved). A correlated EXISTS, evaluated only
    for the few entries that need a review."""
    approved = sa_select(literal(1)).where(col(PointsReview.entry_id) == col(PointsEntry.id), col(PointsReview.approved).is_(True))
    return or_(col(PointsEntry.needs_review).is_(False), approved.exists())


def credit(session: Session, household_id: str, points: int, kind: str) -> None:
    """Keep the balance cache in step with a counted entry (in the same transaction as the entry)."""
    accumulated = points if kind != EntryKind.REDEMPTION else 0
    session.execute(
        sqlite_upsert(PointsBalance).values(household_id=household_id, balance=points, accumulated=accumulated)
        .on_conflict_do_update(index_elements=["household_id"],
                               set_={"balance": PointsBalance.balance + points, "accumulated": PointsBalance.accumulated + accumulated})
        if session.get_bind().dialect.name == "sqlite" else
        pg_upsert(PointsBalance).values(household_id=household_id, balance=points, accumulated=accumulated)
        .on_conflict_do_update(index_elements=["household_id"],
                               set_={"balance": PointsBalance.balance + points, "accumulated": PointsBalance.accumulated + accumulated}))


ACTUAL_BALANCES = """
SELECT e.household_id, sum(e.points), sum(CASE WHEN e.kind != 'redemption' THEN e.points ELSE 0 END)
FROM points_entry e
WHERE (NOT e.needs_review OR EXISTS (SELECT 1 FROM points_review r WHERE r.entry_id = e.id AND r.approved)) {only}
GROUP BY e.household_id
"""


def refill_balances(session: Session, household_ids: Collection[str] | None = None) -> None:
    """Rebuild the balance cache from the ledger: all of it (after bulk loads), or of some households
    (after a sync import brought their entries)."""
    if household_ids is None:
        session.execute(delete(PointsBalance))
        session.execute(text("INSERT INTO points_balance (household_id, balance, accumulated) " + ACTUAL_BALANCES.format(only="")))
        return
    ids = sorted(household_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        session.execute(delete(PointsBalance).where(col(PointsBalance.household_id).in_(chunk)))
        session.execute(text("INSERT INTO points_balance (household_id, balance, accumulated) "
                             + ACTUAL_BALANCES.format(only="AND e.household_id IN :ids")).bindparams(bindparam("ids", expanding=True)),
                        {"ids": chunk})


def balance_mismatches(session: Session) -> list[str]:
    """Households whose cached balance differs from the sum of their counted entries (for `check`)."""
    cached = {h: (b, a) for h, b, a in session.execute(text("SELECT household_id, balance, accumulated FROM points_balance")).all()}
    actual = {h: (b, a) for h, b, a in session.execute(text(ACTUAL_BALANCES.format(only=""))).all()}
    return sorted(h for h in set(cached) | set(actual) if cached.get(h, (0, 0)) != actual.get(h, (0, 0)))


def star_thresholds(session: Session) -> list[int]:
    from app.models.committee import Setting

    row = session.get(Setting, "star_thresholds")
    text_value = row.value if row is not None else DEFAULT_STARS
    return sorted(int(x) for x in text_value.split(",") if x.strip().isdigit())


def stars_for(accumulated: int, thresholds: Sequence[int]) -> int:
    return sum(1 for t in thresholds if accumulated >= t)


def set_star_thresholds(session: Session, actor: Actor, thresholds: Sequence[int]) -> None:
    from app.models.committee import Setting

    require(actor, "points.catalog")
    values = sorted(set(thresholds))
    if not 1 <= len(values) <= 5 or any(v <= 0 for v in values):
        raise ValidationError("star_thresholds", _("{field}: give one to five positive numbers of points.").format(
            field=_("Star thresholds")))
    row = session.get(Setting, "star_thresholds")
    before = row.value if row else DEFAULT_STARS
    value = ",".join(str(v) for v in values)
    if row is None:
        session.add(Setting(key="star_thresholds", value=value))
    else:
        row.value = value
    audit.record(session, actor, "setting", table="setting", record_id="star_thresholds", changes={"star_thresholds": [before, value]})


def balance(session: Session, household_id: str, *, until: dt.date | None = None) -> int:
    if until is None:
        cached = session.get(PointsBalance, household_id)
        return cached.balance if cached is not None else 0
    q = sa_select(func.coalesce(func.sum(PointsEntry.points), 0)).where(
        col(PointsEntry.household_id) == household_id, counted_clause())
    if until is not None:
        q = q.where(col(PointsEntry.occurred_on) <= until)
    return int(session.execute(q).scalar_one())


# ---------------------------------------------------------------- writes

def _cap_window(day: dt.date, period: str) -> tuple[dt.date, dt.date]:
    text_value = {"month": f"{day.year}-{day.month}", "quarter": f"{day.year}Q{(day.month - 1) // 3 + 1}"}.get(period, str(day.year))
    p = parse_period(text_value)
    return p.start, p.end


def _check_cap(session: Session, item: RuleItem, household_id: str, day: dt.date, extra: int = 0) -> None:
    if item.cap is None:
        return
    start, end = _cap_window(day, item.cap_period)
    rejected = sa_select(col(PointsReview.entry_id)).where(col(PointsReview.approved).is_(False))
    used = session.execute(sa_select(func.coalesce(func.sum(func.abs(PointsEntry.points)), 0)).where(
        col(PointsEntry.household_id) == household_id, col(PointsEntry.rule_item_id) == item.id,
        col(PointsEntry.occurred_on).between(start, end), col(PointsEntry.kind) == EntryKind.RULE,
        col(PointsEntry.id).not_in(rejected),
        col(PointsEntry.id).not_in(sa_select(col(PointsEntry.reverses_id)).where(col(PointsEntry.reverses_id).is_not(None))),
    )).scalar_one()
    if int(used) + abs(item.points) + extra > item.cap:
        period_label = {"month": _("this month"), "quarter": _("this quarter"), "year": _("this year")}[item.cap_period]
        raise ValidationError("rule", _("Rule {code} allows at most {cap} points per household {period}; {used} already given.").format(
            code=item.code, cap=item.cap, period=period_label, used=int(used)))


def _household(session: Session, household_id: str) -> Household:
    household = session.get(Household, household_id)
    if household is None or household.retired:
        raise ValidationError("household_id", _("{field} does not exist.").format(field=_("Household")))
    return household


def _check_date(day: dt.date) -> None:
    if day > today():
        raise ValidationError("occurred_on", _("{field} is in the future.").format(field=_("Date")))
    if day < today() - dt.timedelta(days=3 * 366):
        raise ValidationError("occurred_on", _("{field} is more than three years ago.").format(field=_("Date")))


def add_entry(session: Session, actor: Actor, data: EntryInput, *, batch_id: str | None = None) -> PointsEntry:
    """One entry for one household. A rule's points and wording are copied into the entry."""
    require(actor, "points.write")
    _household(session, data.household_id)
    _check_date(data.occurred_on)
    note = clean_text(data.note, "note", "Note", max_len=1000, multiline=True)
    if data.rule_code.strip():
        item = find_item(session, data.rule_code)
        _check_cap(session, item, data.household_id, data.occurred_on)
        entry = PointsEntry(household_id=data.household_id, kind=EntryKind.RULE, rule_item_id=item.id, rule_code=item.code,
                            reason=item.wording, points=item.points, occurred_on=data.occurred_on, note=note,
                            photo_sha256=data.photo_sha256, recorded_by=actor.username, needs_review=item.needs_review,
                            batch_id=batch_id, origin=device_id(session))
    else:
        reason = clean_text(data.reason, "reason", "Reason", max_len=300, required=True)
        if data.points is None or data.points == 0 or abs(data.points) > 1000:
            raise ValidationError("points", _("{field} must be a whole number from -{limit} to {limit}, not 0.").format(
                field=_("Points"), limit=1000))
        entry = PointsEntry(household_id=data.household_id, kind=EntryKind.FREE, reason=reason, points=data.points,
                            occurred_on=data.occurred_on, note=note, photo_sha256=data.photo_sha256, recorded_by=actor.username,
                            needs_review=True, batch_id=batch_id, origin=device_id(session))
    session.add(entry)
    session.flush()
    if not entry.needs_review:
        credit(session, entry.household_id, entry.points, entry.kind)
    audit.record_change(session, actor, entry, None, f"{entry.rule_code or entry.reason[:20]} {entry.points:+d}")
    return entry


def add_batch(session: Session, actor: Actor, household_ids: Sequence[str], rule_code: str, occurred_on: dt.date,
              note: str = "") -> list[PointsEntry]:
    """One rule for many households at once (everyone who joined the clean-up day). All or nothing."""
    require(actor, "points.write")
    unique = list(dict.fromkeys(household_ids))
    if not unique:
        raise ValidationError("household_ids", _("Choose at least one household."))
    if len(unique) > MAX_BATCH:
        raise ValidationError("household_ids", _("At most {n} households at once.").format(n=MAX_BATCH))
    batch_id = new_id()
    entries = []
    for hid in unique:
        try:
            entries.append(add_entry(session, actor, EntryInput(hid, occurred_on, rule_code, note=note), batch_id=batch_id))
        except ValidationError as exc:
            number = session.get(Household, hid)
            raise ValidationError(exc.field, _("Household {number}: {message}").format(
                number=number.number if number else hid, message=exc.message)) from None
    return entries


def _entry(session: Session, entry_id: str) -> PointsEntry:
    entry = session.get(PointsEntry, entry_id)
    if entry is None:
        raise NotFound(_("There is no points entry with id {id}.").format(id=entry_id))
    return entry


def entry_status(session: Session, entry: PointsEntry) -> str:
    if session.exec(select(PointsEntry.id).where(PointsEntry.reverses_id == entry.id)).first():
        return "reversed"
    if not entry.needs_review:
        return "counted"
    review = session.exec(select(PointsReview).where(PointsReview.entry_id == entry.id)).first()
    if review is None:
        return "pending"
    return "counted" if review.approved else "rejected"


def reverse(session: Session, actor: Actor, entry_id: str, reason: str, *, on: dt.date | None = None) -> PointsEntry:
    """A correction: a new entry with the opposite points, linked to the original, with its reason."""
    require(actor, "points.write")
    entry = _entry(session, entry_id)
    reason = clean_text(reason, "reason", "Reason", max_len=300, required=True)
    if entry.kind == EntryKind.REVERSAL:
        raise ValidationError("entry", _("A correction cannot itself be reversed; record a new entry instead."))
    if entry.kind == EntryKind.REDEMPTION:
        raise ValidationError("entry", _("A redemption is not reversed here; return the goods at the shop."))
    status = entry_status(session, entry)
    if status == "reversed":
        raise ValidationError("entry", _("This entry has already been reversed."))
    if status in ("pending", "rejected"):
        raise ValidationError("entry", _("This entry does not count yet; reject it in the review queue instead."))
    day = on or today()
    _check_date(day)
    reversal = PointsEntry(household_id=entry.household_id, kind=EntryKind.REVERSAL, rule_item_id=entry.rule_item_id,
                           rule_code=entry.rule_code, reason=reason, points=-entry.points, occurred_on=day,
                           recorded_by=actor.username, reverses_id=entry.id, origin=device_id(session))
    session.add(reversal)
    session.flush()
    credit(session, reversal.household_id, reversal.points, reversal.kind)
    audit.record_change(session, actor, reversal, None, f"reverses {entry.rule_code or entry.reason[:20]} {entry.points:+d}")
    return reversal


def review(session: Session, actor: Actor, entry_id: str, approved: bool, note: str = "") -> PointsReview:
    """The second person's decision. The person who recorded an entry cannot review it."""
    require(actor, "points.review")
    entry = _entry(session, entry_id)
    if not entry.needs_review:
        raise ValidationError("entry", _("This entry does not need a review."))
    if entry.recorded_by == actor.username:
        raise ValidationError("entry", _("The person who recorded an entry cannot review it; ask a colleague."))
    if session.exec(select(PointsReview).where(PointsReview.entry_id == entry.id)).first() is not None:
        raise ValidationError("entry", _("This entry has already been reviewed."))
    if not approved and not note.strip():
        raise ValidationError("note", _("{field} is required when rejecting.").format(field=_("Reason")))
    row = PointsReview(entry_id=entry.id, approved=approved, reviewed_by=actor.username, reviewed_at=utcnow(),
                       note=clean_text(note, "note", "Note", max_len=500), origin=device_id(session))
    session.add(row)
    session.flush()
    if approved:
        credit(session, entry.household_id, entry.points, entry.kind)
    audit.record_change(session, actor, row, None, f"{'approve' if approved else 'reject'} {entry.reason[:20]}")
    return row


# ---------------------------------------------------------------- reads

def review_queue(session: Session, actor: Actor) -> list[tuple[PointsEntry, str, str]]:
    """Entries waiting for a second person, oldest first, with the household's number and head."""
    require(actor, "points.read")
    reviewed = sa_select(col(PointsReview.entry_id))
    rows = session.exec(select(PointsEntry, Household.number, Person.name)
                        .join(Household, col(Household.id) == col(PointsEntry.household_id))
                        .join(Person, col(Person.id) == col(Household.head_person_id), isouter=True)
                        .where(col(PointsEntry.needs_review).is_(True), col(PointsEntry.id).not_in(reviewed))
                        .order_by(col(PointsEntry.created_at))).all()
    return [(e, number, name or "") for e, number, name in rows]


def ledger(session: Session, actor: Actor, household_id: str) -> list[LedgerLine]:
    require(actor, "points.read")
    entries = session.exec(select(PointsEntry).where(PointsEntry.household_id == household_id)
                           .order_by(col(PointsEntry.occurred_on).desc(), col(PointsEntry.created_at).desc())).all()
    reversed_ids = {e.reverses_id for e in entries if e.reverses_id}
    reviews = {r.entry_id: r.approved for r in session.exec(select(PointsReview).where(
        col(PointsReview.entry_id).in_([e.id for e in entries if e.needs_review]))).all()}
    lines = []
    for e in entries:
        if e.id in reversed_ids:
            status = "reversed"
        elif e.needs_review:
            status = {True: "counted", False: "rejected", None: "pending"}[reviews.get(e.id)]
        else:
            status = "counted"
        lines.append(LedgerLine(e.id, e.occurred_on, e.kind, e.rule_code, e.reason, e.points, status, e.recorded_by, e.note,
                                e.reverses_id, e.created_at))
    return lines


def _scope_households(session: Session, scope_id: str | None, origin: str | None = None) -> Any:
    q = sa_select(col(Household.id)).where(col(Household.retired).is_(False))
    if origin is not None:
        q = q.where(col(Household.origin) == origin)
    if scope_id:
        cell = session.get(GridCell, scope_id)
        if cell is None:
            raise ValidationError("group", _("{field} does not exist.").format(field=_("Grid cell")))
        if cell.level == GridLevel.GROUP:
            q = q.where(col(Household.group_id) == scope_id)
        elif cell.level == GridLevel.MICRO:
            q = q.where(col(Household.micro_grid_id) == scope_id)
    return q


def ranking(session: Session, actor: Actor, period: Period | str, *, scope_id: str | None = None,
            origin: str | None = None) -> list[BalanceRow]:
    """Every household of the village, a villager group or a micro-grid with its gains and deductions in the
    period, balance and accumulated points at the period's end, rank (by the period's net points; ties
    share a rank) and stars (by accumulated points). `origin`: only the households and entries that device
    made (one village's, at a township)."""
    require(actor, "points.read")
    p = parse_period(period) if isinstance(period, str) else period
    # "+household_id" (SQLite only: PostgreSQL has no unary plus for text) keeps SQLite off the household
    # index when grouping or filtering a date range: the covering period index serves it
    by_household = (literal_column("+points_entry.household_id") if session.get_bind().dialect.name == "sqlite"
                    else col(PointsEntry.household_id))
    counted = counted_clause()
    if origin is not None:  # only the village's households' entries
        counted = and_(counted, by_household.in_(_scope_households(session, None, origin)))
    not_redeem = col(PointsEntry.kind) != EntryKind.REDEMPTION
    in_period = and_(col(PointsEntry.occurred_on) >= p.start, col(PointsEntry.occurred_on) <= p.end)
    # The period's gains and deductions: only the period's entries (a range of the covering index).
    period_sums = (
        sa_select(
            col(PointsEntry.household_id).label("hid"),
            func.sum(case((and_(not_redeem, col(PointsEntry.points) > 0), col(PointsEntry.points)), else_=0)).label("gained"),
            func.sum(case((and_(not_redeem, col(PointsEntry.points) < 0), -col(PointsEntry.points)), else_=0)).label("deducted"),
            func.max(col(PointsEntry.occurred_on)).label("last"),
        )
        .where(counted, in_period)
        .group_by(by_household)
        .subquery()
    )
    # Balances at the period's end: today's cached balance less whatever was counted after the end.
    later = (
        sa_select(
            col(PointsEntry.household_id).label("hid"),
            func.sum(col(PointsEntry.points)).label("balance"),
            func.sum(case((not_redeem, col(PointsEntry.points)), else_=0)).label("accumulated"),
        )
        .where(counted, col(PointsEntry.occurred_on) > p.end)
        # "+household_id": without it SQLite walks the whole ledger in household order (to group without
        # sorting), although the date range after a recent period holds almost nothing
        .group_by(by_household)
        .subquery()
    )
    cache = PointsBalance.__table__.alias("cache")  # type: ignore[attr-defined]
    head = Person.__table__.alias("head")  # type: ignore[attr-defined]
    group = GridCell.__table__.alias("grp")  # type: ignore[attr-defined]
    rows = session.execute(
        sa_select(col(Household.id), col(Household.number), head.c.name, group.c.name,
                  func.coalesce(period_sums.c.gained, 0), func.coalesce(period_sums.c.deducted, 0),
                  func.coalesce(cache.c.balance, 0) - func.coalesce(later.c.balance, 0),
                  func.coalesce(cache.c.accumulated, 0) - func.coalesce(later.c.accumulated, 0), period_sums.c.last)
        .select_from(Household)
        .outerjoin(period_sums, period_sums.c.hid == col(Household.id))
        .outerjoin(later, later.c.hid == col(Household.id))
        .outerjoin(cache, cache.c.household_id == col(Household.id))
        .outerjoin(head, head.c.id == col(Household.head_person_id))
        .outerjoin(group, group.c.id == col(Household.group_id))
        .where(col(Household.id).in_(_scope_households(session, scope_id, origin)))
    ).all()
    thresholds = star_thresholds(session)
    ordered = sorted(rows, key=lambda r: (-(int(r[4]) - int(r[5])), -int(r[6]), r[1]))
    result: list[BalanceRow] = []
    previous_net: int | None = None
    rank = 0
    for i, r in enumerate(ordered, start=1):
        net = int(r[4]) - int(r[5])
        if net != previous_net:
            rank, previous_net = i, net
        result.append(BalanceRow(r[0], r[1], r[2] or "", r[3] or "", int(r[4]), int(r[5]), net, int(r[6]), int(r[7]), rank,
                                 stars_for(int(r[7]), thresholds), _as_date(r[8])))
    return result


def _as_date(value: Any) -> dt.date | None:
    """A date from an aggregate (SQLite hands back max() of a date column as text)."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def history(session: Session, actor: Actor, household_id: str, *, months: int = 24) -> list[tuple[str, int, int, int]]:
    """Month by month for the chart: (YYYY-MM, gained, deducted, balance at the month's end)."""
    require(actor, "points.read")
    end = today()
    start_month = (end.year * 12 + end.month - 1) - (months - 1)
    first = dt.date(start_month // 12, start_month % 12 + 1, 1)
    month = func.strftime("%Y-%m", col(PointsEntry.occurred_on))
    rows = dict(
        (m, (int(g), int(d)))
        for m, g, d in session.execute(
            sa_select(month,
                      func.sum(case((and_(col(PointsEntry.points) > 0, col(PointsEntry.kind) != EntryKind.REDEMPTION),
                                     col(PointsEntry.points)), else_=0)).cast(Integer),
                      func.sum(case((and_(col(PointsEntry.points) < 0, col(PointsEntry.kind) != EntryKind.REDEMPTION),
                                     -col(PointsEntry.points)), else_=0)).cast(Integer))
            .where(col(PointsEntry.household_id) == household_id, counted_clause(),
                   col(PointsEntry.occurred_on) >= first)
            .group_by(month)).all())
    running = balance(session, household_id, until=first - dt.timedelta(days=1))
    monthly = session.execute(
        sa_select(month, func.sum(col(PointsEntry.points)))
        .where(col(PointsEntry.household_id) == household_id, counted_clause(), col(PointsEntry.occurred_on) >= first)
        .group_by(month)).all()
    net_by_month = {m: int(v) for m, v in monthly}
    result = []
    for k in range(months):
        index = start_month + k
        key = f"{index // 12:04d}-{index % 12 + 1:02d}"
        running += net_by_month.get(key, 0)
        gained, deducted = rows.get(key, (0, 0))
        result.append((key, gained, deducted, running))
    return result
