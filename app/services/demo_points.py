"""Demo points: about 20,000 ledger entries over two years (mostly good conduct, some breaches, reviews
approved by a second person, a few corrections), a stocked points shop and some redemptions — written in
bulk, so `--entries 1000000` for the benchmarks is practical."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, update
from sqlmodel import col, select

from app.clock import today, utcnow
from app.models.base import new_id
from app.models.points import EntryKind, PointsEntry, PointsReview, Redemption, ShopItem, StockIn
from app.models.roster import Household
from app.models.users import Role, User
from app.services import audit, committee, points_catalog
from app.services.context import SYSTEM
from app.services.identity import device_id
from app.services.points import refill_balances
from app.store.engine import Store

BATCH = 5000
GOODS = [("洗衣粉", 8, "袋"), ("食用油（5升）", 60, "桶"), ("大米（10斤）", 40, "袋"), ("毛巾", 10, "条"),
         ("牙膏", 6, "支"), ("酱油", 8, "瓶"), ("保温杯", 30, "个"), ("电饭锅", 150, "个")]


@dataclass(frozen=True)
class DemoPointsSummary:
    entries: int
    reviews: int
    redemptions: int


def build_points(store: Store, *, entries: int = 20_000, seed: int = 20261125, years: int = 2,
                 progress: Callable[[int, int], None] | None = None) -> DemoPointsSummary:
    rng = random.Random(seed)
    with store.write() as session:
        committee.require_current(session)
        version = points_catalog.ensure_default_catalog(session)
        items = points_catalog.items(session, version.id)
        origin = device_id(session)
        household_ids = list(session.exec(select(Household.id).where(col(Household.retired).is_(False))).all())
        if not household_ids:
            raise ValueError("the demo points need a roster: run the demo village first")
        staff = [u.username for u in session.exec(select(User).where(col(User.role).in_((Role.ADMIN, Role.MEDIATOR,
                                                                                            Role.GRID_WORKER)))).all()] or ["system"]
        reviewers = [u.username for u in session.exec(select(User).where(col(User.role).in_((Role.ADMIN, Role.MEDIATOR)))).all()]
        # good conduct is far more common than breaches; some households are much more active
        weights = [8 if i.points > 0 and not i.needs_review else 3 if i.points > 0 else 1 for i in items]
        activity = [min(rng.paretovariate(1.5), 4.0) for _ in household_ids]
        end = today()
        span = 365 * years
        now = utcnow()
        entry_rows: list[dict[str, Any]] = []
        review_rows: list[dict[str, Any]] = []
        reviews = 0

        def flush() -> None:
            if entry_rows:
                session.execute(insert(PointsEntry), entry_rows)
                entry_rows.clear()
            if review_rows:
                session.execute(insert(PointsReview), review_rows)
                review_rows.clear()

        chosen = rng.choices(household_ids, weights=activity, k=entries)
        for n, hid in enumerate(chosen, start=1):
            item = rng.choices(items, weights=weights)[0]
            day = end - dt.timedelta(days=int(rng.triangular(0, span, 0)))
            recorder = rng.choice(staff)
            entry_id = new_id()
            entry_rows.append({"id": entry_id, "origin": origin, "created_at": now, "updated_at": now, "household_id": hid,
                               "kind": EntryKind.RULE, "rule_item_id": item.id, "rule_code": item.code, "reason": item.wording,
                               "points": item.points, "occurred_on": day, "note": "", "photo_sha256": "", "recorded_by": recorder,
                               "needs_review": item.needs_review, "reverses_id": None, "batch_id": None})
            if item.needs_review and (end - day).days > 7:
                others = [r for r in reviewers if r != recorder] or ["system"]
                review_rows.append({"id": new_id(), "origin": origin, "created_at": now, "updated_at": now, "entry_id": entry_id,
                                    "approved": rng.random() < 0.92, "reviewed_by": rng.choice(others), "reviewed_at": now,
                                    "note": "经核实"})
                reviews += 1
            if n % BATCH == 0:
                flush()
                if progress:
                    progress(n, entries)
        flush()
        refill_balances(session)
        redemptions = _shop(session, rng, household_ids, origin, staff, max(1, entries // 100))
        audit.record(session, SYSTEM, "demo", table="points_entry", summary=f"demo points: {entries} entries")
    if progress:
        progress(entries, entries)
    return DemoPointsSummary(entries, reviews, redemptions)


def _shop(session: Any, rng: random.Random, household_ids: list[str], origin: str, staff: list[str], count: int) -> int:
    """Stock the shop and redeem, respecting balances and stock (checked here, as the service would)."""
    from app.services.points import balance, credit

    now = utcnow()
    goods = {}
    for name, price, unit in GOODS:
        item = session.exec(select(ShopItem).where(ShopItem.name == name)).first()
        if item is None:
            item = ShopItem(name=name, price=price, unit=unit, stock=0, origin=origin)
            session.add(item)
            session.flush()
        quantity = max(20, count // 3)
        session.add(StockIn(item_id=item.id, quantity=quantity, received_on=today() - dt.timedelta(days=400), note="年初采购",
                            recorded_by=staff[0], origin=origin))
        session.execute(update(ShopItem).where(col(ShopItem.id) == item.id).values(stock=ShopItem.stock + quantity))
        goods[name] = item
    session.flush()
    done = 0
    receipt = int(session.exec(select(Redemption.receipt_no).order_by(col(Redemption.receipt_no).desc())).first() or 0)
    for hid in rng.sample(household_ids, k=min(len(household_ids), count)):
        item = goods[rng.choice(list(goods))]
        session.refresh(item)
        available = balance(session, hid)
        if available < item.price or item.stock < 1:
            continue
        day = today() - dt.timedelta(days=rng.randrange(0, 300))
        entry = PointsEntry(household_id=hid, kind=EntryKind.REDEMPTION, reason=f"兑换 {item.name} × 1", points=-item.price,
                            occurred_on=day, recorded_by=rng.choice(staff), origin=origin, created_at=now, updated_at=now)
        session.add(entry)
        session.flush()
        credit(session, hid, entry.points, entry.kind)
        receipt += 1
        session.add(Redemption(household_id=hid, item_id=item.id, quantity=1, points=item.price, redeemed_on=day, entry_id=entry.id,
                               recorded_by=entry.recorded_by, receipt_no=receipt, origin=origin))
        session.execute(update(ShopItem).where(col(ShopItem.id) == item.id).values(stock=ShopItem.stock - 1))
        done += 1
    session.flush()
    return done
