"""Cases from intake to closing: numbering, parties, the state machine and its guards, search."""

import datetime as dt
import threading
from pathlib import Path

import pytest

from app.clock import today, utcnow
from app.errors import DuplicateWarning, PermissionDenied, ValidationError
from app.models.cases import Case, CaseStatus
from app.models.users import Role
from app.services import audit, case_flow, cases, households
from app.services.case_flow import AgreementInput, FollowUpInput, SessionInput, Term
from app.services.case_numbers import format_case_number, parse_case_ref
from app.services.cases import CaseFilter, CaseInput, MediatorInput, PartyInput
from app.services.context import Actor
from app.store.engine import Store, open_store
from tests.conftest import make_user


def _people(store: Store, admin: Actor, village: dict[str, str]) -> tuple[str, str]:
    with store.read() as session:
        a = households.household_detail(session, admin, village["h1"]).members[0].id
        b = households.household_detail(session, admin, village["h2"]).members[0].id
    return a, b


def register(store: Store, actor: Actor, village: dict[str, str], *, received: dt.date | None = None,
             summary: str = "宅基地边界纠纷", confirm: bool = False) -> Case:
    a, b = _people(store, actor, village)
    with store.write() as session:
        return cases.register_case(
            session, actor,
            CaseInput(received or today(), "party_applied", "homestead", summary, facts="两家围墙相隔一米，争议三十年。",
                      points_in_dispute="边界位置"),
            [PartyInput("applicant", person_id=a), PartyInput("respondent", person_id=b)],
            [MediatorInput("王丽", user_id=actor.user_id, is_lead=True)],
            confirm_duplicate=confirm,
        )


def test_numbers_run_per_year_and_read_both_ways(store: Store, admin: Actor, village: dict[str, str]) -> None:
    first = register(store, admin, village, received=dt.date(2025, 12, 31))
    second = register(store, admin, village, received=today(), confirm=True)
    third = register(store, admin, village, received=today(), confirm=True)
    assert first.number == "（2025）甘调字第0001号"
    assert (second.number_year, second.number_seq, third.number_seq) == (today().year, 1, 2)
    assert third.number == format_case_number(today().year, "甘", 2)
    assert parse_case_ref(f"{today().year}-2") == (today().year, 2)
    assert parse_case_ref(third.number) == (today().year, 2)
    with store.read() as session:
        assert cases.find_case(session, f"{today().year}-2").id == third.id
    with pytest.raises(ValidationError):
        parse_case_ref("twelve")


