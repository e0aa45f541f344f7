"""The case file (卷宗): cover (卷宗封面), contents list (卷内目录), the case's documents in the order of the
contents list, and the back cover (卷内备考表) — one PDF. The contents list gives the page each printed
document starts on; the back cover gives the page count.

The file number is the case's year and sequence in the file series: （2026）甘人调字第0012号 for the case
（2026）甘调字第0012号.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Paragraph, Spacer

from app.documents.agreement import agreement_story, oral_story
from app.documents.case_data import CaseDocData
from app.documents.follow_up import follow_ups_story
from app.documents.fonts import markup, styles
from app.documents.intake import application_story, intake_story
from app.documents.layout import BLANK_DATE, TOTAL_PAGES, Cell, Form, Mark, PageRef, Title, grid, label, para
from app.documents.parts import head, mediators_line, parties_line, render
from app.documents.records import investigations_story, sessions_story
from app.documents.wording import TRANSFER_TARGETS, cn_date

COVER_TITLE = "人民调解卷宗"
CONTENTS_TITLE = "卷内目录"
BACK_COVER_TITLE = "卷内备考表"
CASE_FILE_TITLE = "人民调解案件卷宗"

# attachments that belong to an item of the contents list
_ATTACHMENT_ITEM = {"application": "intake", "signed_agreement": "agreement", "rights_notice": "rights_notice",
                    "id_proof": "id_proof", "power_of_attorney": "power_of_attorney", "evidence": "evidence",
                    "performance_proof": "performance_proof", "judicial_confirmation": "judicial_confirmation"}


def has_application(data: CaseDocData) -> bool:
    return data.case.source == "party_applied"


def cover_story(data: CaseDocData) -> list[Flowable]:
    case = data.case
    result = data.status_label
    if case.status == "transferred" and case.transfer_to:
        result += f"（转{TRANSFER_TARGETS.get(case.transfer_to, case.transfer_to)}）"
    until = cn_date(data.mediation_to) or BLANK_DATE
    padding = [("TOPPADDING", (0, 0), (-1, -1), 8), ("BOTTOMPADDING", (0, 0), (-1, -1), 9)]
    form = Form((0.2, 0.8), extra=padding)
    form.wide("卷宗名称", data.file_title).wide("案号", data.number).wide("纠纷类型", data.category)
    form.wide("当事人", parties_line(data)).wide("人民调解员", mediators_line(data))
    form.wide("调解日期", f"自{cn_date(data.mediation_from)}至{until}").wide("调解结果", result)
    form.wide("立卷人", data.closed_by).wide("立卷日期", cn_date(case.closed_on)).wide("保管期限", data.retention)
    form.text("备注", case.outcome_note, 2)
    subtitle = Paragraph(markup(data.committee.name), styles().subtitle)
    number = Paragraph(markup(f"卷宗号：{data.file_number}"), styles().subtitle)
    return [Spacer(1, 12 * mm), subtitle, Spacer(1, 10 * mm), Title(COVER_TITLE, size=30, char_space=8, space_after=14),
            number, Spacer(1, 14 * mm), *form.flowables(), Spacer(1, 16 * mm),
            para(f"{data.committee.township}　{data.committee.name}", "subtitle")]


def contents_story(data: CaseDocData, printed: set[str] | None = None) -> list[Flowable]:
    """The contents list; with `printed` (the items this PDF holds) the page each of them starts on."""
    attached: dict[str, int] = {}
    for a in data.attachments:
        key = _ATTACHMENT_ITEM.get(a.kind)
        if key:
            attached[key] = attached.get(key, 0) + 1
    s = styles()
    rows: list[list[Cell]] = [[label("序号"), label("文件材料名称"), label("必备"), label("具备情况"), label("页号"),
                               label("备注")]]
    for n, item in enumerate(data.contents, start=1):
        state = "有" if item.present else ("缺" if item.required else "无")
        page: Cell = PageRef(item.key) if printed and item.key in printed else ""
        notes = []
        if item.key in attached:
            notes.append(f"另附{attached[item.key]}份")
        count = {"investigation": len(data.investigations), "mediation_record": len(data.sessions),
                 "follow_up": len(data.visits)}.get(item.key, 0)
        if count > 1:
            notes.append(f"共{count}份")
        rows.append([Paragraph(str(n), s.cell_centre), item.label, Paragraph("必备" if item.required else "", s.cell_centre),
                     Paragraph(markup(state), s.cell_centre), page, "，".join(notes)])
    story = head(data, CONTENTS_TITLE, number=f"卷宗号：{data.file_number}")
    story.append(para(f"卷宗名称：{data.file_title}"))
    story.append(grid(rows, (0.08, 0.40, 0.09, 0.13, 0.10, 0.20)))
    return story


def back_cover_story(data: CaseDocData) -> list[Flowable]:
    attachments = "\n".join(f"{n}. {a.kind_label}：{a.title}" for n, a in enumerate(data.attachments, start=1))
    form = Form((84.0, 143.0, 84.0, 142.5))
    form.row(label("本卷页数"), [PageRef(TOTAL_PAGES, align="left")], label("另附材料"), f"{len(data.attachments)}件")
    form.text("另附材料清单", attachments, 3).text("情况说明", "", 8)
    form.row(label("立卷人"), data.closed_by, label("检查人"), "")
    form.row(label("立卷日期"), cn_date(data.case.closed_on), label("检查日期"), "")
    story = head(data, BACK_COVER_TITLE, number=f"卷宗号：{data.file_number}")
    story.append(para(f"卷宗名称：{data.file_title}"))
    story += form.flowables()
    return story


def _sections(data: CaseDocData) -> dict[str, Callable[[], list[Flowable]]]:
    def intake() -> list[Flowable]:
        if has_application(data):
            return [*application_story(data), PageBreak(), *intake_story(data)]
        return intake_story(data)

    sections: dict[str, Callable[[], list[Flowable]]] = {"intake": intake, "back_cover": lambda: back_cover_story(data)}
    if data.investigations:
        sections["investigation"] = lambda: investigations_story(data)
    if data.sessions:
        sections["mediation_record"] = lambda: sessions_story(data)
    if data.agreement is not None:
        agreement = data.agreement
        sections["agreement"] = lambda: agreement_story(data) if agreement.kind == "written" else oral_story(data)
    if data.visits:
        sections["follow_up"] = lambda: follow_ups_story(data)
    return sections


def case_file_story(data: CaseDocData) -> list[Flowable]:
    sections = _sections(data)
    keys = [item.key for item in data.contents if item.key in sections]
    if "intake" not in keys:
        keys.insert(0, "intake")
    if "back_cover" not in keys:
        keys.append("back_cover")
    story: list[Flowable] = [Mark("cover"), *cover_story(data), PageBreak(), Mark("contents"),
                             *contents_story(data, set(keys))]
    for key in keys:
        story += [PageBreak(), Mark(key), *sections[key]()]
    return story


def render_cover(data: CaseDocData, out: Path | BinaryIO) -> None:
    render(cover_story(data), out, data, COVER_TITLE)


def render_contents(data: CaseDocData, out: Path | BinaryIO) -> None:
    render(contents_story(data), out, data, CONTENTS_TITLE)


def render_case_file(data: CaseDocData, out: Path | BinaryIO) -> None:
    render(case_file_story(data), out, data, CASE_FILE_TITLE)
