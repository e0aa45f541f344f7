"""The points ledger: balances equal the sum of counted entries, reversals, reviews, caps, batch entry,
the shop's atomic redemption, rankings, stars, the catalog and its xlsx, notices and objections."""

import datetime as dt
import threading
from pathlib import Path

import pytest
from sqlmodel import select

from app.clock import today
from app.errors import PermissionDenied, ValidationError
from app.models.points import PointsEntry, ShopItem
from app.models.users import Role
from app.services import audit, households, points, points_catalog, points_notice, points_shop
from app.services.context import Actor
from app.services.points import EntryInput
from app.services.points_catalog import ItemInput
from app.store.engine import Store, open_store
from tests.conftest import make_user


def add(store: Store, actor: Actor, household_id: str, code: str = "A01", day: dt.date | None = None, **kw: object) -> PointsEntry:
    with store.write() as session:
        return points.add_entry(session, actor, EntryInput(household_id, day or today(), code, **kw))  # type: ignore[arg-type]


def bal(store: Store, household_id: str) -> int:
    with store.read() as session:
        return points.balance(session, household_id)


def test_balance_is_the_sum_of_counted_entries(store: Store, admin: Actor, village: dict[str, str]) -> None:
    add(store, admin, village["h1"], "A01")  # +5
    add(store, admin, village["h1"], "A03")  # -5
    add(store, admin, village["h1"], "C01")  # +5
    pending = add(store, admin, village["h1"], "B01")  # +10, needs review: not counted yet
    assert bal(store, village["h1"]) == 5
    with store.read() as session:
        lines = points.ledger(session, admin, village["h1"])
        assert sum(line.points for line in lines if line.status == "counted") == 5
        assert {line.id: line.status for line in lines}[pending.id] == "pending"


def test_review_needs_a_second_person(store: Store, admin: Actor, village: dict[str, str]) -> None:
    entry = add(store, admin, village["h1"], "", reason="抢救落水儿童", points=20)
    with pytest.raises(ValidationError, match="cannot review"), store.write() as session:
        points.review(session, admin, entry.id, True)
    mediator = make_user(store, admin, "liu", Role.MEDIATOR)
    with store.read() as session:
        assert [e.id for e, _n, _h in points.review_queue(session, mediator)] == [entry.id]
    with pytest.raises(ValidationError, match="required when rejecting"), store.write() as session:
        points.review(session, mediator, entry.id, False)
    with store.write() as session:
        points.review(session, mediator, entry.id, True, "属实")
    assert bal(store, village["h1"]) == 20
    with pytest.raises(ValidationError, match="already"), store.write() as session:
        points.review(session, mediator, entry.id, False, "再看")


def test_reversal_rules(store: Store, admin: Actor, village: dict[str, str]) -> None:
    entry = add(store, admin, village["h1"], "A01")
    with pytest.raises(ValidationError) as info, store.write() as session:
        points.reverse(session, admin, entry.id, "")
    assert info.value.field == "reason"
    with store.write() as session:
        reversal = points.reverse(session, admin, entry.id, "记错了户")
    assert bal(store, village["h1"]) == 0 and reversal.points == -5 and reversal.reverses_id == entry.id
    with pytest.raises(ValidationError, match="already been reversed"), store.write() as session:
        points.reverse(session, admin, entry.id, "再次")
    with pytest.raises(ValidationError, match="cannot itself be reversed"), store.write() as session:
        points.reverse(session, admin, reversal.id, "撤销更正")
    with store.read() as session:  # nothing is ever deleted
        assert len(session.exec(select(PointsEntry)).all()) == 2


def test_caps_per_period(store: Store, admin: Actor, village: dict[str, str]) -> None:
    day = today()
    for _ in range(5):  # A02: +3 each, at most 15 a month
        add(store, admin, village["h1"], "A02", day)
    with pytest.raises(ValidationError, match="at most 15 points"), store.write() as session:
        points.add_entry(session, admin, EntryInput(village["h1"], day, "A02"))
    add(store, admin, village["h2"], "A02", day)  # another household is not affected
    assert bal(store, village["h1"]) == 15


