"""The bundle log: every bundle written or read and every receipt read, newest first, with its fate
(delivered, already imported, held, rejected — and why)."""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from typing import Any

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget
from sqlmodel import col, select

from app.i18n import N_, _
from app.models.sync import BundleRecord, SyncPeer
from app.ui.cases.common import HINT_COLOR, report_error
from app.ui.context import UiContext
from app.ui.sync.common import Column, RowsModel, bundle_status_chip, fit_rows, seq_range, table_view, when_text

LIMIT = 1000
COLUMNS = (
    Column("when", N_("When")), Column("direction", N_("Direction")), Column("peer", N_("Desk")),
    Column("seq", N_("Change numbers"), numeric=True), Column("changes", N_("Count"), numeric=True),
    Column("status", N_("Fate"), chip=True), Column("file", N_("File")), Column("reason", N_("Why")),
)


@dataclass(frozen=True)
class LogRow:
    record: BundleRecord
    peer_name: str


def log_cell(row: LogRow, key: str) -> Any:
    r = row.record
    if key == "when":
        return when_text(r.created_at)
    if key == "direction":
        if r.status == "receipt":
            return _("Receipt in")
        return _("Sent") if r.direction == "out" else _("Came in")
    if key == "peer":
        return row.peer_name
    if key == "seq":
        return seq_range(r.seq_from, r.seq_to)
    if key == "changes":
        return str(r.changes) if r.changes else ""
    if key == "status":
        return bundle_status_chip(r.status)
    if key == "reason":
        return "" if r.status == "receipt" else r.reason
    if key == "file":
        return r.file_name
    return ""


def log_rows(session: Any, limit: int = LIMIT) -> list[LogRow]:
    names = {p.device_id: p.committee_name for p in session.exec(select(SyncPeer))}
    records = session.exec(select(BundleRecord).order_by(col(BundleRecord.created_at).desc(), col(BundleRecord.id).desc())
                           .limit(limit)).all()
    return [LogRow(r, names.get(r.peer, r.peer[:8])) for r in records]


class LogView(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = RowsModel(COLUMNS, log_cell, tip=lambda row: row.record.reason)
        self.table = table_view(self.model, "bundleLog", stretch="reason", capped={"file": 26}, elide_middle=True)
        self.empty = QLabel()
        self.empty.setObjectName("emptyState")
        self.empty.setStyleSheet(f"color: {HINT_COLOR};")
        self.empty.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        self.relabel()

    def relabel(self) -> None:
        self.empty.setText(_("No bundle has been written or read yet. Each export, import and receipt is listed here with "
                             "what became of it."))
        fit_rows(self.table)
        self.model.relabel()

    def refresh(self) -> None:
        try:
            with self.ctx.store.read() as session:
                rows = log_rows(session)
        except Exception as exc:
            report_error(self, self.ctx, exc, traceback.format_exc())
            return
        self.model.set_rows(rows)
        self.empty.setVisible(not rows)
