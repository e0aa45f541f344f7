"""Pieces several forms share: the head of a form, the parties' details grid, lists of names, the
long-text rows of a record, and the helper that renders a form's story to a PDF."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from app.documents.case_data import CaseDocData, PartyDoc
from app.documents.layout import FRAME_WIDTH, Cell, Title, build, grid, label, para
from app.documents.wording import age_on

# the parties grid: role | label | value | label | value
PARTY_WIDTHS = (58.0, 76.0, 116.0, 76.0, FRAME_WIDTH - 326.0)
LEFT_COLUMN = PARTY_WIDTHS[0] + PARTY_WIDTHS[1]  # where the grids under the parties' grid divide


def head(data: CaseDocData, title: str, *, number: str | None = None) -> list[Flowable]:
    """The top of a form: the number at the right ("案号：…" unless given), then the title."""
    line = number if number is not None else f"案号：{data.number}"
    return [para(line, "right"), Spacer(1, 2 * mm), Title(title), Spacer(1, 1 * mm)]


def party_rows(party: PartyDoc, on: dt.date) -> list[tuple[str, list[Cell]]]:
    """The grid rows for one party (the role label is added by `party_grid`), each with its shape:
    "pair" (label, value, label, value), "wide" (label, one value across) or "half" (a long label over two
    columns, the value over the other two)."""
    if party.is_organisation:
        return [
            ("wide", [label("名称"), party.name]),
            ("half", [label("统一社会信用代码"), party.credit_code]),
            ("pair", [label(party.agent_kind or "法定代表人"), party.agent_name, label("联系方式"), party.agent_mobile]),
            ("wide", [label("住所"), party.address]),
        ]
    rows: list[tuple[str, list[Cell]]] = [
        ("pair", [label("姓名"), party.name, label("性别"), party.sex]),
        ("pair", [label("民族"), party.ethnicity, label("年龄"), age_on(party.birth_date, on)]),
        ("pair", [label("职业"), party.occupation, label("联系方式"), party.mobile]),
        ("wide", [label("住址或单位"), party.address]),
    ]
    if party.agent_name:
        rows.append(("pair", [label(party.agent_kind or "委托代理人"), party.agent_name, label("联系方式"),
                              party.agent_mobile]))
    return rows


def party_grid(parties: Sequence[PartyDoc], on: dt.date) -> Flowable:
    """The parties' basic details as a grid, one block of rows per party with its role at the left."""
    rows: list[list[Cell]] = []
    spans: list[tuple[int, int, int, int]] = []
    if not parties:
        parties = [PartyDoc("", "applicant", "申请人", "", "", "", None, "", "", ""),
                   PartyDoc("", "respondent", "被申请人", "", "", "", None, "", "", "")]
    for party in parties:
        block = party_rows(party, on)
        start = len(rows)
        for i, (shape, cells) in enumerate(block):
            r = start + i
            role: Cell = label(party.role_label) if i == 0 else ""
            if shape == "wide":
                rows.append([role, cells[0], cells[1], "", ""])
                spans.append((2, r, 4, r))
            elif shape == "half":
                rows.append([role, cells[0], "", cells[1], ""])
                spans += [(1, r, 2, r), (3, r, 4, r)]
            else:
                rows.append([role, *cells])
        spans.append((0, start, 0, start + len(block) - 1))
    return grid(rows, PARTY_WIDTHS, spans=spans, split_in_row=False)


def names(parties: Sequence[PartyDoc]) -> str:
    return "、".join(p.name for p in parties)


def parties_line(data: CaseDocData) -> str:
    """申请人：张三；被申请人：𠮷䶮"""
    parts = []
    for role, role_label in (("applicant", "申请人"), ("respondent", "被申请人"), ("third_party", "第三人")):
        group = data.by_role(role)
        if group:
            parts.append(f"{role_label}：{names(group)}")
    return "；".join(parts)


def mediators_line(data: CaseDocData) -> str:
    return "、".join(m.name for m in data.mediators)


def numbered(items: Sequence[str]) -> str:
    """Lines numbered 1. 2. 3. (lines already numbered stay as they are)."""
    lines = [i.strip() for i in items if i.strip()]
    if len(lines) <= 1:
        return "\n".join(lines)
    result = []
    for n, line in enumerate(lines, start=1):
        result.append(line if line[0].isdigit() or line[0] in "一二三四五六七八九（(" else f"{n}. {line}")
    return "\n".join(result)


def render(story: Sequence[Flowable], out: Path | BinaryIO, data: CaseDocData, title: str) -> None:
    build(story, out, title=f"{title} {data.number}", author=data.committee.name, subject=data.file_title,
          footer_note=data.number)
