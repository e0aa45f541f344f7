from app.services import households
from app.services.context import Actor
from app.store.engine import Store


def test_village_fixture_lists_both_households(store: Store, admin: Actor, village: dict[str, str]) -> None:
    with store.read() as session:
        rows = households.list_households(session, admin)
    assert [r.number for r in rows] == ["0001", "0002"]
    assert rows[0].head_name == "张三" and rows[0].members == 2
