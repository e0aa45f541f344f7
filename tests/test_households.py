import datetime as dt

import pytest

from app.errors import DuplicateWarning, NotFound, PermissionDenied, ValidationError
from app.models.roster import Household, Person
from app.models.users import Role
from app.services import households
from app.services.context import Actor
from app.services.households import HouseholdInput, PersonInput
from app.store.engine import Store
from tests.conftest import make_user


def _count(store: Store, model: type) -> int:
    with store.read() as session:
        return len(session.exec(households.select(model)).all())


def test_birth_date_and_sex_come_from_the_id_number(store: Store, admin: Actor, village: dict[str, str]) -> None:
    with store.read() as session:
        detail = households.household_detail(session, admin, village["h1"])
    head = detail.members[0]
    assert head.is_head and head.name == "张三" and head.relation_to_head == "户主"
    assert head.birth_date == dt.date(1949, 12, 31) and head.sex == "female"


@pytest.mark.parametrize(
    ("person", "field"),
    [
        (PersonInput("王五", id_number="110105194912310021"), "id_number"),
        (PersonInput("王五", birth_date=dt.date(2999, 1, 1)), "birth_date"),
        (PersonInput(""), "name"),
        (PersonInput("王五😀"), "name"),
        (PersonInput("王五", mobile="12345"), "mobile"),
        (PersonInput("王五", note="注" * 10_000), "note"),
        (PersonInput("王五", care_flags=("rich",)), "care_flags"),
    ],
)
def test_bad_person_input_names_the_field_and_writes_nothing(store: Store, admin: Actor, village: dict[str, str],
                                                           person: PersonInput, field: str) -> None:
    persons_before = _count(store, Person)
    with pytest.raises(ValidationError) as info, store.write() as session:
        households.add_member(session, admin, village["h1"], person)
    assert info.value.field == field
    assert _count(store, Person) == persons_before


def test_a_household_with_a_bad_member_is_not_half_written(store: Store, admin: Actor, village: dict[str, str]) -> None:
    before = _count(store, Household)
    with pytest.raises(ValidationError), store.write() as session:
        households.create_household(session, admin, HouseholdInput("0003", "村" * 10_000), [PersonInput("王五")])
    with pytest.raises(ValidationError), store.write() as session:
        households.create_household(session, admin, HouseholdInput("0003"),
                                    [PersonInput("王五"), PersonInput("赵六", id_number="123")])
    assert _count(store, Household) == before


def test_household_numbers_are_unique(store: Store, admin: Actor, village: dict[str, str]) -> None:
    with pytest.raises(ValidationError, match="already used") as info, store.write() as session:
        households.create_household(session, admin, HouseholdInput("0001"), [PersonInput("王五")])
    assert info.value.field == "number"


def test_duplicate_id_number_warns_and_can_be_confirmed(store: Store, admin: Actor, village: dict[str, str]) -> None:
    with pytest.raises(DuplicateWarning) as info, store.write() as session:
        households.add_member(session, admin, village["h2"], PersonInput("张三", id_number="11010519491231002X"))
    assert "0001" in info.value.message
    with store.write() as session:
        households.add_member(session, admin, village["h2"], PersonInput("张三", id_number="11010519491231002X"),
                              confirm_duplicate=True)
    with store.read() as session:
        assert households.count_households(session, admin, query="11010519491231002X") == 2


def test_micro_grid_must_belong_to_the_chosen_group(store: Store, admin: Actor, village: dict[str, str]) -> None:
    with pytest.raises(ValidationError, match="another villager group"), store.write() as session:
        households.create_household(session, admin, HouseholdInput("0009", group_id=village["g2"],
                                                                   micro_grid_id=village["m1"]), [])
    with store.write() as session:
        h = households.create_household(session, admin, HouseholdInput("0009", micro_grid_id=village["m1"]), [])
        assert h.group_id == village["g1"]


@pytest.mark.parametrize(
    ("query", "numbers"),
    [
        ("张三", ["0001"]),  # two characters: the LIKE path
        ("zs", ["0001"]),  # pinyin initials
        ("zhangsan", ["0001"]),  # full pinyin, FTS path
        ("ZhangSan", ["0001"]),
        ("李", ["0001"]),
        ("䶮", ["0002"]),
        ("𠮷䶮", ["0002"]),
        ("139123", ["0002"]),  # phone
        ("0002", ["0002"]),  # 户号
        ("11010519491231002x", ["0001"]),  # ID number, exact
        ("二组8号", ["0002"]),  # address
        ("%", []),
        ("_", []),
        ('"', []),
        ("' OR 1=1 --", []),
        ("王", []),
    ],
)
def test_search(store: Store, admin: Actor, village: dict[str, str], query: str, numbers: list[str]) -> None:
    with store.read() as session:
        rows = households.list_households(session, admin, query=query)
        assert [r.number for r in rows] == numbers
        assert households.count_households(session, admin, query=query) == len(numbers)


