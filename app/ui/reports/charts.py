"""Bar charts for the statistics section, with QtCharts: grouped bars (accepted and resolved) across
categories, sources or the slices of the trend. Names read across (horizontal bars for long Chinese
category names), values are whole numbers on the bars, the application's font (the bundled CJK font)
everywhere, no animation. An empty chart says so in words instead of drawing empty axes."""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import QApplication, QLabel, QStackedWidget, QVBoxLayout, QWidget

from app.ui.widgets import HINT_COLOR, bigger

ACCEPTED_COLOR = "#2b6cb0"
RESOLVED_COLOR = "#2f855a"
FAILED_COLOR = "#b45309"


def nice_step(largest: int) -> int:
    """A round tick interval giving about five gridlines."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000):
        if largest / step <= 6:
            return step
    return max(1, largest // 5)


def axis_top(largest: int, step: int) -> int:
    """The end of the value axis: a whole step, with room for the number written after the longest bar."""
    top = math.ceil(largest * 1.15 / step) * step
    return top + step if top <= largest else top


class BarChart(QWidget):
    """A titled chart of grouped bars, or a sentence when there is nothing to draw."""

    def __init__(self, horizontal: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.horizontal = horizontal
        self.categories: list[str] = []
        self.series_values: dict[str, list[float]] = {}
        self.title = QLabel()
        self.chart = QChart()
        self.chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self.chart.setBackgroundRoundness(0)
        self.chart.setMargins(QMargins(4, 4, 4, 4))
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignTop)
        self.view = QChartView(self.chart)
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.empty = QLabel()
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet(f"color: {HINT_COLOR};")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.stack, 1)

    def _fonts(self) -> tuple[QFont, QFont]:
        base = QFont(QApplication.font())
        small = QFont(base)
        small.setPointSizeF(max(base.pointSizeF() * 0.85, 8.0))
        return base, small

    def set_data(self, title: str, categories: Sequence[str], series: Sequence[tuple[str, Sequence[float], str]],
                 empty_text: str, *, percent: bool = False) -> None:
        """`series`: (name, one value per category, colour); `percent`: the values are per cent (a rate: 0–100,
        more when a rate exceeds 100 %), written with one decimal and a % sign."""
        bigger(self.title, 1.05, bold=True)
        self.title.setText(title)
        self.categories = list(categories)
        self.series_values = {name: list(values) for name, values, _color in series}
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        if not self.categories:
            self.empty.setText(empty_text)
            self.stack.setCurrentWidget(self.empty)
            self.setMinimumHeight(self.title.sizeHint().height() + 80)
            return
        base, small = self._fonts()
        bars = QHorizontalBarSeries() if self.horizontal else QBarSeries()
        # horizontal bars are drawn from the bottom up: reverse, so the list reads top-down like the tables
        names = list(reversed(self.categories)) if self.horizontal else self.categories
        ordered = list(reversed(series)) if self.horizontal else list(series)
        for name, values, color in ordered:
            bar_set = QBarSet(name)
            bar_set.append([float(v) for v in (reversed(list(values)) if self.horizontal else values)])
            bar_set.setColor(QColor(color))
            bar_set.setBorderColor(QColor(color))
            bar_set.setLabelColor(QColor("#1f2328"))
            bar_set.setLabelFont(small)
            bars.append(bar_set)
        bars.setLabelsVisible(True)
        bars.setLabelsFormat("@value%" if percent else "@value")
        bars.setLabelsPosition(QBarSeries.LabelsPosition.LabelsOutsideEnd)
        self.chart.addSeries(bars)
        category_axis = QBarCategoryAxis()
        category_axis.append(names)
        category_axis.setLabelsFont(small)
        value_axis = QValueAxis()
        largest = math.ceil(max([1, *(v for _n, values, _c in series for v in values)]))
        step = 20 if percent and largest <= 100 else nice_step(largest)
        value_axis.setRange(0, 110 if percent and largest <= 100 else axis_top(largest, step))
        value_axis.setTickType(QValueAxis.TickType.TicksDynamic)
        value_axis.setTickAnchor(0)
        value_axis.setTickInterval(step)
        value_axis.setLabelFormat("%d%%" if percent else "%d")
        value_axis.setLabelsFont(small)
        value_axis.setGridLineColor(QColor("#e2e6ea"))
        if self.horizontal:
            self.chart.addAxis(category_axis, Qt.AlignmentFlag.AlignLeft)
            self.chart.addAxis(value_axis, Qt.AlignmentFlag.AlignBottom)
        else:
            self.chart.addAxis(category_axis, Qt.AlignmentFlag.AlignBottom)
            self.chart.addAxis(value_axis, Qt.AlignmentFlag.AlignLeft)
        bars.attachAxis(category_axis)
        bars.attachAxis(value_axis)
        legend = self.chart.legend()
        legend.setFont(base)
        legend.setVisible(len(series) > 1)
        if self.horizontal:
            reverse = legend.markers(bars)
            # the legend follows the series' order: show it in the order given, not the reversed one
            legend.setReverseMarkers(len(reverse) > 1)
        self.stack.setCurrentWidget(self.view)
        row = max(self.fontMetrics().height() * 2 + 6, 34)
        height = len(self.categories) * row + 110 if self.horizontal else 300
        self.setMinimumHeight(self.title.sizeHint().height() + height)
