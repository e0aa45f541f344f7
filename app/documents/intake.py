"""人民调解申请书 (application) and 人民调解受理登记表 (intake register)."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from app.documents.case_data import CaseDocData
from app.documents.layout import FRAME_WIDTH, Form, label, para, signature_table, signatures_and_seal
from app.documents.parts import LEFT_COLUMN, head, mediators_line, numbered, party_grid, render
from app.documents.wording import VOLUNTARY, cn_date

APPLICATION_TITLE = "人民调解申请书"
INTAKE_TITLE = "人民调解受理登记表"
FORM_WIDTHS = (84.0, 143.0, 84.0, 142.5)


def _account(data: CaseDocData) -> str:
    case = data.case
    return "\n".join(t for t in (case.summary, case.facts) if t)


def application_story(data: CaseDocData) -> list[Flowable]:
    case = data.case
    story = head(data, APPLICATION_TITLE)
    story.append(party_grid(data.parties, case.received_on))
    form = Form((LEFT_COLUMN, FRAME_WIDTH - LEFT_COLUMN))
    form.text("纠纷简要情况", _account(data), 5).text("申请事项", numbered(case.requests.split("\n")), 3)
    story += form.flowables()
    story += [Spacer(1, 4 * mm), para(VOLUNTARY, "body_indent"), Spacer(1, 2 * mm), para("此致"),
              para(data.committee.name), Spacer(1, 3 * mm)]
    applicants = data.by_role("applicant") or data.parties[:1]
    entries = [("申请人", p.name, "签名（盖章或按指印）") for p in applicants] or [("申请人", "", "签名（盖章或按指印）")]
    story.append(signature_table(entries, cn_date(case.received_on)))
    return story


def intake_story(data: CaseDocData) -> list[Flowable]:
    case = data.case
    story = head(data, INTAKE_TITLE)
    party_lines = []
    for p in data.parties:
        details = "，".join(x for x in (p.sex, p.ethnicity, p.address, p.mobile or p.agent_mobile) if x)
        party_lines.append(f"{p.role_label}：{p.name}" + (f"（{details}）" if details else ""))
    form = Form(FORM_WIDTHS)
    form.row(label("登记日期"), cn_date(case.received_on), label("纠纷类型"), data.category)
    form.row(label("纠纷来源"), data.source_label, label("办理期限"), f"{cn_date(case.deadline)}前")
    form.text("当事人", "\n".join(party_lines), 2)
    form.text("纠纷简要情况", _account(data), 5).text("争议焦点", case.points_in_dispute, 2)
    form.text("当事人请求", numbered(case.requests.split("\n")), 2)
    form.row(label("承办人民调解员"), mediators_line(data), label("登记人"), data.registrar)
    story += form.flowables()
    story += [Spacer(1, 4 * mm), para("当事人及登记人签名：", "heading")]
    entries = [(p.role_label, p.name, "签名（按指印）") for p in data.parties] or [("当事人", "", "签名（按指印）")]
    entries.append(("登记人", data.registrar, "签名"))
    story += signatures_and_seal(entries, data.committee.seal_text, cn_date(case.received_on), data.committee.name)
    return story


def render_application(data: CaseDocData, out: Path | BinaryIO) -> None:
    render(application_story(data), out, data, APPLICATION_TITLE)


def render_intake(data: CaseDocData, out: Path | BinaryIO) -> None:
    render(intake_story(data), out, data, INTAKE_TITLE)
