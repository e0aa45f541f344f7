"""The ledger (风险排查台账) of a round, for one villager group or the whole village: the households on
screen, the PDF in the print preview (sensitive factors never printed), and the .xlsx export."""

from __future__ import annotations

import io
import traceback
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialog, QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.i18n import N_, _
from app.services import grid, risk
from app.services.context import Actor
from app.services.risk import HouseholdRisk
from app.store.engine import Store
from app.ui.cases.common import HINT_COLOR, Chip, report_error, tr, write
from app.ui.cases.flow_layout import FlowLayout
from app.ui.context import UiContext
from app.ui.print_preview import safe_file_name
from app.ui.risk.common import LEVELS, fit_columns, hint, level_chip, list_rounds, make_table
from app.ui.risk.models import HouseholdRiskModel

LEDGER_COLUMNS = ("number", "head", "group", "level", "stage", "factors", "cadre", "due")


def ledger_pdf(store: Store, actor: Actor, round_id: str, group_id: str | None) -> bytes:
    """The ledger as PDF bytes (runs on the worker pool: its own session)."""
    from app.documents.risk_ledger import collect_ledger, render_ledger

    with store.read() as session:
        data = collect_ledger(session, actor, round_id, group_id)
    buffer = io.BytesIO()
    render_ledger(data, buffer)
    return buffer.getvalue()


def choose_xlsx_path(parent: QWidget, default: Path) -> Path | None:
    path, _filter = QFileDialog.getSaveFileName(parent, _("Export the ledger"), str(default), _("Excel workbook (*.xlsx)"))
    if not path:
        return None
    result = Path(path)
    return result if result.suffix.lower() == ".xlsx" else result.with_suffix(".xlsx")


