"""Crash safety, proven: a child process (tests/crash_writer.py) writes cases, points entries and risk
assessments through the real services and prints a line after each commit; we kill it with SIGKILL at
random moments, many times, on the same desk. After every kill each write reported committed is there,
`PRAGMA integrity_check` is ok, the audit chain verifies and the points balances agree with the ledger.

A backup killed half-way leaves nothing under a backup's final name: every `*.mdbackup` there reads back
whole.

`MEDIATION_DESK_CRASH_TRIALS=N` runs N kill trials instead of the default 30 (for the issue note).
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.clock import today
from app.paths import DB_FILE
from app.services import backup, check, demo, risk
from app.services.context import SYSTEM
from app.store.engine import open_store

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX")

ROOT = Path(__file__).resolve().parent.parent
TRIALS = int(os.environ.get("MEDIATION_DESK_CRASH_TRIALS", "30"))
TABLES = {"case": "dispute_case", "points": "points_entry", "risk": "risk_assessment"}


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo village with an open risk round."""
    data_dir = tmp_path_factory.mktemp("crash") / "desk"
    store = open_store(data_dir)
    try:
        demo.build_demo(store, households=150, seed=7)
        quarter = f"{today().year}Q{(today().month - 1) // 3 + 1}"
        with store.write() as session:
            risk.open_round(session, SYSTEM, quarter)
    finally:
        store.dispose()
    return data_dir


class Child:
    """A child process whose stdout lines are collected by a thread (so a kill never loses what was read)."""

    def __init__(self, *args: str) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.crash_writer", *args], cwd=ROOT, env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self.ready = threading.Event()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            line = line.rstrip("\n")
            if line == "ready":
                self.ready.set()
            else:
                self.lines.append(line)
        self.ready.set()

    def kill_after(self, seconds: float) -> None:
        assert self.ready.wait(60), "the child never got ready"
        time.sleep(seconds)
        if self.proc.poll() is not None:  # it died by itself: that is a failure of its own
            assert self.proc.stderr is not None
            raise AssertionError(f"the child ended with {self.proc.returncode}: {self.proc.stderr.read()[-3000:]}")
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)
        self.reader.join(30)
        assert self.proc.stderr is not None
        self.proc.stderr.close()
        assert self.proc.stdout is not None
        self.proc.stdout.close()


def _present(data_dir: Path, reported: list[str]) -> list[str]:
    """The reported writes that are missing from the database."""
    conn = sqlite3.connect(data_dir / DB_FILE)
    try:
        missing = []
        for line in reported:
            kind, row_id = line.split(" ", 1)
            if conn.execute(f"SELECT 1 FROM {TABLES[kind]} WHERE id = ?", (row_id,)).fetchone() is None:
                missing.append(line)
        return missing
    finally:
        conn.close()


def _verify(data_dir: Path) -> check.CheckReport:
    store = open_store(data_dir)
    try:
        return check.run_checks(store)
    finally:
        store.dispose()


def test_every_committed_write_survives_sigkill(desk: Path) -> None:
    rng = random.Random(20261125)
    total = 0
    kinds: dict[str, int] = {}
    started = time.monotonic()
    for trial in range(TRIALS):
        child = Child("writes", str(desk), str(rng.randrange(1 << 30)))
        # At random: often mid-stream, now and then in the first milliseconds of a write.
        child.kill_after(rng.choice((rng.uniform(0.0, 0.05), rng.uniform(0.05, 0.6))))
        assert _present(desk, child.lines) == [], f"trial {trial}: committed writes lost"
        report = _verify(desk)
        assert report.integrity == "ok", f"trial {trial}: {report.integrity}"
        assert report.audit_ok, f"trial {trial}: {report.audit_problem}"
        assert not report.points_mismatches, f"trial {trial}: balances {report.points_mismatches[:3]}"
        total += len(child.lines)
        for line in child.lines:
            kinds[line.split()[0]] = kinds.get(line.split()[0], 0) + 1
    elapsed = time.monotonic() - started
    print(f"\ncrash safety: {TRIALS} SIGKILL trials, {total} committed writes checked {kinds}, "
          f"all present, integrity ok, audit chain whole ({elapsed:.1f} s)")
    assert total > 0 and set(kinds) == {"case", "points", "risk"}


def _add_attachments(data_dir: Path, count: int, size: int) -> None:
    for _i in range(count):
        data = os.urandom(size)
        sha = hashlib.sha256(data).hexdigest()
        target = data_dir / "attachments" / sha[:2] / sha
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


@pytest.fixture
def heavy_desk(desk: Path, tmp_path: Path) -> Iterator[Path]:
    """The desk with 24 MB of attachments, so a backup takes long enough to be killed in the middle."""
    _add_attachments(desk, 12, 2 * 1024 * 1024)
    yield desk


def test_a_backup_killed_half_way_leaves_no_file_under_the_final_name(heavy_desk: Path, tmp_path: Path) -> None:
    rng = random.Random(11)
    target = tmp_path / "usb"
    target.mkdir()
    parts_seen = 0
    for trial in range(8):
        child = Child("backup", str(heavy_desk), str(target))
        child.kill_after(rng.uniform(0.05, 0.8))
        parts_seen += len(list(target.glob("*.part")))
        finished = sorted(target.glob("*.mdbackup"))
        reported = {Path(line.split(" ", 1)[1]).name for line in child.lines}
        assert reported <= {p.name for p in finished}
        for path in finished:
            backup.verify_backup(path)  # raises if anything under a final name is incomplete
        assert _verify(heavy_desk).ok, f"trial {trial}"
        for stale in target.glob("*.part"):
            stale.unlink()
    assert parts_seen > 0, "no kill landed in the middle of a backup"
