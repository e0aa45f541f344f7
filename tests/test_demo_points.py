"""Demo points are consistent: every balance equals the sum of its counted entries and never goes below
zero through redemptions; reviews are by someone other than the recorder; stock never negative."""

from sqlmodel import select

from app.models.points import PointsEntry, PointsReview, ShopItem
from app.services import check, demo, demo_points, points, users
from app.store.engine import Store


def test_demo_points(store: Store) -> None:
    demo.build_demo(store, households=80, seed=3)
    summary = demo_points.build_points(store, entries=3000, seed=3)
    assert summary.entries == 3000 and summary.reviews > 0 and summary.redemptions > 0
    actor = users.login(store, "admin", "admin123")
    with store.read() as session:
        entries = session.exec(select(PointsEntry)).all()
        reviews = {r.entry_id: r for r in session.exec(select(PointsReview)).all()}
        by_id = {e.id: e for e in entries}
        for entry_id, review in reviews.items():
            assert review.reviewed_by != by_id[entry_id].recorded_by
        rows = points.ranking(session, actor, "2026")
        for row in rows[:20]:
            counted = sum(e.points for e in entries if e.household_id == row.household_id
                          and (not e.needs_review or (e.id in reviews and reviews[e.id].approved)))
            assert row.balance == counted == points.balance(session, row.household_id)
            assert row.balance >= 0
        assert all(item.stock >= 0 for item in session.exec(select(ShopItem)).all())
    assert check.run_checks(store).ok
