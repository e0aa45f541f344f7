"""Importing the village roster (花名册) from .xlsx or .csv: read the table, guess which column holds
which field, check every row without writing (the plan), then write the plan through the roster and
grid services in the caller's one transaction.

Decisions (see also docs):
- Import adds and updates; it never removes a person and never clears a stored value: an empty cell
  (or a column that is not mapped) keeps what the roster holds. Use the household dialog to clear.
- A person is matched by ID number first; then, in an existing household (matched by 户号), by name
  when the row or the stored person has no ID number. Otherwise the row is a new person.
- A row whose ID number belongs to a person of *another* household is an error: the roster services
  have no "move person" operation, and a wrong 户号 in a file is more likely than a move.
- In a new household the row whose relation is 户主 is the head, else the first row of that 户号.
  The head of an existing household is not changed by an import.
- Villager groups and micro-grids named in the file and missing from the grid are created when the
  user may edit the grid (director); for other roles such rows are errors.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import re
import unicodedata
import warnings
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from sqlmodel import Session, select

from app.errors import ValidationError
from app.i18n import N_, _
from app.models.committee import Setting
from app.models.grid import GridCell, GridLevel
from app.models.roster import CARE_FLAG_LABELS, CareFlag, Household, Person, Sex
from app.services import audit, grid, households, identity
from app.services.context import Actor, can, require
from app.services.households import HouseholdInput, PersonInput
from app.services.validation import clean_text, parse_date
from app.services.xlsx_safety import check_xlsx_zip

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_FILE_MB = MAX_FILE_BYTES // (1024 * 1024)
MAX_ROWS = 100_000
MAX_COLUMNS = 100  # columns read from a sheet; a roster has about 15
MAX_SHEET_ROWS = 2 * MAX_ROWS  # rows (or CSV lines) read at all, empty ones included: a tiny file cannot make us loop for minutes
MAX_CELL_CHARS = 32_767  # characters in one cell: Excel's own limit (a too-long field is a row error, see plan_import)
HEADER_SEARCH_ROWS = 30  # the header row is looked for among the first rows that have something in them
XLSX_EXTENSIONS = (".xlsx", ".xlsm")
CSV_EXTENSIONS = (".csv", ".txt", ".tsv")


# ---------------------------------------------------------------- fields


class RosterField(NamedTuple):
    key: str
    label: str  # English msgid; translate with field_label() or _()


ROSTER_FIELDS: list[RosterField] = [
    RosterField("household_number", N_("Household number")),
    RosterField("address", N_("Address")),
    RosterField("group", N_("Villager group")),
    RosterField("micro_grid", N_("Micro-grid")),
    RosterField("name", N_("Name")),
    RosterField("sex", N_("Sex")),
    RosterField("ethnicity", N_("Ethnicity")),
    RosterField("birth_date", N_("Birth date")),
    RosterField("id_number", N_("ID number")),
    RosterField("mobile", N_("Mobile number")),
    RosterField("relation_to_head", N_("Relation to head")),
    RosterField("care_flags", N_("Care flags")),
    RosterField("occupation", N_("Occupation")),
    RosterField("note", N_("Note")),
]
FIELD_KEYS: tuple[str, ...] = tuple(f.key for f in ROSTER_FIELDS)
REQUIRED_FIELDS: tuple[str, ...] = ("household_number", "name")
_LABELS = {f.key: f.label for f in ROSTER_FIELDS}

# Column headers recognised for each field, best first. The first is the one the export writes.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "household_number": ("户号", "户编号", "户籍编号", "户代码", "household number", "household no", "household"),
    "address": ("地址", "住址", "家庭住址", "家庭地址", "现住址", "居住地址", "address"),
    "group": ("村民小组", "组别", "小组", "所属小组", "村组", "组", "villager group", "group"),
    "micro_grid": ("微网格", "所属网格", "网格名称", "网格", "micro-grid", "micro grid", "grid"),
    "name": ("姓名", "成员姓名", "人员姓名", "户主姓名", "name"),
    "sex": ("性别", "sex", "gender"),
    "ethnicity": ("民族", "ethnicity"),
    "birth_date": ("出生日期", "出生年月", "出生年月日", "生日", "birth date", "date of birth", "birthday"),
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "身份证", "证件号码", "id number", "id no", "id"),
    "mobile": ("手机号", "手机", "手机号码", "联系电话", "电话", "联系方式", "mobile number", "mobile", "phone"),
    "relation_to_head": ("与户主关系", "与户主的关系", "家庭关系", "关系", "relation to head", "relation",
                         "relationship"),
    "care_flags": ("关爱标记", "关爱对象", "特殊人群", "人员类别", "care flags", "care"),
    "occupation": ("职业", "工作", "occupation", "job"),
    "note": ("备注", "说明", "note", "notes", "remarks"),
}
EXPORT_HEADERS: dict[str, str] = {key: aliases[0] for key, aliases in HEADER_ALIASES.items()}

SEX_WORDS: dict[str, str] = {"男": Sex.MALE, "男性": Sex.MALE, "male": Sex.MALE, "m": Sex.MALE,
                             "女": Sex.FEMALE, "女性": Sex.FEMALE, "female": Sex.FEMALE, "f": Sex.FEMALE}
SEX_EXPORT: dict[str, str] = {Sex.MALE: "男", Sex.FEMALE: "女"}

CARE_FLAG_EXPORT: dict[str, str] = {
    CareFlag.LEFT_BEHIND_CHILD: "留守儿童",
    CareFlag.ELDERLY_ALONE: "孤寡老人",
    CareFlag.DISABLED: "残疾人",
    CareFlag.SUBSISTENCE: "低保",
    CareFlag.SERIOUS_ILLNESS: "重病",
}
_CARE_FLAG_WORDS: dict[str, str] = {
    "留守儿童": CareFlag.LEFT_BEHIND_CHILD,
    "孤寡老人": CareFlag.ELDERLY_ALONE, "独居老人": CareFlag.ELDERLY_ALONE, "空巢老人": CareFlag.ELDERLY_ALONE,
    "残疾人": CareFlag.DISABLED, "残疾": CareFlag.DISABLED, "残疾人员": CareFlag.DISABLED,
    "低保": CareFlag.SUBSISTENCE, "低保户": CareFlag.SUBSISTENCE, "低保对象": CareFlag.SUBSISTENCE,
    "重病": CareFlag.SERIOUS_ILLNESS, "大病": CareFlag.SERIOUS_ILLNESS, "重病患者": CareFlag.SERIOUS_ILLNESS,
}
_NO_FLAGS = {"无", "没有", "-", "—", "/", "none", "no"}
_FLAG_SPLIT = re.compile(r"[、,，;；/]+")


def field_label(key: str) -> str:
    """The translated label of a roster field (the key itself when unknown)."""
    label = _LABELS.get(key)
    return _(label) if label else key


# ---------------------------------------------------------------- reading files


@dataclass(frozen=True)
class RawTable:
    headers: list[str]
    rows: list[list[str]]
    source_rows: list[int]  # 1-based spreadsheet row of each data row, for messages
    sheet: str | None
    header_row: int = 1  # 1-based spreadsheet row of the header


def _file_error(message: str) -> ValidationError:
    return ValidationError("file", message)


def _not_a_spreadsheet(path: Path) -> ValidationError:
    return _file_error(_("{name} is not a spreadsheet that can be read. Save it from Excel or WPS as .xlsx or .csv "
                         "and try again.").format(name=path.name))


_ZERO_FORMAT = re.compile(r"^0+$")
_EXCEL_TEXT = re.compile(r'^="(.*)"$', re.S)
_QUOTED_NUMBER = re.compile(r"^'([0-9][0-9Xx]*)$")


def _clean_cell(value: Any, number_format: str | None = None) -> str:
    """A cell as a stripped string: dates as yyyy-mm-dd, whole numbers without '.0' (zero-padded when the
    cell's format is like '0000'), Excel's text tricks (="0001", '1101...) undone."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = value.strip()
        m = _EXCEL_TEXT.match(text) or _QUOTED_NUMBER.match(text)
        if m:
            text = m.group(1).strip()
        return text
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ""
        # Excel keeps 15 significant digits; show what Excel shows, not the float's binary tail
        text = f"{value:.15g}"
        if "e" in text or "E" in text:
            text = format(Decimal(text), "f")
        if "." in text and value.is_integer():
            text = text.split(".")[0]
    else:
        return str(value).strip()
    if number_format and _ZERO_FORMAT.match(number_format) and not text.startswith("-"):
        text = text.zfill(len(number_format))
    return text


def _header_key(text: str) -> str:
    key = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[\s_*:：·.\-]+", "", key)


def _header_key_bare(text: str) -> str:
    """The header key without a parenthesised note: 身份证号码(18位) → 身份证号码."""
    return _header_key(re.sub(r"[(（\[【].*?[)）\]】]", "", unicodedata.normalize("NFKC", text)))


def _alias_keys() -> dict[str, str]:
    """header key → field; English labels in the language now in use count too."""
    keys: dict[str, str] = {}
    for key in FIELD_KEYS:
        for alias in (*HEADER_ALIASES[key], key, _LABELS[key], field_label(key)):
            keys.setdefault(_header_key(alias), key)
    return keys


def _hits(row: Sequence[str], known: dict[str, str]) -> int:
    return sum(1 for cell in row if cell and (_header_key(cell) in known or _header_key_bare(cell) in known))


def _is_header(row: Sequence[str], known: dict[str, str]) -> bool:
    return _hits(row, known) >= 2


def _shape(raw_rows: Iterable[tuple[int, list[str]]], sheet: str | None, path: Path) -> RawTable:
    """Find the header among the first non-empty rows; keep the data rows under it."""
    known = _alias_keys()
    candidates: list[tuple[int, list[str]]] = []
    header: tuple[int, list[str]] | None = None
    it = _limited(raw_rows, path)
    for number, row in it:
        if not any(row):
            continue
        candidates.append((number, row))
        if _is_header(row, known):
            header = (number, row)
            break
        if len(candidates) >= HEADER_SEARCH_ROWS:
            break
    if not candidates:
        raise _file_error(_("{name} is empty: it has no rows.").format(name=path.name))
    rest: Iterator[tuple[int, list[str]]]
    if header is None:  # no row with two known headers: the first with one, else the first with two cells
        header = next((c for c in candidates if _hits(c[1], known) >= 1), None) or next(
            (c for c in candidates if sum(1 for cell in c[1] if cell) >= 2), candidates[0])
        rest = _chain(candidates[candidates.index(header) + 1:], it)
    else:
        rest = it
    header_row, header_cells = header
    headers = [" ".join(h.split()) for h in header_cells]
    while headers and not headers[-1]:
        headers.pop()
    width = len(headers)
    rows: list[list[str]] = []
    source_rows: list[int] = []
    for number, row in rest:
        cells = (row + [""] * width)[:width]
        if not any(cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise _file_error(_("{name} has more than {limit} rows; split it into smaller files.").format(
                name=path.name, limit=MAX_ROWS))
        rows.append(cells)
        source_rows.append(number)
    if not rows:
        raise _file_error(_("{name} has a header row (row {row}) but no rows of people under it.").format(
            name=path.name, row=header_row))
    return RawTable(headers=headers, rows=rows, source_rows=source_rows, sheet=sheet, header_row=header_row)


def _chain(first: list[tuple[int, list[str]]], then: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    yield from first
    yield from then


def _limited(raw_rows: Iterable[tuple[int, list[str]]], path: Path) -> Iterator[tuple[int, list[str]]]:
    """The rows, refusing a file that goes on past MAX_SHEET_ROWS (blank rows count: they cost time too)."""
    for number, row in raw_rows:
        if number > MAX_SHEET_ROWS:
            raise _file_error(_("{name} goes on past row {limit}; at most {rows} rows can be imported at once. "
                                "Delete the empty rows at the end or split the file.").format(
                name=path.name, limit=MAX_SHEET_ROWS, rows=MAX_ROWS))
        if row and any(len(cell) > MAX_CELL_CHARS for cell in row):
            _check_cells(row, number, path)
        yield number, row


def _check_cells(cells: Sequence[str], number: int, path: Path) -> None:
    for cell in cells:
        if len(cell) > MAX_CELL_CHARS:
            raise _cell_too_long(path, number)


def _cell_too_long(path: Path, number: int | None) -> ValidationError:
    if number is None:
        return _file_error(_("{name} has a cell longer than {limit} characters, more than Excel allows in a cell.").format(
            name=path.name, limit=MAX_CELL_CHARS))
    return _file_error(_("{name}, row {row}: a cell is longer than {limit} characters, more than Excel allows in a cell.").format(
        name=path.name, row=number, limit=MAX_CELL_CHARS))


def _xlsx_rows(ws: Any) -> Iterator[tuple[int, list[str]]]:
    ws.reset_dimensions()  # some programs write a wrong <dimension>; read what is there
    blank: Any = None
    for number, cells in enumerate(ws.iter_rows(min_row=1, max_col=MAX_COLUMNS), start=1):
        if cells is blank:  # openpyxl fills a gap in the row numbers with one shared tuple of empty cells
            yield number, []
            continue
        row: list[str] = []
        for cell in cells:
            value = cell.value
            fmt = cell.number_format if isinstance(value, int | float) and not isinstance(value, bool) else None
            row.append(_clean_cell(value, fmt))
        if not any(row):
            blank = cells
        yield number, row


def _read_xlsx(path: Path, data: bytes, sheet: str | None) -> RawTable:
    import openpyxl

    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _file_error(_("{name} is an old .xls workbook or a password-protected one. Open it in Excel or WPS "
                            "and save it as .xlsx without a password.").format(name=path.name))
    if not data.startswith(b"PK\x03\x04"):
        raise _not_a_spreadsheet(path)
    check_xlsx_zip(data, path.name, _not_a_spreadsheet(path))  # before openpyxl unpacks anything: a zip bomb stops here
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # a damaged or foreign zip: openpyxl raises many kinds
            raise _not_a_spreadsheet(path) from exc
        try:
            names = [ws.title for ws in wb.worksheets]
            if sheet is not None:
                if sheet not in names:
                    raise _file_error(_("{name} has no worksheet “{sheet}”; its worksheets are: {sheets}.").format(
                        name=path.name, sheet=sheet, sheets="、".join(names)))
                ws = wb[sheet]
            elif names:
                ws = wb.worksheets[0]
            else:
                raise _file_error(_("{name} has no worksheets.").format(name=path.name))
            try:
                return _shape(_xlsx_rows(ws), ws.title, path)
            except ValidationError:
                raise
            except Exception as exc:
                raise _not_a_spreadsheet(path) from exc
        finally:
            wb.close()


def _decode(data: bytes, path: Path) -> str:
    try:
        if data.startswith(codecs.BOM_UTF8):
            return data[len(codecs.BOM_UTF8):].decode("utf-8")
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16")
    except UnicodeDecodeError:
        raise _not_a_spreadsheet(path) from None
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _file_error(_("{name}: the text is neither UTF-8 nor GBK. Save it again as “CSV UTF-8”.").format(
        name=path.name))


def _delimiter(text: str) -> str:
    lines = [line for line in text[:65536].splitlines() if line.strip()][:HEADER_SEARCH_ROWS]
    best, best_score = ",", (0, 0)
    for delimiter in (",", "\t", ";"):
        try:
            counts = [len(r) for r in csv.reader(lines, delimiter=delimiter)]
        except csv.Error:
            continue
        score = (sum(1 for c in counts if c > 1), max(counts, default=0))
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_csv(path: Path, data: bytes) -> RawTable:
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"%PDF", b"\xff\xd8\xff", b"GIF8")):
        raise _not_a_spreadsheet(path)
    if b"\x00" in data and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _not_a_spreadsheet(path)
    text = _decode(data, path)
    if "\x00" in text:
        raise _not_a_spreadsheet(path)
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def rows() -> Iterator[tuple[int, list[str]]]:
        # line_num counts physical lines; a quoted cell may span lines, so report the record's first line
        start = 1
        for record in reader:
            yield start, [_clean_cell(c) for c in record[:MAX_COLUMNS]]
            start = reader.line_num + 1

    try:
        return _shape(rows(), None, path)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):  # csv's own limit (131,072) is above ours
            raise _cell_too_long(path, None) from exc
        raise _not_a_spreadsheet(path) from exc


def read_table(path: Path, sheet: str | None = None) -> RawTable:
    """The rows of a roster file (.xlsx, or .csv in UTF-8 or GBK), headers separated from data."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not os.path.isfile(path):
        raise _file_error(_("File not found: {path}").format(path=path))
    if suffix == ".xls":
        raise _file_error(_("{name} is an old .xls workbook. Open it in Excel or WPS and save it as .xlsx.").format(
            name=path.name))
    if suffix not in XLSX_EXTENSIONS + CSV_EXTENSIONS:
        raise _file_error(_("{name}: files of type “{ext}” cannot be imported; use .xlsx or .csv.").format(
            name=path.name, ext=suffix or "—"))
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _file_error(_("{name} is too big: {size} MB; at most {limit} MB and {rows} rows can be imported "
                                "at once.").format(name=path.name, size=round(size / 1024 / 1024, 1),
                                                   limit=MAX_FILE_MB, rows=MAX_ROWS))
        data = path.read_bytes()
    except OSError as exc:
        raise _file_error(_("Cannot read {path}: {error}").format(path=path, error=exc.strerror or exc)) from exc
    if len(data) > MAX_FILE_BYTES:  # grew while we looked
        raise _file_error(_("{name} is too big: {size} MB; at most {limit} MB and {rows} rows can be imported "
                            "at once.").format(name=path.name, size=round(len(data) / 1024 / 1024, 1),
                                               limit=MAX_FILE_MB, rows=MAX_ROWS))
    if not data.strip():
        raise _file_error(_("{name} is empty: it has no rows.").format(name=path.name))
    if suffix in XLSX_EXTENSIONS:
        return _read_xlsx(path, data, sheet)
    return _read_csv(path, data)


# ---------------------------------------------------------------- column mapping


def guess_mapping(headers: list[str]) -> dict[str, int]:
    """field key → column index, from the column headers (Chinese or English, case and spaces ignored)."""
    exact = [_header_key(h) for h in headers]
    bare = [_header_key_bare(h) for h in headers]
    mapping: dict[str, int] = {}
    taken: set[int] = set()
    for key in FIELD_KEYS:
        aliases = [_header_key(a) for a in (*HEADER_ALIASES[key], key, _LABELS[key], field_label(key))]
        found: int | None = None
        for keys in (exact, bare):
            for alias in aliases:
                found = next((i for i, k in enumerate(keys) if k and k == alias and i not in taken), None)
                if found is not None:
                    break
            if found is not None:
                break
        if found is not None:
            mapping[key] = found
            taken.add(found)
    return mapping


def _field_key(name: str) -> str | None:
    """A field given by key, English label, translated label or a recognised header."""
    if name in _LABELS:
        return name
    wanted = _header_key(name)
    for key in FIELD_KEYS:
        if wanted in {_header_key(a) for a in (*HEADER_ALIASES[key], key, _LABELS[key], field_label(key))}:
            return key
    return None


def map_column(mapping: dict[str, int], headers: list[str], field: str, column_header: str) -> dict[str, int]:
    """A new mapping with `field` read from the column headed `column_header` (an empty header: not imported).
    A column feeds one field only, so another field mapped to that column is unmapped."""
    key = _field_key(field)
    if key is None:
        raise ValidationError("map", _("There is no field “{field}”; the fields are: {fields}.").format(
            field=field, fields=", ".join(FIELD_KEYS)))
    new = {k: v for k, v in mapping.items() if k != key}
    if not column_header.strip():
        return new
    wanted = column_header.strip()
    index = next((i for i, h in enumerate(headers) if h.strip() == wanted), None)
    if index is None:
        index = next((i for i, h in enumerate(headers) if _header_key(h) == _header_key(wanted)), None)
    if index is None:
        raise ValidationError(key, _("{field}: the file has no column “{column}”; its columns are: {columns}.").format(
            field=field_label(key), column=wanted, columns="、".join(h for h in headers if h)))
    return {k: v for k, v in new.items() if v != index} | {key: index}


# ---------------------------------------------------------------- the plan


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    message: str


@dataclass(frozen=True)
class PlanRow:
    row: int
    action: str  # "new_household" | "new_person" | "update" | "unchanged"
    household_number: str
    name: str
    id_number: str  # masked unless the role may read ID numbers
    changed: tuple[str, ...] = ()  # field keys that the import changes (updates only)


ACTIONS = ("new_household", "new_person", "update", "unchanged")


@dataclass(frozen=True)
class _Cell:
    """A grid cell a household is put in: an existing one, or one this import creates."""

    cell_id: str | None = None
    new_group: str = ""  # name of a villager group this import creates
    new_micro: tuple[str, str] | None = None  # (group name, micro-grid name) this import creates

    @property
    def is_new(self) -> bool:
        return bool(self.new_group) or self.new_micro is not None


@dataclass
class _NewHousehold:
    number: str
    address: str
    group: _Cell | None
    micro: _Cell | None
    members: list[PersonInput]  # head first


@dataclass(frozen=True)
class _HouseholdChange:
    household_id: str
    address: str
    group: _Cell | None
    micro: _Cell | None


@dataclass
class ImportPlan:
    rows: list[PlanRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    new_groups: list[str] = field(default_factory=list)
    new_micro_grids: list[tuple[str, str]] = field(default_factory=list)  # (villager group, micro-grid)
    # what apply_import writes
    _household_changes: list[_HouseholdChange] = field(default_factory=list, repr=False)
    _new_households: list[_NewHousehold] = field(default_factory=list, repr=False)
    _new_members: list[tuple[str, PersonInput]] = field(default_factory=list, repr=False)
    _person_updates: list[tuple[str, PersonInput]] = field(default_factory=list, repr=False)

    def summary(self) -> dict[str, int]:
        counts = dict.fromkeys(ACTIONS, 0)
        for row in self.rows:
            counts[row.action] += 1
        counts["errors"] = len(self.errors)
        return counts


@dataclass(frozen=True)
class ImportResult:
    households_created: int = 0
    persons_created: int = 0
    persons_updated: int = 0
    unchanged: int = 0
    groups_created: int = 0
    micro_grids_created: int = 0
    households_updated: int = 0


@dataclass
class _Row:
    row: int
    values: dict[str, str]
    number: str = ""
    address: str = ""
    group: str = ""
    micro: str = ""
    person: PersonInput | None = None  # the row's own values, cleaned
    given: frozenset[str] = frozenset()  # person fields with a value in the row


_PERSON_FIELDS = ("name", "sex", "ethnicity", "birth_date", "id_number", "mobile", "relation_to_head", "care_flags",
                  "occupation", "note")
_YEAR_MONTH = re.compile(r"^(\d{4})(?:[-/.年])?(\d{1,2})月?$")
_LOST_DIGITS = re.compile(r"^\d{15}000$")
_TIME_PART = re.compile(r"^(\S+)\s+\d{1,2}:\d{2}(?::\d{2})?$")


class _Grid:
    """The grid as it is before the import, and the cells the plan creates."""

    def __init__(self, session: Session, may_create: bool) -> None:
        cells = session.exec(select(GridCell)).all()
        self.may_create = may_create
        self.groups = {c.name: c for c in cells if c.level == GridLevel.GROUP and not c.retired}
        self.retired_groups = {c.name for c in cells if c.level == GridLevel.GROUP and c.retired}
        self.micros: dict[tuple[str | None, str], GridCell] = {}
        self.retired_micros: set[tuple[str | None, str]] = set()
        self.micros_by_name: dict[str, list[GridCell]] = defaultdict(list)
        for c in cells:
            if c.level != GridLevel.MICRO:
                continue
            if c.retired:
                self.retired_micros.add((c.parent_id, c.name))
            else:
                self.micros[(c.parent_id, c.name)] = c
                self.micros_by_name[c.name].append(c)
        self.by_id = {c.id: c for c in cells}
        self.new_groups: list[str] = []
        self.new_micros: list[tuple[str, str]] = []

    def _missing(self, field_key: str, name: str) -> ValidationError:
        return ValidationError(field_key, _("{field} “{name}” does not exist, and your role may not add it; ask the "
                                            "committee director to add it first.").format(
            field=field_label(field_key), name=name))

    def resolve(self, group_name: str, micro_name: str) -> tuple[_Cell | None, _Cell | None]:
        """The cells named in a row (raises ValidationError). Empty names give None."""
        group: _Cell | None = None
        micro: _Cell | None = None
        if group_name:
            if group_name in self.groups:
                group = _Cell(cell_id=self.groups[group_name].id)
            elif group_name in self.retired_groups:
                raise ValidationError("group", _("{field} “{name}” was retired; choose another one.").format(
                    field=field_label("group"), name=group_name))
            elif self.may_create:
                if group_name not in self.new_groups:
                    self.new_groups.append(group_name)
                group = _Cell(new_group=group_name)
            else:
                raise self._missing("group", group_name)
        if micro_name:
            if group is not None and group.cell_id is not None:
                key = (group.cell_id, micro_name)
                if key in self.micros:
                    micro = _Cell(cell_id=self.micros[key].id)
                elif key in self.retired_micros:
                    raise ValidationError("micro_grid", _("{field} “{name}” was retired; choose another one.").format(
                        field=field_label("micro_grid"), name=micro_name))
            elif group is None:
                found = self.micros_by_name.get(micro_name, [])
                if len(found) > 1:
                    raise ValidationError("micro_grid", _("{field} “{name}” exists in more than one villager group; "
                                                          "fill in the villager group too.").format(
                        field=field_label("micro_grid"), name=micro_name))
                if not found:
                    if not self.may_create:
                        raise self._missing("micro_grid", micro_name)
                    raise ValidationError("micro_grid", _("{field} “{name}” does not exist; fill in its villager group "
                                                          "so that it can be added.").format(
                        field=field_label("micro_grid"), name=micro_name))
                micro = _Cell(cell_id=found[0].id)
                group = _Cell(cell_id=found[0].parent_id)
            if micro is None:  # not found under its group, or its group is new
                if not self.may_create:
                    raise self._missing("micro_grid", micro_name)
                pair = (group_name, micro_name)
                if pair not in self.new_micros:
                    self.new_micros.append(pair)
                micro = _Cell(new_micro=pair)
        return group, micro


def _parse_sex(value: str) -> str:
    sex = SEX_WORDS.get(value.strip().lower())
    if sex is None:
        raise ValidationError("sex", _("{field}: unknown value “{value}”; write 男 or 女.").format(
            field=field_label("sex"), value=value))
    return sex


def _care_flag_words() -> dict[str, str]:
    words = {_header_key(k): v for k, v in _CARE_FLAG_WORDS.items()}
    for flag, label in CARE_FLAG_LABELS.items():
        words.setdefault(_header_key(flag.value), flag)
        words.setdefault(_header_key(label), flag)
        words.setdefault(_header_key(_(label)), flag)
    return words


def _parse_care_flags(value: str, words: dict[str, str]) -> tuple[str, ...]:
    flags: list[str] = []
    for part in _FLAG_SPLIT.split(value.strip()):
        if not part or part.lower() in _NO_FLAGS:
            continue
        # "Subsistence allowance" is one label; "残疾人 低保" are two
        for word in [part] if _header_key(part) in words else part.split():
            flag = words.get(_header_key(word))
            if flag is None:
                raise ValidationError("care_flags", _("{field}: unknown value “{value}”; use {values}.").format(
                    field=field_label("care_flags"), value=word, values="、".join(CARE_FLAG_EXPORT.values())))
            if flag not in flags:
                flags.append(flag)
    return tuple(flags)


def _parse_birth_date(value: str, id_number: str) -> dt.date | None:
    """A full date, or a year and month (出生年月) that the ID number completes."""
    m = _TIME_PART.match(value)
    if m:
        value = m.group(1)
    try:
        return parse_date(value, "birth_date", "Birth date")
    except ValidationError:
        ym = _YEAR_MONTH.match(value)
        if ym is None:
            raise
        year, month = int(ym.group(1)), int(ym.group(2))
        number = id_number.strip().upper()
        if len(number) == 18 and number[6:12] == f"{year:04d}{month:02d}":
            try:
                return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
            except ValueError:
                pass
        if len(number) == 18 and number[6:12].isdigit():
            raise ValidationError("birth_date", _("{field} {value} does not match the ID number.").format(
                field=field_label("birth_date"), value=value)) from None
        raise ValidationError("birth_date", _("{field} {value} has no day; write the full date, e.g. 1965-03-08.").format(
            field=field_label("birth_date"), value=value)) from None


def _person_from_row(values: dict[str, str], flag_words: dict[str, str]) -> tuple[PersonInput, frozenset[str]]:
    """The row's person values (not yet cleaned) and which person fields it gives."""
    given = frozenset(k for k in _PERSON_FIELDS if values.get(k, ""))
    sex = _parse_sex(values["sex"]) if "sex" in given else ""
    birth = _parse_birth_date(values["birth_date"], values.get("id_number", "")) if "birth_date" in given else None
    flags = _parse_care_flags(values["care_flags"], flag_words) if "care_flags" in given else ()
    id_number = unicodedata.normalize("NFKC", values.get("id_number", "")).replace(" ", "")
    if "*" in id_number:
        raise ValidationError("id_number", _("{field} is masked (****); import a file with the full numbers, e.g. an "
                                             "export made by a role that may read ID numbers.").format(
            field=field_label("id_number")))
    if not flags and "care_flags" in given:
        given = given - {"care_flags"}  # 无 / none: keeps what is stored
    return PersonInput(
        name=values.get("name", ""), sex=sex, ethnicity=values.get("ethnicity", "") or "汉族", birth_date=birth,
        id_number=id_number, mobile=values.get("mobile", ""), relation_to_head=values.get("relation_to_head", ""),
        care_flags=flags, occupation=values.get("occupation", ""), note=values.get("note", ""),
    ), given


def _merge(stored: PersonInput, row: PersonInput, given: frozenset[str]) -> PersonInput:
    """The stored person with the values the row gives; empty cells keep what is stored."""
    return replace(stored, **{k: getattr(row, k) for k in given})


def _comparable(p: PersonInput, key: str) -> Any:
    value = getattr(p, key)
    if key == "care_flags":
        return tuple(sorted(value))
    if key == "birth_date":
        return value
    return value or ""


def _changed(before: PersonInput, after: PersonInput) -> list[str]:
    return [k for k in _PERSON_FIELDS if _comparable(before, k) != _comparable(after, k)]


def plan_import(session: Session, actor: Actor, table: RawTable, mapping: dict[str, int]) -> ImportPlan:
    """Check every row and decide what importing it does, without writing anything."""
    require(actor, "roster.import")
    plan = ImportPlan()
    bad = [k for k, i in mapping.items() if k not in _LABELS or not 0 <= i < len(table.headers)]
    if bad:
        plan.errors.append(RowError(table.header_row, bad[0], _("The column chosen for {field} is not in the file; "
                                                                 "choose the columns again.").format(
            field=field_label(bad[0]))))
        return plan
    missing = [k for k in REQUIRED_FIELDS if k not in mapping]
    if missing:
        plan.errors.append(RowError(table.header_row, missing[0], _(
            "No column is chosen for {fields}; the file's columns are: {columns}. Choose the column that holds it."
        ).format(fields=", ".join(field_label(k) for k in missing),
                 columns="、".join(h for h in table.headers if h) or "—")))
        return plan

    show_ids = can(actor, "id_number.read")
    cells = _Grid(session, can(actor, "grid.write"))
    flag_words = _care_flag_words()

    def error(row: int, exc: ValidationError) -> None:
        plan.errors.append(RowError(row, exc.field, exc.message))

    # ---- pass 1: each row by itself
    parsed: list[_Row] = []
    seen_ids: dict[str, int] = {}
    for cells_in_row, row_no in zip(table.rows, table.source_rows, strict=True):
        values = {k: (cells_in_row[i] if i < len(cells_in_row) else "").strip() for k, i in mapping.items()}
        r = _Row(row=row_no, values=values)
        ok = True
        for key, label, max_len, required in (("household_number", "Household number", 30, True),
                                              ("address", "Address", 200, False),
                                              ("group", "Villager group", 60, False),
                                              ("micro_grid", "Micro-grid", 60, False)):
            try:
                cleaned = clean_text(values.get(key, ""), key, label, max_len=max_len, required=required)
            except ValidationError as exc:
                error(row_no, exc)
                ok = False
                continue
            if key == "household_number":
                r.number = cleaned
            elif key == "address":
                r.address = cleaned
            elif key == "group":
                r.group = cleaned
            else:
                r.micro = cleaned
        try:
            person, given = _person_from_row(values, flag_words)
            r.person, r.given = households.clean_person(person), given
        except ValidationError as exc:
            if exc.field == "id_number" and _LOST_DIGITS.match(values.get("id_number", "")):
                exc = ValidationError("id_number", exc.message + " " + _(
                    "The number ends in 000: it was probably kept as a number in Excel, which keeps only 15 digits. "
                    "Format the column as text and type the numbers again."))
            error(row_no, exc)
            ok = False
        except KeyError:  # python-stdnum raises KeyError for some unknown area codes (e.g. 620703)
            error(row_no, ValidationError("id_number", _("{field}: the area code {code} in the number is not known; "
                                                         "please check the number.").format(
                field=field_label("id_number"), code=values.get("id_number", "")[:6])))
            ok = False
        if r.person is not None and r.person.id_number:
            first_row = seen_ids.setdefault(r.person.id_number, row_no)
            if first_row != row_no:
                plan.errors.append(RowError(row_no, "id_number", _("{field} is the same as on row {row}.").format(
                    field=field_label("id_number"), row=first_row)))
                ok = False
        # a micro-grid alone that is not found waits for pass 2: another row of the household may name its group
        if ok and (r.group or (r.micro and r.micro in cells.micros_by_name)):
            try:
                cells.resolve(r.group, r.micro)
            except ValidationError as exc:
                error(row_no, exc)
                ok = False
        if ok:
            parsed.append(r)

    # ---- existing roster, loaded once
    all_households = session.exec(select(Household)).all()
    by_number = {h.number: h for h in all_households}
    numbers = {h.id: h.number for h in all_households}
    live = session.exec(select(Person).where(Person.retired == False)).all()  # noqa: E712
    by_id_number = {p.id_number: p for p in live if p.id_number}
    members: dict[str | None, list[Person]] = defaultdict(list)
    for p in live:
        members[p.household_id].append(p)

    # ---- pass 2: the households in the file
    by_household: dict[str, list[_Row]] = defaultdict(list)
    for r in parsed:
        by_household[r.number].append(r)
    claimed: dict[str, int] = {}  # stored person id → the row that matched it

    for number, rows in by_household.items():
        household = by_number.get(number)
        if household is not None and household.retired:
            for r in rows:
                plan.errors.append(RowError(r.row, "household_number", _(
                    "{field} {number} belongs to a household that was retired.").format(
                    field=field_label("household_number"), number=number)))
            continue
        # household fields come from the first row that fills them in; another value later is an error
        firsts: dict[str, tuple[str, int]] = {}
        conflict = False
        for r in rows:
            for key, value in (("address", r.address), ("group", r.group), ("micro_grid", r.micro)):
                if not value:
                    continue
                first = firsts.setdefault(key, (value, r.row))
                if first[0] != value:
                    plan.errors.append(RowError(r.row, key, _(
                        "{field} “{value}” differs from “{first}” on row {row} of the same household.").format(
                        field=field_label(key), value=value, first=first[0], row=first[1])))
                    conflict = True
        if conflict:
            continue
        address = firsts.get("address", ("", 0))[0]
        group_name = firsts.get("group", ("", 0))[0]
        micro_name = firsts.get("micro_grid", ("", 0))[0]
        try:
            group, micro = cells.resolve(group_name, micro_name) if (group_name or micro_name) else (None, None)
        except ValidationError as exc:  # e.g. the micro-grid is not in the group another row names
            error(firsts.get(exc.field, ("", rows[0].row))[1], exc)
            continue

        if household is None:
            _plan_new_household(plan, number, rows, address, group, micro, by_id_number, numbers, show_ids)
            continue

        # an existing household: what changes in it
        target_group, target_micro = group, micro
        if group is None and micro is None:
            target_group = _Cell(household.group_id) if household.group_id else None
            target_micro = _Cell(household.micro_grid_id) if household.micro_grid_id else None
        elif micro is None:  # only the group given: the stored micro-grid stays if it is in that group
            same_group = group is not None and not group.is_new and group.cell_id == household.group_id
            target_micro = _Cell(household.micro_grid_id) if same_group and household.micro_grid_id else None
        new_address = address or household.address
        hh_changed: list[str] = []
        if new_address != household.address:
            hh_changed.append("address")
        if _differs(target_group, household.group_id):
            hh_changed.append("group")
        if _differs(target_micro, household.micro_grid_id):
            hh_changed.append("micro_grid")
        if hh_changed:
            plan._household_changes.append(_HouseholdChange(household.id, new_address, target_group, target_micro))
        stored_members = members.get(household.id, [])
        for i, r in enumerate(rows):
            assert r.person is not None
            extra = hh_changed if i == 0 else []
            match = _match(r.person, household.id, stored_members, by_id_number, claimed, numbers)
            if isinstance(match, RowError):
                plan.errors.append(replace(match, row=r.row))
                continue
            if match is None:
                plan._new_members.append((household.id, r.person))
                plan.rows.append(PlanRow(r.row, "new_person", number, r.person.name,
                                         _shown(r.person.id_number, show_ids), tuple(extra)))
                continue
            claimed[match.id] = r.row
            stored = households.person_input(match)
            try:
                merged = households.clean_person(_merge(stored, r.person, r.given))
            except ValidationError as exc:
                error(r.row, exc)
                continue
            changed = _changed(stored, merged)
            if changed:
                plan._person_updates.append((match.id, merged))
            action = "update" if changed or extra else "unchanged"
            plan.rows.append(PlanRow(r.row, action, number, merged.name, _shown(merged.id_number, show_ids),
                                     tuple(changed + extra)))

    plan.new_groups = list(cells.new_groups)
    plan.new_micro_grids = list(cells.new_micros)
    plan.rows.sort(key=lambda p: p.row)
    plan.errors.sort(key=lambda e: e.row)
    return plan


def _differs(target: _Cell | None, stored_id: str | None) -> bool:
    if target is None:
        return stored_id is not None
    return target.is_new or target.cell_id != stored_id


def _shown(id_number: str, show_ids: bool) -> str:
    return id_number if show_ids else households.mask_id_number(id_number)


def _match(person: PersonInput, household_id: str, stored_members: list[Person], by_id_number: dict[str, Person],
           claimed: dict[str, int], numbers: dict[str, str]) -> Person | RowError | None:
    """The stored person a row stands for; an error (its row is filled in by the caller); None: a new person."""
    if person.id_number:
        found = by_id_number.get(person.id_number)
        if found is not None:
            if found.household_id != household_id:
                return _elsewhere(found, numbers)
            if found.id in claimed:
                return _twice(claimed[found.id])
            return found
    for p in stored_members:
        if p.id in claimed or p.name != person.name:
            continue
        if person.id_number and p.id_number and p.id_number != person.id_number:
            continue
        return p
    return None


def _twice(row: int) -> RowError:
    return RowError(0, "name", _("This person is already on row {row}.").format(row=row))


def _elsewhere(found: Person, numbers: dict[str, str]) -> RowError:
    return RowError(0, "id_number", _(
        "{field}: this person is already in the roster in another household ({name}, household {number}). "
        "Correct the household number, or move the person in the roster first.").format(
        field=field_label("id_number"), name=found.name, number=numbers.get(found.household_id or "", "—")))


def _plan_new_household(plan: ImportPlan, number: str, rows: list[_Row], address: str, group: _Cell | None,
                        micro: _Cell | None, by_id_number: dict[str, Person], numbers: dict[str, str],
                        show_ids: bool) -> None:
    heads = [r for r in rows if r.person is not None and r.person.relation_to_head == "户主"]
    for extra in heads[1:]:
        plan.errors.append(RowError(extra.row, "relation_to_head", _(
            "Household {number} has more than one head (户主): rows {first} and {row}.").format(
            number=number, first=heads[0].row, row=extra.row)))
    if len(heads) > 1:
        return
    head = heads[0] if heads else rows[0]
    ordered = [head] + [r for r in rows if r is not head]
    ok = True
    for r in ordered:
        assert r.person is not None
        if r.person.id_number and r.person.id_number in by_id_number:
            plan.errors.append(replace(_elsewhere(by_id_number[r.person.id_number], numbers), row=r.row))
            ok = False
    if not ok:
        return
    plan._new_households.append(_NewHousehold(number, address, group, micro,
                                              [r.person for r in ordered if r.person is not None]))
    for r in ordered:
        assert r.person is not None
        plan.rows.append(PlanRow(r.row, "new_household" if r is head else "new_person", number, r.person.name,
                                 _shown(r.person.id_number, show_ids)))


# ---------------------------------------------------------------- applying


def apply_import(session: Session, actor: Actor, plan: ImportPlan) -> ImportResult:
    """Write a checked plan through the roster and grid services (each write audited), in the caller's
    transaction: the caller commits, or rolls back if this raises."""
    require(actor, "roster.import")
    if plan.errors:
        raise ValidationError("file", _("The file has {n} error(s); correct them and check the file again. "
                                        "Nothing was imported.").format(n=len(plan.errors)))
    # The services look these two settings up on every write (device id, audit chain head). Holding them
    # here keeps them in the session's identity map (which holds clean objects only weakly), so each
    # look-up is a dictionary hit instead of a SELECT: about twice as fast for a big file.
    keep_alive = [session.get(Setting, key) for key in (identity.DEVICE_KEY, audit.HEAD_KEY)]
    created_groups: dict[str, str] = {}
    created_micros: dict[tuple[str, str], str] = {}
    if plan.new_groups or plan.new_micro_grids:
        root = grid.village_root(session)
        for name in plan.new_groups:
            created_groups[name] = grid.add_cell(session, actor, root.id, name).id
        group_ids = {g.name: g.id for g in grid.groups(session)}
        for group_name, micro_name in plan.new_micro_grids:
            parent = group_ids.get(group_name)
            if parent is None:
                raise _stale()
            created_micros[(group_name, micro_name)] = grid.add_cell(session, actor, parent, micro_name).id

    def resolve(cell: _Cell | None) -> str | None:
        if cell is None:
            return None
        if cell.new_group:
            return created_groups[cell.new_group]
        if cell.new_micro is not None:
            return created_micros[cell.new_micro]
        return cell.cell_id

    for change in plan._household_changes:
        household = session.get(Household, change.household_id)
        if household is None:
            raise _stale()
        households.update_household(session, actor, household.id, HouseholdInput(
            household.number, change.address, resolve(change.group), resolve(change.micro), household.note))
    persons_created = 0
    for new in plan._new_households:
        households.create_household(session, actor, HouseholdInput(new.number, new.address, resolve(new.group),
                                                                   resolve(new.micro)),
                                    new.members, confirm_duplicates=True)
        persons_created += len(new.members)
    for household_id, person in plan._new_members:
        households.add_member(session, actor, household_id, person, confirm_duplicate=True)
        persons_created += 1
    for person_id, person in plan._person_updates:
        households.update_person(session, actor, person_id, person, confirm_duplicate=True)
    del keep_alive
    return ImportResult(
        households_created=len(plan._new_households),
        persons_created=persons_created,
        persons_updated=len(plan._person_updates),
        unchanged=sum(1 for r in plan.rows if r.action == "unchanged"),
        groups_created=len(created_groups),
        micro_grids_created=len(created_micros),
        households_updated=len(plan._household_changes),
    )


def _stale() -> ValidationError:
    return ValidationError("file", _("The roster changed after the file was checked; check the file again."))


__all__ = [
    "CARE_FLAG_EXPORT", "EXPORT_HEADERS", "FIELD_KEYS", "HEADER_ALIASES", "MAX_FILE_BYTES", "MAX_ROWS",
    "REQUIRED_FIELDS", "ROSTER_FIELDS", "SEX_EXPORT", "ImportPlan", "ImportResult", "PlanRow", "RawTable",
    "RosterField", "RowError", "apply_import", "field_label", "guess_mapping", "map_column", "plan_import",
    "read_table",
]
