"""Hostile input to the roster importer (.xlsx, .csv) and the points-rule catalog importer (.xlsx): any bytes
give a result or a clean typed error (a DeskError with a message), never another exception, within the
hypothesis deadline; and nothing is written to the database when an import fails or is cancelled.
Then the documented size limits, each refused quickly with a message that names the limit.

Iterations: HOSTILE_EXAMPLES per property (default 150, like tests/test_sync_hostile.py; the issue note
reports a run with more).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import sqlite3
import tracemalloc
import warnings
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from app.errors import DeskError, ValidationError
from app.services import committee, points_catalog, roster_import, users
from app.services.context import Actor
from app.services.xlsx_safety import MAX_MEMBERS, MAX_UNPACKED_MB
from app.store.engine import Store, open_store

EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "150"))
DEADLINE_MS = 3000
SETTINGS = settings(max_examples=EXAMPLES, deadline=DEADLINE_MS,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large])
PASSWORD = "secret-123"

ROSTER_HEADER = ["户号", "地址", "村民小组", "微网格", "姓名", "性别", "出生日期", "身份证号码", "联系电话", "与户主关系",
                 "关爱对象", "职业", "备注"]
RARE = "𠮷䶮㐀𪚥龘"  # CJK Extension B and A, and a common but many-stroked one
EMOJI = ["😀", "👨‍👩‍👧", "🇨🇳", "🧧", "\u200d", "\ufe0f"]
FORMULAS = ["=1+1", "=SUM(A1:A3)", '=HYPERLINK("http://example.invalid","点我")', "=CMD|' /C calc'!A0", "@SUM(1,2)",
            "+86", "-1", '="0001"', "'110105198001010011", "=A1", "=1/0"]


class Cancelled(Exception):
    """Stands for the user pressing Cancel after the import wrote its rows, before the commit."""


@dataclass
class Desk:
    base: Path
    store: Store
    actor: Actor


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    base = tmp_path_factory.mktemp("hostile-import") / "desk"
    store = open_store(base)
    with store.write() as session:
        committee.set_up(session,
                         committee.CommitteeInput("庄墩村人民调解委员会", "甘", "庄墩村人民调解委员会", "庄墩村", "长安镇"),
                         committee.AdminInput("admin", "王丽", PASSWORD))
    actor = users.login(store, "admin", PASSWORD)
    # a few households already kept, so that hostile rows can also match, update and collide
    path = base.parent / "seed.xlsx"
    _save(path, [ROSTER_HEADER, ["0001", "一组1号", "一组", "", "张三", "男", "", "", "", "户主", "", "", ""],
                 ["0001", "", "", "", "李𠮷", "女", "", "", "", "配偶", "", "", ""],
                 ["0002", "一组2号", "一组", "", "王䶮", "", "", "", "", "户主", "", "", ""]])
    table = roster_import.read_table(path)
    with store.write() as session:
        plan = roster_import.plan_import(session, actor, table, roster_import.guess_mapping(table.headers))
        assert not plan.errors
        roster_import.apply_import(session, actor, plan)
        points_catalog.ensure_default_catalog(session)
    yield Desk(base, store, actor)
    store.dispose()


def fingerprint(store: Store) -> dict[str, int]:
    """The row count of every table: any write an import leaves behind shows here."""
    assert store.db_path is not None
    conn = sqlite3.connect(store.db_path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        conn.close()


def _save(path: Path, rows: list[list[Any]]) -> Path:
    path.write_bytes(_xlsx_bytes(rows))
    return path


def _xlsx_bytes(rows: list[list[Any]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "花名册"
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _catalog_bytes(items: list[list[Any]]) -> bytes:
    return _xlsx_bytes([["村规民约积分细则"], ["通过日期：2026-01-01", "村民代表大会"], list(points_catalog.XLSX_HEADERS), *items])


# ---------------------------------------------------------------- the two importers, end to end


def import_roster(desk: Desk, path: Path) -> str:
    """Read, plan and apply as the CLI and the dialog do, then cancel. Returns what happened; any exception
    that is not a DeskError fails the test. Nothing may stay in the database either way."""
    before = fingerprint(desk.store)
    try:
        table = roster_import.read_table(path)
    except DeskError as exc:
        assert isinstance(exc, ValidationError) and exc.field == "file" and exc.message
        return "refused"
    assert len(table.rows) == len(table.source_rows) > 0
    assert all(len(r) == len(table.headers) for r in table.rows)
    outcome = "cancelled"
    try:
        with desk.store.write() as session:
            plan = roster_import.plan_import(session, desk.actor, table, roster_import.guess_mapping(table.headers))
            if plan.errors:
                assert all(e.message for e in plan.errors)
                outcome = "errors"
                with pytest.raises(ValidationError):
                    roster_import.apply_import(session, desk.actor, plan)
            else:
                roster_import.apply_import(session, desk.actor, plan)
            raise Cancelled
    except Cancelled:
        pass
    except DeskError as exc:
        assert exc.message
        outcome = "refused"
    assert fingerprint(desk.store) == before
    return outcome


def import_catalog(desk: Desk, path: Path) -> str:
    before = fingerprint(desk.store)
    try:
        items = points_catalog.read_xlsx(path)
    except DeskError as exc:
        assert isinstance(exc, ValidationError) and exc.message
        return "refused"
    assert 0 < len(items) <= points_catalog.MAX_CATALOG_ITEMS
    outcome = "cancelled"
    try:
        with desk.store.write() as session:
            points_catalog.adopt_version(session, desk.actor, "测试版本", dt.date(2026, 1, 1), "", items)
            raise Cancelled
    except Cancelled:
        pass
    except DeskError as exc:
        assert exc.message
        outcome = "refused"
    assert fingerprint(desk.store) == before
    return outcome


# ---------------------------------------------------------------- strategies

cell_text = st.one_of(
    st.text(max_size=40),
    st.lists(st.sampled_from([*"张王李赵户号姓名一组男女", *RARE, *EMOJI, *",;\t\"'\n\r =+-@.0123456789Xx"]),
             max_size=40).map("".join),
    st.sampled_from([*ROSTER_HEADER, *FORMULAS, *points_catalog.XLSX_HEADERS, "户主", "是", "否", "month", "year"]),
    st.integers(min_value=-10**20, max_value=10**20).map(str),
)
cell_value = st.one_of(
    st.none(), cell_text, st.integers(min_value=-10**18, max_value=10**18), st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=dt.date(1900, 1, 1)), st.datetimes(min_value=dt.datetime(1900, 1, 1)),
)


def _writable(value: Any) -> Any:
    """openpyxl refuses control characters in cells: take them out (hostile bytes are tried elsewhere)."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


