"""Where the data lives: the platform's user data dir, unless `--data-dir` or MEDIATION_DESK_HOME say otherwise."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "MediationDesk"
ENV_HOME = "MEDIATION_DESK_HOME"
DB_FILE = "desk.sqlite3"


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    if explicit:
        return Path(explicit).expanduser().resolve()
    env = os.environ.get(ENV_HOME)
    if env:
        return Path(env).expanduser().resolve()
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def resources_dir() -> Path:
    """The `resources/` folder: beside the package in a checkout, or inside a frozen build."""
    import sys

    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def translations_dir() -> Path:
    import sys

    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "translations"
    return Path(__file__).resolve().parent.parent / "translations"


def log_file(base: Path) -> Path:
    return base / "logs" / "desk.log"
