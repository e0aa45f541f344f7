"""The printed documents of a mediation case: the Ministry of Justice people's-mediation forms, as PDF.

Plain data in, PDF out: `case_data.collect(session, actor, case_id)` reads a case into a `CaseDocData`;
each renderer takes that data and a path or binary stream. `DOCUMENTS` lists them by key, with the form's
title and whether it applies to a given case. The forms' wording is Chinese whatever the UI language
(see `wording.py`). No Qt in this package.

    data = collect(session, actor, case_id)
    title, render, applies = DOCUMENTS["agreement"]
    if applies(data):
        render(data, Path("协议书.pdf"))
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from app.documents.agreement import render_agreement, render_oral
from app.documents.case_data import CaseDocData, collect
from app.documents.case_file import has_application, render_case_file, render_contents, render_cover
from app.documents.follow_up import render_follow_up
from app.documents.intake import render_application, render_intake
from app.documents.records import render_investigation, render_session

Renderer = Callable[[CaseDocData, Path | BinaryIO], None]
Applicable = Callable[[CaseDocData], bool]


def _always(data: CaseDocData) -> bool:
    return True


def _written(data: CaseDocData) -> bool:
    return data.agreement is not None and data.agreement.kind == "written"


def _oral(data: CaseDocData) -> bool:
    return data.agreement is not None and data.agreement.kind == "oral"


DOCUMENTS: dict[str, tuple[str, Renderer, Applicable]] = {
    "application": ("人民调解申请书", render_application, has_application),
    "intake": ("人民调解受理登记表", render_intake, _always),
    "investigation": ("人民调解调查记录", render_investigation, lambda d: bool(d.investigations)),
    "session": ("人民调解记录", render_session, lambda d: bool(d.sessions)),
    "agreement": ("人民调解协议书", render_agreement, _written),
    "oral": ("人民调解口头协议登记表", render_oral, _oral),
    "follow_up": ("人民调解回访记录", render_follow_up, lambda d: bool(d.visits)),
    "cover": ("卷宗封面", render_cover, _always),
    "contents": ("卷内目录", render_contents, _always),
    "case_file": ("人民调解案件卷宗", render_case_file, _always),
}


def applicable(data: CaseDocData) -> list[str]:
    """The keys of the documents that apply to this case, in the order of `DOCUMENTS`."""
    return [key for key, (_title, _render, applies) in DOCUMENTS.items() if applies(data)]


def render(key: str, data: CaseDocData, out: Path | BinaryIO) -> None:
    """Render the document `key` (KeyError for an unknown key)."""
    DOCUMENTS[key][1](data, out)


__all__ = ["DOCUMENTS", "CaseDocData", "applicable", "collect", "render"]
