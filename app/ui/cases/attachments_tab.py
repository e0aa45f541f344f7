"""Attachments of a case (signed application, proof of identity, evidence, scans …): files copied into the
data directory by `case_flow.add_attachment`, opened with the system's viewer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import Session

from app.i18n import N_, _, format_datetime, format_number
from app.models.cases import Attachment
from app.services import case_flow
from app.services.cases import CaseView
from app.ui.cases.common import (
    case_table,
    hint_label,
    open_dialog,
    read_or_report,
    tr,
    warn,
)
from app.ui.cases.form_dialog import FormDialog, choice_combo
from app.ui.context import UiContext


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{format_number(round(size / (1024 * 1024), 1))} MB"
    if size >= 1024:
        return f"{format_number(round(size / 1024))} KB"
    return f"{format_number(size)} B"


def choose_file(parent: QWidget) -> Path | None:
    path, _filter = QFileDialog.getOpenFileName(parent, _("Choose a file to attach"), str(Path.home()),
                                                _("Scans, photos and documents (*.pdf *.jpg *.jpeg *.png *.doc *.docx "
                                                  "*.xls *.xlsx *.txt);;All files (*)"))
    return Path(path) if path else None


class AttachmentDialog(FormDialog):
    def __init__(self, ctx: UiContext, case_id: str, kind: str = "", parent: QWidget | None = None,
                 chooser: Callable[[QWidget], Path | None] = choose_file) -> None:
        super().__init__(ctx, _("Add a file"), _("Add"), parent)
        self.setObjectName("AttachmentDialog")
        self.case_id = case_id
        self.chooser = chooser
        self.path = QLineEdit()
        self.path.setObjectName("attachmentPath")
        self.path.setPlaceholderText(_("The file's path, or choose it"))
        browse = tr(QPushButton(), N_("Choose…"))
        browse.clicked.connect(self.browse)
        path_box = QWidget()
        path_row = QHBoxLayout(path_box)
        path_row.setContentsMargins(0, 0, 0, 0)
        path_row.addWidget(self.path, 1)
        path_row.addWidget(browse)
        self.kind = choice_combo(case_flow.ATTACHMENT_KINDS, placeholder=_("Choose…"), selected=kind)
        self.kind.setObjectName("attachmentKind")
        self.title = QLineEdit()
        self.title.setMaxLength(200)
        self.title.setPlaceholderText(_("empty: the file's name"))
        self.row("file", _("File"), path_box, required=True)
        self.path.textChanged.connect(self.update_missing)
        self.row("kind", _("Kind"), self.kind, required=True)
        self.row("title", _("Title"), self.title)
        self.finish()

    def missing(self) -> list[str]:
        missing = [] if self.path.text().strip() else [_("File")]
        if not self.kind.currentData():
            missing.append(_("Kind"))
        return missing

    def browse(self) -> None:
        chosen = self.chooser(self)
        if chosen is not None:
            self.path.setText(str(chosen))
            if not self.title.text():
                self.title.setPlaceholderText(chosen.stem)

    def perform(self, session: Session) -> Any:
        return case_flow.add_attachment(session, self.ctx.actor, self.ctx.data_dir, self.case_id,
                                        Path(self.path.text().strip()), str(self.kind.currentData()), self.title.text())


class AttachmentsTab(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.view: CaseView | None = None
        self.rows: list[Attachment] = []
        self.dialog: QDialog | None = None
        self.open_url: Callable[[QUrl], object] = QDesktopServices.openUrl
        self.table = case_table(5, "attachments", stretch=1)
        self.table.itemActivated.connect(lambda _item: self.open_selected())
        self.table.itemSelectionChanged.connect(self._selected)
        self.empty = hint_label()
        self.add_button = tr(QPushButton(), N_("Add a file…"))
        self.add_button.setObjectName("addAttachment")
        self.add_button.clicked.connect(lambda: self.add())
        self.open_button = tr(QPushButton(), N_("Open"))
        self.open_button.clicked.connect(self.open_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)

    def show_case(self, view: CaseView) -> None:
        self.view = view
        self.rows = read_or_report(self, self.ctx, lambda session: case_flow.attachments_of(session, view.id), [])
        self.table.setHorizontalHeaderLabels([_("Kind"), _("Title"), _("File name"), _("Size"), _("Added")])
        self.table.setRowCount(len(self.rows))
        for i, a in enumerate(self.rows):
            values = [_(case_flow.ATTACHMENT_KINDS.get(a.kind, a.kind)), a.title, a.filename, human_size(a.size),
                      format_datetime(a.created_at)]
            for column, value in enumerate(values):
                self.table.setItem(i, column, QTableWidgetItem(value))
        self.add_button.setVisible(self.ctx.can("cases.register"))
        self.empty.setText(_("No file attached yet. Add the signed application, proof of identity, evidence or "
                             "scans of signed papers."))
        self.empty.setVisible(not self.rows)
        self._selected()

    def _current(self) -> Attachment | None:
        rows = self.table.selectionModel().selectedRows()
        if rows and 0 <= rows[0].row() < len(self.rows):
            return self.rows[rows[0].row()]
        return None

    def _selected(self) -> None:
        self.open_button.setEnabled(self._current() is not None)

    def add(self, kind: str = "") -> AttachmentDialog | None:
        if self.view is None or not self.ctx.can("cases.register"):
            return None
        dialog = AttachmentDialog(self.ctx, self.view.id, kind, parent=self)
        open_dialog(self, dialog)
        return dialog

    def open_selected(self) -> None:
        current = self._current()
        if current is None:
            return
        path = case_flow.attachment_path(self.ctx.data_dir, current.sha256)
        if not path.exists():
            warn(self, _("Cannot open the file"), _("The file {name} is missing from the data folder ({path}).").format(
                name=current.filename, path=path))
            return
        self.open_url(QUrl.fromLocalFile(str(path)))
