"""The command line, run as a user runs it: a real subprocess, real exit codes, real files."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.main import wants_cli
from app.paths import DB_FILE

INIT = ["init", "--committee", "庄墩村人民调解委员会", "--code", "甘", "--village", "庄墩村", "--town", "长安镇",
        "--admin", "admin", "--admin-name", "王丽", "--password", "secret-123"]


def cli(data_dir: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    full_env.pop("MEDIATION_DESK_PASSWORD", None) if env is None else None
    return subprocess.run([sys.executable, "-m", "app", "--data-dir", str(data_dir), "--lang", "en", *args],
                          capture_output=True, text=True, env=full_env, timeout=120)


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    d = tmp_path / "desk"
    result = cli(d, *INIT)
    assert result.returncode == 0, result.stderr
    return d


def test_init_then_check(desk: Path) -> None:
    result = cli(desk, "--json", "check")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["integrity"] == "ok" and report["audit_ok"] is True and report["audit_events"] >= 3


def test_check_fails_with_exit_4_on_a_tampered_audit_trail(desk: Path) -> None:
    conn = sqlite3.connect(desk / DB_FILE)
    conn.execute("UPDATE audit_event SET summary = 'forged' WHERE seq = 1")
    conn.commit()
    conn.close()
    result = cli(desk, "check")
    assert result.returncode == 4
    assert "altered" in result.stdout


def test_init_with_bad_input_exits_3_names_the_field_and_writes_nothing(tmp_path: Path) -> None:
    d = tmp_path / "desk"
    args = [a if a != "甘" else "甘肃省张掖市甘州区" for a in INIT]
    result = cli(d, *args)
    assert result.returncode == 3
    assert "Committee code" in result.stderr
    assert cli(d, "--json", "user", "list").returncode != 0  # still not set up


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert cli(tmp_path, "user").returncode == 2
    assert cli(tmp_path, "household", "list", "--limit", "many").returncode == 2


def test_users_add_list_passwd(desk: Path) -> None:
    added = cli(desk, "--json", "user", "add", "liu", "--name", "刘调解", "--role", "mediator", "--password", "password1")
    assert added.returncode == 0, added.stderr
    listed = json.loads(cli(desk, "--json", "user", "list").stdout)
    assert {u["username"]: u["role"] for u in listed["users"]} == {"admin": "admin", "liu": "mediator"}
    bad = cli(desk, "user", "add", "x y", "--name", "某", "--role", "viewer", "--password", "password1")
    assert bad.returncode == 3 and "User name" in bad.stderr
    short = cli(desk, "user", "passwd", "liu", "--password", "123")
    assert short.returncode == 3 and "Password" in short.stderr
    assert cli(desk, "user", "passwd", "liu", env={"MEDIATION_DESK_PASSWORD": "another-1"}).returncode == 0
    # a mediator may not add users
    denied = cli(desk, "--user", "liu", "user", "add", "zhao", "--name", "赵", "--role", "viewer", "--password", "password1")
    assert denied.returncode == 1 and "role" in denied.stderr.lower()


def test_household_list_and_show(desk: Path) -> None:
    from app.services import households
    from app.services.users import login
    from app.store.engine import open_store

    store = open_store(desk)
    actor = login(store, "admin", "secret-123")
    with store.write() as session:
        households.create_household(session, actor, households.HouseholdInput("0007", "庄墩村三组7号"),
                                    [households.PersonInput("𠮷䶮", id_number="11010519491231002X")])
    store.dispose()
    listed = json.loads(cli(desk, "--json", "household", "list", "--query", "䶮").stdout)
    assert listed["total"] == 1 and listed["households"][0]["head_name"] == "𠮷䶮"
    shown = cli(desk, "--json", "household", "show", "0007")
    assert shown.returncode == 0
    assert json.loads(shown.stdout)["members"][0]["id_number"] == "110105********002X"
    shown = cli(desk, "--json", "household", "show", "0007", "--show-ids")
    assert json.loads(shown.stdout)["members"][0]["id_number"] == "11010519491231002X"
    missing = cli(desk, "household", "show", "9999")
    assert missing.returncode == 3 and "9999" in missing.stderr
    text = cli(desk, "household", "list")
    assert "0007" in text.stdout and "𠮷䶮" in text.stdout


def test_commands_before_set_up_explain_what_to_do(tmp_path: Path) -> None:
    result = cli(tmp_path / "empty", "user", "list")
    assert result.returncode == 3 and "init" in result.stderr


def test_first_word_decides_between_window_and_command() -> None:
    assert wants_cli(["--data-dir", "demo", "check"])
    assert not wants_cli(["--data-dir", "demo"])
    assert not wants_cli(["--lang", "en"])
    assert wants_cli(["--version"])