header_rows = st.one_of(
    st.permutations(ROSTER_HEADER).flatmap(lambda h: st.integers(2, len(h)).map(lambda n: list(h[:n]))),
    st.lists(cell_text, max_size=15),
)
roster_rows = st.tuples(
    st.lists(st.lists(cell_value, max_size=3), max_size=3),  # title rows above the header
    header_rows,
    st.lists(st.lists(cell_value, max_size=16), max_size=12),
).map(lambda t: [*t[0], t[1], *t[2]])

catalog_item = st.tuples(
    st.one_of(st.sampled_from(["A01", "A02", "B01", ""]), cell_text),
    st.one_of(st.sampled_from(["环境卫生", "孝老爱亲"]), cell_text),
    st.one_of(st.sampled_from(["房前屋后干净整洁", "乱倒垃圾" + RARE]), cell_text),
    st.one_of(st.integers(-2000, 2000), st.sampled_from(["5", "5.5", "1e400", "-1e400", "nan", "inf", "", "五"]), cell_value),
    st.one_of(st.none(), st.integers(-10, 10**6), st.sampled_from(["10", "1e309", "nan", "abc"]), cell_value),
    st.one_of(st.sampled_from(["month", "quarter", "year", "", "decade"]), cell_text),
    st.one_of(st.sampled_from(["是", "否", "yes", "1"]), cell_value),
).map(list)

XLSX_MEMBERS = ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/styles.xml", "docProps/core.xml",
                "../../evil.txt", "/etc/passwd", "C:\\Windows\\evil.dll", "xl/worksheets/../../x.xml", "户号.xml"]
XML_SNIPPETS = [b'<?xml version="1.0"?>', b"<worksheet>", b"<sheetData>", b'<row r="1">', b'<c r="A1" t="s"><v>0</v></c>',
                b'<c r="A1" t="inlineStr"><is><t>\xe6\x88\xb7\xe5\x8f\xb7</t></is></c>', b'<row r="1048576">',
                b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>', b"&b;", b"</row>",
                b"</sheetData>", b"</worksheet>", b"<sst><si><t>", b"</t></si></sst>", b'<c r="XFD1"><v>1e999</v></c>']


