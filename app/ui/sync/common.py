"""Helpers shared by the sync and township pages: a small read-only table model (cells as text, numbers
right-aligned, statuses as chips with their word), a table view set up the same way everywhere, the
words for a bundle's fate, times said the short way ("10:42" today, the date otherwise), and finding the
USB sticks plugged into this PC."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QStorageInfo, Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHeaderView, QTableView, QWidget

from app.clock import today
from app.i18n import _, format_date, format_datetime
from app.models.sync import BUNDLE_STATUS_LABELS, OTHER_STATUS_LABELS, BundleStatus
from app.ui.cases.common import HINT_COLOR, OK_COLOR, WARNING_COLOR, ChipDelegate
from app.ui.messages import ACCENT_COLOR, ERROR_COLOR
from app.ui.widgets import read_only_rows

_Index = QModelIndex | QPersistentModelIndex

RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

SYNC_TABLES = frozenset({"sync_bundle", "sync_peer", "sync_cursor", "change_log"})
# the folder on a USB stick that bundles, receipts and return bundles go into (a folder chosen by hand is used as it is)
STICK_FOLDER = "调解工作台同步"

OWN = "own"  # app.sync.importer.OWN: this desk's own file, found in the folder being imported
RECEIPT = "receipt"  # a receipt read (the bundle log's status for it)
EXTRA_STATUS_LABELS = OTHER_STATUS_LABELS
STATUS_COLORS = {
    BundleStatus.EXPORTED: WARNING_COLOR,
    BundleStatus.DELIVERED: OK_COLOR,
    BundleStatus.IMPORTED: OK_COLOR,
    BundleStatus.ALREADY: HINT_COLOR,
    BundleStatus.HELD: WARNING_COLOR,
    BundleStatus.REJECTED: ERROR_COLOR,
    BundleStatus.CONFLICT: ERROR_COLOR,
    OWN: HINT_COLOR,
    RECEIPT: ACCENT_COLOR,
}


def bundle_status_text(status: str) -> str:
    try:
        return _(BUNDLE_STATUS_LABELS[BundleStatus(status)])
    except ValueError:
        return _(EXTRA_STATUS_LABELS[status]) if status in EXTRA_STATUS_LABELS else status


def bundle_status_chip(status: str) -> tuple[str, str]:
    return bundle_status_text(status), STATUS_COLORS.get(status, HINT_COLOR)


def when_text(value: dt.datetime | None, never: str = "") -> str:
    """"10:42" for a time today (local), the date and time otherwise; `never` for None."""
    if value is None:
        return never or _("never")
    from zoneinfo import ZoneInfo

    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    local = value.astimezone(ZoneInfo("Asia/Shanghai"))
    if local.date() == today():
        return local.strftime("%H:%M")
    return format_datetime(value)


def day_text(value: dt.date | None) -> str:
    return format_date(value) if value else ""


def seq_range(first: int, last: int) -> str:
    if not first and not last:
        return ""
    return str(last) if first == last else f"{first}–{last}"


# ---------------------------------------------------------------- a table of rows


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # N_() msgid
    numeric: bool = False
    chip: bool = False  # the cell's value is (text, colour): drawn as a chip


class RowsModel(QAbstractTableModel):
    """Rows of any kind; `cell(row, key)` gives a cell's value: text, a number, or (text, colour) for a chip
    column. The row object is under `row_data(r)`; a row's tooltip from `tip(row)`."""

    def __init__(self, columns: Sequence[Column], cell: Callable[[Any, str], Any],
                 tip: Callable[[Any], str] | None = None, colour: Callable[[Any], str | None] | None = None,
                 parent: Any = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self._cell = cell
        self._tip = tip
        self._colour = colour
        self._rows: list[Any] = []

    def set_rows(self, rows: Iterable[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[Any]:
        return list(self._rows)

    def row_data(self, row: int) -> Any:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def column(self, key: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.key == key)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's names)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def text(self, row: int, key: str) -> str:
        value = self._cell(self._rows[row], key)
        if isinstance(value, tuple):
            return str(value[0])
        return "" if value is None else str(value)

    def chips(self, index: _Index) -> list[tuple[str, str]]:
        if not index.isValid() or not self.columns[index.column()].chip:
            return []
        value = self._cell(self._rows[index.row()], self.columns[index.column()].key)
        return [value] if isinstance(value, tuple) and value[0] else []

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        column = self.columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.text(index.row(), column.key)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT if column.numeric else LEFT
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = self._tip(self._rows[index.row()]) if self._tip else ""
            return tip or self.text(index.row(), column.key) or None
        if role == Qt.ItemDataRole.ForegroundRole and self._colour is not None:
            colour = self._colour(self._rows[index.row()])
            return QColor(colour) if colour else None
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            return _(self.columns[section].label)
        return None

    def relabel(self) -> None:
        if self.columns:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.columns) - 1)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(self.columns) - 1))