def test_search_follows_edits(store: Store, admin: Actor, village: dict[str, str]) -> None:
    with store.read() as session:
        head = households.household_detail(session, admin, village["h2"]).members[0]
    with store.write() as session:
        households.update_person(session, admin, head.id, PersonInput("欧阳娜娜", sex="female"))
    with store.read() as session:
        assert households.count_households(session, admin, query="欧阳娜") == 1
        assert households.count_households(session, admin, query="oynn") == 1
        assert households.count_households(session, admin, query="䶮") == 0


def test_filter_by_grid_cell(store: Store, admin: Actor, village: dict[str, str]) -> None:
    with store.read() as session:
        assert [r.number for r in households.list_households(session, admin, cell_id=village["g2"])] == ["0002"]
        assert [r.number for r in households.list_households(session, admin, cell_id=village["m1"])] == ["0001"]
        assert households.count_households(session, admin, cell_id=village["g1"], query="zs") == 1


def test_removing_the_head_keeps_the_row_and_clears_the_head(store: Store, admin: Actor, village: dict[str, str]) -> None:
    with store.read() as session:
        head = households.household_detail(session, admin, village["h1"]).members[0]
    with store.write() as session:
        households.remove_member(session, admin, head.id)
    with store.read() as session:
        detail = households.household_detail(session, admin, village["h1"])
        assert detail.head_person_id is None and [m.name for m in detail.members] == ["李四"]
        assert session.get(Person, head.id) is not None
        assert households.count_households(session, admin, query="zs") == 0
    with store.write() as session, pytest.raises(NotFound):
        households.remove_member(session, admin, head.id)


def test_id_numbers_are_masked_for_a_viewer(store: Store, admin: Actor, village: dict[str, str]) -> None:
    viewer = make_user(store, admin, "viewer", Role.VIEWER)
    with store.read() as session:
        masked = households.household_detail(session, viewer, village["h1"]).members[0].id_number
    assert masked == "110105********002X"
    with store.write() as session, pytest.raises(PermissionDenied):
        households.add_member(session, viewer, village["h1"], PersonInput("王五"))


def test_id_numbers_are_masked_for_everyone_in_lists_and_a_full_look_is_audited(
        store: Store, admin: Actor, village: dict[str, str]) -> None:
    from app.services import audit

    with store.read() as session:
        head = households.household_detail(session, admin, village["h1"]).members[0]
        assert head.id_number == "110105********002X"  # even the director: the list is masked
        assert households.get_person_input(session, admin, head.id).id_number == "110105********002X"
        events = audit.count_events(session)
    with store.write() as session:
        assert households.reveal_id_number(session, admin, head.id) == "11010519491231002X"
    with store.read() as session:
        _total, rows = audit.list_events(session, admin, action="reveal_id_number")
        assert audit.count_events(session) == events + 1
        assert rows[0].record_id == head.id and rows[0].username == "admin" and "002X" in rows[0].summary
        assert "11010519491231002X" not in rows[0].summary + str(rows[0].changes)  # never in clear in the trail
        assert audit.verify_chain(session).ok


@pytest.mark.parametrize(("role", "allowed"), [(Role.MEDIATOR, True), (Role.GRID_WORKER, True), (Role.VIEWER, False)])
def test_who_may_reveal_a_full_id_number(store: Store, admin: Actor, village: dict[str, str], role: Role,
                                          allowed: bool) -> None:
    user = make_user(store, admin, f"u_{role.value}", role)
    with store.read() as session:
        head = households.household_detail(session, user, village["h1"]).members[0]
    with store.write() as session:
        if allowed:
            assert households.reveal_id_number(session, user, head.id) == "11010519491231002X"
        else:
            with pytest.raises(PermissionDenied):
                households.reveal_id_number(session, user, head.id)


def test_saving_a_person_with_the_masked_number_keeps_the_stored_one(
        store: Store, admin: Actor, village: dict[str, str]) -> None:
    with store.read() as session:
        head = households.household_detail(session, admin, village["h1"]).members[0]
        data = households.get_person_input(session, admin, head.id)
    with store.write() as session:
        households.update_person(session, admin, head.id, households.replace(data, mobile="13700137000"))
    with store.read() as session:
        person = session.get(Person, head.id)
        assert person is not None and person.id_number == "11010519491231002X" and person.mobile == "13700137000"
    with store.write() as session, pytest.raises(ValidationError) as err:  # another masked value is no number
        households.update_person(session, admin, head.id, households.replace(data, id_number="110105********0000"))
    assert err.value.field == "id_number"


def test_paging(store: Store, admin: Actor, village: dict[str, str]) -> None:
    with store.write() as session:
        for i in range(3, 13):
            households.create_household(session, admin, HouseholdInput(f"{i:04d}"), [PersonInput("王五")])
    with store.read() as session:
        page = households.list_households(session, admin, offset=5, limit=4)
        assert [r.number for r in page] == ["0006", "0007", "0008", "0009"]
        assert households.count_households(session, admin, query="王五") == 10