@st.composite
def random_zips(draw: st.DrawFn) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for _ in range(draw(st.integers(0, 8))):
            name = draw(st.one_of(st.sampled_from(XLSX_MEMBERS), st.text(min_size=1, max_size=20)))
            content = draw(st.one_of(st.binary(max_size=300),
                                     st.lists(st.sampled_from(XML_SNIPPETS), max_size=12).map(b"".join)))
            method = draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))
            try:
                with warnings.catch_warnings():  # a duplicate name is hostile input too
                    warnings.simplefilter("ignore")
                    archive.writestr(zipfile.ZipInfo(name), content, compress_type=method)
            except (ValueError, UnicodeEncodeError):
                continue
    data = buf.getvalue()
    if draw(st.booleans()):  # and sometimes a damaged directory
        at = draw(st.integers(0, max(0, len(data) - 1)))
        data = data[:at] + draw(st.binary(max_size=8)) + data[at + 8:]
    return data


_REAL: dict[str, bytes] = {}


def real_roster_xlsx() -> bytes:
    if "roster" not in _REAL:
        _REAL["roster"] = _xlsx_bytes([["庄墩村花名册"], ROSTER_HEADER,
                                       ["0101", "三组5号", "三组", "", "赵𠮷", "男", "1980-01-01", "", "13800000001", "户主",
                                        "留守儿童", "农民", "=1+1"],
                                       ["0101", "", "", "", "钱䶮", "女", dt.date(1982, 2, 2), "", 13800000002, "配偶", "",
                                        "", "😀"]])
    return _REAL["roster"]


def real_catalog_xlsx() -> bytes:
    if "catalog" not in _REAL:
        _REAL["catalog"] = _catalog_bytes([["A01", "环境卫生", "房前屋后干净整洁𠮷", 5, 20, "quarter", "否"],
                                           ["B01", "孝老爱亲", "孝敬老人😀", 10, None, "year", "是"]])
    return _REAL["catalog"]


