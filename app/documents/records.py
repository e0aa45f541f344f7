"""人民调解调查记录 (investigation record) and 人民调解记录 (mediation record): one form per investigation
or session, each starting on a new page. With nothing recorded, a blank form to fill in by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Spacer

from app.clock import LOCAL_TZ
from app.documents.case_data import CaseDocData, InvestigationDoc, SessionDoc
from app.documents.layout import Form, label, para, signature_table
from app.documents.parts import head, mediators_line, parties_line, render
from app.documents.wording import RIGHTS, ROUTES, cn_datetime

INVESTIGATION_TITLE = "人民调解调查记录"
SESSION_TITLE = "人民调解记录"
FORM_WIDTHS = (84.0, 143.0, 84.0, 142.5)
_BLANK_TIME = dt.datetime(1, 1, 1, tzinfo=LOCAL_TZ)


def _when(value: dt.datetime) -> str:
    return "" if value == _BLANK_TIME else cn_datetime(value)


def investigation_story(data: CaseDocData, inv: InvestigationDoc) -> list[Flowable]:
    story = head(data, INVESTIGATION_TITLE)
    form = Form(FORM_WIDTHS)
    form.row(label("时间"), _when(inv.held_at), label("地点"), inv.place)
    form.row(label("调查人"), inv.investigator, label("记录人"), inv.recorder)
    form.wide("被调查人", inv.interviewee).wide("调查事项", data.file_title)
    form.text("调查内容", inv.content, 14)
    story += form.flowables()
    story += [Spacer(1, 3 * mm), para("以上记录经被调查人核对无误。", "body"), Spacer(1, 2 * mm)]
    story.append(signature_table([("被调查人", inv.interviewee, "签名（按指印）"), ("调查人", inv.investigator, "签名"),
                                  ("记录人", inv.recorder, "签名")]))
    return story


def session_story(data: CaseDocData, rec: SessionDoc, *, last: bool = False) -> list[Flowable]:
    story = head(data, SESSION_TITLE)
    case = data.case
    rights = (RIGHTS + "\n当事人表示已知悉。") if rec.rights_explained else ""
    outcome = rec.outcome
    if last and case.status == "failed" and case.outcome_note:
        routes = "、".join(ROUTES.get(r, r) for r in case.routes_told)
        outcome = "\n".join(t for t in (outcome, f"调解不成。原因：{case.outcome_note}",
                                        f"已告知当事人可以依法通过{routes}等途径维护自己的权利。" if routes else "") if t)
    form = Form(FORM_WIDTHS)
    form.row(label("时间"), _when(rec.held_at), label("地点"), rec.place)
    form.wide("调解事项", f"{data.file_title}。{case.summary}" if case.summary else data.file_title)
    form.wide("当事人", parties_line(data)).wide("参加人员", rec.attendees)
    form.row(label("人民调解员"), mediators_line(data), label("记录人"), rec.recorder)
    form.text("告知权利义务", rights, 2).text("申请人陈述", rec.applicant_statement, 5)
    form.text("被申请人陈述", rec.respondent_statement, 5).text("其他人员陈述", rec.other_statements, 2)
    form.text("查明的事实", rec.facts_checked, 4).text("调解结果", outcome, 3)
    story += form.flowables()
    story += [Spacer(1, 3 * mm), para("以上记录经当事人核对无误。", "body"), Spacer(1, 2 * mm)]
    entries = [(p.role_label, p.name, "签名（按指印）") for p in data.parties]
    entries += [("人民调解员", m.name, "签名") for m in data.mediators] or [("人民调解员", "", "签名")]
    entries.append(("记录人", rec.recorder, "签名"))
    story.append(signature_table(entries))
    return story


def blank_investigation() -> InvestigationDoc:
    return InvestigationDoc(_BLANK_TIME, "", "", "", "", "")


def blank_session() -> SessionDoc:
    return SessionDoc(_BLANK_TIME, "", "", False, "", "", "", "", "", "")


def investigations_story(data: CaseDocData, index: int | None = None) -> list[Flowable]:
    items = data.investigations if index is None else [data.investigations[index]]
    story: list[Flowable] = []
    for i, inv in enumerate(items or [blank_investigation()]):
        if i:
            story.append(PageBreak())
        story += investigation_story(data, inv)
    return story


def sessions_story(data: CaseDocData, index: int | None = None) -> list[Flowable]:
    items = data.sessions if index is None else [data.sessions[index]]
    story: list[Flowable] = []
    last = data.sessions[-1] if data.sessions else None
    for i, rec in enumerate(items or [blank_session()]):
        if i:
            story.append(PageBreak())
        story += session_story(data, rec, last=rec is last)
    return story


def render_investigation(data: CaseDocData, out: Path | BinaryIO, *, index: int | None = None) -> None:
    """Every investigation record (or only the one at `index`), one after the other."""
    render(investigations_story(data, index), out, data, INVESTIGATION_TITLE)


def render_session(data: CaseDocData, out: Path | BinaryIO, *, index: int | None = None) -> None:
    """Every mediation record (or only the one at `index`), one after the other."""
    render(sessions_story(data, index), out, data, SESSION_TITLE)