def test_bad_entries_name_the_field(store: Store, admin: Actor, village: dict[str, str]) -> None:
    cases = [
        (EntryInput(village["h1"], today() + dt.timedelta(days=1), "A01"), "occurred_on"),
        (EntryInput(village["h1"], today(), "ZZ9"), "rule"),
        (EntryInput(village["h1"], today(), "", reason="", points=5), "reason"),
        (EntryInput(village["h1"], today(), "", reason="好事", points=0), "points"),
        (EntryInput(village["h1"], today(), "", reason="好事", points=99999), "points"),
        (EntryInput("nope", today(), "A01"), "household_id"),
        (EntryInput(village["h1"], today(), "A01", note="注" * 2000), "note"),
    ]
    for data, field in cases:
        with pytest.raises(ValidationError) as info, store.write() as session:
            points.add_entry(session, admin, data)
        assert info.value.field == field
    with store.read() as session:
        assert session.exec(select(PointsEntry)).all() == []


def test_batch_entry_is_all_or_nothing(store: Store, admin: Actor, village: dict[str, str]) -> None:
    with store.write() as session:
        entries = points.add_batch(session, admin, [village["h1"], village["h2"], village["h1"]], "A02", today(), "清洁日")
    assert len(entries) == 2 and len({e.batch_id for e in entries}) == 1
    with pytest.raises(ValidationError, match="Household"), store.write() as session:
        points.add_batch(session, admin, [village["h2"], "missing"], "A02", today())
    assert bal(store, village["h2"]) == 3


def test_catalog_change_leaves_old_entries_untouched(store: Store, admin: Actor, village: dict[str, str]) -> None:
    old = add(store, admin, village["h1"], "A01")
    with store.write() as session:
        items = [ItemInput(i.code, i.category, i.wording, i.points * 2, None, i.cap_period, i.needs_review)
                 for i in points_catalog.items(session)]
        points_catalog.adopt_version(session, admin, "2027年修订", today(), "村民代表大会", items)
    new = add(store, admin, village["h1"], "A01")
    with store.read() as session:
        assert session.get(PointsEntry, old.id).points == 5  # type: ignore[union-attr]
        assert new.points == 10
    assert bal(store, village["h1"]) == 15