def test_two_windows_saving_at_once_never_share_a_number(store: Store, admin: Actor, village: dict[str, str],
                                                          data_dir: Path) -> None:
    other = open_store(data_dir)
    errors: list[BaseException] = []

    def save_many(s: Store) -> None:
        try:
            for _ in range(8):
                register(s, admin, village, confirm=True)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=save_many, args=(s,)) for s in (store, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    other.dispose()
    assert errors == []
    with store.read() as session:
        numbers = [c.number for c in session.exec(cases.select(Case)).all()]
    assert len(numbers) == 16 and len(set(numbers)) == 16


def test_bad_case_input_names_the_field_and_takes_no_number(store: Store, admin: Actor, village: dict[str, str]) -> None:
    a, _ = _people(store, admin, village)
    bad = [
        (CaseInput(today() + dt.timedelta(days=1), "party_applied", "homestead", "x"), "received_on"),
        (CaseInput(today(), "rumour", "homestead", "x"), "source"),
        (CaseInput(today(), "party_applied", "dragons", "x"), "category_code"),
        (CaseInput(today(), "party_applied", "homestead", ""), "summary"),
        (CaseInput(today(), "party_applied", "homestead", "x" * 501), "summary"),
        (CaseInput(today(), "party_applied", "homestead", "x", deadline=today() - dt.timedelta(days=3)), "deadline"),
    ]
    for data, field in bad:
        with pytest.raises(ValidationError) as info, store.write() as session:
            cases.register_case(session, admin, data, [PartyInput("applicant", person_id=a)])
        assert info.value.field == field, data
    with pytest.raises(ValidationError) as info, store.write() as session:
        cases.register_case(session, admin, CaseInput(today(), "party_applied", "homestead", "x"), [])
    assert info.value.field == "parties"
    with store.read() as session:
        assert cases.count_cases(session, admin) == 0


def test_new_party_is_added_to_the_roster_and_organisations_need_a_valid_credit_code(
        store: Store, admin: Actor, village: dict[str, str]) -> None:
    new = PartyInput("applicant", person=households.PersonInput("赵𠮷", sex="male", mobile="13700001111"),
                     household_id=village["h2"])
    org_bad = PartyInput("respondent", is_organisation=True, organisation_name="甘州区某建筑公司",
                         credit_code="91620702MA00000000", agent_name="钱经理", agent_kind="legal_representative")
    with pytest.raises(ValidationError) as info, store.write() as session:
        cases.register_case(session, admin, CaseInput(today(), "party_applied", "labour", "拖欠工资"), [new, org_bad])
    assert info.value.field == "credit_code"
    with store.read() as session:
        assert households.count_households(session, admin, query="赵𠮷") == 0  # nothing half-written
    org = PartyInput("respondent", is_organisation=True, organisation_name="甘州区某建筑公司",
                     credit_code="91110108551385082Q", agent_name="钱经理", agent_kind="legal_representative")
    with store.write() as session:
        case = cases.register_case(session, admin, CaseInput(today(), "party_applied", "labour", "拖欠工资"), [new, org])
    with store.read() as session:
        view = cases.case_view(session, admin, case.id)
        assert [p.name for p in view.parties] == ["赵𠮷", "甘州区某建筑公司"]
        assert households.count_households(session, admin, query="赵𠮷") == 1
        assert village["h2"] in view.household_ids


def test_possible_duplicate_case_is_flagged(store: Store, admin: Actor, village: dict[str, str]) -> None:
    first = register(store, admin, village)
    with pytest.raises(DuplicateWarning) as info:
        register(store, admin, village)
    assert first.number in info.value.message
    assert register(store, admin, village, confirm=True).number != first.number


def _session(store: Store, actor: Actor, case_id: str, **kw: object) -> None:
    with store.write() as session:
        case_flow.record_session(session, actor, case_id, SessionInput(
            held_at=utcnow() - dt.timedelta(hours=1), place="村调解室", attendees="双方当事人", rights_explained=True,
            applicant_statement="围墙越界", respondent_statement="没有越界", facts_checked="丈量", outcome="同意协商",
            recorder="李文书", **kw))  # type: ignore[arg-type]


def test_the_whole_road_from_intake_to_closing(store: Store, admin: Actor, village: dict[str, str], tmp_path: Path) -> None:
    case = register(store, admin, village)
    _session(store, admin, case.id)
    with store.write() as session:
        assert cases.get_case(session, case.id).status == CaseStatus.MEDIATING
        case_flow.draft_agreement(session, admin, case.id, AgreementInput(
            (Term("李四拆除越界围墙一米", ""), Term("张三补偿李四", "12000")), facts="围墙越界一米",
            performance_manner="现金", performance_deadline=today() + dt.timedelta(days=10)))
        items = case_flow.checklist(session, case.id)
        assert [i.required for i in items] == [True, True, True, False, True]
        agreement = case_flow.get_agreement(session, case.id)
        assert agreement is not None and agreement.copies == 3
    # not effective until every required item is ticked
    with store.write() as session:
        for item in items[:-1]:
            case_flow.tick(session, admin, case.id, item.key)
        assert cases.get_case(session, case.id).status == CaseStatus.MEDIATING
        assert case_flow.close_reasons(session, cases.get_case(session, case.id))
        case_flow.tick(session, admin, case.id, "seal")
        assert cases.get_case(session, case.id).status == CaseStatus.AGREED
        agreement = case_flow.get_agreement(session, case.id)
        assert agreement is not None and agreement.effective_on == today()
        planned = case_flow.follow_ups_of(session, case.id)
        assert len(planned) == 1 and planned[0].due_on == today() + dt.timedelta(days=17)
    with pytest.raises(ValidationError, match="in force"), store.write() as session:
        case_flow.tick(session, admin, case.id, "seal", done=False)
    with pytest.raises(ValidationError, match="follow-up"), store.write() as session:
        case_flow.close(session, admin, case.id)
    with store.write() as session:
        case_flow.record_follow_up(session, admin, case.id, FollowUpInput(today(), "王丽", "fully", "satisfied"))
        assert cases.get_case(session, case.id).status == CaseStatus.FOLLOWING_UP
    with pytest.raises(ValidationError, match="Proof of identity"), store.write() as session:
        case_flow.close(session, admin, case.id)
    scan = tmp_path / "身份证复印件.jpg"
    scan.write_bytes(b"\xff\xd8\xff" + b"scan" * 1000)
    assert store.data_dir is not None
    with store.write() as session:
        first = case_flow.add_attachment(session, admin, store.data_dir, case.id, scan, "id_proof")
        again = case_flow.add_attachment(session, admin, store.data_dir, case.id, scan, "evidence", "同一文件")
        assert first.sha256 == again.sha256 and first.media_type == "image/jpeg"
        stored = case_flow.attachment_path(store.data_dir, first.sha256)
        assert stored.read_bytes() == scan.read_bytes()
        case_flow.close(session, admin, case.id)
    with store.read() as session:
        assert cases.get_case(session, case.id).status == CaseStatus.CLOSED
        statuses = [e.to_status for e in cases.history(session, admin, case.id)]
        assert statuses == ["accepted", "mediating", "agreed", "following_up", "closed"]
        assert audit.verify_chain(session).ok


def test_agreement_is_not_effective_without_every_signature(store: Store, admin: Actor, village: dict[str, str]) -> None:
    case = register(store, admin, village)
    _session(store, admin, case.id)
    with store.write() as session:
        case_flow.draft_agreement(session, admin, case.id, AgreementInput((Term("赔礼道歉"),)))
        party = case_flow.parties_of(session, case.id)[0]
        case_flow.tick(session, admin, case.id, party.id)
        case_flow.tick(session, admin, case.id, "mediator")
        case_flow.tick(session, admin, case.id, "seal")
        assert case_flow.get_agreement(session, case.id).effective_on is None  # type: ignore[union-attr]
        assert cases.get_case(session, case.id).status == CaseStatus.MEDIATING


def test_close_needs_the_required_case_file_items(store: Store, admin: Actor, village: dict[str, str]) -> None:
    case = register(store, admin, village)
    with store.write() as session:
        case_flow.fail(session, admin, case.id, "双方分歧太大", ["lawsuit", "arbitration"])
    with store.read() as session:
        reasons = case_flow.close_reasons(session, cases.get_case(session, case.id))
        assert any("Mediation record" in r for r in reasons)
        assert any("Proof of identity" in r for r in reasons)  # the respondent has no ID number
        actions = {a.key: a for a in case_flow.actions(session, case.id)}
        assert not actions["close"].allowed and "Mediation record" in actions["close"].reason
        assert not actions["session"].allowed and "Mediation failed" in actions["session"].reason


def test_failed_needs_a_reason_and_routes(store: Store, admin: Actor, village: dict[str, str]) -> None:
    case = register(store, admin, village)
    with pytest.raises(ValidationError) as info, store.write() as session:
        case_flow.fail(session, admin, case.id, "", ["lawsuit"])
    assert info.value.field == "reason"
    with pytest.raises(ValidationError) as info, store.write() as session:
        case_flow.fail(session, admin, case.id, "谈不拢", [])
    assert info.value.field == "routes"


def test_oral_agreement_is_in_force_at_once(store: Store, admin: Actor, village: dict[str, str]) -> None:
    case = register(store, admin, village)
    _session(store, admin, case.id)
    with store.write() as session:
        case_flow.register_oral_agreement(session, admin, case.id, AgreementInput((Term("互相道歉", ""),)))
        assert cases.get_case(session, case.id).status == CaseStatus.AGREED


def test_transfer_and_withdraw_end_mediation(store: Store, admin: Actor, village: dict[str, str]) -> None:
    case = register(store, admin, village)
    with store.write() as session:
        case_flow.transfer(session, admin, case.id, "township_center", "涉及多个村")
    with pytest.raises(ValidationError, match="Transferred"), store.write() as session:
        case_flow.record_session(session, admin, case.id, SessionInput(utcnow(), place="x"))
    other = register(store, admin, village, confirm=True)
    with store.write() as session:
        case_flow.withdraw(session, admin, other.id, "当事人自行和解")
        assert cases.get_case(session, other.id).status == CaseStatus.WITHDRAWN


def test_attachments_refuse_empty_huge_and_missing_files(store: Store, admin: Actor, village: dict[str, str],
                                                         tmp_path: Path) -> None:
    case = register(store, admin, village)
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    assert store.data_dir is not None
    for path, kind, fragment in [(empty, "evidence", "empty"), (tmp_path / "nope.pdf", "evidence", "cannot be read"),
                                 (empty, "magic", "Kind")]:
        with pytest.raises(ValidationError, match=fragment), store.write() as session:
            case_flow.add_attachment(session, admin, store.data_dir, case.id, path, kind)
    with store.read() as session:
        assert case_flow.attachments_of(session, case.id) == []


def test_amounts_terms_and_money_in_capitals(store: Store, admin: Actor, village: dict[str, str]) -> None:
    assert case_flow.amount_in_capitals("12000") == "人民币壹万贰仟元整"
    assert case_flow.parse_amount("12,000元") == "12000"
    for bad in ("abc", "-5", "0", "1.234", "99999999999"):
        with pytest.raises(ValidationError):
            case_flow.parse_amount(bad)
    case = register(store, admin, village)
    with pytest.raises(ValidationError, match="Term 2 is empty"), store.write() as session:
        case_flow.draft_agreement(session, admin, case.id, AgreementInput((Term("a"), Term("  "))))


def test_follow_up_and_confirmation_rules(store: Store, admin: Actor, village: dict[str, str]) -> None:
    case = register(store, admin, village)
    _session(store, admin, case.id)
    with store.write() as session:
        case_flow.register_oral_agreement(session, admin, case.id, AgreementInput((Term("道歉"),)),
                                          on=today() - dt.timedelta(days=2))
    with pytest.raises(ValidationError) as info, store.write() as session:
        case_flow.record_follow_up(session, admin, case.id, FollowUpInput(today() + dt.timedelta(days=1), "王丽", "fully", "satisfied"))
    assert info.value.field == "visited_on"
    with pytest.raises(ValidationError), store.write() as session:
        case_flow.record_confirmation(session, admin, case.id, today() - dt.timedelta(days=5))
    with store.write() as session:
        agreement = case_flow.record_confirmation(session, admin, case.id, today(), "已受理")
        assert case_flow.confirmation_deadline(agreement) == today() + dt.timedelta(days=28)


def test_roles(store: Store, admin: Actor, village: dict[str, str]) -> None:
    viewer = make_user(store, admin, "viewer", Role.VIEWER)
    worker = make_user(store, admin, "grid", Role.GRID_WORKER)
    with pytest.raises(PermissionDenied):
        register(store, viewer, village)
    case = register(store, worker, village)  # a grid worker may register a dispute found in screening
    with pytest.raises(PermissionDenied):
        _session(store, worker, case.id)
    with store.read() as session:
        view = cases.case_view(session, viewer, case.id)
        assert view.parties[0].id_number == "110105********002X"


@pytest.mark.parametrize(
    ("query", "found"),
    [("张三", True), ("zs", True), ("zhangsan", True), ("围墙相隔", True), ("11010519491231002X", True),
     ("13800138000", True), ("%", False), ("_", False), ("'", False), ('"', False), ("李五", False)],
)
def test_search(store: Store, admin: Actor, village: dict[str, str], query: str, found: bool) -> None:
    case = register(store, admin, village)
    with store.read() as session:
        rows = cases.list_cases(session, admin, CaseFilter(query=query))
        assert ([r.number for r in rows] == [case.number]) is found
        assert cases.count_cases(session, admin, CaseFilter(query=query)) == (1 if found else 0)


def test_filters_and_badges(store: Store, admin: Actor, village: dict[str, str]) -> None:
    old = register(store, admin, village, received=today() - dt.timedelta(days=40))
    new = register(store, admin, village, confirm=True)
    with store.read() as session:
        overdue = cases.list_cases(session, admin, CaseFilter(overdue_only=True))
        assert [r.id for r in overdue] == [old.id] and overdue[0].overdue_days == 10
        assert cases.count_cases(session, admin, CaseFilter(statuses=("accepted",))) == 2
        assert cases.count_cases(session, admin, CaseFilter(category_code="debt")) == 0
        assert cases.count_cases(session, admin, CaseFilter(grid_cell_id=village["g2"])) == 2
        assert cases.count_cases(session, admin, CaseFilter(received_from=today())) == 1
        assert cases.count_cases(session, admin, CaseFilter(mediator_user_id=admin.user_id)) == 2
        rows = cases.list_cases(session, admin)
        assert [r.id for r in rows] == [new.id, old.id]
        assert rows[0].parties == "张三 / 𠮷䶮"


def test_today_filters(store: Store, admin: Actor, village: dict[str, str]) -> None:
    planned = register(store, admin, village)
    with store.write() as session:
        at = dt.datetime.combine(today(), dt.time(9, 30), cases_tz())
        case_flow.record_session(session, admin, planned.id, SessionInput(held_at=at, place="村调解室", planned=True))
    agreed = register(store, admin, village, confirm=True)
    _session(store, admin, agreed.id)
    with store.write() as session:
        case_flow.register_oral_agreement(session, admin, agreed.id, AgreementInput((Term("道歉"),)), on=today() - dt.timedelta(days=25))
        case_flow.plan_follow_up(session, admin, agreed.id, today(), "回访")
    with store.read() as session:
        assert [r.id for r in cases.list_cases(session, admin, CaseFilter(session_planned_on=today()))] == [planned.id]
        assert [c for c, _at, _p in cases.planned_sessions(session, admin, today())] == [planned.id]
        assert [r.id for r in cases.list_cases(session, admin, CaseFilter(follow_up_due_only=True))] == [agreed.id]
        assert [r.id for r in cases.list_cases(session, admin, CaseFilter(confirmation_closing_only=True))] == [agreed.id]
        assert cases.count_cases(session, admin, CaseFilter(session_planned_on=today() + dt.timedelta(days=1))) == 0


def cases_tz():  # type: ignore[no-untyped-def]
    from app.clock import LOCAL_TZ

    return LOCAL_TZ
