"""A period report (`statistics.period_report`) as `.xlsx`: one sheet per table (概况, 按类别, 按来源, 趋势,
调解员, 风险, 积分), the committee and the period in title rows, Chinese headers, figures as numbers (rates as
percentages, dates as dates). The township's comparison (`township_stats.township_report`) likewise: 各村对比,
化解率排名, 各村按类别, 各村趋势."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.errors import ValidationError
from app.i18n import _
from app.services.statistics import BreakdownRow, PeriodReport, TrendPoint
from app.services.township_stats import Figures, TownshipReport
from app.services.xlsx_safety import keep_text_as_text

TITLE_ROWS = 2  # title, committee and period; the headers are on row 3
PERCENT = "0.0%"
LEVELS_ZH = (("低风险户", "low"), ("中风险户", "medium"), ("高风险户", "high"))


def _sheet(wb: Any, title: str, report: PeriodReport | TownshipReport, headers: Sequence[str], rows: Sequence[Sequence[Any]],
           widths: Sequence[int], percent_cells: Sequence[tuple[int, int]] = ()) -> Any:
    """A sheet with the report's title rows, bold headers on row 3, then `rows`. `percent_cells` are
    (row, column) positions, counted from 1 within `rows`, shown as percentages."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    ws.append([f"{report.committee}　{title}"])
    ws["A1"].font = Font(size=14, bold=True)
    ws.append([f"统计期间：{report.period}（{report.start.isoformat()} 至 {report.end.isoformat()}）"])
    ws.append(list(headers))
    for cell in ws[TITLE_ROWS + 1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(list(row))
    for r, c in percent_cells:
        ws.cell(row=TITLE_ROWS + 1 + r, column=c).number_format = PERCENT
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = f"A{TITLE_ROWS + 2}"
    return ws


def _breakdown(rows: Sequence[BreakdownRow]) -> list[list[Any]]:
    body: list[list[Any]] = [[r.label, r.accepted, r.resolved, r.failed, r.transferred,
                              r.resolved / r.accepted if r.accepted else None] for r in rows]
    total = [sum(getattr(r, name) for r in rows) for name in ("accepted", "resolved", "failed", "transferred")]
    body.append(["合计", *total, total[1] / total[0] if total[0] else None])
    return body


def export_xlsx(report: PeriodReport, path: Path) -> None:
    """Write the report to `path` (through a temporary file, so a failed write leaves no half file)."""
    from openpyxl import Workbook

    wb = Workbook()
    default = wb.active
    if default is not None:
        wb.remove(default)
    overview: list[list[Any]] = [
        ["受理案件数", report.accepted, "件"],
        ["化解案件数（协议生效）", report.resolved, "件"],
        ["化解率", report.resolution_rate, "受理为 0 时不计算" if report.resolution_rate is None else ""],
        ["调解不成", report.failed, "件"],
        ["转办", report.transferred, "件"],
        ["撤回", report.withdrawn, "件"],
        ["回访次数", report.follow_ups, "次"],
        ["完全履行", report.performed_fully, "次"],
        ["协议履行率", report.performed_share, "无回访时不计算" if report.performed_share is None else ""],
        ["化解平均用时（中位数）", report.median_days, "天"],
    ]
    _sheet(wb, "概况", report, ["指标", "数值", "说明"], overview, (26, 12, 20), [(3, 2), (9, 2)])
    for title, rows in (("按类别", report.by_category), ("按来源", report.by_source)):
        body = _breakdown(rows)
        _sheet(wb, title, report, ["类别" if title == "按类别" else "来源", "受理", "化解", "调解不成", "转办", "化解率"],
               body, (22, 10, 10, 10, 10, 10), [(i, 6) for i in range(1, len(body) + 1)])
    trend = [[t.label, t.start, t.end, t.accepted, t.resolved, t.failed, t.transferred, t.resolution_rate] for t in report.trend]
    ws = _sheet(wb, "趋势", report, ["时段", "起", "止", "受理", "化解", "调解不成", "转办", "化解率"], trend,
                (12, 12, 12, 8, 8, 10, 8, 10), [(i, 8) for i in range(1, len(trend) + 1)])
    _dates(ws, (2, 3))
    _sheet(wb, "调解员", report, ["序号", "姓名", "身份", "受理案件数", "化解案件数"],
           [[i, m.name, m.role_label, m.cases, m.resolved] for i, m in enumerate(report.mediators, start=1)], (6, 14, 18, 12, 12))
    if report.risk is None:
        risk_rows: list[list[Any]] = [["本期无排查轮次", None]]
    else:
        rs = report.risk
        risk_rows = [["排查季度", rs.quarter], *[[label, getattr(rs, key)] for label, key in LEVELS_ZH],
                     ["未评估户", rs.not_assessed], ["上一轮", rs.previous_quarter or "无"],
                     ["风险上升户", rs.went_up], ["风险下降户", rs.went_down]]
    _sheet(wb, "风险", report, ["项目", "数值"], risk_rows, (18, 12))
    _sheet(wb, "积分", report, ["项目", "积分"],
           [["加分", report.points.gained], ["减分", report.points.deducted], ["兑换", report.points.redeemed]], (12, 12))
    _save(wb, path)


def _save(wb: Any, path: Path) -> None:
    tmp = path.with_name(path.name + ".part")
    try:
        keep_text_as_text(wb)
        wb.save(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ValidationError("file", _("Cannot write {path}: {error}").format(path=path, error=exc.strerror or exc)) from exc


def _dates(ws: Any, columns: tuple[int, int]) -> None:
    for row in ws.iter_rows(min_row=TITLE_ROWS + 2, min_col=columns[0], max_col=columns[1]):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"


COMPARISON_HEADERS = ("调解委员会", "代码", "受理", "化解", "调解不成", "转办", "化解率", "协议履行率", "化解用时中位数（天）",
                      "高风险户", "积分加分", "积分减分", "积分兑换")


def _figures(f: Figures) -> list[Any]:
    return [f.accepted, f.resolved, f.failed, f.transferred, f.resolution_rate, f.performed_share, f.median_days,
            f.high_risk, f.points.gained, f.points.deducted, f.points.redeemed]


def _trend_row(name: str, t: TrendPoint) -> list[Any]:
    return [name, t.label, t.start, t.end, t.accepted, t.resolved, t.failed, t.transferred, t.resolution_rate]


def export_township_xlsx(report: TownshipReport, path: Path) -> None:
    """The township's comparison of its villages to `path`: one sheet per table, the township and the period
    in the title rows, the township's totals as the last row."""
    from openpyxl import Workbook

    wb = Workbook()
    default = wb.active
    if default is not None:
        wb.remove(default)
    rows = [[v.name, v.code, *_figures(v.figures)] for v in report.villages]
    rows.append(["全镇合计", "", *_figures(report.totals)])
    _sheet(wb, "各村对比", report, COMPARISON_HEADERS, rows, (26, 8, 8, 8, 10, 8, 10, 12, 20, 10, 10, 10, 10),
           [(r, c) for r in range(1, len(rows) + 1) for c in (7, 8)])
    ranking = [[v.rank, v.name, v.figures.resolution_rate, v.figures.accepted, v.figures.resolved] for v in report.ranking]
    _sheet(wb, "化解率排名", report, ["名次", "调解委员会", "化解率", "受理", "化解"], ranking, (8, 26, 10, 8, 8),
           [(r, 3) for r in range(1, len(ranking) + 1)])
    categories = [[v.name, *v.category_counts, sum(v.category_counts)] for v in report.villages]
    categories.append(["全镇合计", *report.category_totals, sum(report.category_totals)])
    _sheet(wb, "各村按类别", report, ["调解委员会（受理件数）", *[c.name for c in report.categories], "合计"], categories,
           (26, *[12] * len(report.categories), 10))
    trend = [_trend_row(v.name, t) for v in report.villages for t in v.trend]
    trend += [_trend_row("全镇合计", t) for t in report.trend]
    ws = _sheet(wb, "各村趋势", report, ["调解委员会", "时段", "起", "止", "受理", "化解", "调解不成", "转办", "化解率"], trend,
                (26, 10, 12, 12, 8, 8, 10, 8, 10), [(i, 9) for i in range(1, len(trend) + 1)])
    _dates(ws, (3, 4))
    _save(wb, path)
