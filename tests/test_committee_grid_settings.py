import pytest

from app.errors import PermissionDenied, ValidationError
from app.models.grid import GridLevel
from app.models.users import Role
from app.services import committee, grid, settings, users
from app.services.context import Actor
from app.store.engine import Store
from tests.conftest import make_user


def test_set_up_records_committee_root_cell_and_admin(store: Store, admin: Actor) -> None:
    with store.read() as session:
        c = committee.require_current(session)
        assert (c.name, c.code, c.village, c.township, c.mode) == ("庄墩村人民调解委员会", "甘", "庄墩村", "长安镇", "village")
        assert grid.village_root(session).name == "庄墩村"
        assert users.by_username(session, "admin").role == Role.ADMIN  # type: ignore[union-attr]
        assert c.origin and c.origin == settings.get(session, "device_id")


def test_set_up_twice_is_refused(store: Store, admin: Actor) -> None:
    with pytest.raises(ValidationError, match="already set up"), store.write() as session:
        committee.set_up(session, committee.CommitteeInput("x", "x", "", "x", "x"),
                         committee.AdminInput("other", "其他", "password1"))


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (committee.CommitteeInput("", "甘", "", "庄墩村", "长安镇"), "name"),
        (committee.CommitteeInput("调委会", "甘肃张掖甘州区", "", "庄墩村", "长安镇"), "code"),
        (committee.CommitteeInput("调委会", "1", "", "庄墩村", "长安镇"), "code"),
        (committee.CommitteeInput("调委会", "甘", "", "", "长安镇"), "village"),
        (committee.CommitteeInput("调委会", "甘", "", "庄墩村", ""), "township"),
    ],
)
def test_bad_committee_input_writes_nothing(store: Store, data: committee.CommitteeInput, field: str) -> None:
    with pytest.raises(ValidationError) as info, store.write() as session:
        committee.set_up(session, data, committee.AdminInput("admin", "王丽", "password1"))
    assert info.value.field == field
    with store.read() as session:
        assert not committee.is_set_up(session)
        assert users.by_username(session, "admin") is None


def test_a_bad_admin_leaves_no_committee_behind(store: Store) -> None:
    with pytest.raises(ValidationError), store.write() as session:
        committee.set_up(session, committee.CommitteeInput("调委会", "甘", "", "庄墩村", "长安镇"),
                         committee.AdminInput("admin", "王丽", "123"))
    with store.read() as session:
        assert not committee.is_set_up(session)


def test_grid_tree_with_counts_and_leaders(store: Store, admin: Actor, village: dict[str, str]) -> None:
    with store.read() as session:
        leader = session.exec(grid.select(grid.Person).where(grid.Person.name == "张三")).one()
    with store.write() as session:
        grid.update_cell(session, admin, village["m1"], leader_person_id=leader.id, leader_phone="13800138000")
    with store.read() as session:
        root = grid.tree(session)
    assert root.households == 2
    assert [(g.name, g.households) for g in root.children] == [("一组", 1), ("二组", 1)]
    micro = root.children[0].children[0]
    assert (micro.level, micro.leader_name, micro.households) == (GridLevel.MICRO, "张三", 1)


def test_grid_rules(store: Store, admin: Actor, village: dict[str, str]) -> None:
    with pytest.raises(ValidationError, match="already exists"), store.write() as session:
        grid.add_cell(session, admin, village["root"], "一组")
    with pytest.raises(ValidationError, match="cannot contain"), store.write() as session:
        grid.add_cell(session, admin, village["m1"], "更小")
    worker = make_user(store, admin, "grid", Role.GRID_WORKER)
    with pytest.raises(PermissionDenied), store.write() as session:
        grid.add_cell(session, worker, village["root"], "三组")


def test_settings_are_validated_and_audited(store: Store, admin: Actor) -> None:
    with store.write() as session:
        settings.put(session, admin, "idle_lock_minutes", "15")
        settings.put(session, admin, "language", "en")
    with store.read() as session:
        assert settings.get_int(session, "idle_lock_minutes") == 15
        assert settings.get(session, "font_size") == "normal"
    for key, value in [("idle_lock_minutes", "0"), ("idle_lock_minutes", "ten"), ("language", "fr"), ("nope", "1")]:
        with pytest.raises(ValidationError), store.write() as session:
            settings.put(session, admin, key, value)
    viewer = make_user(store, admin, "v", Role.VIEWER)
    with pytest.raises(PermissionDenied), store.write() as session:
        settings.put(session, viewer, "font_size", "large")


def test_committee_update_renames_the_village_root(store: Store, admin: Actor) -> None:
    with store.write() as session:
        committee.update(session, admin, committee.CommitteeInput("新名调委会", "新", "新名调委会印", "新名村", "长安镇"))
    with store.read() as session:
        assert committee.require_current(session).code == "新"
        assert grid.village_root(session).name == "新名村"