def test_catalog_xlsx_round_trip_and_bad_files(store: Store, admin: Actor, tmp_path: Path) -> None:
    path = tmp_path / "细则.xlsx"
    with store.write() as session:
        count = points_catalog.export_xlsx(session, admin, path)
    read = points_catalog.read_xlsx(path)
    assert len(read) == count == len(points_catalog.DEFAULT_ITEMS)
    assert read[0] == ItemInput("A01", "环境卫生", "房前屋后干净整洁，垃圾分类投放", 5, 20, "quarter", False)
    (tmp_path / "x.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(ValidationError, match="not an Excel"):
        points_catalog.read_xlsx(tmp_path / "x.xlsx")
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(points_catalog.XLSX_HEADERS)
    ws.append(["A01", "环境", "好", 5, None, "year", "否"])
    ws.append(["A02", "环境", "", 5, None, "year", "否"])
    wb.save(tmp_path / "bad.xlsx")
    with pytest.raises(ValidationError) as info:
        points_catalog.read_xlsx(tmp_path / "bad.xlsx")
    assert info.value.row == 3 and "Wording" in info.value.message


def test_shop_redemption_takes_points_and_stock_together(store: Store, admin: Actor, village: dict[str, str]) -> None:
    for _ in range(4):
        add(store, admin, village["h1"], "C01")  # 20 points (cap 20 a quarter)
    with store.write() as session:
        soap = points_shop.add_item(session, admin, "洗衣粉", 8, "袋")
        points_shop.stock_in(session, admin, soap.id, 3)
    with store.write() as session:
        receipt = points_shop.redeem(session, admin, village["h1"], soap.id, 2)
    assert (receipt.points, receipt.balance_after, receipt.receipt_no) == (16, 4, 1)
    with pytest.raises(ValidationError, match="has 4 points"), store.write() as session:
        points_shop.redeem(session, admin, village["h1"], soap.id, 1)
    assert bal(store, village["h1"]) == 4
    with store.read() as session:
        assert session.get(ShopItem, soap.id).stock == 1  # type: ignore[union-attr]
        rows = points.ranking(session, admin, str(today().year))
        row = next(r for r in rows if r.household_id == village["h1"])
        assert (row.gained, row.balance, row.accumulated) == (20, 4, 20)  # redemption is not a deduction


def test_two_desks_redeeming_the_last_item(store: Store, admin: Actor, village: dict[str, str], data_dir: Path) -> None:
    for hid in (village["h1"], village["h2"]):
        for _ in range(4):
            add(store, admin, hid, "C01")
    with store.write() as session:
        item = points_shop.add_item(session, admin, "毛巾", 10)
        points_shop.stock_in(session, admin, item.id, 1)
    other = open_store(data_dir)
    results: list[object] = []

    def attempt(s: Store, hid: str) -> None:
        try:
            with s.write() as session:
                results.append(points_shop.redeem(session, admin, hid, item.id, 1))
        except ValidationError as exc:
            results.append(exc)

    threads = [threading.Thread(target=attempt, args=(store, village["h1"])),
               threading.Thread(target=attempt, args=(other, village["h2"]))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    other.dispose()
    errors = [r for r in results if isinstance(r, ValidationError)]
    assert len(results) == 2 and len(errors) == 1 and "left in stock" in errors[0].message
    with store.read() as session:
        assert session.get(ShopItem, item.id).stock == 0  # type: ignore[union-attr]
        assert points.balance(session, village["h1"]) + points.balance(session, village["h2"]) == 30


def test_ranking_ties_stars_and_scope(store: Store, admin: Actor, village: dict[str, str]) -> None:
    add(store, admin, village["h1"], "A01")
    add(store, admin, village["h2"], "A01")
    with store.write() as session:
        points.set_star_thresholds(session, admin, [5, 50])
        rows = points.ranking(session, admin, f"{today().year}Q{(today().month - 1) // 3 + 1}")
    assert [(r.number, r.rank, r.stars, r.net) for r in rows] == [("0001", 1, 1, 5), ("0002", 1, 1, 5)]
    add(store, admin, village["h2"], "A03")
    with store.read() as session:
        rows = points.ranking(session, admin, str(today().year))
        assert [(r.number, r.rank, r.deducted) for r in rows] == [("0001", 1, 0), ("0002", 2, 5)]
        group = points.ranking(session, admin, str(today().year), scope_id=village["g2"])
        assert [r.number for r in group] == ["0002"]
        hist = points.history(session, admin, village["h1"], months=3)
        assert hist[-1][1:] == (5, 0, 5)
    with pytest.raises(ValidationError), store.write() as session:
        points.set_star_thresholds(session, admin, [])


def test_notice_objection_upheld_reverses_the_entry(store: Store, admin: Actor, village: dict[str, str]) -> None:
    last_month_end = today().replace(day=1) - dt.timedelta(days=1)
    entry = add(store, admin, village["h2"], "A03", last_month_end)
    period = f"{last_month_end.year}-{last_month_end.month:02d}"
    with store.write() as session:
        notice = points_notice.post_notice(session, admin, period, village["g2"])
        with pytest.raises(ValidationError, match="after the period ends"):
            points_notice.post_notice(session, admin, f"{today().year}-{today().month:02d}")
        objection = points_notice.raise_objection(session, admin, notice.id, entry.id, "𠮷䶮", "当天我不在家，垃圾不是我倒的")
    with store.write() as session:
        points_notice.decide_objection(session, admin, objection.id, True, "经核实属实")
    assert bal(store, village["h2"]) == 0
    with pytest.raises(ValidationError, match="already been decided"), store.write() as session:
        points_notice.decide_objection(session, admin, objection.id, False, "再议")
    with pytest.raises(ValidationError, match="possible from"), store.write() as session:
        points_notice.raise_objection(session, admin, notice.id, entry.id, "张三", "有异议", on=today() + dt.timedelta(days=30))


def test_roles(store: Store, admin: Actor, village: dict[str, str]) -> None:
    viewer = make_user(store, admin, "viewer", Role.VIEWER)
    with pytest.raises(PermissionDenied), store.write() as session:
        points.add_entry(session, viewer, EntryInput(village["h1"], today(), "A01"))
    worker = make_user(store, admin, "grid", Role.GRID_WORKER)
    entry = add(store, worker, village["h1"], "B01")
    with pytest.raises(PermissionDenied), store.write() as session:
        points.review(session, worker, entry.id, True)
    with store.read() as session:
        assert audit.verify_chain(session).ok
        assert households.count_households(session, viewer) == 2


def test_notices_and_objection_rows(store: Store, admin: Actor, village: dict[str, str]) -> None:
    last_month_end = today().replace(day=1) - dt.timedelta(days=1)
    entry = add(store, admin, village["h1"], "A03", last_month_end)
    with store.write() as session:
        notice = points_notice.post_notice(session, admin, f"{last_month_end.year}-{last_month_end.month:02d}")
        assert [n.id for n in points_notice.notices(session, admin)] == [notice.id]
        assert [n.id for n in points_notice.open_notices_for(session, admin, entry.id)] == [notice.id]
        assert points_notice.open_notices_for(session, admin, entry.id, on=today() + dt.timedelta(days=30)) == []
        points_notice.raise_objection(session, admin, notice.id, entry.id, "张三", "不是我家")
        rows = points_notice.objection_rows(session, admin, pending_only=True)
    assert [(r.household_number, r.entry_points, r.raised_by) for r in rows] == [("0001", -5, "张三")]


def test_balance_always_equals_the_sum_of_counted_entries(store: Store, admin: Actor, village: dict[str, str]) -> None:
    """A random stream of entries, reviews, reversals and redemptions never lets the cached balance drift."""
    import random

    from app.services import check

    rng = random.Random(7)
    mediator = make_user(store, admin, "second", Role.MEDIATOR)
    with store.write() as session:
        item = points_shop.add_item(session, admin, "肥皂", 3)
        points_shop.stock_in(session, admin, item.id, 50)
    made: list[str] = []
    for step in range(60):
        hid = rng.choice([village["h1"], village["h2"]])
        action = rng.choice(["add", "add", "free", "review", "reverse", "redeem"])
        try:
            with store.write() as session:
                if action == "add":
                    made.append(points.add_entry(session, admin, EntryInput(hid, today() - dt.timedelta(days=step),
                                                                            rng.choice(["A01", "A03", "B01", "C02", "G02"]))).id)
                elif action == "free":
                    free = EntryInput(hid, today(), "", reason="帮扶", points=rng.randint(-5, 9) or 1)
                    made.append(points.add_entry(session, admin, free).id)
                elif action == "review" and made:
                    points.review(session, mediator, rng.choice(made), rng.random() < 0.7, "核实")
                elif action == "reverse" and made:
                    points.reverse(session, admin, rng.choice(made), "更正")
                elif action == "redeem":
                    points_shop.redeem(session, admin, hid, item.id, 1)
        except ValidationError:
            pass  # refused steps write nothing
        with store.read() as session:
            assert points.balance_mismatches(session) == []
    assert check.run_checks(store).ok
    assert store.db_path is not None
    import sqlite3

    conn = sqlite3.connect(store.db_path)
    conn.execute("UPDATE points_balance SET balance = balance + 100")
    conn.commit()
    conn.close()
    report = check.run_checks(store)
    assert not report.ok and report.points_mismatches
