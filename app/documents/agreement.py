"""人民调解协议书 (written agreement, 人民调解法 art. 28–29) and 人民调解口头协议登记表 (oral agreement
register, art. 28, 30). The terms are running text, so a long agreement flows onto further pages."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from app.documents.case_data import AgreementDoc, CaseDocData, TermDoc
from app.documents.layout import Form, label, para, paras, signatures_and_seal, text_or_lines
from app.documents.parts import head, mediators_line, party_grid, render
from app.documents.wording import EFFECT, ORAL_EFFECT, cn_date, cn_number

AGREEMENT_TITLE = "人民调解协议书"
ORAL_TITLE = "人民调解口头协议登记表"


def format_amount(amount: str) -> str:
    """12000 -> 12,000; 350.5 -> 350.50."""
    whole, _, cents = amount.partition(".")
    grouped = f"{int(whole):,}" if whole.isdigit() else whole
    return f"{grouped}.{cents.ljust(2, '0')}" if cents else grouped


def term_text(n: int, term: TermDoc) -> str:
    """一、张三补偿𠮷䶮…"""
    return f"{cn_number(n)}、{term.text}"


def amount_text(term: TermDoc) -> str:
    """金额：12,000元（大写：人民币壹万贰仟元整） — on a line of its own, so the capitals stay together."""
    return f"金额：{format_amount(term.amount)}元（大写：{term.capitals}）" if term.amount else ""


def term_flowables(n: int, term: TermDoc) -> list[Flowable]:
    story = paras(term_text(n, term), "body_indent")
    if term.amount:
        story.append(para(amount_text(term), "amount"))
    return story


def _performance(agreement: AgreementDoc | None) -> str:
    if agreement is None:
        return ""
    parts = []
    if agreement.performance_manner:
        parts.append(f"履行方式：{agreement.performance_manner}")
    if agreement.performance_deadline:
        parts.append(f"履行期限：于{cn_date(agreement.performance_deadline)}前履行完毕。")
    return "\n".join(parts)


def _section(title: str, text: str, lines: int) -> list[Flowable]:
    heading = para(title, "heading")
    heading.keepWithNext = True
    return [heading, *text_or_lines(text, lines, style="body_indent", spacing=24)]


def agreement_story(data: CaseDocData) -> list[Flowable]:
    agreement = data.agreement
    case = data.case
    on = (agreement.effective_on if agreement else None) or data.printed_on
    story = head(data, AGREEMENT_TITLE, number=data.number)
    story.append(party_grid(data.parties, on))
    facts = (agreement.facts if agreement else "") or case.facts or case.summary
    story += _section("纠纷主要事实", facts, 4)
    story += _section("争议事项", case.points_in_dispute, 2)
    story += _section("各方责任", agreement.responsibilities if agreement else "", 2)
    both = "双方" if len(data.parties) <= 2 else "各方"
    heading = para(f"经人民调解委员会调解，{both}当事人自愿达成如下协议：", "heading")
    heading.keepWithNext = True
    story.append(heading)
    terms = agreement.terms if agreement else ()
    if terms:
        for n, term in enumerate(terms, start=1):
            story += term_flowables(n, term)
    else:
        story += text_or_lines("", 6, style="body", spacing=24)
    story += _section("履行方式、时限", _performance(agreement), 2)
    copies = agreement.copies if agreement else len(data.parties) + 1
    closing: list[Flowable] = [
        Spacer(1, 2 * mm), para(f"本协议一式{cn_number(copies)}份，当事人各执一份，调解委员会留存一份。", "body_indent"),
        para(EFFECT, "body_indent"), Spacer(1, 3 * mm)]
    entries = [(p.role_label, p.name, "签名（按指印）") for p in data.parties]
    entries += [("人民调解员", m.name, "签名") for m in data.mediators] or [("人民调解员", "", "签名")]
    entries.append(("记录人", data.recorder, "签名"))
    day = cn_date(agreement.effective_on if agreement else None)
    signing = signatures_and_seal(entries, data.committee.seal_text, day, data.committee.name)
    # the page the parties sign also carries the end of the agreement's text, never the signatures alone
    if len(entries) <= 6:
        story.append(KeepTogether([*closing, *signing]))
    else:
        story += closing + signing
    return story


def _terms_cell(terms: tuple[TermDoc, ...]) -> list[Flowable]:
    cell: list[Flowable] = []
    for n, term in enumerate(terms, start=1):
        cell += paras(term_text(n, term), "cell")
        if term.amount:
            cell.append(para(amount_text(term), "cell_amount"))
    return cell


def oral_story(data: CaseDocData) -> list[Flowable]:
    agreement = data.agreement
    case = data.case
    terms = agreement.terms if agreement else ()
    party_lines = []
    for p in data.parties:
        details = "，".join(x for x in (p.sex, p.ethnicity, p.address, p.mobile or p.agent_mobile) if x)
        party_lines.append(f"{p.role_label}：{p.name}" + (f"（{details}）" if details else ""))
    form = Form((84.0, 143.0, 84.0, 142.5))
    form.row(label("案号"), data.number, label("达成日期"), cn_date(agreement.effective_on if agreement else None))
    form.text("当事人", "\n".join(party_lines), 2)
    form.text("纠纷简要情况", (agreement.facts if agreement else "") or case.facts or case.summary, 4)
    form.text("争议事项", case.points_in_dispute, 2)
    form.block("协议内容", _terms_cell(terms), 5)
    form.text("履行方式、时限", _performance(agreement), 2)
    form.row(label("人民调解员"), mediators_line(data), label("登记人"), data.recorder or mediators_line(data))
    form.wide("备注", ORAL_EFFECT)
    story = head(data, ORAL_TITLE)
    story += form.flowables()
    story.append(Spacer(1, 6 * mm))
    entries = [("人民调解员", m.name, "签名") for m in data.mediators] or [("人民调解员", "", "签名")]
    day = cn_date(agreement.effective_on if agreement else None)
    story += signatures_and_seal(entries, data.committee.seal_text, day, data.committee.name)
    return story


def render_agreement(data: CaseDocData, out: Path | BinaryIO) -> None:
    render(agreement_story(data), out, data, AGREEMENT_TITLE)


def render_oral(data: CaseDocData, out: Path | BinaryIO) -> None:
    render(oral_story(data), out, data, ORAL_TITLE)
