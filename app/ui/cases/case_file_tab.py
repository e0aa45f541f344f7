"""The case file (卷宗): the contents list (卷内目录) with what is in the file and what is missing — the
required items stand out — and a button to print each document and the whole file."""

from __future__ import annotations

import traceback

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import N_, _
from app.services import case_flow
from app.services.case_flow import ContentsItem
from app.services.cases import CaseView
from app.ui.cases.common import (
    HINT_COLOR,
    OK_COLOR,
    clear_layout,
    hint_label,
    report_error,
    tr,
)
from app.ui.context import UiContext
from app.ui.messages import ERROR_COLOR


class CaseFileTab(QWidget):
    print_requested = Signal(str)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.view: CaseView | None = None
        self.items: list[ContentsItem] = []
        self.print_buttons: dict[str, QPushButton] = {}
        self.summary = QLabel()
        self.summary.setObjectName("caseFileSummary")
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("contents")
        self.table.verticalHeader().hide()
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.documents_box = tr(QGroupBox(), N_("Print"))
        self._documents = QGridLayout(self.documents_box)
        self.print_all = tr(QPushButton(), N_("Print the whole case file…"))
        self.print_all.setObjectName("printCaseFile")
        self.print_all.clicked.connect(lambda: self.print_requested.emit("case_file"))
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.summary)
        left_layout.addWidget(self.table, 1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.documents_box)
        all_row = QHBoxLayout()
        all_row.addWidget(self.print_all)
        all_row.addStretch(1)
        right_layout.addLayout(all_row)
        right_layout.addStretch(1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(split)

    def show_case(self, view: CaseView) -> None:
        from app.documents import DOCUMENTS, applicable, collect

        self.view = view
        keys: list[str] = []
        try:
            with self.ctx.store.read() as session:
                self.items = case_flow.contents_list(session, view.id)
                keys = applicable(collect(session, self.ctx.actor, view.id))
        except Exception as exc:
            self.items = []
            report_error(self, self.ctx, exc, traceback.format_exc())
        self.table.setHorizontalHeaderLabels([_("Item"), _("Needed"), _("In the file")])
        self.table.setRowCount(len(self.items))
        bold = QFont(self.font())
        bold.setBold(True)
        missing_required = [item for item in self.items if item.required and not item.present]
        for i, item in enumerate(self.items):
            name = QTableWidgetItem(item.label)
            need = QTableWidgetItem(_("Required") if item.required else _("As needed"))
            mark = QTableWidgetItem(("✓ " + _("Present")) if item.present else ("✗ " + _("Missing")))
            mark.setForeground(QBrush(QColor(OK_COLOR if item.present else (ERROR_COLOR if item.required else HINT_COLOR))))
            if item.required:
                for cell in (name, need, mark):
                    cell.setFont(bold)
                if not item.present:
                    tint = QColor(ERROR_COLOR)
                    tint.setAlpha(28)
                    for cell in (name, need, mark):
                        cell.setBackground(QBrush(tint))
            else:
                need.setForeground(QBrush(QColor(HINT_COLOR)))
            for column, cell in enumerate((name, need, mark)):
                self.table.setItem(i, column, cell)
        if missing_required:
            self.summary.setText(_("Still missing for closing: {items}.").format(
                items=_(", ").join(item.label for item in missing_required)))
            self.summary.setStyleSheet(f"color: {ERROR_COLOR}; font-weight: bold;")
        else:
            self.summary.setText(_("Every required item is in the file."))
            self.summary.setStyleSheet(f"color: {OK_COLOR};")

        clear_layout(self._documents)
        self.print_buttons = {}
        row = 0
        for key, (title, _render, _applies) in DOCUMENTS.items():
            if key == "case_file":
                continue
            label = QLabel(title)
            button = tr(QPushButton(), N_("Print…"))
            button.setObjectName(f"print_{key}")
            button.clicked.connect(lambda _c=False, key=key: self.print_requested.emit(key))
            enabled = key in keys
            button.setEnabled(enabled)
            if not enabled:
                label.setStyleSheet(f"color: {HINT_COLOR};")
                button.setToolTip(_("Nothing to print yet for this case."))
            self._documents.addWidget(label, row, 0)
            self._documents.addWidget(button, row, 1)
            if not enabled:
                self._documents.addWidget(hint_label(_("nothing yet"), wrap=False), row, 2)
            self.print_buttons[key] = button
            row += 1
        self._documents.setColumnStretch(2, 1)
