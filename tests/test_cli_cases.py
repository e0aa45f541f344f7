"""`mediation-desk case ...` end to end in a real subprocess."""

import json
from pathlib import Path

from app.services import households
from app.services.users import login
from app.store.engine import open_store
from tests.test_cli import cli, desk  # noqa: F401  (fixture)


def _roster(desk: Path) -> None:  # noqa: F811
    store = open_store(desk)
    actor = login(store, "admin", "secret-123")
    with store.write() as session:
        households.create_household(session, actor, households.HouseholdInput("0001"),
                                    [households.PersonInput("张三", id_number="11010519491231002X")])
        households.create_household(session, actor, households.HouseholdInput("0002"),
                                    [households.PersonInput("𠮷䶮", sex="male", id_number="110105199001010010")])
    store.dispose()


def test_a_case_from_intake_to_closing_by_command(desk: Path, tmp_path: Path) -> None:  # noqa: F811
    _roster(desk)
    added = cli(desk, "--json", "case", "add", "--category", "homestead", "--summary", "宅基地边界纠纷",
                "--applicant", "11010519491231002X", "--respondent", "0002:𠮷䶮")
    assert added.returncode == 0, added.stderr
    number = json.loads(added.stdout)["number"]
    assert "甘调字第0001号" in number
    short = number[1:5] + "-1"
    steps = [
        ["case", "session", short, "--place", "村调解室", "--applicant-said", "越界", "--respondent-said", "没有"],
        ["case", "agree", short, "--term", "拆除围墙", "--term", "张三补偿=12000", "--signed"],
        ["case", "follow-up", short, "--visitor", "王丽", "--performance", "fully", "--satisfaction", "satisfied"],
        ["case", "close", short],
    ]
    for step in steps:
        result = cli(desk, *step)
        assert result.returncode == 0, (step, result.stderr)
    shown = json.loads(cli(desk, "--json", "case", "show", number).stdout)
    assert shown["case"]["status"] == "closed"
    assert [p["name"] for p in shown["case"]["parties"]] == ["张三", "𠮷䶮"]
    listed = json.loads(cli(desk, "--json", "case", "list", "--query", "zs").stdout)
    assert listed["total"] == 1


def test_bad_case_input_exits_3_and_names_the_field(desk: Path) -> None:  # noqa: F811
    _roster(desk)
    cases = [
        (["case", "add", "--category", "dragons", "--summary", "x", "--applicant", "11010519491231002X"], "Category"),
        (["case", "add", "--category", "debt", "--summary", "x", "--applicant", "110105194912310021"], "ID number"),
        (["case", "add", "--category", "debt", "--summary", "x", "--received", "2999-01-01",
          "--applicant", "11010519491231002X"], "future"),
        (["case", "show", "2026-99"], "2026-99"),
        (["case", "show", "twelve"], "Case number"),
        (["case", "list", "--period", "2026Q5"], "Period"),
    ]
    for args, fragment in cases:
        result = cli(desk, *args)
        assert result.returncode == 3, (args, result.stderr)
        assert fragment in result.stderr, (args, result.stderr)
    listed = json.loads(cli(desk, "--json", "case", "list").stdout)
    assert listed["total"] == 0


def test_a_step_the_state_does_not_allow_says_why(desk: Path) -> None:  # noqa: F811
    _roster(desk)
    cli(desk, "case", "add", "--category", "debt", "--summary", "借款", "--applicant", "11010519491231002X")
    result = cli(desk, "case", "close", _first_number(desk))
    assert result.returncode == 3 and "Only a case with an agreement" in result.stderr


def _first_number(desk: Path) -> str:  # noqa: F811
    return str(json.loads(cli(desk, "--json", "case", "list").stdout)["cases"][0]["number"])
