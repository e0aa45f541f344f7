"""人民调解工作统计报表 (the period report) as PDF: A4, the committee and the period in the title, the
figures as tables (案件概况, 按纠纷类别, 按案件来源, 趋势, 调解员办案数, 风险排查, 积分) and bar charts drawn with
reportlab.graphics (categories, sources, the trend), every label Chinese in the bundled font.

Plain data in, PDF out: `render_period_report(report, out)` takes a `statistics.PeriodReport`. The printed
wording is Chinese whatever the UI language (like the forms): categories by the committee's own names,
sources and mediator roles from `wording.py`. No Qt here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from app.clock import today
from app.documents.fonts import fonts, markup, styles
from app.documents.layout import FRAME_WIDTH, GRID_WIDTH, build, para, title_block
from app.documents.points_notice import period_label
from app.documents.wording import MEDIATOR_ROLE, SOURCE, cn_date
from app.errors import ValidationError
from app.i18n import _
from app.services.periods import Period
from app.services.statistics import BreakdownRow, PeriodReport, TrendPoint
from app.services.township_stats import TownshipReport

REPORT_TITLE = "人民调解工作统计报表"
ACCEPTED_COLOR = colors.Color(0.17, 0.42, 0.69)  # the accent blue of the window
RESOLVED_COLOR = colors.Color(0.18, 0.52, 0.35)  # green
HEADER_TINT = colors.Color(0.90, 0.90, 0.90)
CN_QUARTERS = {"1": "一", "2": "二", "3": "三", "4": "四"}
NOT_COMPUTED = "—"


# ---------------------------------------------------------------- words and numbers

def percent(value: float | None) -> str:
    return NOT_COMPUTED if value is None else f"{value * 100:.1f}%"


def days_text(value: float | None) -> str:
    return NOT_COMPUTED if value is None else f"{value:g} 天"


def slice_words(text: str, first: bool) -> str:
    """A trend slice as a chart's tick: 2026-11 → "11月" (the year above it on the first slice and in January),
    2026Q4 → "2026年\\n第四季度", 2026 → "2026年"."""
    if "Q" in text:
        year, quarter = text.split("Q")
        return f"{year}年\n第{CN_QUARTERS.get(quarter, quarter)}季度"
    if "-" in text:
        year, month = text.split("-")
        return f"{year}年\n{int(month)}月" if first or int(month) == 1 else f"\n{int(month)}月"
    return f"{text}年"


def slice_name(text: str) -> str:
    """A trend slice in a table: 2026年11月, 2026年第四季度, 2026年."""
    return "".join(slice_words(text, True).split())


def _slice_cell(point: TrendPoint) -> str:
    """A slice in the trend table: 2026年11月, or its dates when a custom range cuts it short."""
    if point.whole:
        return slice_name(point.label)
    a, b = point.start, point.end
    if (a.year, a.month) == (b.year, b.month):
        return f"{a.year}年{a.month}月{a.day}—{b.day}日"
    if a.year == b.year:
        return f"{a.year}年{a.month}月{a.day}日—{b.month}月{b.day}日"
    return f"{cn_date(a)}至{cn_date(b)}"


def source_name(row: BreakdownRow) -> str:
    return SOURCE.get(row.key, row.label)


def category_name(row: BreakdownRow) -> str:
    return row.name or row.label


# ---------------------------------------------------------------- tables

def _p(text: str, style: str = "cell") -> Paragraph:
    return Paragraph(markup(text), getattr(styles(), style))


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float], *,
          number_columns: Sequence[int] = (), total_row: bool = False) -> Table:
    """A grid with a grey header row; numbers right-aligned; text cells wrap."""
    body: list[list[Any]] = [[_p(h, "cell_centre") for h in headers]]
    for row in rows:
        body.append([cell if i in number_columns else _p(str(cell)) for i, cell in enumerate(row)])
    if not rows:
        body.append([_p("本期没有数据。"), *[""] * (len(headers) - 1)])
    t = Table(body, colWidths=list(widths), repeatRows=1, hAlign="LEFT")
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), fonts().main),
        ("FONTSIZE", (0, 0), (-1, -1), 10.5),
        ("GRID", (0, 0), (-1, -1), GRID_WIDTH, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_TINT),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    for column in number_columns:
        commands.append(("ALIGN", (column, 1), (column, -1), "RIGHT"))
    if not rows:
        commands.append(("SPAN", (0, 1), (-1, 1)))
    if total_row and rows:
        commands.append(("BACKGROUND", (0, -1), (-1, -1), colors.Color(0.96, 0.96, 0.96)))
    t.setStyle(TableStyle(commands))
    return t


def overview_rows(report: PeriodReport) -> list[list[Any]]:
    return [
        ["受理案件", str(report.accepted), "件", "受理日期在本期内"],
        ["化解案件（协议生效）", str(report.resolved), "件", "协议生效日期在本期内"],
        ["化解率", percent(report.resolution_rate), "", "化解 ÷ 受理" + ("；受理为 0，不计算" if report.resolution_rate is None else "")],
        ["调解不成", str(report.failed), "件", ""],
        ["转办", str(report.transferred), "件", ""],
        ["撤回", str(report.withdrawn), "件", ""],
        ["回访", str(report.follow_ups), "次", ""],
        ["协议完全履行", str(report.performed_fully), "次", "回访时确认"],
        ["协议履行率", percent(report.performed_share), "",
         "完全履行 ÷ 回访" + ("；无回访，不计算" if report.performed_share is None else "")],
        ["化解用时（中位数）", NOT_COMPUTED if report.median_days is None else f"{report.median_days:g}", "天", "受理至协议生效"],
    ]


def breakdown_rows(rows: Sequence[BreakdownRow], name: Any) -> list[list[Any]]:
    body: list[list[Any]] = [[name(r), str(r.accepted), str(r.resolved), str(r.failed), str(r.transferred),
                              percent(r.resolution_rate)] for r in rows]
    if rows:
        totals = [sum(getattr(r, key) for r in rows) for key in ("accepted", "resolved", "failed", "transferred")]
        body.append(["合计", *[str(t) for t in totals], percent(totals[1] / totals[0] if totals[0] else None)])
    return body


# ---------------------------------------------------------------- charts

def _drawing(height: float) -> Drawing:
    drawing = Drawing(FRAME_WIDTH, height)
    drawing.initialFontName = fonts().main  # else reportlab names Helvetica in the PDF, unused
    return drawing


def _legend(drawing: Drawing, x: float, y: float) -> None:
    legend = Legend()
    legend.x, legend.y = x - 100, y
    legend.fontName, legend.fontSize = fonts().main, 9
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.deltax = 60
    legend.dx = legend.dy = 8
    legend.colorNamePairs = [(ACCEPTED_COLOR, "受理"), (RESOLVED_COLOR, "化解")]
    drawing.add(legend)


def _value_step(largest: int) -> int:
    """A round step for the value axis: about 5 gridlines."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000):
        if largest / step <= 6:
            return step
    return max(1, largest // 5)


def bars_by(names: Sequence[str], accepted: Sequence[int], resolved: Sequence[int], title: str) -> Drawing:
    """Horizontal grouped bars (受理, 化解) per name: long Chinese names read across, not rotated."""
    main = fonts().main
    row_height = 26
    height = max(len(names), 1) * row_height + 46
    drawing = _drawing(height)
    drawing.add(String(0, height - 12, title, fontName=main, fontSize=11))
    chart = HorizontalBarChart()
    chart.x, chart.y = 96, 22
    chart.width, chart.height = FRAME_WIDTH - 130, height - 46
    # reportlab draws the first category, and the first series of a group, at the bottom: reverse both, so the
    # table's order reads top-down and 受理 is above 化解 as in the legend
    chart.data = [list(reversed(resolved)) or [0], list(reversed(accepted)) or [0]]
    chart.categoryAxis.categoryNames = list(reversed(names)) or [""]
    chart.categoryAxis.labels.fontName, chart.categoryAxis.labels.fontSize = main, 9
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    largest = max([*accepted, *resolved, 1])
    chart.valueAxis.valueMin, chart.valueAxis.valueStep = 0, _value_step(largest)
    chart.valueAxis.valueMax = (largest // chart.valueAxis.valueStep + 1) * chart.valueAxis.valueStep
    chart.valueAxis.labels.fontName, chart.valueAxis.labels.fontSize = main, 8
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.Color(0.85, 0.85, 0.85)
    chart.bars[0].fillColor, chart.bars[1].fillColor = RESOLVED_COLOR, ACCEPTED_COLOR
    chart.bars.strokeColor = None
    chart.barSpacing, chart.groupSpacing = 1, 6
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName, chart.barLabels.fontSize = main, 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 2
    drawing.add(chart)
    _legend(drawing, FRAME_WIDTH - 4, height - 6)
    return drawing


def trend_chart(report: PeriodReport) -> Drawing:
    """Vertical grouped bars (受理, 化解) per month, quarter or year of the trend."""
    main = fonts().main
    height = 190.0
    drawing = _drawing(height)
    drawing.add(String(0, height - 12, "受理与化解趋势", fontName=main, fontSize=11))
    chart = VerticalBarChart()
    chart.x, chart.y = 34, 34
    chart.width, chart.height = FRAME_WIDTH - 44, height - 70
    points = report.trend
    chart.data = [[p.accepted for p in points] or [0], [p.resolved for p in points] or [0]]
    chart.categoryAxis.categoryNames = [slice_words(p.label, i == 0) for i, p in enumerate(points)] or [""]
    chart.categoryAxis.labels.fontName, chart.categoryAxis.labels.fontSize = main, 8
    chart.categoryAxis.labels.boxAnchor = "n"
    chart.categoryAxis.labels.leading = 10
    largest = max([*chart.data[0], *chart.data[1], 1])
    chart.valueAxis.valueMin, chart.valueAxis.valueStep = 0, _value_step(largest)
    chart.valueAxis.valueMax = (largest // chart.valueAxis.valueStep + 1) * chart.valueAxis.valueStep
    chart.valueAxis.labels.fontName, chart.valueAxis.labels.fontSize = main, 8
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.Color(0.85, 0.85, 0.85)
    chart.bars[0].fillColor, chart.bars[1].fillColor = ACCEPTED_COLOR, RESOLVED_COLOR
    chart.bars.strokeColor = None
    chart.barSpacing, chart.groupSpacing = 1, 5 if len(points) > 8 else 10
    drawing.add(chart)
    _legend(drawing, FRAME_WIDTH - 4, height - 6)
    return drawing


# ---------------------------------------------------------------- the story

def _heading(text: str) -> Paragraph:
    return para(text, "heading")


def sign_off() -> list[Flowable]:
    """The end of a report: where the preparer and the reviewer sign, and the seal."""
    return [Spacer(1, 8 * mm), para("填表人：＿＿＿＿＿＿　　　审核人：＿＿＿＿＿＿　　　（盖章）", "body")]


def period_line(report: PeriodReport | TownshipReport) -> str:
    label = period_label(Period(report.start, report.end, report.period))
    span = f"{cn_date(report.start)}至{cn_date(report.end)}"
    return f"统计期间：{label}" + ("" if label == span else f"（{span}）")


def report_head(report: PeriodReport | TownshipReport, title: str, on: dt.date, more: str = "") -> list[Flowable]:
    """The head of a statistics report: the committee and the title (`title_block`), then the period and the day
    the table was made (and `more`)."""
    return [*title_block(report.committee, title),
            para(f"{period_line(report)}　　制表日期：{cn_date(on)}{more}", "small_centre"), Spacer(1, 3 * mm)]


def story(report: PeriodReport, printed_on: dt.date | None = None) -> list[Flowable]:
    on = printed_on or today()
    w = FRAME_WIDTH
    parts: list[Flowable] = [
        *report_head(report, REPORT_TITLE, on),
        _heading("一、案件概况"),
        table(("指标", "数值", "单位", "说明"), overview_rows(report), (w * 0.30, w * 0.14, w * 0.08, w * 0.48), number_columns=(1,)),
    ]
    for number, title, rows, name, column in (
            ("二", "按纠纷类别", report.by_category, category_name, "纠纷类别"),
            ("三", "按案件来源", report.by_source, source_name, "案件来源")):
        parts += [CondPageBreak(60 * mm), _heading(f"{number}、{title}"),
                  table((column, "受理", "化解", "调解不成", "转办", "化解率"), breakdown_rows(rows, name),
                        (w * 0.30, w * 0.13, w * 0.13, w * 0.15, w * 0.13, w * 0.16), number_columns=(1, 2, 3, 4, 5),
                        total_row=True)]
        if rows:
            parts += [Spacer(1, 2 * mm), KeepTogether([bars_by([name(r) for r in rows], [r.accepted for r in rows],
                                                               [r.resolved for r in rows], f"{title}：受理与化解（件）")])]
    if report.trend:
        parts += [CondPageBreak(90 * mm), _heading("四、趋势"), trend_chart(report), Spacer(1, 2 * mm),
                  table(("时段", "受理", "化解", "调解不成", "转办", "化解率"),
                        [[_slice_cell(p), str(p.accepted), str(p.resolved), str(p.failed), str(p.transferred),
                          percent(p.resolution_rate)] for p in report.trend],
                        (w * 0.30, w * 0.13, w * 0.13, w * 0.15, w * 0.13, w * 0.16), number_columns=(1, 2, 3, 4, 5))]
    parts += [CondPageBreak(50 * mm), _heading("五、调解员办案数"),
              table(("序号", "姓名", "身份", "参与受理案件", "参与化解案件"),
                    [[str(i), m.name, MEDIATOR_ROLE.get(m.role, m.role_label), str(m.cases), str(m.resolved)]
                     for i, m in enumerate(report.mediators, start=1)],
                    (w * 0.10, w * 0.22, w * 0.24, w * 0.22, w * 0.22), number_columns=(0, 3, 4)),
              para("说明：一件案件由几名调解员共同调解的，每人各计一件（个案补贴按此核对）。", "small")]
    parts += [CondPageBreak(50 * mm), _heading("六、风险排查")]
    if report.risk is None:
        parts.append(para("本期没有风险排查轮次。", "body"))
    else:
        rs = report.risk
        risk_rows: list[list[Any]] = [["高风险户", str(rs.high)], ["中风险户", str(rs.medium)], ["低风险户", str(rs.low)],
                                      ["未评估户", str(rs.not_assessed)]]
        if rs.previous_quarter is not None:
            risk_rows += [[f"较{period_label(rs.previous_quarter)}风险上升", str(rs.went_up)],
                     [f"较{period_label(rs.previous_quarter)}风险下降", str(rs.went_down)]]
        parts += [para(f"排查轮次：{period_label(rs.quarter)}", "small"),
                  table(("项目", "户数"), risk_rows, (w * 0.5, w * 0.2), number_columns=(1,))]
    parts += [CondPageBreak(40 * mm), _heading("七、村规民约积分"),
              table(("项目", "积分"), [["加分", str(report.points.gained)], ["扣分", str(report.points.deducted)],
                                      ["兑换", str(report.points.redeemed)]], (w * 0.5, w * 0.2), number_columns=(1,)),
              para("说明：只计已生效的积分记录（待审核、已驳回的不计）；冲正记录按其正负计入加分或扣分。", "small"),
              *sign_off()]
    return parts


def write_pdf(render: Callable[[Path], None], path: Path) -> None:
    """`render(path)` (through a temporary file); a file that cannot be written is bad input, not a bug."""
    try:
        render(path)
    except OSError as exc:
        path.with_name(path.name + ".part").unlink(missing_ok=True)
        raise ValidationError("file", _("Cannot write {path}: {error}").format(path=path, error=exc.strerror or exc)) from exc


def build_report(parts: list[Flowable], out: Path | BinaryIO, report: PeriodReport | TownshipReport, title: str,
                 footer_note: str) -> None:
    """The PDF with the committee, the title and the period in its properties."""
    label = period_label(Period(report.start, report.end, report.period))
    build(parts, out, title=f"{report.committee} {title} {label}", author=report.committee, subject=title,
          footer_note=footer_note)


def write_period_report(report: PeriodReport, path: Path) -> None:
    write_pdf(lambda target: render_period_report(report, target), path)


def render_period_report(report: PeriodReport, out: Path | BinaryIO, *, printed_on: dt.date | None = None) -> None:
    build_report(story(report, printed_on), out, report, REPORT_TITLE, f"统计报表 {report.period}")
