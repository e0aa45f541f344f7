"""积分公示榜 (public notice of village-rule points): every household of a villager group (or of the whole
village) with its points gained and deducted in the period, its balance, its rank and its stars; the notice
period and where to object. Long lists flow onto more pages with the header row repeated.

Plain data in, PDF out: `collect_notice(session, actor, notice_id)` reads a posted notice into a
`NoticeData`; `draft_notice(...)` builds the same data for a notice not posted yet (the preview before
posting); `render_notice(data, out)` writes the PDF. The wording is Chinese whatever the UI language.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle
from sqlmodel import Session

from app.documents.fonts import fonts, markup, styles
from app.documents.layout import FRAME_WIDTH, GRID_WIDTH, build, para, title_block
from app.documents.wording import cn_date
from app.services.context import Actor
from app.services.periods import Period, parse_period

NOTICE_TITLE = "积分公示榜"
DEFAULT_WHERE = "村委会办公室（村人民调解室）"
FULL_STAR = "★"
EMPTY_STAR = "☆"
CN_QUARTERS = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}
HEADERS = ("户号", "户主", "本期加分", "本期扣分", "积分余额", "排名", "星级")
WIDTHS = (0.13, 0.19, 0.12, 0.12, 0.12, 0.09, 0.23)
NUMBER_COLUMNS = (2, 3, 4, 5)


@dataclass(frozen=True)
class NoticeRow:
    number: str
    head_name: str
    gained: int
    deducted: int  # a positive number
    balance: int
    rank: int
    stars: int


@dataclass(frozen=True)
class NoticeData:
    committee_name: str
    village: str
    township: str
    period: str  # as stored: 2026-10, 2026Q4, 2026, or a range
    period_label: str  # 2026年10月
    scope_label: str  # 一组, or 全村
    posted_on: dt.date
    objections_until: dt.date
    where_to_object: str
    max_stars: int
    thresholds: tuple[int, ...] = ()
    rows: list[NoticeRow] = field(default_factory=list)
    draft: bool = False  # a preview before posting


def period_label(period: Period | str) -> str:
    """2026-10 → 2026年10月; 2026Q4 → 2026年第四季度; 2026 → 2026年度; a range → 2026年10月1日至2026年12月31日."""
    p = parse_period(period) if isinstance(period, str) else period
    text = p.text.upper()
    if len(text) == 4 and text.isdigit():
        return f"{text}年度"
    if "Q" in text:
        year, quarter = text.split("Q")
        return f"{year}年{CN_QUARTERS[int(quarter)]}"
    if ".." not in text and "-" in text:
        return f"{p.start.year}年{p.start.month}月"
    return f"{cn_date(p.start)}至{cn_date(p.end)}"


def stars_text(stars: int, max_stars: int) -> str:
    """★★★☆☆: the stars earned, then the ones not yet earned."""
    stars = max(0, stars)
    return FULL_STAR * stars + EMPTY_STAR * max(0, max_stars - stars)


def draft_notice(session: Session, actor: Actor, period: str, group_id: str | None, *, posted_on: dt.date,
                 days: int = 7, where_to_object: str = "") -> NoticeData:
    """The notice as it would be posted (the notice period counted as `post_notice` counts it)."""
    return _data(session, actor, period, group_id, posted_on, posted_on + dt.timedelta(days=days - 1),
                 where_to_object, draft=True)


def collect_notice(session: Session, actor: Actor, notice_id: str) -> NoticeData:
    """A posted notice, with the figures as the services give them now (NotFound for an unknown id)."""
    from app.services import points_notice

    notice = points_notice.get_notice(session, actor, notice_id)
    return _data(session, actor, notice.period, notice.group_id, notice.posted_on, notice.objections_until,
                 notice.where_to_object)


def _data(session: Session, actor: Actor, period: str, group_id: str | None, posted_on: dt.date,
          objections_until: dt.date, where_to_object: str, *, draft: bool = False) -> NoticeData:
    from app.services import committee, grid, points

    current = committee.require_current(session)
    p = parse_period(period)
    scope = grid.get_cell(session, group_id).name if group_id else "全村"
    ranking = points.ranking(session, actor, p, scope_id=group_id)
    thresholds = tuple(points.star_thresholds(session))
    rows = [NoticeRow(r.number, r.head_name, r.gained, r.deducted, r.balance, r.rank, r.stars) for r in ranking]
    return NoticeData(current.name, current.village, current.township, p.text, period_label(p), scope, posted_on,
                      objections_until, where_to_object.strip() or DEFAULT_WHERE, len(thresholds), thresholds, rows,
                      draft)


# ---------------------------------------------------------------- the PDF

def _cell(text: str, style: str = "cell_centre") -> Paragraph:
    return Paragraph(markup(text), getattr(styles(), style))


def _table(data: NoticeData) -> Table:
    s = styles()
    header = [Paragraph(markup(h), s.label) for h in HEADERS]
    body: list[list[Any]] = []
    for r in data.rows:
        body.append([
            _cell(r.number),
            _cell(r.head_name),
            str(r.gained),
            str(r.deducted),
            str(r.balance),
            str(r.rank),
            stars_text(r.stars, data.max_stars),
        ])
    if not body:
        body.append([_cell("本范围内没有住户。"), "", "", "", "", "", ""])
    widths = [w * FRAME_WIDTH for w in WIDTHS]
    table = Table([header, *body], colWidths=widths, repeatRows=1, splitByRow=1)
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), fonts().main),
        ("FONTSIZE", (0, 1), (-1, -1), 10.5),
        ("GRID", (0, 0), (-1, -1), GRID_WIDTH, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.92, 0.92)),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (2, 1), (5, -1), "RIGHT"),
        ("ALIGN", (6, 1), (6, -1), "CENTER"),
        ("FONTSIZE", (6, 1), (6, -1), 12),
        ("TEXTCOLOR", (6, 1), (6, -1), colors.Color(0.70, 0.10, 0.10)),
        ("LEFTPADDING", (0, 0), (-1, -1), 5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
    ]
    if not data.rows:
        commands.append(("SPAN", (0, 1), (-1, 1)))
    for i in range(2, len(body) + 1, 2):  # every other row lightly shaded, to follow a line across
        commands.append(("BACKGROUND", (0, i), (-1, i), colors.Color(0.97, 0.97, 0.97)))
    table.setStyle(TableStyle(commands))
    return table


def story(data: NoticeData) -> list[Flowable]:
    thresholds = "、".join(f"{stars_text(i + 1, 0)} {t}分" for i, t in enumerate(data.thresholds))
    result = title_block(data.committee_name, f"{data.village}{NOTICE_TITLE}" if data.village else NOTICE_TITLE,
                         size=20, space_after=10)
    if data.draft:
        result.append(para("（样稿，尚未公示）", "subtitle"))
    result += [
        para(f"积分统计期间：{data.period_label}；公示范围：{data.scope_label}，共 {len(data.rows)} 户。"),
        para("根据本村村规民约积分制实施办法，现将各户积分情况公示如下。加分、扣分为本期（不含积分兑换）数，"
             "积分余额为截至期末的可用积分，排名按本期净得分排列，星级按累计积分评定。", "body_indent"),
        Spacer(1, 2 * mm),
        _table(data),
        Spacer(1, 4 * mm),
    ]
    if thresholds:
        result.append(para(f"星级评定标准（累计积分）：{thresholds}。", "small"))
        result.append(Spacer(1, 2 * mm))
    result += [
        para(f"公示时间：{cn_date(data.posted_on)}至{cn_date(data.objections_until)}。", "body"),
        para(f"对公示内容有异议的，请于{cn_date(data.objections_until)}前向{data.where_to_object}提出，"
             "村委会将核实后予以答复；经核实确有错误的，予以更正。", "body"),
        Spacer(1, 8 * mm),
        para(data.committee_name, "date"),
        para(cn_date(data.posted_on), "date"),
    ]
    return result


def render_notice(data: NoticeData, out: Path | BinaryIO) -> None:
    build(story(data), out, title=f"{NOTICE_TITLE} {data.period_label} {data.scope_label}", author=data.committee_name,
          subject=NOTICE_TITLE, footer_note=f"{data.period_label} {data.scope_label}")
