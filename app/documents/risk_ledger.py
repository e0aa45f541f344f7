"""风险排查台账 (risk screening ledger) of a round, for a villager group or the whole village: landscape A4,
one line per household (序号, 户号, 户主, 村民小组, 风险等级, 评估进度, 风险因素, 包保责任人, 下次走访), the header
row repeated on every page, the totals by level at the end, "第 N 页 共 M 页" at the foot.

A printed ledger is posted and shared: it never names a sensitive factor (重点人员 and the like), whatever the
role of who prints it — each such factor is printed as "（略）". The level is a word (低 / 中 / 高), never a
colour alone.

Plain data in, PDF out: `collect_ledger(session, actor, round_id, group_id)` reads the round through
`risk.households_in_round` into a `LedgerData`; `render_ledger(data, out)` writes the PDF. The wording is
Chinese whatever the UI language. No Qt here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle
from sqlmodel import Session, select

from app.clock import today
from app.documents.fonts import fonts, markup, styles
from app.documents.layout import GRID_WIDTH, PageSetup, build, para, title_block
from app.documents.wording import cn_date
from app.errors import NotFound
from app.i18n import _
from app.models.risk import RiskFactor, RiskRound
from app.services import committee, grid, risk
from app.services.context import Actor, require

LEDGER_TITLE = "风险排查台账"
HIDDEN = "（略）"
WHOLE_VILLAGE = "全村"
LEVEL_WORDS = {"high": "高", "medium": "中", "low": "低", "": "未评估"}
LEVEL_ORDER = ("high", "medium", "low", "")
STAGE_WORDS = {0: "未评估", 1: "村民小组已评", 2: "村委会已确认", 3: "镇工作队已审核"}
CN_QUARTERS = {"1": "第一季度", "2": "第二季度", "3": "第三季度", "4": "第四季度"}
HEADERS = ("序号", "户号", "户主", "村民小组", "风险等级", "评估进度", "风险因素", "包保责任人", "下次走访")
# light tints behind the level word (the word itself is the signal; the tint only helps the eye)
LEVEL_TINTS = {"high": colors.Color(0.97, 0.84, 0.85), "medium": colors.Color(1.0, 0.95, 0.80),
               "low": colors.Color(0.87, 0.95, 0.88)}

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
LANDSCAPE = PageSetup(PAGE_WIDTH, PAGE_HEIGHT, side_margin=15 * mm, top_margin=16 * mm, bottom_margin=20 * mm,
                      footer_y=10 * mm)
FRAME_WIDTH = LANDSCAPE.frame_width
# points; the factors column takes what is left of the frame
FIXED_WIDTHS = {0: 30.0, 1: 58.0, 2: 62.0, 3: 66.0, 4: 48.0, 5: 80.0, 7: 66.0, 8: 92.0}


@dataclass(frozen=True)
class LedgerRow:
    number: str
    head_name: str
    group_name: str
    level: str  # low / medium / high, "" when not assessed yet
    stage: int  # 0 not assessed, 1 group, 2 village, 3 town
    factors: tuple[str, ...]  # factor names; every sensitive one replaced by HIDDEN
    cadre: str
    next_visit_due: dt.date | None

    @property
    def level_word(self) -> str:
        return LEVEL_WORDS.get(self.level, self.level)

    @property
    def stage_word(self) -> str:
        return STAGE_WORDS.get(self.stage, "")


@dataclass(frozen=True)
class LedgerData:
    committee: str  # 庄墩村人民调解委员会
    village: str
    township: str
    quarter: str  # 2026Q4
    quarter_label: str  # 2026年第四季度
    group_name: str  # 一组, or 全村
    printed_on: dt.date
    round_closed_on: dt.date | None = None
    rows: list[LedgerRow] = field(default_factory=list)

    def totals(self) -> dict[str, int]:
        """Households at each level ("" for not assessed yet)."""
        counts = dict.fromkeys(LEVEL_ORDER, 0)
        for r in self.rows:
            counts[r.level if r.level in counts else ""] += 1
        return counts


def quarter_label(quarter: str) -> str:
    """2026Q4 → 2026年第四季度."""
    year, _sep, q = quarter.upper().partition("Q")
    return f"{year}年{CN_QUARTERS[q]}" if q in CN_QUARTERS else quarter


def public_factors(names: Sequence[str], sensitive_names: set[str]) -> tuple[str, ...]:
    """The factor names fit for a posted document: every sensitive one (named, or already masked by the
    service) becomes one "（略）" — which also leaves it unsaid how many there are."""
    masked = {risk.MASK, _(risk.MASK)}
    result: list[str] = []
    for name in names:
        word = HIDDEN if name in sensitive_names or name in masked else name
        if word not in result:
            result.append(word)
    return tuple(result)


def sensitive_factor_names(session: Session) -> set[str]:
    return {f.name for f in session.exec(select(RiskFactor)).all() if f.sensitive}


def collect_ledger(session: Session, actor: Actor, round_id: str, group_id: str | None = None) -> LedgerData:
    require(actor, "risk.read")
    rnd = session.get(RiskRound, round_id)
    if rnd is None:
        raise NotFound(_("There is no risk round with id {id}.").format(id=round_id))
    desk = committee.require_current(session)
    scope = grid.get_cell(session, group_id).name if group_id else WHOLE_VILLAGE
    hidden = sensitive_factor_names(session)
    rows = [LedgerRow(r.number, r.head_name, r.group_name, r.level, r.stage, public_factors(r.factors, hidden), r.cadre,
                      r.next_visit_due)
            for r in risk.households_in_round(session, actor, round_id, group_id=group_id)]
    return LedgerData(desk.name, desk.village, desk.township, rnd.quarter, quarter_label(rnd.quarter), scope, today(),
                      rnd.closed_on, rows)


# ---------------------------------------------------------------- the PDF

def column_widths() -> list[float]:
    rest = FRAME_WIDTH - sum(FIXED_WIDTHS.values())
    return [FIXED_WIDTHS.get(i, rest) for i in range(len(HEADERS))]


def _p(text: str, style: str = "small") -> Paragraph:
    return Paragraph(markup(text), getattr(styles(), style))


def _due(row: LedgerRow, on: dt.date) -> str:
    if row.next_visit_due is None:
        return ""
    text = cn_date(row.next_visit_due)
    return f"{text}\n（已超期）" if row.next_visit_due < on else text


def ledger_table(data: LedgerData) -> Table:
    header = [_p(h, "small_centre") for h in HEADERS]
    body: list[list[Any]] = []
    for i, r in enumerate(data.rows, start=1):
        body.append([str(i), _p(r.number, "small_centre"), _p(r.head_name, "small_centre"), _p(r.group_name, "small_centre"),
                     r.level_word, _p(r.stage_word, "small_centre"), _p("、".join(r.factors)), _p(r.cadre, "small_centre"),
                     _p(_due(r, data.printed_on), "small_centre")])
    if not body:
        body.append([_p("本范围内没有住户。"), "", "", "", "", "", "", "", ""])
    table = Table([header, *body], colWidths=column_widths(), repeatRows=1, splitByRow=1)
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), fonts().main),
        ("FONTSIZE", (0, 1), (-1, -1), 9),
        ("GRID", (0, 0), (-1, -1), GRID_WIDTH, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.90, 0.90, 0.90)),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 1), (0, -1), "RIGHT"),
        ("ALIGN", (4, 1), (4, -1), "CENTER"),
        ("FONTSIZE", (4, 1), (4, -1), 11),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    if not data.rows:
        commands.append(("SPAN", (0, 1), (-1, 1)))
    for i, r in enumerate(data.rows, start=1):
        tint = LEVEL_TINTS.get(r.level)
        if tint is not None:
            commands.append(("BACKGROUND", (4, i), (4, i), tint))
    table.setStyle(TableStyle(commands))
    return table


def totals_table(data: LedgerData) -> Table:
    counts = data.totals()
    words = [f"{LEVEL_WORDS[lv]}风险" if lv else "未评估" for lv in LEVEL_ORDER]
    header = [_p("风险等级", "small_centre"), *[_p(w, "small_centre") for w in words], _p("合计", "small_centre")]
    values = [_p("户数", "small_centre"), *[str(counts[lv]) for lv in LEVEL_ORDER], str(len(data.rows))]
    table = Table([header, values], colWidths=[70.0] + [62.0] * (len(LEVEL_ORDER) + 1), hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), fonts().main),
        ("FONTSIZE", (0, 0), (-1, -1), 10),
        ("GRID", (0, 0), (-1, -1), GRID_WIDTH, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.90, 0.90, 0.90)),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (1, 1), (-1, 1), "RIGHT"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]))
    return table


def sign_line(roles: Sequence[str], width: float = 150.0) -> Table:
    """Labels, each with a line to sign on, then a date to write in: "填表人（签名）：＿＿＿　……　年　月　日".
    Plain-string cells: a Paragraph would collapse the full-width spaces of the date."""
    row: list[str] = []
    widths: list[float] = []
    for role in roles:
        row += [role, ""]
        widths += [len(role) * 12.0 + 6, width]
    row.append("　　　　年　　月　　日")
    widths.append(150.0)
    table = Table([row], colWidths=widths, hAlign="LEFT")
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), fonts().main),
        ("FONTSIZE", (0, 0), (-1, -1), 12),
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ]
    commands += [("LINEBELOW", (i, 0), (i, 0), GRID_WIDTH, colors.black) for i in range(1, 2 * len(roles), 2)]
    table.setStyle(TableStyle(commands))
    return table


def story(data: LedgerData) -> list[Flowable]:
    counts = data.totals()
    state = f"（本轮已于{cn_date(data.round_closed_on)}结束）" if data.round_closed_on else "（本轮排查进行中）"
    summary = (f"排查季度：{data.quarter_label}{state}；范围：{data.group_name}，共 {len(data.rows)} 户，"
               f"其中高风险 {counts['high']} 户、中风险 {counts['medium']} 户、低风险 {counts['low']} 户、"
               f"未评估 {counts['']} 户；打印日期：{cn_date(data.printed_on)}。")
    return [
        *title_block(data.committee, f"{data.village}{LEDGER_TITLE}" if data.village else LEDGER_TITLE),
        para(summary, "small"),
        Spacer(1, 2 * mm),
        ledger_table(data),
        Spacer(1, 4 * mm),
        para("合计", "body"),
        totals_table(data),
        Spacer(1, 3 * mm),
        para("说明：风险等级按村民小组初评、村委会确认、镇级工作队审核逐级评定；涉及重点人员等敏感信息的风险因素不在台账中列明，"
             "以“（略）”表示。中、高风险户落实包保责任人，高风险户每月、中风险户每季度至少走访一次。", "small"),
        Spacer(1, 8 * mm),
        sign_line(("填表人（签名）：", "审核人（签名）：")),
    ]


def render_ledger(data: LedgerData, out: Path | BinaryIO) -> None:
    title = f"{LEDGER_TITLE} {data.quarter_label} {data.group_name}"
    build(story(data), out, title=title, author=data.committee, subject=LEDGER_TITLE,
          footer_note=f"{data.committee} {LEDGER_TITLE} {data.quarter_label} {data.group_name}", page=LANDSCAPE)