def _mutate_inner(data: bytes, member_index: int, at: int, replacement: bytes, cut: bool) -> bytes:
    """Change the XML inside the zip (a flipped byte in the compressed stream mostly trips the CRC)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    members = src.infolist()
    target = members[member_index % len(members)]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in members:
            content = src.read(info)
            if info is target:
                at %= max(1, len(content))
                content = content[:at] if cut else content[:at] + replacement + content[at + len(replacement):]
            dst.writestr(info.filename, content)
    return out.getvalue()


damage = st.tuples(
    st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=6),  # byte flips
    st.one_of(st.none(), st.integers(min_value=0)),  # truncation
    st.one_of(st.none(), st.tuples(st.integers(min_value=0), st.integers(min_value=0), st.binary(max_size=40),
                                   st.booleans())),  # a change of the XML inside
)


def _damaged(data: bytes, how: tuple[Any, ...]) -> bytes:
    flips, cut, inner = how
    if inner is not None:
        data = _mutate_inner(data, *inner)
    out = bytearray(data)
    for position, value in flips:
        out[position % len(out)] = value
    if cut is not None:
        out = out[: cut % len(out)]
    return bytes(out)


# ---------------------------------------------------------------- the properties


@SETTINGS
@given(content=st.one_of(st.binary(max_size=4096), st.binary(max_size=2048).map(lambda b: b"PK\x03\x04" + b),
                         st.binary(max_size=2048).map(lambda b: b"\xef\xbb\xbf" + b),
                         st.binary(max_size=2048).map(lambda b: b"\xff\xfe" + b)),
       suffix=st.sampled_from([".xlsx", ".xlsm", ".csv", ".txt", ".tsv"]))
def test_any_bytes_as_a_roster(desk: Desk, tmp_path: Path, content: bytes, suffix: str) -> None:
    path = tmp_path / f"花名册{suffix}"
    path.write_bytes(content)
    event(import_roster(desk, path))


@SETTINGS
@given(content=st.binary(max_size=4096))
def test_any_bytes_as_a_catalog(desk: Desk, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "积分细则.xlsx"
    path.write_bytes(content)
    assert import_catalog(desk, path) == "refused"


@SETTINGS
@given(content=random_zips())
def test_any_zip_as_a_roster_or_a_catalog(desk: Desk, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "random.xlsx"
    path.write_bytes(content)
    event(import_roster(desk, path))
    event(import_catalog(desk, path))


@SETTINGS
@given(how=damage)
def test_a_damaged_real_roster_workbook(desk: Desk, tmp_path: Path, how: tuple[Any, ...]) -> None:
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(_damaged(real_roster_xlsx(), how))
    event(import_roster(desk, path))


@SETTINGS
@given(how=damage)
def test_a_damaged_real_catalog_workbook(desk: Desk, tmp_path: Path, how: tuple[Any, ...]) -> None:
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(_damaged(real_catalog_xlsx(), how))
    event(import_catalog(desk, path))


@SETTINGS
@given(rows=roster_rows)
def test_odd_roster_workbooks(desk: Desk, tmp_path: Path, rows: list[list[Any]]) -> None:
    path = tmp_path / "odd.xlsx"
    path.write_bytes(_xlsx_bytes([[_writable(v) for v in row] for row in rows]))
    event(import_roster(desk, path))


ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16", "utf-16-le", "big5", "latin-1"]


@SETTINGS
@given(rows=roster_rows, encoding=st.sampled_from(ENCODINGS), delimiter=st.sampled_from([",", "\t", ";", "|"]),
       huge=st.one_of(st.none(), st.tuples(st.integers(0, 15), st.integers(1, 200_000), st.sampled_from(["x", "户", "𠮷", '"']))),
       newline=st.sampled_from(["\n", "\r\n", "\r"]))
def test_odd_roster_csv_files(desk: Desk, tmp_path: Path, rows: list[list[Any]], encoding: str, delimiter: str,
                              huge: tuple[int, int, str] | None, newline: str) -> None:
    import csv

    text_rows = [["" if v is None else str(v) for v in row] for row in rows]
    if huge is not None and text_rows:
        column, length, char = huge
        text_rows[-1] = (text_rows[-1] + [""] * 16)[:16]
        text_rows[-1][column] = char * length
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator=newline).writerows(text_rows)
    path = tmp_path / "odd.csv"
    path.write_bytes(buf.getvalue().encode(encoding, errors="replace"))
    event(import_roster(desk, path))


@SETTINGS
@given(items=st.lists(catalog_item, max_size=12), extra_top=st.lists(st.lists(cell_value, max_size=4), max_size=3))
def test_odd_catalog_workbooks(desk: Desk, tmp_path: Path, items: list[list[Any]], extra_top: list[list[Any]]) -> None:
    rows = [*extra_top, list(points_catalog.XLSX_HEADERS), *items]
    path = tmp_path / "catalog.xlsx"
    path.write_bytes(_xlsx_bytes([[_writable(v) for v in row] for row in rows]))
    event(import_catalog(desk, path))


# ---------------------------------------------------------------- the failures through the real front-ends


def test_a_hostile_file_through_the_command_line_writes_nothing(desk: Desk, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from app.cli import run

    monkeypatch.setenv("MEDIATION_DESK_PASSWORD", PASSWORD)
    before = fingerprint(desk.store)
    bad_roster = _save(tmp_path / "bad.xlsx", [ROSTER_HEADER, ["0009", "", "", "", "张😀", "", "", "123", "", "", "", "", ""]])
    bad_catalog = tmp_path / "bad-catalog.xlsx"
    bad_catalog.write_bytes(_catalog_bytes([["A01", "环境卫生", "干净", 5, "abc", "year", "否"]]))
    common = ["--data-dir", str(desk.base), "--lang", "en", "--user", "admin"]
    assert run([*common, "household", "import", str(bad_roster)]) == 3
    assert run([*common, "points", "rules", "import", str(bad_catalog), "--name", "坏版本"]) == 3
    random_bytes = tmp_path / "random.xlsx"
    random_bytes.write_bytes(os.urandom(3000))
    assert run([*common, "household", "import", str(random_bytes)]) == 3
    assert run([*common, "points", "rules", "import", str(random_bytes), "--name", "坏版本"]) == 3
    assert fingerprint(desk.store) == before


def test_a_cancelled_roster_import_in_the_window_writes_nothing(desk: Desk, tmp_path: Path) -> None:
    from app.ui.roster.import_dialog import ImportCancelled, check_plan, run_import

    path = _save(tmp_path / "good.xlsx", [ROSTER_HEADER, ["0301", "三组1号", "三组", "", "赵𠮷", "男", "", "", "", "户主", "",
                                                          "", ""]])
    table = roster_import.read_table(path)
    mapping = roster_import.guess_mapping(table.headers)
    checked = check_plan(desk.store, desk.actor, table, mapping)
    assert not checked.errors
    before = fingerprint(desk.store)

    class CancelledProgress:
        cancelled = True

        def __call__(self, done: int, total: int) -> None:
            pass

    with pytest.raises(ImportCancelled):
        run_import(desk.store, desk.actor, table, mapping, checked, CancelledProgress())  # type: ignore[arg-type]
    assert fingerprint(desk.store) == before


# ---------------------------------------------------------------- the limits


@contextmanager
def _small_memory(limit_mb: float) -> Iterator[None]:
    """The block allocates at most `limit_mb` MB at its peak: a bomb refused before it is unpacked."""
    tracemalloc.start()
    try:
        yield
    finally:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert peak < limit_mb * 1024 * 1024, f"peak {peak / 1e6:.0f} MB"


def _zip_bomb(path: Path, unpacked_mb: int) -> Path:
    """A real workbook whose sheet XML is padded with spaces to `unpacked_mb` MB: a few hundred KB on disk."""
    src = zipfile.ZipFile(io.BytesIO(real_roster_xlsx()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for info in src.infolist():
            content = src.read(info)
            if info.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(info.filename, content)
                continue
            with dst.open(info.filename, "w", force_zip64=True) as out:
                out.write(content[:-len(b"</worksheet>")])
                chunk = b" " * (1024 * 1024)
                for _ in range(unpacked_mb):
                    out.write(chunk)
                out.write(b"</worksheet>")
    return path


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path: Path) -> None:
    path = _zip_bomb(tmp_path / "bomb.xlsx", MAX_UNPACKED_MB + 10)
    assert path.stat().st_size < 2 * 1024 * 1024
    with _small_memory(MAX_UNPACKED_MB / 4), pytest.raises(ValidationError, match=f"at most {MAX_UNPACKED_MB} MB") as info:
        roster_import.read_table(path)
    assert info.value.field == "file" and "bomb.xlsx" in info.value.message
    with _small_memory(MAX_UNPACKED_MB / 4), pytest.raises(ValidationError, match=f"at most {MAX_UNPACKED_MB} MB"):
        points_catalog.read_xlsx(path)


def test_a_workbook_with_too_many_files_inside_is_refused(tmp_path: Path) -> None:
    src = zipfile.ZipFile(io.BytesIO(real_roster_xlsx()))
    path = tmp_path / "crowded.xlsx"
    with zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
        for i in range(MAX_MEMBERS):
            dst.writestr(f"xl/media/image{i}.png", b"")
    with pytest.raises(ValidationError, match=f"at most {MAX_MEMBERS}"):
        roster_import.read_table(path)
    with pytest.raises(ValidationError, match=f"at most {MAX_MEMBERS}"):
        points_catalog.read_xlsx(path)


def test_a_far_away_row_does_not_make_the_reader_loop(tmp_path: Path) -> None:
    """One cell in row 1,048,576 of a 6 KB workbook once took 30 s (a million empty rows × 100 columns)."""
    path = tmp_path / "far.xlsx"
    path.write_bytes(_far_row(1_048_576))
    with pytest.raises(ValidationError, match=f"past row {roster_import.MAX_SHEET_ROWS}"):
        roster_import.read_table(path)
    path.write_bytes(_far_row(150_000))  # a gap below the limit is skipped; the rows around it are read
    assert len(roster_import.read_table(path).rows) == 3


def _rezip(data: bytes, member: str, old: bytes, new: bytes) -> bytes:
    """The workbook with `old` replaced by `new` in one of its XML files (openpyxl would not write such a file)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    assert old in src.read(member)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info)
            dst.writestr(info.filename, content.replace(old, new) if info.filename == member else content)
    return out.getvalue()


