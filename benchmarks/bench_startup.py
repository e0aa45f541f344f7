"""Cold start: from process start to the main window shown (offscreen), at most 1.5x a bare PySide6
script that shows an empty QMainWindow, measured in the same run.

The program runs as `python -m app --data-dir DIR` with MEDIATION_DESK_LOGIN="admin:admin123" (it logs
in by itself; the password is still checked) and MEDIATION_DESK_QUIT_AFTER_SHOW=1 (it exits 0 once the
main window has been shown and painted). The two processes are started alternately, N times each, and
timed by wall clock from here. A third, informative line times the bare script plus `import sqlmodel`
(what any window pays once it touches the database layer).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from benchmarks.common import BIG, ROOT, SMALL, bench_dir, describe, header, paired, report

MAX_RATIO = 1.5
LOGIN = "admin:admin123"

BARE = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1100, 720)
window.show()
QTimer.singleShot(0, app.quit)
sys.exit(app.exec())
"""
BARE_SQLMODEL = "import sqlmodel\n" + BARE


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDIATION_DESK_")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.update(extra)
    return env


def _runner(cmd: list[str], env: dict[str, str], failures: list[str]) -> Callable[[], None]:
    def run() -> None:
        done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            failures.append(f"exit {done.returncode}: {(done.stderr or done.stdout).strip()[-300:]}")
    return run


def run(data_dirs: list[Path], repeat: int = 7) -> None:
    python = sys.executable
    header("Start-up: process start to main window shown (offscreen)")
    print(f"  goal: at most {MAX_RATIO:g}x a bare PySide6 script showing an empty QMainWindow; "
          f"{repeat} alternating runs each")
    failures: list[str] = []
    bare = _runner([python, "-c", BARE], _env(), failures)
    for data_dir in data_dirs:
        app = _runner([python, "-m", "app", "--data-dir", str(data_dir)],
                      _env(MEDIATION_DESK_LOGIN=LOGIN, MEDIATION_DESK_QUIT_AFTER_SHOW="1"), failures)
        failures.clear()
        ours, base = paired(app, bare, repeat=repeat, warmup=1)
        note = f"FAILED RUNS: {len(failures)} ({failures[0]})" if failures else "all runs exit 0"
        print()
        report(f"python -m app, {describe(data_dir)}", ours, base, max_ratio=MAX_RATIO, note=note)
    failures.clear()
    with_sqlmodel = _runner([python, "-c", BARE_SQLMODEL], _env(), failures)
    ours, base = paired(with_sqlmodel, bare, repeat=repeat, warmup=1)
    print()
    report("for reference: the bare script with `import sqlmodel` added (no goal)", ours, base)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    run([bench_dir(SMALL), bench_dir(BIG)], args.repeat)


if __name__ == "__main__":
    main()
