"""The township center's points catalogs (乡镇村规民约积分参考目录): the reference catalogs of the village rules it
published, newest first, with the items of the one selected below. "Publish a catalog…" reads the items from an
Excel file laid out as a village's catalog export, or starts from the model catalog shipped with the program;
"Withdraw" takes one back. A catalog travels to every enrolled village with its next return bundle, and each
village's assembly decides whether to adopt it as its own rules (`app.services.township_notices`)."""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import Session

from app.clock import today
from app.errors import ValidationError
from app.i18n import N_, _, ngettext
from app.models.township import CatalogRelease
from app.services import points_catalog, township_notices
from app.services.points_catalog import DEFAULT_ITEMS, ItemInput
from app.ui.cases.common import HINT_COLOR, bigger, date_edit, q_to_date, relabel_all, report_error, tr, write
from app.ui.cases.form_dialog import FormDialog, text_box
from app.ui.context import UiContext
from app.ui.messages import ask
from app.ui.points.items_table import ItemsModel, count_text, items_table, release_cell
from app.ui.sync.common import Column, RowsModel, day_text, fit_rows, table_view

RELEASE_TABLES = frozenset({"catalog_release"})
RELEASE_COLUMNS = (
    Column("name", N_("Catalog")), Column("issued", N_("Issued on")), Column("items", N_("Items"), numeric=True),
    Column("issued_by", N_("Issued by")), Column("state", N_("State"), chip=True),
)
ITEM_FIELDS = ("code", "category", "wording", "points", "cap", "cap_period", "needs_review", "file")


def model_items() -> list[ItemInput]:
    """The model catalog shipped with the program (the villages' default rules)."""
    return [ItemInput(*row) for row in DEFAULT_ITEMS]


class PublishDialog(FormDialog):
    """A new reference catalog: its name, the day it is issued, a note, and the items — read from an Excel file or
    the model catalog — shown before they go out. Nothing is written until "Publish"."""

    tables = RELEASE_TABLES

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, _("Publish a points catalog"), _("Publish"), parent,
                         intro=_("The catalog goes to every enrolled village with its next return bundle. It cannot be "
                                 "changed afterwards: to correct it, withdraw it and publish a new one."))
        self.setObjectName("publishDialog")
        self.items: list[ItemInput] = []
        self.release_id: str | None = None
        self.choose_open_path = self._choose_open_path  # test hook: the file dialog
        self.name = QLineEdit()
        self.name.setObjectName("catalogName")
        self.name.setMaxLength(100)
        self.name.setPlaceholderText(_("e.g. 长安镇村规民约积分参考目录（2027年）"))
        self.issued_on = date_edit(today(), maximum=today())
        self.issued_on.setObjectName("issuedOn")
        self.note = text_box(self, 3)
        self.note.setObjectName("catalogNote")
        self.excel_button = QPushButton(_("From an Excel file…"))
        self.excel_button.setObjectName("fromExcel")
        self.excel_button.setToolTip(_("An .xlsx file laid out as a village's catalog export (编号, 类别, 条目内容, 分值 …)"))
        self.excel_button.clicked.connect(lambda: self.load_xlsx())
        self.model_button = QPushButton(_("Start from the model catalog"))
        self.model_button.setObjectName("fromModel")
        self.model_button.setToolTip(_("The rules the program ships as every village's first catalog"))
        self.model_button.clicked.connect(self.load_model)
        self.source = QLabel(_("No items yet: read them from an Excel file or start from the model catalog."))
        self.source.setObjectName("itemsSource")
        self.source.setWordWrap(True)
        self.source.setStyleSheet(f"color: {HINT_COLOR};")
        items_box = QWidget()
        items_layout = QVBoxLayout(items_box)
        items_layout.setContentsMargins(0, 0, 0, 0)
        buttons = QHBoxLayout()
        buttons.addWidget(self.excel_button)
        buttons.addWidget(self.model_button)
        buttons.addStretch(1)
        items_layout.addLayout(buttons)
        items_layout.addWidget(self.source)
        self.preview_model = ItemsModel()
        self.preview = items_table(self.preview_model, "previewTable")
        row_height = self.preview.verticalHeader().defaultSectionSize()
        self.preview.setMinimumHeight(row_height * 5)
        self.preview.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.row("name", _("Catalog name"), self.name, required=True)
        self.row("issued_on", _("Issued on"), self.issued_on, required=True)
        self.row("note", _("Note"), self.note)
        self.row("items", _("Items"), items_box, required=True, aliases=ITEM_FIELDS)
        body = self._body.layout()
        if isinstance(body, QBoxLayout):  # the preview under the form, the whole width; it takes a taller window's room
            body.setStretch(body.count() - 1, 0)
            body.insertWidget(body.indexOf(self.form) + 1, self.preview, 1)
        else:
            self.form.addRow(self.preview)
        self.finish()
        area = self.screen().availableGeometry() if self.screen() is not None else None
        width = self.fontMetrics().averageCharWidth() * 84
        if area is not None:
            width = min(width, area.width() - 40)
        self.setMinimumWidth(width)
        height = self.sizeHint().height() + row_height * 7  # some twelve items in view
        self.resize(width, min(height, area.height() - 80) if area is not None else height)
        self.name.setFocus()

    def missing(self) -> list[str]:
        missing = super().missing()
        if not self.items and _("Items") not in missing:
            missing.append(_("Items"))
        return missing

    # -------------------------------------------------------- the items

    def _choose_open_path(self) -> Path | None:
        path, _filter = QFileDialog.getOpenFileName(self, _("Read the catalog from Excel"), str(Path.home()),
                                                    _("Excel workbook (*.xlsx)"))
        return Path(path) if path else None

    def load_xlsx(self, path: Path | None = None) -> bool:
        path = path or self.choose_open_path()
        if path is None:
            return False
        self.errors.set("items", "")  # (an error under another field stays until that field is right)
        try:
            items = points_catalog.read_xlsx(path)
        except ValidationError as exc:
            self.errors.set("items", exc.message)
            return False
        except Exception as exc:
            report_error(self, self.ctx, exc, traceback.format_exc())
            return False
        self._set_items(items, ngettext("{n} item read from {name}.", "{n} items read from {name}.", len(items)).format(
            n=len(items), name=path.name))
        return True

    def load_model(self) -> None:
        self.errors.set("items", "")
        items = model_items()
        self._set_items(items, ngettext("{n} item of the model catalog; the villages' assemblies adapt it to their own rules.",
                                        "{n} items of the model catalog; the villages' assemblies adapt them to their own rules.",
                                        len(items)).format(n=len(items)))

    def _set_items(self, items: list[ItemInput], source: str) -> None:
        self.items = items
        self.preview_model.set_rows(items)
        self.source.setText(source)
        self.update_missing()

    # -------------------------------------------------------- saving

    def perform(self, session: Session) -> Any:
        release = township_notices.publish_catalog(session, self.ctx.actor, self.name.text(), q_to_date(self.issued_on.date()),
                                                   self.items, self.note.toPlainText())
        self.release_id = release.id
        return release


