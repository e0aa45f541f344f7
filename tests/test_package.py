"""The PyInstaller one-folder build (`make package`, packaging/), run as a user runs it: `--version`, `check` on a
demo desk, a PDF made with the bundled fonts, and an offscreen start that logs in, opens the main window and quits.

The build is made here when dist/mediation-desk/ is missing or older than the sources (about a minute and a
half on the CI machine); a fresh one is reused. Linux only: the Windows build is made on Windows
(packaging/README.md).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux build")]

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist" / "mediation-desk"
PROGRAM = DIST / "mediation-desk"
INTERNAL = DIST / "_internal"
SOURCES = [ROOT / "app", ROOT / "resources", ROOT / "translations", ROOT / "packaging", ROOT / "pyproject.toml"]
MAX_SIZE_MB = 260  # 200 MB now; a jump means the pruning in packaging/mediation-desk.spec stopped working


def _newest_source() -> float:
    newest = 0.0
    for source in SOURCES:
        files = [source] if source.is_file() else [p for p in source.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
        newest = max([newest, *(p.stat().st_mtime for p in files)])
    return newest


@pytest.fixture(scope="module")
def program() -> Path:
    if not PROGRAM.exists() or PROGRAM.stat().st_mtime < _newest_source():
        start = time.monotonic()
        result = subprocess.run(["make", "package"], cwd=ROOT, capture_output=True, text=True, timeout=1200)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        print(f"make package: {time.monotonic() - start:.0f} s")
    return PROGRAM


def run(program: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MEDIATION_DESK_")}
    return subprocess.run([str(program), *args], capture_output=True, text=True, timeout=timeout, env={**clean, **(env or {})},
                          cwd="/")  # not the checkout: nothing may be read from it


def _size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink()) / 1024 / 1024


def test_version(program: Path) -> None:
    result = run(program, "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "mediation-desk 0.1.0"


def test_check_and_a_pdf_on_a_demo_desk(program: Path, tmp_path: Path) -> None:
    desk = tmp_path / "desk"
    made = run(program, "--data-dir", str(desk), "--lang", "en", "demo", "--households", "20", "--cases", "4", "--entries", "10")
    assert made.returncode == 0, made.stderr + (desk / "logs" / "desk.log").read_text(errors="replace")[-3000:]
    assert "admin123" in made.stdout
    checked = run(program, "--data-dir", str(desk), "--lang", "en", "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Database integrity: ok" in checked.stdout and "chain intact" in checked.stdout
    pdf = tmp_path / "报表.pdf"
    report = run(program, "--data-dir", str(desk), "report", "--period", "2026Q4", "--pdf", str(pdf))  # Chinese, reportlab
    assert report.returncode == 0, report.stderr
    assert pdf.read_bytes().startswith(b"%PDF") and b"WenQuanYi" in pdf.read_bytes()  # the bundled font, embedded


def test_the_window_opens_and_quits(program: Path, tmp_path: Path) -> None:
    desk = tmp_path / "desk"
    assert run(program, "--data-dir", str(desk), "demo", "--households", "10", "--cases", "2", "--entries", "5").returncode == 0
    start = time.monotonic()
    result = run(program, "--data-dir", str(desk), env={"QT_QPA_PLATFORM": "offscreen", "MEDIATION_DESK_QUIT_AFTER_SHOW": "1",
                                                        "MEDIATION_DESK_LOGIN": "admin:admin123"}, timeout=120)
    log = (desk / "logs" / "desk.log").read_text(errors="replace")
    assert result.returncode == 0, result.stderr + log[-3000:]
    assert "admin logged in" in log and "Traceback" not in log
    print(f"offscreen start to the main window and out: {time.monotonic() - start:.1f} s")


def test_what_the_folder_carries(program: Path) -> None:
    assert (INTERNAL / "resources" / "fonts" / "wqy-microhei.ttc").is_file()
    assert (INTERNAL / "resources" / "fonts" / "HanaMin-rare.ttf").is_file()
    assert (INTERNAL / "translations" / "zh_CN" / "LC_MESSAGES" / "messages.mo").is_file()
    assert not list((INTERNAL / "translations").rglob("*.po"))
    migrations = INTERNAL / "app" / "store" / "migrations"
    assert (migrations / "env.py").is_file()
    assert sorted(p.name for p in (migrations / "versions").glob("*.py")) == sorted(
        p.name for p in (ROOT / "app" / "store" / "migrations" / "versions").glob("*.py"))
    qt = INTERNAL / "PySide6" / "Qt"
    assert (qt / "translations" / "qtbase_zh_CN.qm").is_file()  # Qt's own dialogs in Chinese (app.ui.qt_setup)
    assert len(list((qt / "translations").glob("*.qm"))) <= 4
    assert (qt / "plugins" / "platforms" / "libqxcb.so").is_file()
    babel = {p.stem for p in (INTERNAL / "babel" / "locale-data").glob("*.dat")}
    assert {"root", "zh", "zh_Hans", "zh_Hans_CN", "en", "en_US"} <= babel and len(babel) < 12
    unwanted = [p.name for p in INTERNAL.rglob("*") if any(w in p.name for w in ("WebEngine", "Qt6Quick", "Qt6Qml", "Qt63D",
                                                                                  "Multimedia", "libgtk", "tkinter"))]
    assert unwanted == []
    assert (DIST / "share" / "mediation-desk.desktop").is_file() and (DIST / "share" / "icons" / "mediation-desk-256.png").is_file()
    size = _size_mb(DIST)
    print(f"dist/mediation-desk: {size:.0f} MB")
    assert size < MAX_SIZE_MB
