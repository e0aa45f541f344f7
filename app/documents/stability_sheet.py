"""风险户包保稳控工作表 (the household stability-control sheet) for the responsible cadre (包保责任人): the
household and its members (with the people to look after: 留守儿童, 独居老人 …), its risk level now and
through the quarters, the risk factors, the cadre and the stability measures, and the visit log — the
visits recorded so far, then empty rows to fill in by hand on the next visits.

The sheet goes to the cadre, not on the notice board: sensitive factors are named when the role of who
prints it may see them (`risk.sensitive`), else printed as "（略）".

Plain data in, PDF out: `collect_sheet(session, actor, household_id)` → `SheetData`; `render_sheet(data, out)`.
The wording is Chinese whatever the UI language. No Qt here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle
from sqlmodel import Session

from app.clock import today
from app.documents.fonts import fonts, markup, styles
from app.documents.layout import FRAME_WIDTH, GRID_WIDTH, Form, build, label, para, title_block
from app.documents.risk_ledger import (
    HIDDEN,
    LEVEL_WORDS,
    STAGE_WORDS,
    public_factors,
    quarter_label,
    sensitive_factor_names,
    sign_line,
)
from app.documents.wording import age_on, cn_date
from app.errors import NotFound
from app.services import committee, households, risk
from app.services.context import Actor, can, require
from app.services.roster_import import CARE_FLAG_EXPORT, SEX_EXPORT

SHEET_TITLE = "风险户包保稳控工作表"
BLANK_VISIT_ROWS = 8
VISIT_HEADERS = ("走访日期", "走访人", "走访情况", "采取的措施", "户主或家属签名")
VISIT_WIDTHS = (0.15, 0.12, 0.33, 0.25, 0.15)
MEMBER_HEADERS = ("姓名", "性别", "年龄", "与户主关系", "联系电话", "关爱对象")
MEMBER_WIDTHS = (0.16, 0.08, 0.08, 0.15, 0.20, 0.33)
HISTORY_HEADERS = ("季度", "风险等级", "评估进度", "风险因素", "调整理由")
HISTORY_WIDTHS = (0.22, 0.12, 0.19, 0.27, 0.20)


@dataclass(frozen=True)
class MemberLine:
    name: str
    sex: str  # 男 / 女 / ""
    age: str
    relation: str
    mobile: str
    care: tuple[str, ...]  # 留守儿童, 孤寡老人 … (people to look after, not risk factors)
    is_head: bool


@dataclass(frozen=True)
class HistoryLine:
    quarter: str  # 2026年第四季度
    level: str  # low / medium / high
    stage: int
    reason: str
    factors: tuple[str, ...]


@dataclass(frozen=True)
class VisitLine:
    visited_on: dt.date
    visitor: str
    findings: str
    measures_taken: str


@dataclass(frozen=True)
class SheetData:
    committee: str
    village: str
    number: str
    head_name: str
    head_mobile: str
    group_name: str
    address: str
    quarter: str  # the round the level is from, 2026年第四季度; "" when there is none
    level: str  # "" when not assessed in that round
    stage: int
    factors: tuple[str, ...]  # sensitive ones named only when `shows_sensitive`
    cadre_name: str
    cadre_phone: str
    assigned_on: dt.date | None
    measures: str
    next_visit_due: dt.date | None
    printed_on: dt.date
    shows_sensitive: bool
    members: list[MemberLine] = field(default_factory=list)
    history: list[HistoryLine] = field(default_factory=list)
    visits: list[VisitLine] = field(default_factory=list)

    @property
    def level_word(self) -> str:
        return LEVEL_WORDS.get(self.level, self.level)


def _factors(names: Sequence[str], show: bool, hidden: set[str]) -> tuple[str, ...]:
    # the service already masks them for roles without `risk.sensitive`; put the Chinese word in
    return tuple(names) if show else public_factors(names, hidden)


def collect_sheet(session: Session, actor: Actor, household_id: str) -> SheetData:
    require(actor, "risk.read")
    desk = committee.require_current(session)
    detail = households.household_detail(session, actor, household_id)
    show = can(actor, "risk.sensitive")
    hidden = sensitive_factor_names(session)
    on = today()
    members = [MemberLine(m.name, SEX_EXPORT.get(m.sex, ""), age_on(m.birth_date, on), "户主" if m.is_head else m.relation_to_head,
                          m.mobile, tuple(CARE_FLAG_EXPORT.get(f, f) for f in m.care_flags), m.is_head)
               for m in detail.members]
    head = next((m for m in members if m.is_head), None)
    quarter, level, stage, due = "", "", 0, None
    names: tuple[str, ...] = ()
    try:
        rnd = risk.get_round(session)
    except NotFound:
        rnd = None
    if rnd is not None:
        quarter = quarter_label(rnd.quarter)
        mine = next((r for r in risk.households_in_round(session, actor, rnd.id, group_id=detail.group_id)
                     if r.household_id == household_id), None)
        if mine is not None:
            level, stage, names, due = mine.level, mine.stage, _factors(mine.factors, show, hidden), mine.next_visit_due
    history = [HistoryLine(quarter_label(q), lv, st, reason, _factors(f, show, hidden))
               for q, st, lv, reason, f in risk.history(session, actor, household_id)]
    cadre = risk.current_cadre(session, household_id)
    visits = [VisitLine(v.visited_on, v.visitor, v.findings, v.measures_taken) for v in risk.visits(session, actor, household_id)]
    return SheetData(desk.name, desk.village, detail.number, head.name if head else "", head.mobile if head else "",
                     detail.group_name, detail.address, quarter, level, stage, names,
                     cadre.cadre_name if cadre else "", cadre.cadre_phone if cadre else "",
                     cadre.assigned_on if cadre else None, cadre.measures if cadre else "", due, on, show,
                     members, history, visits)


# ---------------------------------------------------------------- the PDF

def _p(text: str, style: str = "cell") -> Paragraph:
    return Paragraph(markup(text), getattr(styles(), style))


def _table(headers: Sequence[str], rows: list[list[Any]], widths: Sequence[float], *, min_height: float | None = None) -> Table:
    header = [_p(h, "label") for h in headers]
    heights: list[float | None] = [None, *([min_height] * len(rows))]
    table = Table([header, *rows], colWidths=[w * FRAME_WIDTH for w in widths], rowHeights=heights, repeatRows=1,
                  splitByRow=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), fonts().main),
        ("FONTSIZE", (0, 0), (-1, -1), 10.5),
        ("GRID", (0, 0), (-1, -1), GRID_WIDTH, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.92, 0.92)),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]))
    return table


def _level_line(data: SheetData) -> str:
    if not data.quarter:
        return "尚未开展排查评估"
    if not data.level:
        return f"{data.quarter}：尚未评估"
    return f"{data.level_word}风险（{data.quarter}，{STAGE_WORDS.get(data.stage, '')}）"


def heading(text: str) -> Flowable:
    """A section heading that stays on the page of what follows it."""
    p = para(text, "heading")
    p.keepWithNext = True
    return p


def story(data: SheetData) -> list[Flowable]:
    s: list[Flowable] = [
        *title_block(data.committee, SHEET_TITLE),
        para(f"户号：{data.number}；打印日期：{cn_date(data.printed_on)}", "right"),
        Spacer(1, 1 * mm),
    ]
    form = Form((0.16, 0.34, 0.16, 0.34))
    form.row(label("户主"), data.head_name, label("联系电话"), data.head_mobile)
    form.row(label("村民小组"), data.group_name, label("家庭人口"), f"{len(data.members)} 人")
    form.wide("家庭住址", data.address)
    form.wide("风险等级", _level_line(data))
    factors = "、".join(data.factors) if data.factors else ("无" if data.level else "")
    form.wide("风险因素", factors)
    form.row(label("包保责任人"), data.cadre_name, label("联系电话"), data.cadre_phone)
    form.row(label("包保日期"), cn_date(data.assigned_on), label("下次走访"), cn_date(data.next_visit_due))
    form.text("稳控措施", data.measures, 3)
    s += form.flowables()
    s += [Spacer(1, 4 * mm), heading("家庭成员")]
    member_rows = [[_p(m.name), _p(m.sex, "cell_centre"), _p(m.age, "cell_centre"), _p(m.relation), _p(m.mobile),
                    _p("、".join(m.care))] for m in data.members]
    if not member_rows:
        member_rows = [[_p("（未登记家庭成员）"), "", "", "", "", ""]]
    s.append(_table(MEMBER_HEADERS, member_rows, MEMBER_WIDTHS))
    if any(m.care for m in data.members):
        s.append(para("关爱对象是需要关心照顾的人员，不是风险因素。", "small"))
    s += [Spacer(1, 4 * mm), heading("历次排查评估")]
    history_rows = [[_p(h.quarter), _p(LEVEL_WORDS.get(h.level, h.level), "cell_centre"), _p(STAGE_WORDS.get(h.stage, "")),
                     _p("、".join(h.factors) or "无"), _p(h.reason)] for h in data.history]
    if not history_rows:
        history_rows = [[_p("（尚无评估记录）"), "", "", "", ""]]
    s.append(_table(HISTORY_HEADERS, history_rows, HISTORY_WIDTHS))
    s += [Spacer(1, 4 * mm), heading("走访记录")]
    visit_rows: list[list[Any]] = [[_p(cn_date(v.visited_on)), _p(v.visitor), _p(v.findings), _p(v.measures_taken), ""]
                                   for v in data.visits]
    visit_rows += [["", "", "", "", ""] for _i in range(BLANK_VISIT_ROWS)]
    s.append(_table(VISIT_HEADERS, visit_rows, VISIT_WIDTHS, min_height=28))
    if not data.shows_sensitive and HIDDEN in data.factors:
        s.append(para("注：涉及敏感信息的风险因素以“（略）”表示，详情请向村调委会了解。", "small"))
    s += [Spacer(1, 8 * mm), sign_line(("包保责任人（签名）：",), 130.0)]
    return s


def render_sheet(data: SheetData, out: Path | BinaryIO) -> None:
    build(story(data), out, title=f"{SHEET_TITLE} {data.number} {data.head_name}", author=data.committee,
          subject=SHEET_TITLE, footer_note=f"{SHEET_TITLE} {data.number}")
