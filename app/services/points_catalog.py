"""The catalog of the village rules for points: versions adopted by the assembly, their items (code,
category, wording, points, optional cap per period, whether a second person reviews), the shipped default
catalog, and `.xlsx` import and export. Entries keep their own points, so editing the catalog never
changes the past."""

from __future__ import annotations

import datetime as dt
import io
import os
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, col, select

from app.clock import today, utcnow
from app.errors import NotFound, ValidationError
from app.i18n import _
from app.models.points import RuleItem, RuleVersion
from app.services import audit
from app.services.context import Actor, require
from app.services.identity import device_id
from app.services.validation import clean_text
from app.services.xlsx_safety import keep_text_as_text

CAP_PERIODS = ("month", "quarter", "year")
MAX_POINTS = 1000
XLSX_HEADERS = ["编号", "类别", "条目内容", "分值", "每期上限", "上限周期", "需复核"]

# A starting point, after the Wulong report: 正向加分、负向减分, edited by each village to its own rules.
DEFAULT_ITEMS: list[tuple[str, str, str, int, int | None, str, bool]] = [
    ("A01", "环境卫生", "房前屋后干净整洁，垃圾分类投放", 5, 20, "quarter", False),
    ("A02", "环境卫生", "参加村庄环境整治义务劳动（每次）", 3, 15, "month", False),
    ("A03", "环境卫生", "乱堆乱放、乱倒垃圾，经劝阻不改", -5, None, "year", False),
    ("B01", "孝老爱亲", "孝敬赡养老人，被评为好媳妇、好儿女", 10, 20, "year", True),
    ("B02", "孝老爱亲", "家庭和睦，邻里称赞", 5, 10, "year", False),
    ("B03", "孝老爱亲", "不赡养老人、虐待家庭成员", -20, None, "year", True),
    ("C01", "邻里互助", "主动帮扶困难群众、留守老人儿童", 5, 20, "quarter", False),
    ("C02", "邻里互助", "主动调解邻里矛盾", 5, 10, "quarter", False),
    ("D01", "志愿服务", "参加志愿服务活动（每次）", 3, 15, "quarter", False),
    ("D02", "志愿服务", "参加抢险救灾、疫情防控", 10, None, "year", True),
    ("E01", "遵纪守法", "全年无违法违纪、无越级上访", 10, 10, "year", False),
    ("E02", "遵纪守法", "参与赌博、封建迷信活动", -20, None, "year", True),
    ("E03", "遵纪守法", "无理缠访、闹访", -20, None, "year", True),
    ("F01", "公共秩序", "积极参加村民会议和集体活动", 2, 8, "quarter", False),
    ("F02", "公共秩序", "破坏公共设施、侵占集体财产", -15, None, "year", True),
    ("G01", "消防安全", "家中无安全隐患，配备灭火器", 3, 3, "year", False),
    ("G02", "消防安全", "野外用火、焚烧秸秆", -10, None, "year", False),
    ("H01", "教育", "子女考入高等院校", 10, None, "year", True),
    ("H02", "教育", "适龄子女辍学", -10, None, "year", True),
    ("J01", "移风易俗", "婚事新办、丧事简办", 10, None, "year", True),
    ("J02", "移风易俗", "大操大办、高价彩礼、铺张浪费", -15, None, "year", True),
]


@dataclass(frozen=True)
class ItemInput:
    code: str
    category: str
    wording: str
    points: int
    cap: int | None = None
    cap_period: str = "year"
    needs_review: bool = False


def clean_item(data: ItemInput) -> ItemInput:
    code = clean_text(data.code, "code", "Code", max_len=20, required=True)
    category = clean_text(data.category, "category", "Category", max_len=30, required=True)
    wording = clean_text(data.wording, "wording", "Wording", max_len=300, required=True)
    if not isinstance(data.points, int) or data.points == 0 or abs(data.points) > MAX_POINTS:
        raise ValidationError("points", _("{field} must be a whole number from -{limit} to {limit}, not 0.").format(
            field=_("Points"), limit=MAX_POINTS))
    if data.cap is not None and (data.cap <= 0 or data.cap > 100 * MAX_POINTS):
        raise ValidationError("cap", _("{field} must be a positive whole number.").format(field=_("Cap per period")))
    if data.cap is not None and data.cap < abs(data.points):
        raise ValidationError("cap", _("{field} is smaller than the points of one occurrence.").format(field=_("Cap per period")))
    if data.cap_period not in CAP_PERIODS:
        raise ValidationError("cap_period", _("{field} must be one of: {choices}.").format(
            field=_("Cap period"), choices=", ".join(CAP_PERIODS)))
    return ItemInput(code, category, wording, data.points, data.cap, data.cap_period, data.needs_review)


def clean_items(new_items: list[ItemInput]) -> list[ItemInput]:
    """Every item checked, at least one, no code twice: a whole catalog (a version, or a township release)."""
    cleaned = [clean_item(i) for i in new_items]
    if not cleaned:
        raise ValidationError("items", _("A version of the rules needs at least one item."))
    codes = [i.code for i in cleaned]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise ValidationError("code", _("{field} used twice: {codes}.").format(field=_("Code"), codes=", ".join(duplicates)))
    return cleaned


