"""Sync at scale: a village bundle of about 100,000 changes — export (serialize, compress, encrypt, sign,
write) next to the same steps done with the library calls alone on the same rows; township import next
to a raw `executemany` of the same rows into the same tables; and a township importing 300 village
bundles. Goals: export at most 2x raw, import at most 3x raw."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import sys
import time
import zlib
from pathlib import Path
from typing import Any

from benchmarks.common import BENCH_DATA, SEED, header, report, stats

VILLAGE_MARKER = "bench-sync.json"
ENTRIES = 74_000  # with the demo village's cases and risk rounds: about 100,000 changes
VILLAGES = int(os.environ.get("BENCH_SYNC_VILLAGES", "300"))
PASSWORD = "bench-123"


def _township(path: Path) -> None:
    from app.models.committee import DeskMode
    from app.services import committee
    from app.store.engine import open_store

    store = open_store(path)
    with store.write() as session:
        committee.set_up(session, committee.CommitteeInput("长安镇综治中心", "长镇", "长安镇综治中心", "", "长安镇", DeskMode.TOWNSHIP),
                         committee.AdminInput("clerk", "赵文", PASSWORD))
    store.dispose()


def _enroll(a_dir: Path, b_dir: Path) -> None:
    from app.services import users
    from app.store.engine import open_store
    from app.sync import identity

    a, b = open_store(a_dir), open_store(b_dir)
    with b.read() as session:
        other = identity.read_identity(identity.identity_file(session, b_dir))
    with a.read() as session:
        from sqlmodel import select

        from app.models.users import User

        admin = session.exec(select(User).where(User.role == "admin")).first()
    assert admin is not None
    actor = users.actor_of(admin)
    with a.write() as session:
        identity.enroll(session, actor, a_dir, other, other.fingerprint)
    a.dispose()
    b.dispose()


def sync_dirs(rebuild: bool = False) -> tuple[Path, Path]:
    """The big village and an empty township that enrolled each other (built once)."""
    from app.i18n import set_language
    from app.services import demo, demo_cases, demo_points, demo_risk
    from app.store.engine import open_store

    set_language("en")
    root = BENCH_DATA / "sync"
    if rebuild and root.exists():
        shutil.rmtree(root)
    if (root / VILLAGE_MARKER).exists():
        return root / "village", root / "township"
    building = BENCH_DATA / ".building-sync"
    shutil.rmtree(building, ignore_errors=True)
    print("  building the sync bench village (600 households, 300 cases, 74,000 points entries, 8 risk rounds) ...", file=sys.stderr)
    store = open_store(building / "village")
    demo.build_demo(store, households=600, seed=SEED)
    demo_cases.build_cases(store, cases=300, seed=SEED)
    demo_points.build_points(store, entries=ENTRIES, seed=SEED)
    demo_risk.build_risk(store, seed=SEED)
    store.dispose()
    _township(building / "township")
    _enroll(building / "township", building / "village")
    _enroll(building / "village", building / "township")
    (building / VILLAGE_MARKER).write_text("{}", encoding="utf-8")
    if root.exists():
        shutil.rmtree(root)
    building.rename(root)
    return root / "village", root / "township"


def villages_dir(count: int) -> Path:
    """`count` small villages enrolled at one township, each with a bundle on the 'stick' (built once)."""
    from app.i18n import set_language
    from app.services import demo, users
    from app.store.engine import open_store
    from app.sync import export, identity

    set_language("en")
    root = BENCH_DATA / f"sync-{count}-villages"
    if (root / VILLAGE_MARKER).exists():
        return root
    building = BENCH_DATA / f".building-sync-{count}"
    shutil.rmtree(building, ignore_errors=True)
    _township(building / "township")
    (building / "usb").mkdir(parents=True)
    print(f"  building {count} small villages for the township import bench ...", file=sys.stderr)
    town = open_store(building / "township")
    with town.read() as session:
        town_identity = identity.read_identity(identity.identity_file(session, building / "township"))
    town_admin = users.login(town, "clerk", PASSWORD)
    for i in range(count):
        path = building / f"v{i:03d}"
        store = open_store(path)
        summary = demo.build_demo(store, households=8, seed=SEED + i)
        admin = users.login(store, summary.users[0].username, summary.users[0].password)
        with store.read() as session:
            village_identity = identity.read_identity(identity.identity_file(session, path))
        with store.write() as session:
            identity.enroll(session, admin, path, town_identity, town_identity.fingerprint)
        with town.write() as session:
            identity.enroll(session, town_admin, building / "township", village_identity, village_identity.fingerprint)
        with store.write() as session:
            export.export_to_folder(session, admin, path, building / "usb")
        store.dispose()
        if i % 50 == 49:
            print(f"    {i + 1} / {count}", file=sys.stderr)
    town.dispose()
    (building / VILLAGE_MARKER).write_text("{}", encoding="utf-8")
    if root.exists():
        shutil.rmtree(root)
    building.rename(root)
    return root


def _raw_export(village_db: Path, sign_key: object, box: object, out: Path) -> None:
    """The same steps with the library calls alone: read the rows, JSON lines, zlib, Box, sign, write + fsync."""
    conn = sqlite3.connect(f"file:{village_db}?mode=ro", uri=True)
    rows = conn.execute("SELECT seq, table_name, row_id, op, data FROM change_log ORDER BY seq").fetchall()
    conn.close()
    lines = [json.dumps({"s": s, "t": t, "i": i, "o": o}, separators=(",", ":"), ensure_ascii=False).encode() + b"\x1f" + d.encode()
             for s, t, i, o, d in rows]
    payload = box.encrypt(zlib.compress(b"\n".join(lines), 6))  # type: ignore[attr-defined]
    signature = sign_key.sign(payload[:64]).signature  # type: ignore[attr-defined]
    with open(out, "wb") as fh:
        fh.write(signature + payload)
        fh.flush()
        os.fsync(fh.fileno())


def _raw_import(db: Path, changes: list[tuple[str, dict[str, object]]]) -> None:
    """executemany of the same rows into the same tables, one transaction."""
    by_table: dict[str, list[dict[str, object]]] = {}
    for table, row in changes:
        by_table.setdefault(table, []).append(row)
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA foreign_keys=OFF")
    conn.execute("BEGIN")
    for table, rows in by_table.items():
        cols = list(rows[0])
        sql = f"INSERT OR REPLACE INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})"
        conn.executemany(sql, [tuple(r.get(c) for c in cols) for r in rows])
    conn.execute("COMMIT")
    conn.close()


def run(repeat: int = 3, rebuild: bool = False) -> None:
    from nacl.public import Box, PrivateKey

    from app.i18n import set_language
    from app.services.context import SYSTEM
    from app.store.engine import open_store
    from app.sync import export, identity, importer

    set_language("en")
    village_dir, township_dir = sync_dirs(rebuild)
    village = open_store(village_dir)
    with village.read() as session:
        peer = identity.township_peer(session)
        assert peer is not None
        count = session.connection().exec_driver_sql("SELECT count(*) FROM change_log").scalar_one()
    header(f"Sync — a village bundle of {count:,} changes")
    work = BENCH_DATA / "sync-work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    from app.sync.keys import load_keys

    with village.read() as session:
        keys = load_keys(village_dir, identity.own_identity(session, village_dir).device_id)
    raw_box = Box(PrivateKey.generate(), PrivateKey.generate().public_key)
    ours_t: list[float] = []
    raw_t: list[float] = []
    built = None
    for i in range(repeat + 1):
        start = time.perf_counter()
        with village.read() as session:
            peer = identity.township_peer(session)
            assert peer is not None
            built = export.build_for(session, village_dir, peer, everything=True)
        assert built is not None
        from app.files import write_atomic

        write_atomic(work / "ours.mdbundle", built.data)
        ours = time.perf_counter() - start
        start = time.perf_counter()
        _raw_export(village_dir / "desk.sqlite3", keys.current.signing, raw_box, work / "raw.bin")
        raw = time.perf_counter() - start
        if i:  # the first pair warms the caches
            ours_t.append(ours)
            raw_t.append(raw)
    assert built is not None
    size = len(built.data)
    report(f"export: {built.changes:,} changes to one bundle ({size / 1e6:.1f} MB)", stats(ours_t), stats(raw_t), max_ratio=2)
    village.dispose()

    # import into a fresh copy of the empty township, each time
    rows = [(c.table, json.loads(c.data)) for c in _changes_of(built.data, township_dir)]
    ours_t, raw_t = [], []
    status = ""
    for i in range(repeat):
        target = work / f"town-{i}"
        shutil.copytree(township_dir, target, ignore=shutil.ignore_patterns("backups", "logs"))
        store = open_store(target)
        start = time.perf_counter()
        outcome = importer.import_bytes(store, target, built.data, actor=SYSTEM)
        ours_t.append(time.perf_counter() - start)
        status = outcome.status
        store.dispose()
        raw_target = work / f"raw-{i}"
        shutil.copytree(township_dir, raw_target, ignore=shutil.ignore_patterns("backups", "logs"))
        start = time.perf_counter()
        _raw_import(raw_target / "desk.sqlite3", rows)
        raw_t.append(time.perf_counter() - start)
        shutil.rmtree(target)
        shutil.rmtree(raw_target)
    report(f"township import of that bundle ({status}): verify, decrypt, apply, rebuild search and balances", stats(ours_t),
           stats(raw_t), max_ratio=3)

    many = villages_dir(VILLAGES)
    target = work / "town-many"
    shutil.copytree(many / "township", target, ignore=shutil.ignore_patterns("backups", "logs"))
    store = open_store(target)
    files = sorted((many / "usb").glob("*.mdbundle"))
    all_rows = []
    for f in files:
        all_rows += [(c.table, json.loads(c.data)) for c in _changes_of(f.read_bytes(), many / "township")]
    start = time.perf_counter()
    fates = [importer.import_path(store, target, f, write_receipt=False).status for f in files]
    ours = time.perf_counter() - start
    store.dispose()
    raw_target = work / "raw-many"
    shutil.copytree(many / "township", raw_target, ignore=shutil.ignore_patterns("backups", "logs"))
    start = time.perf_counter()
    _raw_import(raw_target / "desk.sqlite3", all_rows)
    raw = time.perf_counter() - start
    imported = sum(f == "imported" for f in fates)
    report(f"township import of {len(files)} village bundles ({imported} imported, {len(all_rows):,} changes)",
           stats([ours]), stats([raw]), note=f"{ours / len(files) * 1000:.0f} ms per bundle")
    shutil.rmtree(work, ignore_errors=True)


def _changes_of(data: bytes, township_dir: Path) -> list[Any]:
    """Decrypt a bundle at the township (untimed) to get the same rows for the raw baseline."""
    from app.store.engine import open_store
    from app.sync import importer
    from app.sync.changelog import local_identity
    from app.sync.keys import load_keys

    store = open_store(township_dir)
    with store.read() as session:
        me = local_identity(session.connection())[0]
        verified = importer._verify(session, load_keys(township_dir, me), me, data)
    store.dispose()
    return verified.changes


if __name__ == "__main__":
    run()