def table_view(model: RowsModel, name: str, *, stretch: str | None = None, capped: Mapping[str, int] | None = None,
               elide_middle: bool = False, parent: QWidget | None = None) -> QTableView:
    """A read-only table, whole rows selected, chips drawn, the `stretch` column taking the spare width; a
    `capped` column (key: at most so many average characters wide) is shortened with "…" (its tooltip has it all)."""
    view = QTableView(parent)
    view.setObjectName(name)
    view.setModel(model)
    view.setItemDelegate(ChipDelegate(view))
    read_only_rows(view)
    view.verticalHeader().hide()
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(stretch is None)
    if stretch is not None:
        header.setSectionResizeMode(model.column(stretch), QHeaderView.ResizeMode.Stretch)
    if elide_middle:
        view.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # file names: their start and their end both matter
    caps = dict(capped or {})
    for key in caps:
        header.setSectionResizeMode(model.column(key), QHeaderView.ResizeMode.Interactive)

    def fit_capped() -> None:
        for key, chars in caps.items():
            column = model.column(key)
            view.resizeColumnToContents(column)
            limit = view.fontMetrics().averageCharWidth() * chars
            if view.columnWidth(column) > limit:
                view.setColumnWidth(column, limit)

    if caps:
        model.modelReset.connect(lambda: QTimer.singleShot(0, fit_capped))
    fit_rows(view)
    return view


def fit_rows(view: QTableView) -> None:
    """Rows tall enough for the font of the moment (chips need a little more than the text)."""
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 14)


def fit_height(view: QTableView, most: int) -> None:
    """A short list under other things: the table as tall as its rows, at most `most` of them (it scrolls beyond)."""
    rows = max(1, min(view.model().rowCount(), most))
    frame = 2 * view.frameWidth()
    header = view.horizontalHeader().sizeHint().height() if not view.horizontalHeader().isHidden() else 0
    scroll = view.horizontalScrollBar().sizeHint().height() if view.horizontalScrollBar().isVisible() else 0
    view.setFixedHeight(header + rows * view.verticalHeader().defaultSectionSize() + frame + scroll)


# ---------------------------------------------------------------- USB sticks


@dataclass(frozen=True)
class Volume:
    root: str
    name: str
    fs_type: str
    read_only: bool
    ready: bool
    free: int  # bytes


@dataclass(frozen=True)
class Drive:
    path: Path
    name: str
    free: int
    removable: bool

    def describe(self) -> str:
        free = _("{gb:.1f} GB free").format(gb=self.free / 1e9) if self.free > 0 else ""
        label = self.name or self.path.name or str(self.path)
        parts = [label, str(self.path)] + ([free] if free else [])
        return " · ".join(parts)


REMOVABLE_ROOTS = ("/media/", "/run/media/", "/mnt/", "/Volumes/")
PSEUDO_FS = frozenset({"squashfs", "tmpfs", "devtmpfs", "overlay", "proc", "sysfs", "autofs", "iso9660", "udf"})


def _windows_removable(root: str) -> bool:
    try:
        import ctypes

        return int(ctypes.windll.kernel32.GetDriveTypeW(root)) == 2  # type: ignore[attr-defined]  # DRIVE_REMOVABLE
    except Exception:
        return False


def pick_drives(volumes: Iterable[Volume], *, windows: bool = False, system_drive: str = "C:",
                removable: Callable[[str], bool] = _windows_removable) -> list[Drive]:
    """The volumes a bundle may go to: mounted under /media, /run/media, /mnt or /Volumes (Linux, macOS),
    or a drive letter other than the system's (Windows, removable ones first); never the root, system
    mounts, read-only or pseudo file systems."""
    found: list[Drive] = []
    for v in volumes:
        if not v.ready or v.read_only or v.fs_type.lower() in PSEUDO_FS:
            continue
        root = v.root.replace("\\", "/")
        if windows:
            letter = root[:2].upper()
            if len(root) < 2 or root[1] != ":" or letter == system_drive.upper()[:2]:
                continue
            found.append(Drive(Path(v.root), v.name, v.free, removable(root[:2] + "\\")))
        elif root.startswith(REMOVABLE_ROOTS) and root.rstrip("/") not in ("/media", "/run/media", "/mnt", "/Volumes"):
            found.append(Drive(Path(v.root), v.name, v.free, True))
    return sorted(found, key=lambda d: (not d.removable, str(d.path)))


def find_drives() -> list[Drive]:
    volumes = [Volume(s.rootPath(), s.displayName(), bytes(s.fileSystemType().data()).decode(errors="replace"),
                      s.isReadOnly(), s.isValid() and s.isReady(), s.bytesAvailable())
               for s in QStorageInfo.mountedVolumes()]
    return pick_drives(volumes, windows=sys.platform == "win32", system_drive=os.environ.get("SYSTEMDRIVE", "C:"))


def stick_folder(drive: Path) -> Path:
    """Where bundles go on a stick: its own folder, so they do not mix with the user's files."""
    return drive / STICK_FOLDER


def import_source(drive: Path) -> Path:
    """What to import from a stick: its sync folder when there is one, else the stick's top folder."""
    folder = stick_folder(drive)
    return folder if folder.is_dir() else drive