def active_version(session: Session) -> RuleVersion | None:
    return session.exec(select(RuleVersion).where(col(RuleVersion.active).is_(True))).first()


def ensure_default_catalog(session: Session) -> RuleVersion:
    """The active version, making the shipped default catalog the first version when there is none."""
    version = active_version(session)
    if version is not None:
        return version
    origin = device_id(session)
    version = RuleVersion(name="村规民约积分细则（示范文本）", adopted_on=today(), adopted_by="", active=True, origin=origin)
    session.add(version)
    session.flush()
    for i, (code, category, wording, points, cap, period, review) in enumerate(DEFAULT_ITEMS):
        session.add(RuleItem(version_id=version.id, code=code, category=category, wording=wording, points=points, cap=cap,
                             cap_period=period, needs_review=review, position=i, origin=origin))
    session.flush()
    return version


def items(session: Session, version_id: str | None = None) -> list[RuleItem]:
    version = session.get(RuleVersion, version_id) if version_id else ensure_default_catalog(session)
    if version is None:
        raise NotFound(_("There is no rule version with id {id}.").format(id=version_id))
    return list(session.exec(select(RuleItem).where(RuleItem.version_id == version.id).order_by(col(RuleItem.position))).all())


def find_item(session: Session, code: str) -> RuleItem:
    version = ensure_default_catalog(session)
    item = session.exec(select(RuleItem).where(RuleItem.version_id == version.id, RuleItem.code == code.strip())).first()
    if item is None:
        raise ValidationError("rule", _("There is no rule {code} in the current village rules.").format(code=code))
    return item


def adopt_version(session: Session, actor: Actor, name: str, adopted_on: dt.date, adopted_by: str,
                  new_items: list[ItemInput], note: str = "") -> RuleVersion:
    """A new version of the rules replaces the active one (the old one is kept, with its items)."""
    require(actor, "points.catalog")
    name = clean_text(name, "name", "Version name", max_len=100, required=True)
    if adopted_on > today():
        raise ValidationError("adopted_on", _("{field} is in the future.").format(field=_("Adopted on")))
    cleaned = clean_items(new_items)
    old = active_version(session)
    if old is not None:
        before = audit.snapshot(old)
        old.active = False
        old.updated_at = utcnow()
        audit.record_change(session, actor, old, before, old.name)
    origin = device_id(session)
    version = RuleVersion(name=name, adopted_on=adopted_on, adopted_by=clean_text(adopted_by, "adopted_by", "Adopted by", max_len=100),
                          active=True, note=clean_text(note, "note", "Note", max_len=1000, multiline=True), origin=origin)
    session.add(version)
    session.flush()
    for i, item in enumerate(cleaned):
        session.add(RuleItem(version_id=version.id, position=i, origin=origin, **item.__dict__))
    session.flush()
    audit.record_change(session, actor, version, None, name)
    return version


def edit_items(session: Session, actor: Actor, new_items: list[ItemInput]) -> RuleVersion:
    """Change the active version's items in place (before the catalog is used, or for typos). Past entries
    keep their own points and wording, so this never changes a balance."""
    require(actor, "points.catalog")
    version = ensure_default_catalog(session)
    cleaned = [clean_item(i) for i in new_items]
    codes = [i.code for i in cleaned]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise ValidationError("code", _("{field} used twice: {codes}.").format(field=_("Code"), codes=", ".join(duplicates)))
    existing = {i.code: i for i in items(session, version.id)}
    for position, data in enumerate(cleaned):
        row = existing.pop(data.code, None)
        if row is None:
            row = RuleItem(version_id=version.id, position=position, origin=version.origin, **data.__dict__)
            session.add(row)
            session.flush()
            audit.record_change(session, actor, row, None, data.code)
            continue
        before = audit.snapshot(row)
        for name, value in data.__dict__.items():
            setattr(row, name, value)
        row.position = position
        row.updated_at = utcnow()
        session.flush()
        audit.record_change(session, actor, row, before, data.code)
    if existing:
        raise ValidationError("code", _("Items cannot be removed from a version in use ({codes}); adopt a new version instead.").format(
            codes=", ".join(sorted(existing))))
    return version