def _far_row(row: int) -> bytes:
    far = (f'<row r="{row}"><c r="A{row}" t="inlineStr"><is><t>0102</t></is></c>'
           f'<c r="E{row}" t="inlineStr"><is><t>孙𠮷</t></is></c></row></sheetData>')
    return _rezip(real_roster_xlsx(), "xl/worksheets/sheet1.xml", b"</sheetData>", far.encode())


def test_blank_lines_and_huge_cells_in_a_csv(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_bytes("户号,姓名\n".encode() + b"\n" * (roster_import.MAX_SHEET_ROWS + 5) + "0001,张三\n".encode())
    with pytest.raises(ValidationError, match=f"past row {roster_import.MAX_SHEET_ROWS}"):
        roster_import.read_table(path)
    for length in (roster_import.MAX_CELL_CHARS + 1, 200_000):  # ours, and above csv's own field limit
        path.write_text("户号,姓名,备注\n0001,张三," + "注" * length + "\n", encoding="utf-8")
        with pytest.raises(ValidationError, match=f"longer than {roster_import.MAX_CELL_CHARS} characters"):
            roster_import.read_table(path)
    path.write_text("户号,姓名,备注\n0001,张三," + "注" * roster_import.MAX_CELL_CHARS + "\n", encoding="utf-8")
    assert len(roster_import.read_table(path).rows) == 1  # at the limit: read (the note is then a row error)


def test_a_huge_cell_in_a_workbook(tmp_path: Path) -> None:
    # openpyxl cuts what it writes to Excel's 32,767 characters; a file from elsewhere may hold more
    data = _xlsx_bytes([ROSTER_HEADER, ["0001", "一组", "", "", "张三", "", "", "", "", "", "", "", "LONG"]])
    path = tmp_path / "long.xlsx"
    path.write_bytes(_rezip(data, "xl/worksheets/sheet1.xml", b">LONG<", (">" + "备" * (roster_import.MAX_CELL_CHARS + 1) + "<").encode()))
    with pytest.raises(ValidationError, match=r"long\.xlsx, row 2: a cell is longer than 32767 characters"):
        roster_import.read_table(path)


def test_catalog_limits(tmp_path: Path) -> None:
    limit = points_catalog.MAX_CATALOG_ITEMS
    items = [[f"X{i}", "类别", "条目", 1, None, "year", "否"] for i in range(limit + 1)]
    path = tmp_path / "long.xlsx"
    path.write_bytes(_catalog_bytes(items))
    with pytest.raises(ValidationError, match=f"more than {limit} rows of rules; at most {limit}"):
        points_catalog.read_xlsx(path)
    path.write_bytes(_catalog_bytes(items[:limit]))
    assert len(points_catalog.read_xlsx(path)) == limit
    big = tmp_path / "big.xlsx"
    with big.open("wb") as fh:
        fh.truncate(points_catalog.MAX_CATALOG_BYTES + 1)  # sparse: costs no disk
    with pytest.raises(ValidationError, match=f"larger than {points_catalog.MAX_CATALOG_MB} MB"):
        points_catalog.read_xlsx(big)
    for bad, message in (("1e400", "Points is not a whole number"), ("5.5", "Points is not a whole number"),
                         ("nan", "Points is not a whole number")):
        path.write_bytes(_catalog_bytes([["A01", "类别", "条目", bad, None, "year", "否"]]))
        with pytest.raises(ValidationError, match=f"Row 4: {message}"):
            points_catalog.read_xlsx(path)
    path.write_bytes(_catalog_bytes([["A01", "类别", "条目", 5, "很多", "year", "否"]]))
    with pytest.raises(ValidationError, match="Row 4: Cap per period is not a whole number"):
        points_catalog.read_xlsx(path)


def test_an_xml_entity_bomb_is_refused(tmp_path: Path) -> None:
    """A billion laughs in the sheet: expat refuses the amplification; the reader says "not a spreadsheet"."""
    entities = b"".join(b'<!ENTITY %c "%s">' % (98 + i, b"&%c;" % (97 + i) * 10) for i in range(9))
    head = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">' + entities + b"]>"
    sheet = zipfile.ZipFile(io.BytesIO(real_roster_xlsx())).read("xl/worksheets/sheet1.xml")
    bomb = head + sheet[sheet.index(b"<worksheet"):].replace(b"<t>0101</t>", b"<t>&j;</t>", 1)
    path = tmp_path / "laughs.xlsx"
    path.write_bytes(_rezip(real_roster_xlsx(), "xl/worksheets/sheet1.xml", sheet, bomb))
    with _small_memory(500), pytest.raises(ValidationError, match="not a spreadsheet"):  # expanded: 10 GB
        roster_import.read_table(path)
