"""Entry point of `mediation-desk`: a command runs headless (app.cli); no command opens the window.

Kept light on imports: the window should appear before SQLAlchemy and reportlab are loaded.
"""

from __future__ import annotations

import sys

COMMANDS = {"init", "demo", "user", "household", "check", "case", "print", "points", "risk", "report", "backup", "restore",
            "identity", "sync"}
OPTIONS_WITH_VALUE = {"--data-dir", "--lang", "--user", "--db"}


def wants_cli(args: list[str]) -> bool:
    """True when the first word that is not a global option is a command (or help/version is asked)."""
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg in ("-h", "--help", "--version"):
            return True
        if arg in OPTIONS_WITH_VALUE:
            skip = True
            continue
        if arg.startswith("-"):
            continue
        return arg in COMMANDS
    return False


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if wants_cli(args):
        from app.cli import run

        return run(args)
    from app.ui.launch import launch

    return launch(args)


if __name__ == "__main__":
    sys.exit(main())