def export_xlsx(session: Session, actor: Actor, path: Path) -> int:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    require(actor, "points.read")
    version = ensure_default_catalog(session)
    rows = items(session, version.id)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "积分细则"
    ws.append([version.name])
    ws["A1"].font = Font(size=14, bold=True)
    ws.append([f"通过日期：{version.adopted_on.isoformat()}", version.adopted_by])
    ws.append(XLSX_HEADERS)
    for item in rows:
        ws.append([item.code, item.category, item.wording, item.points, item.cap, item.cap_period, "是" if item.needs_review else "否"])
    for letter, width in zip("ABCDEFG", (8, 12, 44, 8, 10, 10, 8), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A4"
    tmp = path.with_name(path.name + ".part")
    try:
        keep_text_as_text(wb)
        wb.save(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ValidationError("file", _("Cannot write {path}: {error}").format(path=path, error=exc.strerror or exc)) from exc
    return len(rows)


MAX_CATALOG_BYTES = 5 * 1024 * 1024  # a catalog workbook of a few hundred items is some 20 KB
MAX_CATALOG_MB = MAX_CATALOG_BYTES // (1024 * 1024)
MAX_CATALOG_ITEMS = 1000  # rows under the header; a village's rules have 20 to 100
HEADER_SEARCH_ROWS = 10


def read_xlsx(path: Path) -> list[ItemInput]:
    """Items from a catalog workbook laid out as `export_xlsx` writes it (header row 编号 … found anywhere
    in the first 10 rows). Every bad row is reported with its row number. Limits: MAX_CATALOG_BYTES,
    the unpacked size and member count of `app.services.xlsx_safety`, MAX_CATALOG_ITEMS rows; a field's
    length is that of `clean_item`."""
    import warnings

    from openpyxl import load_workbook

    from app.services.xlsx_safety import check_xlsx_zip

    path = Path(path)
    if not path.is_file():
        raise ValidationError("file", _("The file {name} does not exist.").format(name=path.name))
    try:
        if path.stat().st_size > MAX_CATALOG_BYTES:
            raise ValidationError("file", _("The file {name} is larger than {limit} MB.").format(name=path.name, limit=MAX_CATALOG_MB))
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationError("file", _("Cannot read {path}: {error}").format(path=path, error=exc.strerror or exc)) from exc
    if len(data) > MAX_CATALOG_BYTES:  # grew while we looked
        raise ValidationError("file", _("The file {name} is larger than {limit} MB.").format(name=path.name, limit=MAX_CATALOG_MB))
    not_a_workbook = ValidationError("file", _("The file {name} is not an Excel workbook (.xlsx).").format(name=path.name))
    if not data.startswith(b"PK\x03\x04"):
        raise not_a_workbook
    check_xlsx_zip(data, path.name, not_a_workbook)  # a zip bomb stops here, before openpyxl unpacks anything
    last_row = HEADER_SEARCH_ROWS + MAX_CATALOG_ITEMS + 1  # one more than allowed, to tell "too many"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                ws = wb.worksheets[0] if wb.worksheets else None
                if ws is None:
                    raise ValidationError("file", _("The file {name} is empty.").format(name=path.name))
                ws.reset_dimensions()  # a wrong <dimension> must not hide rows
                rows = [list(r) for r in ws.iter_rows(max_row=last_row, max_col=10, values_only=True)]
            finally:
                wb.close()
        except ValidationError:
            raise
        except Exception:  # a damaged or foreign zip: openpyxl raises many kinds (zlib, XML, KeyError, …)
            raise not_a_workbook from None
    header_at = next((i for i, r in enumerate(rows[:HEADER_SEARCH_ROWS])
                      if [str(c or "").strip() for c in r[:4]] == XLSX_HEADERS[:4]), None)
    if header_at is None:
        raise ValidationError("file", _("The file has no header row 编号 / 类别 / 条目内容 / 分值.").format())
    body = rows[header_at + 1:]
    if len(body) > MAX_CATALOG_ITEMS and any(any(c is not None and str(c).strip() for c in r) for r in body[MAX_CATALOG_ITEMS:]):
        raise ValidationError("file", _("The file {name} has more than {limit} rows of rules; at most {limit} can be imported.").format(
            name=path.name, limit=MAX_CATALOG_ITEMS))
    result: list[ItemInput] = []
    for number, row in enumerate(body[:MAX_CATALOG_ITEMS], start=header_at + 2):
        cells = [("" if c is None else str(c).strip()) for c in (row + [None] * 7)[:7]]
        if not any(cells):
            continue
        points = _whole_number(cells[3], number, "points", _("Points"))
        if points is None:
            raise ValidationError("points", _("Row {row}: {field} is not a whole number.").format(row=number, field=_("Points")),
                                  row=number)
        cap = _whole_number(cells[4], number, "cap", _("Cap per period"))
        try:
            result.append(clean_item(ItemInput(cells[0], cells[1], cells[2], points, cap, cells[5] or "year",
                                               cells[6] in ("是", "yes", "Yes", "1", "True", "true"))))
        except ValidationError as exc:
            raise ValidationError(exc.field, _("Row {row}: {message}").format(row=number, message=exc.message), row=number) from None
    if not result:
        raise ValidationError("file", _("The file {name} has no rule items.").format(name=path.name))
    return result


def _whole_number(text: str, row: int, field: str, label: str) -> int | None:
    """A cell as a whole number (Excel gives 5.0 for 5); None when empty; an error for text, fractions, ∞."""
    if not text:
        return None
    try:
        value = float(text)
        if value != int(value) or abs(value) > 1_000_000_000:
            raise ValueError(text)
        return int(value)
    except (ValueError, OverflowError):
        raise ValidationError(field, _("Row {row}: {field} is not a whole number.").format(row=row, field=label), row=row) from None
