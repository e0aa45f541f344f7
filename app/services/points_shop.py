"""The points shop (积分超市): goods with a price in points and a stock, stock-ins, and redemptions that take
points and stock in one transaction and never take a balance or a stock below zero."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from app.clock import today, utcnow
from app.errors import NotFound, ValidationError
from app.i18n import _
from app.models.points import EntryKind, PointsEntry, Redemption, ShopItem, StockIn
from app.models.roster import Household
from app.services import audit
from app.services.context import Actor, require
from app.services.identity import device_id
from app.services.points import balance, credit
from app.services.validation import clean_text


@dataclass(frozen=True)
class Receipt:
    receipt_no: int
    redeemed_on: dt.date
    household_number: str
    item: str
    unit: str
    quantity: int
    points: int
    balance_after: int
    recorded_by: str


def add_item(session: Session, actor: Actor, name: str, price: int, unit: str = "件") -> ShopItem:
    require(actor, "points.shop")
    name = clean_text(name, "name", "Goods", max_len=60, required=True)
    if not 0 < price <= 100_000:
        raise ValidationError("price", _("{field} must be a whole number of points from 1 to 100,000.").format(field=_("Price")))
    if session.exec(select(ShopItem).where(ShopItem.name == name)).first() is not None:
        raise ValidationError("name", _("{field} “{value}” already exists.").format(field=_("Goods"), value=name))
    item = ShopItem(name=name, price=price, unit=clean_text(unit, "unit", "Unit", max_len=10) or "件", origin=device_id(session))
    session.add(item)
    session.flush()
    audit.record_change(session, actor, item, None, name)
    return item


def items(session: Session, include_inactive: bool = False) -> list[ShopItem]:
    q = select(ShopItem).order_by(col(ShopItem.price))
    if not include_inactive:
        q = q.where(col(ShopItem.active).is_(True))
    return list(session.exec(q).all())


def _item(session: Session, item_id: str) -> ShopItem:
    item = session.get(ShopItem, item_id)
    if item is None:
        raise NotFound(_("There are no goods with id {id}.").format(id=item_id))
    return item


def find_item(session: Session, name: str) -> ShopItem:
    item = session.exec(select(ShopItem).where(ShopItem.name == name.strip())).first()
    if item is None:
        raise ValidationError("item", _("The shop has no goods called {name}.").format(name=name))
    return item


def stock_in(session: Session, actor: Actor, item_id: str, quantity: int, received_on: dt.date | None = None,
             note: str = "") -> StockIn:
    require(actor, "points.shop")
    item = _item(session, item_id)
    if not 0 < quantity <= 100_000:
        raise ValidationError("quantity", _("{field} must be a whole number from 1 to 100,000.").format(field=_("Quantity")))
    day = received_on or today()
    if day > today():
        raise ValidationError("received_on", _("{field} is in the future.").format(field=_("Date")))
    row = StockIn(item_id=item.id, quantity=quantity, received_on=day, note=clean_text(note, "note", "Note", max_len=300),
                  recorded_by=actor.username, origin=device_id(session))
    session.add(row)
    before = audit.snapshot(item)
    session.execute(update(ShopItem).where(col(ShopItem.id) == item.id).values(stock=ShopItem.stock + quantity,
                                                                                 updated_at=utcnow()))
    session.refresh(item)
    session.flush()
    audit.record_change(session, actor, item, before, item.name)
    return row


def redeem(session: Session, actor: Actor, household_id: str, item_id: str, quantity: int = 1) -> Receipt:
    """Take the points and the goods together. Run in a write session: the write lock is held from the start,
    so two desks redeeming the last item cannot both succeed; the conditional stock update is the last guard."""
    require(actor, "points.shop")
    household = session.get(Household, household_id)
    if household is None or household.retired:
        raise ValidationError("household_id", _("{field} does not exist.").format(field=_("Household")))
    item = _item(session, item_id)
    if not item.active:
        raise ValidationError("item", _("{name} is no longer offered.").format(name=item.name))
    if not 0 < quantity <= 100:
        raise ValidationError("quantity", _("{field} must be a whole number from 1 to 100.").format(field=_("Quantity")))
    cost = item.price * quantity
    available = balance(session, household_id)
    if cost > available:
        raise ValidationError("quantity", _("Household {number} has {balance} points; {item} × {n} costs {cost}.").format(
            number=household.number, balance=available, item=item.name, n=quantity, cost=cost))
    taken = session.execute(update(ShopItem).where(col(ShopItem.id) == item.id, col(ShopItem.stock) >= quantity)
                            .values(stock=ShopItem.stock - quantity, updated_at=utcnow()))
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(item)
        raise ValidationError("quantity", _("Only {stock} {unit} of {item} left in stock.").format(
            stock=item.stock, unit=item.unit, item=item.name))
    session.refresh(item)
    origin = device_id(session)
    day = today()
    entry = PointsEntry(household_id=household_id, kind=EntryKind.REDEMPTION, reason=f"兑换 {item.name} × {quantity}", points=-cost,
                        occurred_on=day, recorded_by=actor.username, origin=origin)
    session.add(entry)
    session.flush()
    credit(session, household_id, entry.points, entry.kind)
    receipt_no = int(session.exec(select(func.coalesce(func.max(Redemption.receipt_no), 0))).one()) + 1
    redemption = Redemption(household_id=household_id, item_id=item.id, quantity=quantity, points=cost, redeemed_on=day,
                            entry_id=entry.id, recorded_by=actor.username, receipt_no=receipt_no, origin=origin)
    session.add(redemption)
    session.flush()
    audit.record_change(session, actor, redemption, None, f"{household.number} {item.name} × {quantity}")
    return Receipt(receipt_no, day, household.number, item.name, item.unit, quantity, cost, available - cost, actor.username)
