"""Which database objects the models describe. FTS5 virtual tables (and their shadow tables) are made
by hand in migrations, so schema comparison leaves them out."""

from __future__ import annotations

from typing import Any

FTS_PREFIXES = ("household_fts", "case_fts")


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    return not (type_ == "table" and name and name.startswith(FTS_PREFIXES))
