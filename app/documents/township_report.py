"""各村人民调解工作统计对比表 (the township's comparison of its villages) as PDF: A4, the township and the
period in the title, the villages' figures side by side (the township's totals as the last row), points, the
villages ranked by resolution rate with a bar chart of the rates, the villages × categories table and each
village's resolution rate over the trend. Same look as the period report (`period_report.py`, whose tables
and chart helpers it uses): Chinese whatever the UI language, the bundled CJK font. No Qt here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer

from app.clock import today
from app.documents.fonts import fonts
from app.documents.layout import FRAME_WIDTH, para
from app.documents.period_report import (
    RESOLVED_COLOR,
    _drawing,
    _heading,
    _slice_cell,
    _value_step,
    build_report,
    percent,
    report_head,
    sign_off,
    table,
    write_pdf,
)
from app.services.township_stats import Figures, TownshipReport

REPORT_TITLE = "各村人民调解工作统计对比表"
TOTAL = "全镇合计"
COLUMNS_PER_TABLE = 5  # categories or trend slices side by side on an A4 page


def _count(value: int | None) -> str:
    return "—" if value is None else str(value)


def comparison_rows(report: TownshipReport) -> list[list[Any]]:
    def row(name: str, f: Figures) -> list[Any]:
        return [name, str(f.accepted), str(f.resolved), str(f.failed), str(f.transferred), percent(f.resolution_rate),
                percent(f.performed_share), "—" if f.median_days is None else f"{f.median_days:g}", _count(f.high_risk)]

    return [*(row(v.village, v.figures) for v in report.villages), row(TOTAL, report.totals)] if report.villages else []


def rate_chart(report: TownshipReport) -> Drawing:
    """Horizontal bars: each ranked village's resolution rate in per cent, the best at the top."""
    main = fonts().main
    ranked = [v for v in report.ranking if v.figures.resolution_rate is not None]
    names = [v.village for v in ranked]
    rates = [round((v.figures.resolution_rate or 0.0) * 100, 1) for v in ranked]
    height = max(len(names), 1) * 20 + 46
    drawing = _drawing(height)
    drawing.add(String(0, height - 12, "各村化解率（%）", fontName=main, fontSize=11))
    chart = HorizontalBarChart()
    chart.x, chart.y = 96, 22
    chart.width, chart.height = FRAME_WIDTH - 136, height - 46
    chart.data = [list(reversed(rates)) or [0]]  # reportlab draws the first at the bottom
    chart.categoryAxis.categoryNames = list(reversed(names)) or [""]
    chart.categoryAxis.labels.fontName, chart.categoryAxis.labels.fontSize = main, 9
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    largest = max([*rates, 100.0])
    step = _value_step(int(largest)) if largest > 100 else 20
    chart.valueAxis.valueMin, chart.valueAxis.valueStep = 0, step
    chart.valueAxis.valueMax = 100 if largest <= 100 else (int(largest) // step + 1) * step
    chart.valueAxis.labels.fontName, chart.valueAxis.labels.fontSize = main, 8
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.Color(0.85, 0.85, 0.85)
    chart.bars[0].fillColor = RESOLVED_COLOR
    chart.bars.strokeColor = None
    chart.barLabelFormat = "%.1f%%"
    chart.barLabels.fontName, chart.barLabels.fontSize = main, 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 2
    drawing.add(chart)
    return drawing


def _wide(first: str, columns: Sequence[str], rows: Sequence[tuple[str, Sequence[str]]], last: str = "") -> list[Flowable]:
    """A villages × columns table, split into several tables of COLUMNS_PER_TABLE columns when it is wider than the page."""
    w = FRAME_WIDTH
    parts: list[Flowable] = []
    chunks = [list(range(i, min(i + COLUMNS_PER_TABLE, len(columns)))) for i in range(0, len(columns), COLUMNS_PER_TABLE)] or [[]]
    for n, chunk in enumerate(chunks):
        extra = [last] if last and n == len(chunks) - 1 else []
        headers = [first, *[columns[i] for i in chunk], *extra]
        width = (w * 0.78) / (COLUMNS_PER_TABLE + (1 if last else 0) if len(chunks) > 1 else max(len(headers) - 1, 1))
        body = [[name, *[values[i] for i in chunk], *([values[-1]] if extra else [])] for name, values in rows]
        parts += [table(headers, body, (w * 0.22, *[width] * (len(headers) - 1)),
                        number_columns=tuple(range(1, len(headers))), total_row=True), Spacer(1, 2 * mm)]
    return parts


def story(report: TownshipReport, printed_on: dt.date | None = None) -> list[Flowable]:
    on = printed_on or today()
    w = FRAME_WIDTH
    parts: list[Flowable] = [
        *report_head(report, REPORT_TITLE, on, f"　　共{len(report.villages)}个村（社区）"),
        _heading("一、各村主要指标"),
        table(("村（社区）", "受理", "化解", "调解不成", "转办", "化解率", "履行率", "用时（天）", "高风险户"),
              comparison_rows(report),
              (w * 0.18, w * 0.08, w * 0.08, w * 0.11, w * 0.08, w * 0.11, w * 0.11, w * 0.12, w * 0.13),
              number_columns=tuple(range(1, 9)), total_row=True),
        para("说明：化解率 = 化解 ÷ 受理（受理为 0 的不计算，记“—”）；履行率 = 协议完全履行 ÷ 回访；用时为受理至协议生效"
             "天数的中位数；全镇合计为各村之和，其化解率、履行率和用时按全镇案件计算。"
             "高风险户为本期最近一轮排查的结果，本期未排查的记“—”。", "small"),
        CondPageBreak(50 * mm), _heading("二、村规民约积分"),
        table(("村（社区）", "加分", "扣分", "兑换"),
              [*([v.village, str(v.figures.points.gained), str(v.figures.points.deducted), str(v.figures.points.redeemed)]
                 for v in report.villages),
               *([[TOTAL, str(report.totals.points.gained), str(report.totals.points.deducted),
                   str(report.totals.points.redeemed)]] if report.villages else [])],
              (w * 0.40, w * 0.2, w * 0.2, w * 0.2), number_columns=(1, 2, 3), total_row=True),
        CondPageBreak(80 * mm), _heading("三、化解率排名"),
        table(("名次", "调解委员会", "化解率", "受理", "化解"),
              [["—" if v.rank is None else str(v.rank), v.name, percent(v.figures.resolution_rate), str(v.figures.accepted),
                str(v.figures.resolved)] for v in report.ranking],
              (w * 0.10, w * 0.42, w * 0.16, w * 0.16, w * 0.16), number_columns=(0, 2, 3, 4)),
        para("说明：化解率相同的名次并列；本期未受理案件的村不参加排名。", "small"),
    ]
    if any(v.figures.resolution_rate is not None for v in report.villages):
        parts += [Spacer(1, 2 * mm), KeepTogether([rate_chart(report)])]
    parts += [CondPageBreak(60 * mm), _heading("四、各村按纠纷类别（受理件数）")]
    if report.categories:
        rows = [(v.village, [*map(str, v.category_counts), str(sum(v.category_counts))]) for v in report.villages]
        rows.append((TOTAL, [*map(str, report.category_totals), str(sum(report.category_totals))]))
        parts += _wide("村（社区）", [c.name for c in report.categories], rows, "合计")
    else:
        parts.append(para("本期没有受理案件。", "body"))
    if report.trend:
        slices = [_slice_cell(t) for t in report.trend]
        rows = [(v.village, [percent(t.resolution_rate) for t in v.trend]) for v in report.villages]
        rows.append((TOTAL, [percent(t.resolution_rate) for t in report.trend]))
        parts += [CondPageBreak(60 * mm), _heading("五、各村化解率趋势"), *_wide("村（社区）", slices, rows),
                  para("说明：各时段化解率 = 该时段化解 ÷ 该时段受理，可能超过 100%（前期受理的案件在本时段化解）。", "small")]
    parts += sign_off()
    return parts


def write_township_report(report: TownshipReport, path: Path) -> None:
    write_pdf(lambda target: render_township_report(report, target), path)


def render_township_report(report: TownshipReport, out: Path | BinaryIO, *, printed_on: dt.date | None = None) -> None:
    build_report(story(report, printed_on), out, report, REPORT_TITLE, f"统计对比 {report.period}")
