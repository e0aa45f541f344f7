"""Shared fixtures: a fresh data directory and database for every test, messages in English unless a
test asks for Chinese, Qt offscreen."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.i18n import set_language
from app.services import committee, grid, households, users
from app.services.context import Actor
from app.store.engine import Store, open_store

ADMIN_PASSWORD = "secret-123"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language("en")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "desk"


@pytest.fixture
def store(data_dir: Path) -> Iterator[Store]:
    s = open_store(data_dir)
    yield s
    s.dispose()


@pytest.fixture
def admin(store: Store) -> Actor:
    """A set-up village desk (庄墩村) whose admin is logged in."""
    with store.write() as session:
        committee.set_up(
            session,
            committee.CommitteeInput("庄墩村人民调解委员会", "甘", "庄墩村人民调解委员会", "庄墩村", "长安镇"),
            committee.AdminInput("admin", "王丽", ADMIN_PASSWORD),
        )
    return users.login(store, "admin", ADMIN_PASSWORD)


def make_user(store: Store, admin: Actor, username: str, role: str) -> Actor:
    with store.write() as session:
        users.create_user(session, admin, username, "测试用户", role, ADMIN_PASSWORD)
    return users.login(store, username, ADMIN_PASSWORD)


@pytest.fixture
def village(store: Store, admin: Actor) -> dict[str, str]:
    """Two villager groups, one micro-grid, and two households: 张三's (0001) and 𠮷䶮's (0002)."""
    with store.write() as session:
        root = grid.village_root(session)
        g1 = grid.add_cell(session, admin, root.id, "一组")
        g2 = grid.add_cell(session, admin, root.id, "二组")
        m1 = grid.add_cell(session, admin, g1.id, "一组第1微网格")
        h1 = households.create_household(
            session, admin, households.HouseholdInput("0001", "庄墩村一组1号", micro_grid_id=m1.id),
            [households.PersonInput("张三", id_number="11010519491231002X", mobile="13800138000"),
             households.PersonInput("李四", sex="female", relation_to_head="配偶")],
        )
        h2 = households.create_household(
            session, admin, households.HouseholdInput("0002", "庄墩村二组8号", group_id=g2.id),
            [households.PersonInput("𠮷䶮", sex="male", mobile="13912345678")],
        )
    return {"root": root.id, "g1": g1.id, "g2": g2.id, "m1": m1.id, "h1": h1.id, "h2": h2.id}


# ---------------------------------------------------------------- PostgreSQL for the township tests

PG_ENV = "MEDIATION_DESK_TEST_PG"  # a server URL whose role may create databases, e.g. postgresql+psycopg://desk:desk@127.0.0.1/postgres
PG_REQUIRED_ENV = "MEDIATION_DESK_REQUIRE_PG"  # set by .ci/run: then a missing server fails instead of skipping


@contextmanager
def township_database(kind: str) -> Iterator[str | None]:
    """None for a township on SQLite ("sqlite"); a fresh PostgreSQL database URL, dropped afterwards
    ("postgresql"; the test is skipped when no server is given). The `township_db` fixture, and a module's
    own fixture that builds one township for several tests."""
    if kind == "sqlite":
        yield None
        return
    server = os.environ.get(PG_ENV)
    if not server:
        if os.environ.get(PG_REQUIRED_ENV):
            pytest.fail(f"{PG_ENV} is not set, and this run requires PostgreSQL")
        pytest.skip(f"no PostgreSQL server: set {PG_ENV} (.ci/run starts one)")
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"desk_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def township_db(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """None for a township on SQLite; a fresh PostgreSQL database URL (dropped afterwards) for the other run."""
    with township_database(request.param) as url:
        yield url
