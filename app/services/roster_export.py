"""Exporting the roster (人员花名册) to .xlsx, in the layout the import reads back.

Layout: a title row "<committee> 人员花名册", an export-date row, the header row (the Chinese headers
the import recognises), then one row per live person, ordered by 户号 (numbers in natural order) with
the head of each household first. ID numbers, 户号 and mobile numbers are text cells, so Excel never
turns them into numbers; ID numbers are masked unless the user's role may read them. The file is
written to a temporary name in the same folder and renamed, so a half-written file never carries the
final name. Every export is audited.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from app.clock import today
from app.errors import ValidationError
from app.i18n import _
from app.models.grid import GridCell, GridLevel
from app.models.roster import Household, Person
from app.services import audit, committee, grid
from app.services.context import Actor, can, require
from app.services.households import mask_id_number
from app.services.roster_import import CARE_FLAG_EXPORT, EXPORT_HEADERS, FIELD_KEYS, SEX_EXPORT
from app.services.xlsx_safety import keep_text_as_text

TITLE_SUFFIX = "人员花名册"
SHEET_TITLE = "花名册"
HEADER_ROW = 3
TEXT_FIELDS = frozenset({"household_number", "id_number", "mobile"})
_DIGITS = re.compile(r"(\d+)")


def _natural(text: str) -> tuple[Any, ...]:
    """户号 in the order people expect: 2 before 10, 0002 before 0010."""
    return tuple((0, int(part), part) if part.isdigit() else (1, 0, part) for part in _DIGITS.split(text) if part)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _rows(session: Session, actor: Actor, cell_id: str | None) -> list[dict[str, Any]]:
    stmt = (select(Person, Household).join(Household, Person.household_id == Household.id)  # type: ignore[arg-type]
            .where(Person.retired == False, Household.retired == False))  # noqa: E712
    if cell_id:
        cell = grid.get_cell(session, cell_id)
        if cell.level == GridLevel.GROUP:
            stmt = stmt.where(Household.group_id == cell.id)
        elif cell.level == GridLevel.MICRO:
            stmt = stmt.where(Household.micro_grid_id == cell.id)
    cells = {c.id: c.name for c in session.exec(select(GridCell)).all()}
    full_ids = can(actor, "id_number.read")
    pairs = sorted(session.exec(stmt).all(),
                   key=lambda ph: (_natural(ph[1].number), ph[1].number, ph[0].id != ph[1].head_person_id, ph[0].id))
    rows: list[dict[str, Any]] = []
    for person, household in pairs:
        flags = [f for f in person.care_flags.split(",") if f]
        rows.append({
            "household_number": household.number,
            "address": household.address,
            "group": cells.get(household.group_id or "", ""),
            "micro_grid": cells.get(household.micro_grid_id or "", ""),
            "name": person.name,
            "sex": SEX_EXPORT.get(person.sex, person.sex),
            "ethnicity": person.ethnicity,
            "birth_date": person.birth_date,
            "id_number": (person.id_number or "") if full_ids else mask_id_number(person.id_number),
            "mobile": person.mobile,
            "relation_to_head": person.relation_to_head,
            "care_flags": "、".join(CARE_FLAG_EXPORT.get(f, f) for f in flags),
            "occupation": person.occupation,
            "note": person.note,
        })
    return rows


def _workbook(title: str, exported: str, rows: list[dict[str, Any]]) -> Any:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_TITLE
    last = get_column_letter(len(FIELD_KEYS))
    ws.append([title])
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append([exported])
    ws.merge_cells(f"A2:{last}2")
    ws.append([EXPORT_HEADERS[k] for k in FIELD_KEYS])
    fill = PatternFill("solid", fgColor="DDDDDD")
    for cell in ws[HEADER_ROW]:
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
    widths = [_width(EXPORT_HEADERS[k]) for k in FIELD_KEYS]
    for values in rows:
        ws.append([values[k] if values[k] != "" else None for k in FIELD_KEYS])
        for i, key in enumerate(FIELD_KEYS):
            value = values[key]
            if isinstance(value, dt.date):
                widths[i] = max(widths[i], 10)
            elif value:
                widths[i] = max(widths[i], _width(str(value).split("\n")[0]))
    for i, key in enumerate(FIELD_KEYS, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = min(max(widths[i - 1], 4) + 2, 60)
        column = ws.iter_rows(min_row=HEADER_ROW + 1, min_col=i, max_col=i)
        if key in TEXT_FIELDS:
            for (cell,) in column:
                cell.number_format = "@"
                if cell.value is not None:
                    cell.value = str(cell.value)
                    cell.data_type = "s"
        elif key == "birth_date":
            for (cell,) in column:
                cell.number_format = "yyyy-mm-dd"
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    if rows:
        ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + len(rows)}"
    return wb


def export_roster(session: Session, actor: Actor, path: Path, cell_id: str | None = None) -> int:
    """Write the live persons of the roster (or of one villager group / micro-grid) to `path` (.xlsx);
    returns how many. The export is audited in the caller's transaction (the caller commits)."""
    require(actor, "roster.read")
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ValidationError("file", _("The export file name must end in .xlsx: {path}").format(path=path))
    folder = path.parent
    if not os.path.isdir(folder):
        raise ValidationError("file", _("The folder {folder} does not exist.").format(folder=folder))
    if os.path.isdir(path):
        raise ValidationError("file", _("{path} is a folder; give a file name ending in .xlsx.").format(path=path))
    name = committee.require_current(session).name
    rows = _rows(session, actor, cell_id)
    full_ids = can(actor, "id_number.read")
    wb = _workbook(f"{name} {TITLE_SUFFIX}", _("Exported on {date} by {user}").format(
        date=today().isoformat(), user=actor.display_name), rows)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=".roster-export-", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise ValidationError("file", _("Cannot write {path}: {error}. Is the file open in Excel or WPS?").format(
            path=path, error=exc.strerror or exc)) from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            keep_text_as_text(wb)
            wb.save(fh)
            fh.flush()
            os.fsync(fh.fileno())
        audit.record(session, actor, "export", table="person",
                     summary=f"{len(rows)} persons, {'full' if full_ids else 'masked'} ID numbers → {path.name}",
                     changes={"file": [None, str(path)], "persons": [None, len(rows)]})
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise ValidationError("file", _("Cannot write {path}: {error}. Is the file open in Excel or WPS?").format(
            path=path, error=exc.strerror or exc)) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return len(rows)
