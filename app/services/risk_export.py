"""The risk ledger (风险排查台账) of a round as `.xlsx`: one row per household, sensitive factors masked
for roles that may not see them."""

from __future__ import annotations

import os
from pathlib import Path

from sqlmodel import Session

from app.clock import today
from app.errors import NotFound, ValidationError
from app.i18n import _
from app.models.risk import RiskRound
from app.services import audit, committee, risk
from app.services.context import Actor, require
from app.services.xlsx_safety import keep_text_as_text

HEADERS = ["序号", "户号", "户主", "村民小组", "风险等级", "评估进度", "风险因素", "包保责任人", "下次走访", "调整理由"]
LEVELS_ZH = {"low": "低", "medium": "中", "high": "高", "": "未评估"}
STAGES_ZH = {0: "未评估", 1: "村民小组已评", 2: "村委会已确认", 3: "镇工作队已审核"}


def export_ledger(session: Session, actor: Actor, round_id: str, path: Path, *, group_id: str | None = None) -> int:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    require(actor, "risk.read")
    rnd = session.get(RiskRound, round_id)
    if rnd is None:
        raise NotFound(_("There is no risk round with id {id}.").format(id=round_id))
    desk = committee.require_current(session)
    rows = risk.households_in_round(session, actor, round_id, group_id=group_id)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "风险排查台账"
    ws.append([f"{desk.village or desk.name}风险排查台账（{rnd.quarter}）"])
    ws["A1"].font = Font(size=14, bold=True)
    ws.append([f"{desk.name}　导出日期：{today().isoformat()}"])
    ws.append(HEADERS)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    fills = {"high": PatternFill("solid", fgColor="F8D7DA"), "medium": PatternFill("solid", fgColor="FFF3CD")}
    for i, r in enumerate(rows, start=1):
        ws.append([i, r.number, r.head_name, r.group_name, LEVELS_ZH.get(r.level, r.level), STAGES_ZH.get(r.stage, ""),
                   "、".join(r.factors), r.cadre, r.next_visit_due.isoformat() if r.next_visit_due else "", r.reason])
        ws.cell(row=ws.max_row, column=2).number_format = "@"
        if r.level in fills:
            ws.cell(row=ws.max_row, column=5).fill = fills[r.level]
    for letter, width in zip("ABCDEFGHIJ", (6, 10, 10, 10, 9, 14, 36, 12, 12, 30), strict=True):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=4):
        row[6].alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A4"
    tmp = path.with_name(path.name + ".part")
    try:
        keep_text_as_text(wb)
        wb.save(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ValidationError("file", _("Cannot write {path}: {error}").format(path=path, error=exc.strerror or exc)) from exc
    audit.record(session, actor, "export", table="risk_assessment", record_id=round_id, summary=f"{rnd.quarter} {path.name}")
    return len(rows)
