"""Changes between two rounds (两轮对比): the households whose level went up and those whose level went
down from one round to another (`risk.changes_between`) — 户号, head of household, the level in each round
as chips with the word — with how many each way. Households rated in only one of the two rounds are not
compared."""

from __future__ import annotations

import traceback
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QGroupBox, QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from app.i18n import N_, _, format_number
from app.models.risk import LEVEL_ORDER, RiskLevel
from app.services import risk
from app.ui.cases.common import bigger, report_error, tr
from app.ui.context import UiContext
from app.ui.risk.common import empty_state, fit_columns, hint, level_chip, list_rounds, make_table
from app.ui.risk.models import TextTableModel

CHANGE_HEADERS = (N_("Household no."), N_("Head of household"), "", "")
NUMBER, HEAD, BEFORE, AFTER = range(4)


def _order(level: str) -> int:
    try:
        return LEVEL_ORDER[RiskLevel(level)]
    except ValueError:
        return -1


class ChangesModel(TextTableModel):
    """The households of one direction; the two level columns are headed by their round's quarter."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(CHANGE_HEADERS, parent)
        self.quarters = ("", "")

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and section in (BEFORE, AFTER) and role == Qt.ItemDataRole.DisplayRole:
            return _("Level in {quarter}").format(quarter=self.quarters[section - BEFORE])
        return super().headerData(section, orientation, role)

    def set_changes(self, quarters: tuple[str, str], rows: Sequence[tuple[str, str, str, str]]) -> None:
        self.quarters = quarters
        texts, chips = [], {}
        for i, (number, head, before, after) in enumerate(rows):
            before_chip, after_chip = level_chip(before), level_chip(after)
            texts.append([number, head, before_chip[0], after_chip[0]])
            chips[(i, BEFORE)] = [before_chip]
            chips[(i, AFTER)] = [after_chip]
        self.set_rows(texts, chips)
        self.retranslate()


class ChangesView(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("RiskChanges")
        self.up: list[tuple[str, str, str, str]] = []
        self.down: list[tuple[str, str, str, str]] = []
        self._building = False

        self.from_caption = tr(QLabel(), N_("From the round of"))
        self.from_combo = QComboBox()
        self.from_combo.setObjectName("fromRound")
        self.to_caption = tr(QLabel(), N_("to the round of"))
        self.to_combo = QComboBox()
        self.to_combo.setObjectName("toRound")
        for combo in (self.from_combo, self.to_combo):
            combo.setMinimumContentsLength(8)
            combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.from_caption.setBuddy(self.from_combo)
        self.to_caption.setBuddy(self.to_combo)
        top = QHBoxLayout()
        top.addWidget(self.from_caption)
        top.addWidget(self.from_combo)
        top.addSpacing(12)
        top.addWidget(self.to_caption)
        top.addWidget(self.to_combo)
        top.addStretch(1)

        self.summary = QLabel()
        self.summary.setObjectName("changesSummary")
        self.summary.setWordWrap(True)
        self.note = hint()
        self.message = empty_state()
        self.message.setObjectName("changesMessage")

        self.up_model = ChangesModel(self)
        self.up_table = make_table(self.up_model, "wentUp")
        self.up_box = QGroupBox()
        self.up_box.setObjectName("wentUpBox")
        QVBoxLayout(self.up_box).addWidget(self.up_table)
        self.down_model = ChangesModel(self)
        self.down_table = make_table(self.down_model, "wentDown")
        self.down_box = QGroupBox()
        self.down_box.setObjectName("wentDownBox")
        QVBoxLayout(self.down_box).addWidget(self.down_table)
        self.tables = QSplitter(Qt.Orientation.Vertical)
        self.tables.addWidget(self.up_box)
        self.tables.addWidget(self.down_box)
        self.tables.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.note)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.tables, 1)
        self.relabel()

    def relabel(self) -> None:
        bigger(self.summary, 1.1)
        self.note.setText(_("Households rated in only one of the two rounds are not compared. The level of a round is "
                            "the last one given in it (villager group, village committee or town work team)."))
        self._show()

    # -------------------------------------------------------- rounds

    def _fill_combos(self) -> None:
        keep = (self.from_quarter(), self.to_quarter())
        try:
            with self.ctx.store.read() as session:
                quarters = [r.quarter for r in list_rounds(session, self.ctx.actor)]  # newest first
        except Exception as exc:
            quarters = []
            report_error(self, self.ctx, exc, traceback.format_exc())
        self._building = True
        try:
            for combo in (self.from_combo, self.to_combo):
                combo.clear()
                for quarter in quarters:
                    combo.addItem(quarter, quarter)
            # by default the round before the latest, to the latest
            first = keep[0] if keep[0] in quarters else (quarters[1] if len(quarters) > 1 else None)
            second = keep[1] if keep[1] in quarters else (quarters[0] if quarters else None)
            if first is not None:
                self.from_combo.setCurrentIndex(self.from_combo.findData(first))
            if second is not None:
                self.to_combo.setCurrentIndex(self.to_combo.findData(second))
        finally:
            self._building = False

    @staticmethod
    def _quarter(combo: QComboBox) -> str | None:
        value = combo.currentData() if combo.count() else None
        return value if isinstance(value, str) and value else None

    def from_quarter(self) -> str | None:
        return self._quarter(self.from_combo)

    def to_quarter(self) -> str | None:
        return self._quarter(self.to_combo)

    def choose(self, first: str, second: str) -> None:
        """Compare the round of `first` with that of `second` (as the two lists would)."""
        self._building = True
        try:
            self.from_combo.setCurrentIndex(self.from_combo.findData(first))
            self.to_combo.setCurrentIndex(self.to_combo.findData(second))
        finally:
            self._building = False
        self.reload()

    # -------------------------------------------------------- loading

    def refresh(self) -> None:
        self._fill_combos()
        self.reload()

    def reload(self) -> None:
        if self._building:
            return
        self.up, self.down = [], []
        first, second = self.from_quarter(), self.to_quarter()
        if first and second and first != second:
            try:
                with self.ctx.store.read() as session:
                    changes = risk.changes_between(session, self.ctx.actor, first, second)
            except Exception as exc:
                changes = []
                report_error(self, self.ctx, exc, traceback.format_exc())
            self.up = [c for c in changes if _order(c[3]) > _order(c[2])]
            self.down = [c for c in changes if _order(c[3]) < _order(c[2])]
        self._show()

    def _show(self) -> None:
        rounds = self.from_combo.count()
        first, second = self.from_quarter() or "", self.to_quarter() or ""
        comparing = rounds >= 2 and bool(first) and bool(second) and first != second
        if rounds < 2:
            message = _("Changes need two risk rounds; there is only one so far.") if rounds == 1 else _(
                "No risk round yet.")
        elif not comparing:
            message = _("Choose two different rounds.")
        elif not self.up and not self.down:
            message = _("No household changed its level from {first} to {second}.").format(first=first, second=second)
        else:
            message = ""
        self.message.setText(message)
        self.message.setVisible(bool(message))
        self.tables.setVisible(comparing and bool(self.up or self.down))
        for caption, combo in ((self.from_caption, self.from_combo), (self.to_caption, self.to_combo)):
            caption.setEnabled(rounds >= 2)
            combo.setEnabled(rounds >= 2)
        self.summary.setText(_("From {first} to {second}: {up} went up, {down} went down.").format(
            first=first, second=second, up=format_number(len(self.up)), down=format_number(len(self.down)))
            if comparing else "")
        self.summary.setVisible(comparing)
        self.note.setVisible(comparing)
        self.up_box.setTitle(_("Went up ({n})").format(n=format_number(len(self.up))))
        self.down_box.setTitle(_("Went down ({n})").format(n=format_number(len(self.down))))
        quarters = (first, second)
        self.up_model.set_changes(quarters, self.up)
        self.down_model.set_changes(quarters, self.down)
        fit_columns(self.up_table)
        fit_columns(self.down_table)
