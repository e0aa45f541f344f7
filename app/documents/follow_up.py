"""人民调解回访记录 (follow-up record): one form per visit made; a blank form when none is recorded yet."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Spacer

from app.documents.case_data import CaseDocData, FollowUpDoc
from app.documents.layout import Form, label, para, signature_table, text_or_lines
from app.documents.parts import head, parties_line, render
from app.documents.wording import cn_date

FOLLOW_UP_TITLE = "人民调解回访记录"


def visit_story(data: CaseDocData, visit: FollowUpDoc | None) -> list[Flowable]:
    agreement = data.agreement
    number = data.number if agreement is not None else ""
    v = visit
    form = Form((90.0, 137.0, 90.0, 136.5))
    form.wide("当事人", parties_line(data))
    form.row(label("协议编号"), number, label("协议生效日期"), cn_date(agreement.effective_on if agreement else None))
    form.wide("回访事由", text_or_lines(v.reason if v else "", 1))
    form.row(label("回访时间"), cn_date(v.visited_on if v else None), label("回访人"), v.visitor if v else "")
    form.row(label("协议履行情况"), v.performance_label if v else "", label("当事人满意度"), v.satisfaction_label if v else "")
    form.wide("是否起诉", ("是" if v.lawsuit else "否") if v else "")
    form.text("矛盾激化苗头", v.escalation_signs if v else "", 2).text("采取的措施", v.measures if v else "", 2)
    form.text("回访情况", v.findings if v else "", 6)
    story = head(data, FOLLOW_UP_TITLE)
    story += form.flowables()
    story += [Spacer(1, 3 * mm), para("以上记录经被回访人核对无误。"), Spacer(1, 2 * mm)]
    entries = [("被回访人", p.name, "签名（按指印）") for p in data.parties]
    entries.append(("回访人", v.visitor if v else "", "签名"))
    story.append(signature_table(entries, cn_date(v.visited_on) if v else ""))
    return story


def follow_ups_story(data: CaseDocData, index: int | None = None) -> list[Flowable]:
    visits: list[FollowUpDoc | None] = list(data.visits if index is None else [data.visits[index]])
    story: list[Flowable] = []
    for i, visit in enumerate(visits or [None]):
        if i:
            story.append(PageBreak())
        story += visit_story(data, visit)
    return story


def render_follow_up(data: CaseDocData, out: Path | BinaryIO, *, index: int | None = None) -> None:
    """Every recorded visit (or only the one at `index`), one after the other."""
    render(follow_ups_story(data, index), out, data, FOLLOW_UP_TITLE)