class CatalogsPage(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("CatalogsPage")
        self._stale = True
        self._split = False
        self.dialog: QDialog | None = None
        self.confirm: QMessageBox | None = None
        self.selected_id: str | None = None

        self.title = tr(QLabel(), N_("Points catalogs"))
        self.title.setObjectName("pageTitle")
        self.counts = QLabel()
        self.counts.setObjectName("catalogCounts")
        self.counts.setStyleSheet(f"color: {HINT_COLOR};")
        may = ctx.can("township.publish")
        self.publish_button = tr(QPushButton(), N_("Publish a catalog…"))
        self.publish_button.setObjectName("publishButton")
        self.publish_button.clicked.connect(self.publish)
        self.withdraw_button = tr(QPushButton(), N_("Withdraw…"),
                                  tip=N_("The villages no longer offer it; a village that adopted it keeps its version"))
        self.withdraw_button.setObjectName("withdrawButton")
        self.withdraw_button.clicked.connect(self.withdraw)
        for button in (self.publish_button, self.withdraw_button):
            button.setVisible(may)
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addSpacing(16)
        head.addWidget(self.counts)
        head.addStretch(1)
        head.addWidget(self.publish_button)
        head.addWidget(self.withdraw_button)
        self.hint = tr(QLabel(), N_("The township's reference catalogs of the village rules for points. A catalog published here "
                                     "travels to every enrolled village with its next return bundle; each village's assembly "
                                     "decides whether to adopt it as its own rules."))
        self.hint.setObjectName("pageHint")
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet(f"color: {HINT_COLOR};")
        self.empty = tr(QLabel(), N_("No catalog published yet. “Publish a catalog…” reads one from an Excel file or starts "
                                      "from the model catalog."))
        self.empty.setObjectName("emptyState")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.empty.setStyleSheet(f"color: {HINT_COLOR};")
        self.model = RowsModel(RELEASE_COLUMNS, release_cell, tip=lambda r: "\n".join(t for t in (r.name, r.note) if t),
                               colour=lambda r: HINT_COLOR if r.withdrawn else None)
        self.table = table_view(self.model, "releasesTable", stretch="name")
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._selected())

        self.items_title = QLabel()
        self.items_title.setObjectName("itemsTitle")
        self.items_title.setWordWrap(True)
        self.items_title.setTextFormat(Qt.TextFormat.PlainText)
        self.items_note = QLabel()
        self.items_note.setObjectName("itemsNote")
        self.items_note.setWordWrap(True)
        self.items_note.setTextFormat(Qt.TextFormat.PlainText)
        self.items_note.setStyleSheet(f"color: {HINT_COLOR};")
        self.items_error = QLabel()
        self.items_error.setObjectName("itemsError")
        self.items_error.setWordWrap(True)
        self.items_model = ItemsModel()
        self.items_view = items_table(self.items_model, "itemsTable")
        self.no_selection = tr(QLabel(), N_("Select a catalog above to see its items."))
        self.no_selection.setStyleSheet(f"color: {HINT_COLOR};")
        self.no_selection.setWordWrap(True)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(head)
        top_layout.addWidget(self.hint)
        top_layout.addWidget(self.empty, 1)  # (shown instead of the table: it keeps the words at the top)
        top_layout.addWidget(self.table, 1)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(self.no_selection)
        bottom_layout.addWidget(self.items_title)
        bottom_layout.addWidget(self.items_note)
        bottom_layout.addWidget(self.items_error)
        bottom_layout.addWidget(self.items_view, 1)
        self.bottom = bottom
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(top)
        self.splitter.addWidget(bottom)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)
        ctx.changed.connect(self._on_changed)
        ctx.retranslate.connect(self.relabel)
        self.relabel()
        self.show_release(None)

    def relabel(self) -> None:
        relabel_all(self)
        bigger(self.title, 1.25, bold=True)
        bigger(self.items_title, 1.1, bold=True)
        for table in (self.table, self.items_view):
            fit_rows(table)
        self.model.relabel()
        self.items_model.relabel()
        self._show_counts()
        self.show_release(self.current())

    # -------------------------------------------------------- loading

    def refresh(self) -> None:
        self._stale = False
        try:
            with self.ctx.store.read() as session:
                rows = township_notices.releases(session, self.ctx.actor, include_withdrawn=True)
        except Exception as exc:
            report_error(self, self.ctx, exc, traceback.format_exc())
            return
        keep = self.selected_id
        self.model.set_rows(rows)
        self.empty.setVisible(not rows)
        self.table.setVisible(bool(rows))
        self.bottom.setVisible(bool(rows))
        self._show_counts()
        if rows and not (keep and self.select(keep)):
            self.select(rows[0].id)  # the newest: what a clerk looks at after publishing
        if not rows:
            self.show_release(None)

    def _show_counts(self) -> None:
        rows = self.model.rows()
        published = sum(1 for r in rows if not r.withdrawn)
        withdrawn = len(rows) - published
        text = ngettext("{n} published", "{n} published", published).format(n=published)
        if withdrawn:
            text += " · " + ngettext("{n} withdrawn", "{n} withdrawn", withdrawn).format(n=withdrawn)
        self.counts.setText(text if rows else "")

    def current(self) -> CatalogRelease | None:
        return next((r for r in self.model.rows() if r.id == self.selected_id), None)

    def select(self, release_id: str) -> bool:
        for n, row in enumerate(self.model.rows()):
            if row.id == release_id:
                self.table.selectRow(n)
                self.show_release(row)
                return True
        return False

    def _selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        self.show_release(self.model.row_data(rows[0].row()) if rows else None)

    def show_release(self, release: CatalogRelease | None) -> None:
        self.selected_id = release.id if release is not None else None
        self.no_selection.setVisible(release is None and bool(self.model.rows()))
        for widget in (self.items_title, self.items_view):
            widget.setVisible(release is not None)
        self.withdraw_button.setEnabled(release is not None and not release.withdrawn)
        self.items_error.hide()
        if release is None:
            self.items_model.set_rows([])
            self.items_note.hide()
            return
        state = _("withdrawn") if release.withdrawn else _("published")
        self.items_title.setText(_("{name} · {state} · {count}").format(name=release.name, state=state,
                                                                        count=count_text(release.item_count)))
        note = _("Issued on {date} by {who}.").format(date=day_text(release.issued_on), who=release.issued_by or "—")
        if release.note:
            note += " " + release.note
        self.items_note.setText(note)
        self.items_note.show()
        try:
            items = township_notices.release_items(release)
        except ValidationError as exc:
            items = []
            self.items_error.setText(exc.message)
            self.items_error.show()
        self.items_model.set_rows(items)

    def _on_changed(self, tables: object) -> None:
        self._stale = True
        if self.isVisible():
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._split:  # the catalogs above, the items of the one selected below with the larger share
            self._split = True
            height = max(self.splitter.height(), 400)
            self.splitter.setSizes([height * 2 // 5, height * 3 // 5])
        if self._stale:
            self.refresh()

    # -------------------------------------------------------- publish and withdraw

    def publish(self) -> QDialog | None:
        if not self.ctx.can("township.publish"):
            return None
        dialog = PublishDialog(self.ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def published() -> None:
            if dialog.release_id:
                self.selected_id = dialog.release_id
            self.refresh()

        dialog.accepted.connect(published)
        self.dialog = dialog
        dialog.open()
        return dialog

    def withdraw(self) -> QMessageBox | None:
        release = self.current()
        if release is None or release.withdrawn or not self.ctx.can("township.publish"):
            return None
        release_id = release.id

        def withdraw() -> None:
            write(self, self.ctx, lambda session: township_notices.withdraw_catalog(session, self.ctx.actor, release_id),
                  tables=RELEASE_TABLES)

        self.confirm = ask(self, _("Withdraw the catalog"),
                           _("Withdraw “{name}”? The villages will no longer offer it for adoption once they import their next "
                             "return bundle. A village whose assembly already adopted it keeps its version.").format(
                               name=release.name), withdraw, yes_text=_("Withdraw"), no_text=_("Keep it"))
        return self.confirm
