"""On a village's Rules page: the township's reference catalogs that arrived with its return bundles (not the
withdrawn ones), to read ("View…") and — for whoever keeps the rules — to adopt as the village's new version once
its assembly approved it. A quiet line says so while none has arrived."""

from __future__ import annotations

from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from app.i18n import N_, _
from app.models.township import CatalogRelease
from app.ui.cases.common import relabel_all, tr
from app.ui.points.common import hint_label
from app.ui.points.items_table import release_cell
from app.ui.sync.common import Column, RowsModel, fit_height, fit_rows, table_view

RELEASE_COLUMNS = (
    Column("name", N_("Township catalog")), Column("issued", N_("Issued on")), Column("items", N_("Items"), numeric=True),
)
SHOWN_ROWS = 3  # a short list above the village's own rules; it scrolls beyond


class TownshipReleasesBox(QGroupBox):
    def __init__(self, can_adopt: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("townshipReleases")
        tr(self, N_("From the township"))
        self.empty = hint_label()
        self.empty.setObjectName("noRelease")
        self.model = RowsModel(RELEASE_COLUMNS, release_cell, tip=lambda r: "\n".join(t for t in (r.name, r.note) if t))
        self.table = table_view(self.model, "releasesTable", stretch="name")
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        self.view_button = tr(QPushButton(), N_("View…"), tip=N_("The items of the township's catalog"))
        self.view_button.setObjectName("viewRelease")
        self.adopt_button = tr(QPushButton(), N_("Adopt as the new version…"),
                               tip=N_("The assembly approved the township's catalog: make it the village's rules in force"))
        self.adopt_button.setObjectName("adoptRelease")
        self.adopt_button.setVisible(can_adopt)
        self.can_adopt = can_adopt
        self.hint = hint_label()
        buttons = QVBoxLayout()
        buttons.addWidget(self.view_button)
        buttons.addWidget(self.adopt_button)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.table, 1)
        row.addLayout(buttons)
        self.list_row = QWidget()
        self.list_row.setLayout(row)
        row.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(self.hint)
        layout.addWidget(self.list_row)
        self._texts()
        self.set_releases([])

    def relabel(self) -> None:
        relabel_all(self)
        fit_rows(self.table)
        self.model.relabel()
        self._texts()
        self._fit()

    def _texts(self) -> None:
        self.empty.setText(_("No catalog from the township yet."))
        self.hint.setText(_("Reference catalogs the township center published. The village's assembly decides whether to "
                            "adopt one; adopting makes it the village's own new version, which it may change afterwards.")
                          if self.can_adopt else _("Reference catalogs the township center published; the village's assembly "
                                                   "decides whether to adopt one."))

    def set_releases(self, releases: list[CatalogRelease]) -> None:
        keep = self.selected()
        self.model.set_rows(releases)
        self.empty.setVisible(not releases)
        self.list_row.setVisible(bool(releases))
        self.hint.setVisible(bool(releases))
        row = next((n for n, r in enumerate(releases) if keep is not None and r.id == keep.id), 0)
        if releases:
            self.table.selectRow(row)
        self._fit()
        self._update_buttons()

    def _fit(self) -> None:
        fit_height(self.table, SHOWN_ROWS)

    def selected(self) -> CatalogRelease | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.model.row_data(rows[0].row()) if rows else None

    def _update_buttons(self) -> None:
        chosen = self.selected() is not None
        self.view_button.setEnabled(chosen)
        self.adopt_button.setEnabled(chosen)
