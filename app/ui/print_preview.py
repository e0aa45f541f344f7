"""Print preview of a real PDF (the document exactly as it prints): page thumbnails, page navigation and
zoom; "Print…" through the system's print dialog with the number of copies preset (an agreement: one per
party and one for the committee); "Save as PDF…" written atomically.

The PDF may be given as bytes, a file, or a function that makes it: the function runs on the worker
pool (`app.ui.worker.run_task`) while the dialog shows that it is busy, so the window never freezes.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRect, QSize, Qt
from PySide6.QtGui import QIcon, QImage, QKeySequence, QPainter, QPixmap, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.errors import DeskError
from app.i18n import _
from app.ui.messages import ERROR_COLOR
from app.ui.worker import Task, run_task

log = logging.getLogger("mediation_desk")

PdfSource = bytes | Path | str | Callable[[], bytes]
THUMB_WIDTH = 110
MAX_PRINT_DPI = 300
ZOOM_STEP = 1.25


def safe_file_name(name: str) -> str:
    """A file name that every system accepts (Chinese kept; path separators and reserved characters out)."""
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", name).strip(" .")
    return cleaned or "document.pdf"


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that the file is either the old one or the whole new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".pdf", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def choose_save_path(parent: QWidget, default: Path) -> Path | None:
    path, _filter = QFileDialog.getSaveFileName(parent, _("Save as PDF"), str(default), _("PDF document (*.pdf)"))
    if not path:
        return None
    result = Path(path)
    return result if result.suffix.lower() == ".pdf" else result.with_suffix(".pdf")


def choose_printer(parent: QWidget, printer: QPrinter) -> bool:
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(_("Print"))
    return dialog.exec() == QDialog.DialogCode.Accepted


class PrintPreviewDialog(QDialog):
    """Shows the PDF. `choose_save_path(parent, default)` and `choose_printer(parent, printer)` are
    attributes so that tests (and a future "print directly") can replace the system dialogs."""

    def __init__(self, source: PdfSource, title: str, default_copies: int = 1, parent: QWidget | None = None, *,
                 file_name: str = "", log_path: Path | str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PrintPreviewDialog")
        self.setWindowTitle(_("Print preview — {title}").format(title=title))
        self.title = title
        self.file_name = safe_file_name(file_name or f"{title}.pdf")
        self.log_path = log_path
        self.pdf_bytes: bytes | None = None
        self.error: BaseException | None = None
        self.task: Task | None = None
        self.saved_path: Path | None = None
        self.choose_save_path: Callable[[QWidget, Path], Path | None] = choose_save_path
        self.choose_printer: Callable[[QWidget, QPrinter], bool] = choose_printer
        self.save_directory = Path.home()

        self.document = QPdfDocument(self)
        self._buffer = QBuffer(self)

        # ---- the pages
        self.view = QPdfView(self)
        self.view.setObjectName("pdfView")
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.pageNavigator().currentPageChanged.connect(self._page_changed)
        self.thumbnails = QListWidget()
        self.thumbnails.setObjectName("thumbnails")
        self.thumbnails.setViewMode(QListView.ViewMode.IconMode)
        self.thumbnails.setFlow(QListView.Flow.TopToBottom)
        self.thumbnails.setWrapping(False)
        self.thumbnails.setMovement(QListView.Movement.Static)
        self.thumbnails.setIconSize(QSize(THUMB_WIDTH, int(THUMB_WIDTH * 1.42)))
        self.thumbnails.setSpacing(6)
        self.thumbnails.setFixedWidth(THUMB_WIDTH + 48)
        self.thumbnails.currentRowChanged.connect(self.go_to_page)
        pages = QSplitter(Qt.Orientation.Horizontal)
        pages.addWidget(self.thumbnails)
        pages.addWidget(self.view)
        pages.setStretchFactor(1, 1)
        pages.setChildrenCollapsible(False)

        # ---- busy / error
        self.busy_label = QLabel(_("Preparing the document…"))
        self.busy_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.busy_label.setWordWrap(True)
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setMaximumWidth(360)
        busy = QWidget()
        busy_layout = QVBoxLayout(busy)
        busy_layout.addStretch(1)
        busy_layout.addWidget(self.busy_label)
        busy_layout.addWidget(self.busy_bar, 0, Qt.AlignmentFlag.AlignHCenter)
        busy_layout.addStretch(2)
        self.stack = QStackedWidget()
        self.stack.addWidget(busy)
        self.stack.addWidget(pages)

        # ---- controls
        self.previous_button = QPushButton(_("◀ Previous"))
        self.previous_button.clicked.connect(lambda: self.go_to_page(self.current_page() - 1))
        self.page_label = QLabel()
        self.page_label.setObjectName("pageLabel")
        self.next_button = QPushButton(_("Next ▶"))
        self.next_button.clicked.connect(lambda: self.go_to_page(self.current_page() + 1))
        self.zoom_out_button = QPushButton(_("Smaller"))
        self.zoom_out_button.clicked.connect(lambda: self.zoom(1 / ZOOM_STEP))
        self.zoom_in_button = QPushButton(_("Larger"))
        self.zoom_in_button.clicked.connect(lambda: self.zoom(ZOOM_STEP))
        self.fit_width_button = QPushButton(_("Fit width"))
        self.fit_width_button.clicked.connect(lambda: self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth))
        self.fit_page_button = QPushButton(_("Whole page"))
        self.fit_page_button.clicked.connect(lambda: self.view.setZoomMode(QPdfView.ZoomMode.FitInView))
        self.copies = QSpinBox()
        self.copies.setObjectName("copies")
        self.copies.setRange(1, 50)
        self.copies.setValue(max(1, default_copies))
        self.copies_label = QLabel(_("Copies"))
        self.copies_label.setBuddy(self.copies)
        self.print_button = QPushButton(_("Print…"))
        self.print_button.setObjectName("printButton")
        self.print_button.setDefault(True)
        self.print_button.clicked.connect(self.print_document)
        self.save_button = QPushButton(_("Save as PDF…"))
        self.save_button.setObjectName("savePdfButton")
        self.save_button.clicked.connect(self.save_pdf)
        self.close_button = QPushButton(_("Close"))
        self.close_button.clicked.connect(self.reject)
        self.status_label = QLabel()
        self.status_label.setObjectName("previewStatus")
        self.status_label.setWordWrap(True)
        navigation = QHBoxLayout()
        for w in (self.previous_button, self.page_label, self.next_button):
            navigation.addWidget(w)
        navigation.addSpacing(16)
        for w in (self.zoom_out_button, self.zoom_in_button, self.fit_width_button, self.fit_page_button):
            navigation.addWidget(w)
        navigation.addStretch(1)
        actions = QHBoxLayout()
        actions.addWidget(self.status_label, 1)
        actions.addWidget(self.copies_label)
        actions.addWidget(self.copies)
        actions.addWidget(self.print_button)
        actions.addWidget(self.save_button)
        actions.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(navigation)
        layout.addWidget(self.stack, 1)
        layout.addLayout(actions)

        QShortcut(QKeySequence.StandardKey.Print, self, self.print_document)
        QShortcut(QKeySequence.StandardKey.ZoomIn, self, lambda: self.zoom(ZOOM_STEP))
        QShortcut(QKeySequence.StandardKey.ZoomOut, self, lambda: self.zoom(1 / ZOOM_STEP))
        QShortcut(QKeySequence(Qt.Key.Key_PageDown), self, lambda: self.go_to_page(self.current_page() + 1))
        QShortcut(QKeySequence(Qt.Key.Key_PageUp), self, lambda: self.go_to_page(self.current_page() - 1))
        screen = QApplication.primaryScreen()
        available = screen.availableGeometry().size() if screen is not None else QSize(1280, 800)
        self.resize(min(1000, available.width() - 40), min(900, available.height() - 40))
        self._set_ready(False)

        if callable(source):
            self.task = run_task(lambda _progress: source(), self._made, self._failed)
        else:
            self._made(source)

    # -------------------------------------------------------- loading

    def is_ready(self) -> bool:
        return self.pdf_bytes is not None and self.document.status() == QPdfDocument.Status.Ready

    def page_count(self) -> int:
        return self.document.pageCount() if self.is_ready() else 0

    def _set_ready(self, ready: bool) -> None:
        for w in (self.previous_button, self.next_button, self.zoom_in_button, self.zoom_out_button,
                  self.fit_width_button, self.fit_page_button, self.print_button, self.save_button, self.copies):
            w.setEnabled(ready)
        self.stack.setCurrentIndex(1 if ready else 0)

    def _made(self, result: Any) -> None:
        if not shiboken6.isValid(self):  # closed while the document was being made
            return
        self.task = None
        try:
            data = Path(result).read_bytes() if isinstance(result, Path | str) else bytes(result)
        except OSError as exc:
            self._failed(DeskError(_("The document {name} cannot be read.").format(name=Path(str(result)).name)), str(exc))
            return
        self.pdf_bytes = data
        self._buffer.close()
        self._buffer.setData(QByteArray(data))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(self._buffer)
        if self.document.status() != QPdfDocument.Status.Ready or self.document.pageCount() < 1:
            self._failed(DeskError(_("The document could not be shown: it is not a readable PDF.")), "")
            return
        self._make_thumbnails()
        self._set_ready(True)
        self._page_changed(0)
        self.print_button.setFocus()

    def _failed(self, exc: BaseException, tb: str) -> None:
        if not shiboken6.isValid(self):
            return
        self.task = None
        self.error = exc
        if isinstance(exc, DeskError):
            text = exc.message
        else:
            log.error("could not make the document %s\n%s", self.title, tb)
            text = _("Something went wrong. The details are saved in {path}.").format(path=self.log_path or "")
        self.busy_bar.hide()
        self.busy_label.setText(text)
        self.busy_label.setStyleSheet(f"color: {ERROR_COLOR};")
        self.stack.setCurrentIndex(0)

    def _make_thumbnails(self) -> None:
        self.thumbnails.clear()
        for page in range(self.document.pageCount()):
            points = self.document.pagePointSize(page)
            ratio = points.height() / points.width() if points.width() > 0 else 1.414
            image = self.document.render(page, QSize(THUMB_WIDTH, int(THUMB_WIDTH * ratio)))
            item = QListWidgetItem(QIcon(QPixmap.fromImage(image)), str(page + 1))
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter)
            self.thumbnails.addItem(item)

    # -------------------------------------------------------- navigation

    def current_page(self) -> int:
        return self.view.pageNavigator().currentPage()

    def go_to_page(self, page: int) -> None:
        if not self.is_ready() or not 0 <= page < self.document.pageCount():
            return
        if page != self.current_page():
            self.view.pageNavigator().jump(page, QPointF(0, 0), self.view.pageNavigator().currentZoom())
        self._page_changed(page)

    def _page_changed(self, page: int) -> None:
        count = self.page_count()
        self.page_label.setText(_("Page {page} of {count}").format(page=page + 1, count=count) if count else "")
        self.previous_button.setEnabled(count > 0 and page > 0)
        self.next_button.setEnabled(count > 0 and page < count - 1)
        if self.thumbnails.currentRow() != page and 0 <= page < self.thumbnails.count():
            self.thumbnails.blockSignals(True)
            self.thumbnails.setCurrentRow(page)
            self.thumbnails.blockSignals(False)

    def zoom(self, factor: float) -> None:
        if not self.is_ready():
            return
        current = self.view.zoomFactor()
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(max(0.25, min(5.0, current * factor)))

    # -------------------------------------------------------- output

    def save_pdf(self) -> Path | None:
        if self.pdf_bytes is None:
            return None
        target = self.choose_save_path(self, self.save_directory / self.file_name)
        if target is None:
            return None
        return self.save_to(target)

    def save_to(self, target: Path) -> Path | None:
        assert self.pdf_bytes is not None
        try:
            write_atomically(target, self.pdf_bytes)
        except OSError as exc:
            box = QMessageBox(QMessageBox.Icon.Warning, _("Save as PDF"),
                              _("The file could not be saved to {path}: {reason}").format(
                                  path=target, reason=exc.strerror or exc), QMessageBox.StandardButton.Ok, self)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()
            return None
        self.saved_path = target
        self.status_label.setText(_("Saved to {path}").format(path=target))
        return target

    def print_document(self) -> bool:
        if not self.is_ready():
            return False
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.file_name)
        printer.setCopyCount(self.copies.value())
        printer.setFromTo(1, self.document.pageCount())
        if not self.choose_printer(self, printer):
            return False
        self.print_to(printer)
        return True

    def print_to(self, printer: QPrinter) -> int:
        """Paint the pages into `printer` (as the PDF shows them, scaled to the paper); returns pages printed."""
        count = self.document.pageCount()
        first, last = printer.fromPage(), printer.toPage()
        pages = list(range(first - 1, last)) if first > 0 and last >= first else list(range(count))
        pages = [p for p in pages if 0 <= p < count]
        copies = 1 if printer.supportsMultipleCopies() else max(1, printer.copyCount())
        printer.setFullPage(True)
        painter = QPainter()
        if not painter.begin(printer):
            self.status_label.setText(_("The printer could not be started."))
            return 0
        printed = 0
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            for copy in range(copies):
                for n, page in enumerate(pages):
                    if copy or n:
                        printer.newPage()
                    self._paint_page(painter, printer, page)
                    printed += 1
                    QApplication.processEvents()
        finally:
            painter.end()
            QApplication.restoreOverrideCursor()
        self.status_label.setText(_("Sent {n} pages to the printer.").format(n=printed))
        return printed

    def _paint_page(self, painter: QPainter, printer: QPrinter, page: int) -> None:
        area = painter.viewport()
        points = self.document.pagePointSize(page)
        dpi = min(printer.resolution(), MAX_PRINT_DPI)
        image: QImage = self.document.render(page, QSize(int(points.width() * dpi / 72), int(points.height() * dpi / 72)))
        if image.isNull() or area.width() <= 0 or area.height() <= 0:
            return
        scale = min(area.width() / image.width(), area.height() / image.height())
        width, height = int(image.width() * scale), int(image.height() * scale)
        target = QRect(area.x() + (area.width() - width) // 2, area.y() + (area.height() - height) // 2, width, height)
        painter.drawImage(target, image)

    def done(self, result: int) -> None:
        if self.task is not None:
            self.task.cancel()
        super().done(result)
