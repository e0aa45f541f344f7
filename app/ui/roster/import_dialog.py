"""Importing the roster from Excel or CSV, step by step: file → columns → check (preview) → import → result.

Reading, checking and importing run on a worker (the window never freezes). The check runs in a
write session that is rolled back; the import checks the file again and applies it in one write
transaction, so nothing is written unless the user presses Import and the whole import succeeds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from app.errors import DeskError, ValidationError
from app.i18n import N_, _, format_number
from app.services.households import mask_id_number
from app.services.roster_import import (
    FIELD_KEYS,
    REQUIRED_FIELDS,
    ImportPlan,
    ImportResult,
    PlanRow,
    RawTable,
    RowError,
    apply_import,
    field_label,
    guess_mapping,
    map_column,
    plan_import,
    read_table,
)
from app.store.engine import Store
from app.ui.context import UiContext
from app.ui.roster._common import (
    ERROR_COLOUR,
    HINT_COLOUR,
    emphasise,
    missing_text,
    report_error,
    required_label,
)
from app.ui.worker import Progress, Task, run_task

PAGE_FILE, PAGE_COLUMNS, PAGE_PREVIEW, PAGE_RESULT = range(4)

ACTION_LABELS = {
    "new_household": N_("New household"),
    "new_person": N_("New member"),
    "update": N_("Update"),
    "unchanged": N_("No change"),
}
_Index = QModelIndex | QPersistentModelIndex


class ImportCancelled(Exception):
    """Raised inside the import transaction when the user cancelled: everything rolls back."""


class RosterChanged(DeskError):
    """The roster changed between the check and the import."""


@dataclass(frozen=True)
class Checked:
    table: RawTable
    mapping: dict[str, int]
    plan: ImportPlan


# ---------------------------------------------------------------- the work (no widgets here)


def check_plan(store: Store, actor: Any, table: RawTable, mapping: dict[str, int]) -> ImportPlan:
    """The plan, made in a write transaction that is always rolled back: nothing is written."""
    with store.write() as session:
        try:
            return plan_import(session, actor, table, mapping)
        finally:
            session.rollback()


def _plan_key(plan: ImportPlan) -> tuple[Any, ...]:
    return tuple(plan.rows), tuple(plan.errors), tuple(plan.new_groups), tuple(plan.new_micro_grids)


def run_import(store: Store, actor: Any, table: RawTable, mapping: dict[str, int], checked: ImportPlan,
               progress: Progress) -> tuple[ImportPlan, ImportResult]:
    """Plan again and apply, in one transaction; refuses (rolling back) if the plan is not the one the user saw."""
    with store.write() as session:
        plan = plan_import(session, actor, table, mapping)
        if plan.errors:
            raise ValidationError("file", _("The file has {n} row(s) with errors; nothing was imported.").format(
                n=len(plan.errors)))
        if _plan_key(plan) != _plan_key(checked):
            raise RosterChanged(_("The roster changed after the file was checked; check the file again. "
                                  "Nothing was imported."))
        if progress.cancelled:
            raise ImportCancelled
        result = apply_import(session, actor, plan)
        if progress.cancelled:
            raise ImportCancelled
    return plan, result


# ---------------------------------------------------------------- tables


class ListModel(QAbstractTableModel):
    """Rows of text for the preview and error tables; `numeric` columns are right-aligned."""

    def __init__(self, headers: list[str], rows: list[tuple[str, ...]], numeric: frozenset[int] = frozenset(),
                 parent: Any = None) -> None:
        super().__init__(parent)
        self._headers = headers
        self._rows = rows
        self._numeric = numeric

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = Qt.AlignmentFlag.AlignRight if index.column() in self._numeric else Qt.AlignmentFlag.AlignLeft
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self._headers):
            return self._headers[section]
        return None

    def row_texts(self) -> list[tuple[str, ...]]:
        return list(self._rows)


def _masked(id_number: str) -> str:
    """The preview never shows a whole ID number, whatever the role."""
    return id_number if "*" in id_number else mask_id_number(id_number)


def plan_rows(rows: list[PlanRow]) -> list[tuple[str, ...]]:
    return [(str(r.row), _(ACTION_LABELS.get(r.action, r.action)), r.household_number, r.name, _masked(r.id_number),
             _(", ").join(field_label(k) for k in r.changed)) for r in rows]


def error_rows(errors: list[RowError]) -> list[tuple[str, ...]]:
    return [(str(e.row), field_label(e.field), e.message) for e in errors]


def _table_view(name: str) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.setWordWrap(False)
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return view


# ---------------------------------------------------------------- the dialog


class ImportDialog(QDialog):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("ImportDialog")
        self.setWindowTitle(_("Import roster"))
        self.table: RawTable | None = None
        self.mapping: dict[str, int] = {}
        self.plan: ImportPlan | None = None
        self.import_result: ImportResult | None = None
        self.task: Task | None = None
        self._cancelled = False

        self.step_label = QLabel()
        emphasise(self.step_label, 1.15)

        self.pages = QStackedWidget()
        self.pages.addWidget(self._file_page())
        self.pages.addWidget(self._columns_page())
        self.pages.addWidget(self._preview_page())
        self.pages.addWidget(self._result_page())

        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setMaximumHeight(self.fontMetrics().height())
        self.busy_label = QLabel()
        self.busy_label.setStyleSheet(f"color: {HINT_COLOUR};")
        busy_row = QHBoxLayout()
        busy_row.addWidget(self.busy_label)
        busy_row.addWidget(self.busy, 1)
        self.busy_box = QWidget()
        self.busy_box.setLayout(busy_row)
        self.busy_box.hide()

        self.back_button = QPushButton(_("Back"))
        self.next_button = QPushButton(_("Next"))
        self.import_button = QPushButton(_("Import"))
        self.cancel_button = QPushButton(_("Cancel"))
        self.close_button = QPushButton(_("Close"))
        for button in (self.back_button, self.cancel_button):
            button.setAutoDefault(False)  # Enter goes on (Next / Check / Import / Close), never back or away
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next)
        self.import_button.clicked.connect(self.start_import)
        self.cancel_button.clicked.connect(self.reject)
        self.close_button.clicked.connect(self.accept)
        self.hint_label = QLabel()
        self.hint_label.setObjectName("hint")
        self.hint_label.setWordWrap(True)
        self.hint_label.setStyleSheet(f"color: {HINT_COLOUR};")
        buttons = QHBoxLayout()
        buttons.addWidget(self.hint_label, 1)
        for b in (self.back_button, self.next_button, self.import_button, self.close_button, self.cancel_button):
            buttons.addWidget(b)

        layout = QVBoxLayout(self)
        layout.addWidget(self.step_label)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.busy_box)
        layout.addLayout(buttons)
        self.resize(960, 640)
        self._show_page(PAGE_FILE)

    # -------------------------------------------------------- pages

    def _file_page(self) -> QWidget:
        page = QWidget()
        intro = QLabel(_("Choose the roster file: an Excel workbook (.xlsx) or a CSV file. The first worksheet is "
                         "read; the row with the column names is found by itself. Nothing is saved until you "
                         "press Import at the end."))
        intro.setWordWrap(True)
        self.path_edit = QLineEdit()
        self.path_edit.setObjectName("importPath")
        self.path_edit.setPlaceholderText(_("Path of the .xlsx or .csv file"))
        self.path_edit.textChanged.connect(self._update_buttons)
        browse = QPushButton(_("Choose file…"))
        browse.setAutoDefault(False)
        browse.clicked.connect(self.browse)
        row = QHBoxLayout()
        row.addWidget(QLabel(required_label(_("File"))))
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        self.file_error = QLabel()
        self.file_error.setObjectName("fileError")
        self.file_error.setWordWrap(True)
        self.file_error.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.file_error.setTextFormat(Qt.TextFormat.PlainText)
        self.file_error.hide()
        layout = QVBoxLayout(page)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(self.file_error)
        layout.addStretch(1)
        return page

    def _columns_page(self) -> QWidget:
        page = QWidget()
        self.columns_intro = QLabel()
        self.columns_intro.setWordWrap(True)
        self.combos: dict[str, QComboBox] = {}
        self.examples: dict[str, QLabel] = {}
        grid_box = QWidget()
        grid = QGridLayout(grid_box)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        grid.addWidget(self._bold(QLabel(_("Field"))), 0, 0)
        grid.addWidget(self._bold(QLabel(_("Column in the file"))), 0, 1)
        grid.addWidget(self._bold(QLabel(_("First row"))), 0, 2)
        for i, key in enumerate(FIELD_KEYS, start=1):
            label = QLabel(required_label(field_label(key)) if key in REQUIRED_FIELDS else field_label(key))
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            combo = QComboBox()
            combo.setObjectName(f"map_{key}")
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(12)
            combo.activated.connect(lambda _i, k=key: self._column_picked(k))
            label.setBuddy(combo)
            example = QLabel()
            example.setStyleSheet(f"color: {HINT_COLOUR};")
            example.setTextFormat(Qt.TextFormat.PlainText)
            self.combos[key] = combo
            self.examples[key] = example
            grid.addWidget(label, i, 0)
            grid.addWidget(combo, i, 1)
            grid.addWidget(example, i, 2)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(grid_box)
        layout = QVBoxLayout(page)
        layout.addWidget(self.columns_intro)
        layout.addWidget(scroll, 1)
        return page

    def _preview_page(self) -> QWidget:
        page = QWidget()
        self.summary_label = QLabel()
        self.summary_label.setObjectName("summary")
        self.summary_label.setWordWrap(True)
        self.errors_label = QLabel()
        self.errors_label.setObjectName("errorsHeading")
        self.errors_label.setWordWrap(True)
        self.errors_label.setStyleSheet(f"color: {ERROR_COLOUR}; font-weight: bold;")
        self.errors_view = _table_view("importErrors")
        self.rows_label = QLabel()
        self.rows_view = _table_view("importRows")
        self.check_again_button = QPushButton(_("Check the file again"))
        self.check_again_button.setToolTip(_("After correcting the file in Excel or WPS and saving it"))
        self.check_again_button.setAutoDefault(False)
        self.check_again_button.clicked.connect(self.check_again)
        errors_row = QHBoxLayout()
        errors_row.addWidget(self.errors_label, 1)
        errors_row.addWidget(self.check_again_button)
        layout = QVBoxLayout(page)
        layout.addWidget(self.summary_label)
        layout.addLayout(errors_row)
        layout.addWidget(self.errors_view, 2)
        layout.addWidget(self.rows_label)
        layout.addWidget(self.rows_view, 3)
        return page

    def _result_page(self) -> QWidget:
        page = QWidget()
        self.result_label = QLabel()
        self.result_label.setObjectName("result")
        self.result_label.setWordWrap(True)
        self.result_label.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(page)
        layout.addWidget(self.result_label)
        layout.addStretch(1)
        return page

    @staticmethod
    def _bold(label: QLabel) -> QLabel:
        emphasise(label)
        return label

    def _show_page(self, page: int) -> None:
        self.pages.setCurrentIndex(page)
        titles = {
            PAGE_FILE: _("Step 1 of 3: choose the file"),
            PAGE_COLUMNS: _("Step 2 of 3: which column holds what"),
            PAGE_PREVIEW: _("Step 3 of 3: check before importing"),
            PAGE_RESULT: _("Import finished"),
        }
        self.step_label.setText(titles[page])
        self._update_buttons()

    def _update_buttons(self) -> None:
        page = self.pages.currentIndex()
        working = self.task is not None
        self.back_button.setVisible(page in (PAGE_COLUMNS, PAGE_PREVIEW))
        self.next_button.setVisible(page in (PAGE_FILE, PAGE_COLUMNS))
        self.next_button.setText(_("Check the file") if page == PAGE_COLUMNS else _("Next"))
        self.import_button.setVisible(page == PAGE_PREVIEW)
        self.close_button.setVisible(page == PAGE_RESULT)
        self.cancel_button.setVisible(page != PAGE_RESULT)
        self.back_button.setEnabled(not working)
        self.check_again_button.setEnabled(not working)
        hint = ""
        if page == PAGE_FILE:
            ok = bool(self.path_edit.text().strip())
            hint = "" if ok else missing_text([_("File")])
            self.next_button.setEnabled(ok and not working)
            self.next_button.setDefault(True)
        elif page == PAGE_COLUMNS:
            missing = [field_label(k) for k in REQUIRED_FIELDS if k not in self.mapping]
            hint = missing_text(missing)
            self.next_button.setEnabled(not missing and not working)
            self.next_button.setDefault(True)
        elif page == PAGE_PREVIEW:
            errors = len(self.plan.errors) if self.plan is not None else 0
            has_rows = bool(self.plan and self.plan.rows)
            if errors:
                hint = _("Import is possible when no row has an error.")
            elif not has_rows:
                hint = _("There is nothing to import.")
            self.import_button.setEnabled(not errors and has_rows and not working)
            self.import_button.setDefault(True)
        elif page == PAGE_RESULT:
            self.close_button.setDefault(True)
        self.hint_label.setText(hint)
        self.import_button.setToolTip(hint if page == PAGE_PREVIEW else "")
        self.next_button.setToolTip(hint if page in (PAGE_FILE, PAGE_COLUMNS) else "")

    # -------------------------------------------------------- work on the worker

    def _start(self, label: str, fn: Any, on_done: Any, *, always: Any = None) -> None:
        """Run `fn` on the worker; `on_done` gets its result unless the user cancelled meanwhile; `always` gets
        it in any case (even when the dialog is gone)."""
        self.busy_label.setText(label)
        self.busy_box.show()

        def done(value: Any) -> None:
            if always is not None:
                always(value)
            if not isValid(self):
                return
            self.task = None
            self.busy_box.hide()
            if not self._cancelled:
                on_done(value)
            self._update_buttons()

        def failed(exc: BaseException, tb: str) -> None:
            if not isValid(self):
                return
            self.task = None
            self.busy_box.hide()
            if not self._cancelled:
                self._failed(exc, tb)
            self._update_buttons()

        self.task = run_task(fn, done, failed)
        self._update_buttons()

    def _failed(self, exc: BaseException, tb: str) -> None:
        if isinstance(exc, ImportCancelled):
            return
        if isinstance(exc, ValidationError) and exc.field == "file" and self.pages.currentIndex() == PAGE_FILE:
            self.file_error.setText(exc.message)
            self.file_error.show()
            return
        report_error(self, self.ctx.data_dir, exc, tb)

    @property
    def working(self) -> bool:
        return self.task is not None

    # -------------------------------------------------------- steps

    def browse(self) -> None:
        start = self.path_edit.text().strip() or str(Path.home())
        path, _filter = QFileDialog.getOpenFileName(self, _("Choose the roster file"), start,
                                                    _("Roster files (*.xlsx *.xlsm *.csv);;All files (*)"))
        if path:
            self.path_edit.setText(path)

    def back(self) -> None:
        page = self.pages.currentIndex()
        if page == PAGE_COLUMNS:
            self._show_page(PAGE_FILE)
        elif page == PAGE_PREVIEW:
            self._show_page(PAGE_COLUMNS)

    def next(self) -> None:
        if self.working or not self.next_button.isEnabled():
            return
        page = self.pages.currentIndex()
        if page == PAGE_FILE:
            self.read_file()
        elif page == PAGE_COLUMNS:
            self.check()

    def read_file(self) -> None:
        path = Path(self.path_edit.text().strip())
        self.file_error.hide()

        def work(_progress: Progress) -> RawTable:
            return read_table(path)

        self._start(_("Reading {name}…").format(name=path.name), work, self._file_read)

    def _file_read(self, table: RawTable) -> None:
        same_columns = self.table is not None and self.table.headers == table.headers
        self.table = table
        if not same_columns:
            self.mapping = guess_mapping(table.headers)
        self._fill_columns()
        self._show_page(PAGE_COLUMNS)

    def _fill_columns(self) -> None:
        table = self.table
        assert table is not None
        sheet = _("worksheet “{sheet}”, ").format(sheet=table.sheet) if table.sheet else ""
        self.columns_intro.setText(_(
            "The file has {rows} rows of people ({sheet}column names on row {row}). Check that each field reads "
            "the right column; fields marked * are required. Columns left as “not imported” keep what the roster "
            "holds.").format(rows=format_number(len(table.rows)), sheet=sheet, row=table.header_row))
        first = table.rows[0] if table.rows else []
        for key, combo in self.combos.items():
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(_("— not imported —"), -1)
            for i, header in enumerate(table.headers):
                combo.addItem(header or _("(column {n}, no name)").format(n=i + 1), i)
            combo.setCurrentIndex(max(combo.findData(self.mapping.get(key, -1)), 0))
            combo.blockSignals(False)
            index = self.mapping.get(key)
            value = first[index] if index is not None and index < len(first) else ""
            self.examples[key].setText(_("e.g. {value}").format(value=value) if value else "")
        self._update_buttons()

    def _column_picked(self, key: str) -> None:
        assert self.table is not None
        index = self.combos[key].currentData()
        header = self.table.headers[index] if isinstance(index, int) and index >= 0 else ""
        try:
            if isinstance(index, int) and index >= 0 and (not header.strip()
                                                          or self.table.headers.count(header) > 1):
                # A column without a name, or with the same name as another: map it by position.
                self.mapping = {k: v for k, v in self.mapping.items() if k != key and v != index} | {key: index}
            else:
                self.mapping = map_column(self.mapping, self.table.headers, key, header)
        except ValidationError as exc:
            report_error(self, self.ctx.data_dir, exc)
        self._fill_columns()

    def check(self) -> None:
        table, mapping = self.table, dict(self.mapping)
        if table is None:
            return
        store, actor = self.ctx.store, self.ctx.actor

        def work(_progress: Progress) -> Checked:
            return Checked(table, mapping, check_plan(store, actor, table, mapping))

        self._start(_("Checking every row…"), work, self._checked)

    def check_again(self) -> None:
        """Read the file again (the user corrected it) and check it with the same columns."""
        if self.working:
            return
        path = Path(self.path_edit.text().strip())
        store, actor = self.ctx.store, self.ctx.actor
        old_headers = self.table.headers if self.table is not None else None
        old_mapping = dict(self.mapping)

        def work(_progress: Progress) -> Checked:
            table = read_table(path)
            mapping = old_mapping if table.headers == old_headers else guess_mapping(table.headers)
            return Checked(table, mapping, check_plan(store, actor, table, mapping))

        self._start(_("Reading {name}…").format(name=path.name), work, self._checked)

    def _checked(self, checked: Checked) -> None:
        self.table, self.mapping, self.plan = checked.table, checked.mapping, checked.plan
        self._fill_columns()
        plan = checked.plan
        s = plan.summary()
        parts = [
            _("New households: {n}").format(n=format_number(s.get("new_household", 0))),
            _("new members: {n}").format(n=format_number(s.get("new_person", 0))),
            _("updated: {n}").format(n=format_number(s.get("update", 0))),
            _("unchanged: {n}").format(n=format_number(s.get("unchanged", 0))),
            _("rows with errors: {n}").format(n=format_number(s.get("errors", 0))),
        ]
        text = _(", ").join(parts) + _(".")
        if plan.new_groups:
            text += "\n" + _("Villager groups that will be added: {names}").format(names="、".join(plan.new_groups))
        if plan.new_micro_grids:
            text += "\n" + _("Micro-grids that will be added: {names}").format(
                names="、".join(f"{g} / {m}" for g, m in plan.new_micro_grids))
        self.summary_label.setText(text)
        errors = len(plan.errors)
        self.errors_label.setText(
            _("{n} problem(s) must be corrected in the file before importing. Correct them, save the file, "
              "and check it again.").format(n=format_number(errors)) if errors else "")
        self.errors_label.setVisible(bool(errors))
        self.errors_view.setVisible(bool(errors))
        self.check_again_button.setVisible(bool(errors))
        self.errors_view.setModel(ListModel([_("Row"), _("Field"), _("Problem")], error_rows(plan.errors),
                                            frozenset({0}), self))
        self.rows_label.setText(_("What the import will do, row by row:"))
        self.rows_view.setModel(ListModel([_("Row"), _("Action"), _("Household no."), _("Name"), _("ID number"),
                                           _("Changes")], plan_rows(plan.rows), frozenset({0}), self))
        for view in (self.errors_view, self.rows_view):
            view.resizeColumnsToContents()
            header = view.horizontalHeader()
            header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
            for column in range(max(0, view.model().columnCount() - 1)):
                header.resizeSection(column, min(header.sectionSize(column), 240))
        self._show_page(PAGE_PREVIEW)

    def start_import(self) -> None:
        if self.working or self.plan is None or self.plan.errors or self.table is None:
            return
        store, actor = self.ctx.store, self.ctx.actor
        table, mapping, checked = self.table, dict(self.mapping), self.plan
        ctx = self.ctx

        def work(progress: Progress) -> tuple[ImportPlan, ImportResult]:
            return run_import(store, actor, table, mapping, checked, progress)

        def written(_value: object) -> None:
            ctx.changed.emit({"household", "person", "grid_cell"})

        self._start(_("Importing…"), work, self._imported, always=written)
        self.import_button.setEnabled(False)

    def _imported(self, value: tuple[ImportPlan, ImportResult]) -> None:
        _plan, result = value
        self.import_result = result
        lines = [
            _("The roster was imported."),
            "",
            _("Households added: {n}").format(n=format_number(result.households_created)),
            _("Households changed: {n}").format(n=format_number(result.households_updated)),
            _("Persons added: {n}").format(n=format_number(result.persons_created)),
            _("Persons updated: {n}").format(n=format_number(result.persons_updated)),
            _("Persons unchanged: {n}").format(n=format_number(result.unchanged)),
        ]
        if result.groups_created:
            lines.append(_("Villager groups added: {n}").format(n=format_number(result.groups_created)))
        if result.micro_grids_created:
            lines.append(_("Micro-grids added: {n}").format(n=format_number(result.micro_grids_created)))
        self.result_label.setText("\n".join(lines))
        self._show_page(PAGE_RESULT)

    # -------------------------------------------------------- closing

    def done(self, result: int) -> None:
        """Cancel (button, Esc, the window's close box) at any step: a running check is abandoned, a running
        import is rolled back."""
        if result == QDialog.DialogCode.Rejected and self.task is not None:
            self._cancelled = True
            self.task.cancel()
        super().done(result)