class LedgerView(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("RiskLedger")
        self.dialog: QDialog | None = None
        self.choose_xlsx_path: Callable[[QWidget, Path], Path | None] = choose_xlsx_path
        self.save_directory = Path.home()
        self._building = False

        self.round_caption = tr(QLabel(), N_("Round"))
        self.round_combo = QComboBox()
        self.round_combo.setObjectName("round")
        self.group_caption = tr(QLabel(), N_("Villager group"))
        self.group_combo = QComboBox()
        self.group_combo.setObjectName("group")
        for combo in (self.round_combo, self.group_combo):
            combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.preview_button = tr(QPushButton(), N_("Preview and print…"))
        self.preview_button.setObjectName("previewLedger")
        self.preview_button.clicked.connect(self.preview)
        self.export_button = tr(QPushButton(), N_("Export to Excel…"))
        self.export_button.setObjectName("exportLedger")
        self.export_button.clicked.connect(self.export)
        top = QHBoxLayout()
        top.addWidget(self.round_caption)
        top.addWidget(self.round_combo)
        top.addSpacing(12)
        top.addWidget(self.group_caption)
        top.addWidget(self.group_combo)
        top.addStretch(1)
        top.addWidget(self.preview_button)
        top.addWidget(self.export_button)

        self.totals_box = QWidget()
        self.totals = FlowLayout(self.totals_box)
        self.total_label = QLabel()
        self.total_label.setObjectName("ledgerTotal")
        self.totals.addWidget(self.total_label)
        self.level_chips: dict[str, Chip] = {}
        for level in (*reversed(LEVELS), ""):
            chip = Chip()
            chip.setObjectName(f"total_{level or 'none'}")
            self.level_chips[level] = chip
            self.totals.addWidget(chip)
        self.print_note = hint()
        self.model = HouseholdRiskModel(LEDGER_COLUMNS, self)
        self.table = make_table(self.model, "ledger", stretch=self.model.column("factors"))
        self.message = hint()
        self.message.setObjectName("ledgerMessage")

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.totals_box)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.print_note)
        layout.addWidget(self.message)
        self.relabel()

    def relabel(self) -> None:
        self.print_note.setText(_("The printed ledger is posted and shared: it never names a sensitive factor, whoever "
                                  "prints it — they are printed as “（略）”."))
        self.model.retranslate()
        self._fill_combos()

    def _fill_combos(self) -> None:
        keep_round, keep_group = self.round_id(), self.group_id()
        try:
            with self.ctx.store.read() as session:
                rounds = [(r.id, r.quarter if r.closed_on is None else _("{quarter} (closed)").format(quarter=r.quarter))
                          for r in list_rounds(session, self.ctx.actor)]
                groups = [(g.id, g.name) for g in grid.groups(session)]
        except Exception as exc:
            rounds, groups = [], []
            report_error(self, self.ctx, exc, traceback.format_exc())
        self._building = True
        try:
            self.round_combo.clear()
            for rid, text in rounds:
                self.round_combo.addItem(text, rid)
            self.group_combo.clear()
            self.group_combo.addItem(_("Whole village"), "")
            for gid, name in groups:
                self.group_combo.addItem(name, gid)
            if keep_round:
                self.round_combo.setCurrentIndex(max(0, self.round_combo.findData(keep_round)))
            if keep_group:
                self.group_combo.setCurrentIndex(max(0, self.group_combo.findData(keep_group)))
        finally:
            self._building = False

    def round_id(self) -> str | None:
        if self.round_combo.count() == 0:
            return None
        value = self.round_combo.currentData()
        return value if isinstance(value, str) and value else None

    def group_id(self) -> str | None:
        if self.group_combo.count() == 0:
            return None
        value = self.group_combo.currentData()
        return value if isinstance(value, str) and value else None

    def set_group(self, group_id: str | None) -> None:
        self.group_combo.setCurrentIndex(max(0, self.group_combo.findData(group_id or "")))

    def refresh(self) -> None:
        self._fill_combos()
        self.reload()

    def reload(self) -> None:
        if self._building:
            return
        rows: list[HouseholdRisk] = []
        round_id = self.round_id()
        if round_id is not None:
            try:
                with self.ctx.store.read() as session:
                    rows = risk.households_in_round(session, self.ctx.actor, round_id, group_id=self.group_id())
            except Exception as exc:
                report_error(self, self.ctx, exc, traceback.format_exc())
        self.model.set_rows(rows)
        fit_columns(self.table, self.model.column("factors"))
        self.total_label.setText(_("{n} households").format(n=len(rows)) if round_id else _("No risk round yet."))
        for level, chip in self.level_chips.items():
            n = sum(1 for r in rows if r.level == level)
            text, color = level_chip(level) if level else (_("Not assessed"), HINT_COLOR)
            chip.set_chip(_("{level} {n}").format(level=text, n=n) if round_id else "", color)
        for b in (self.preview_button, self.export_button):
            b.setEnabled(round_id is not None)

    def totals_text(self) -> dict[str, str]:
        return {level: chip.text() for level, chip in self.level_chips.items()}

    def _scope_name(self) -> str:
        return self.group_combo.currentText() if self.group_id() else "全村"

    def _quarter(self) -> str:
        return self.round_combo.currentText().split(" ")[0]

    def preview(self) -> QDialog | None:
        round_id = self.round_id()
        if round_id is None:
            return None
        from app.paths import log_file
        from app.ui.print_preview import PrintPreviewDialog

        store, actor, group_id = self.ctx.store, self.ctx.actor, self.group_id()
        title = _("Risk ledger {quarter} {scope}").format(quarter=self._quarter(), scope=self._scope_name())
        file_name = f"风险排查台账-{self._quarter()}-{self._scope_name()}.pdf"
        dialog = PrintPreviewDialog(lambda: ledger_pdf(store, actor, round_id, group_id), title, 1, self,
                                    file_name=file_name, log_path=log_file(self.ctx.data_dir))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.open()
        return dialog

    def export(self, path: Path | None = None) -> Path | None:
        round_id = self.round_id()
        if round_id is None:
            return None
        target = path or self.choose_xlsx_path(
            self, self.save_directory / safe_file_name(f"风险排查台账-{self._quarter()}-{self._scope_name()}.xlsx"))
        if target is None:
            return None
        from app.services.risk_export import export_ledger

        group_id = self.group_id()
        written: list[int] = []
        ok = write(self, self.ctx, lambda session: written.append(export_ledger(session, self.ctx.actor, round_id, target,
                                                                                  group_id=group_id)), tables={"audit_log"})
        if not ok:
            return None
        self.message.setText(_("Wrote {n} households to {path}.").format(n=written[0] if written else 0, path=target))
        return target

