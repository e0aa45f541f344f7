"""Batch entry (批量录入): one rule and one date for many households at once — everyone who joined the
clean-up day. Tick households (narrowed by villager group and search; "select all shown"), save once:
`points.add_batch`, all or nothing."""

from __future__ import annotations

import traceback
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.clock import today
from app.errors import ValidationError
from app.i18n import _, format_number, ngettext
from app.ui.context import UiContext
from app.ui.messages import field_label
from app.ui.points.common import (
    ENTRY_TABLES,
    HINT_COLOR,
    InlineMessage,
    ListOrEmpty,
    RuleView,
    date_edit,
    date_to_q,
    error_message,
    fill_group_combo,
    load_catalog,
    q_to_date,
    signed,
    write,
)
from app.ui.widgets import search_as_you_type

ID_ROLE = Qt.ItemDataRole.UserRole + 1
FILTER_DELAY_MS = 200
MAX_LISTED = 5000


class BatchEntryView(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("pointsBatchEntry")
        self.rules: list[RuleView] = []
        self.ticked: set[str] = set()
        self.last_batch: list[str] = []

        self.rule_combo = QComboBox()
        self.rule_combo.setObjectName("batchRule")
        self.rule_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.rule_combo.setMinimumContentsLength(36)
        self.date = date_edit(today(), maximum=today())
        self.date.setObjectName("batchDate")
        self.note = QLineEdit()
        self.note.setObjectName("batchNote")
        self.note.setMaxLength(1000)
        self.note.setMinimumWidth(self.fontMetrics().averageCharWidth() * 60)
        self.rule_label, self.date_label, self.note_label = QLabel(), QLabel(), QLabel()
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.addRow(self.rule_label, self.rule_combo)
        form.addRow(self.date_label, self.date)
        form.addRow(self.note_label, self.note)
        for label, buddy in ((self.rule_label, self.rule_combo), (self.date_label, self.date), (self.note_label, self.note)):
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setBuddy(buddy)

        self.group_combo = QComboBox()
        self.group_combo.setObjectName("batchGroup")
        self.group_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("batchFilter")
        self.filter_edit.setClearButtonEnabled(True)
        self.select_all_button = QPushButton()
        self.select_all_button.setObjectName("selectAllShown")
        self.select_all_button.clicked.connect(lambda: self.tick_all_shown(True))
        self.clear_button = QPushButton()
        self.clear_button.setObjectName("clearTicks")
        self.clear_button.clicked.connect(self.clear_ticks)
        filters = QHBoxLayout()
        filters.addWidget(self.group_combo)
        filters.addWidget(self.filter_edit, 1)
        filters.addWidget(self.select_all_button)
        filters.addWidget(self.clear_button)

        self.list = QListWidget()
        self.list.setObjectName("batchHouseholds")
        self.list.setAlternatingRowColors(True)
        self.list.itemChanged.connect(self._item_changed)
        self.stack = ListOrEmpty(self.list)
        self.empty_label = self.stack.empty

        self.count_label = QLabel()
        self.count_label.setObjectName("batchCount")
        self.count_label.setStyleSheet(f"color: {HINT_COLOR};")
        self.save_button = QPushButton()
        self.save_button.setObjectName("saveBatch")
        self.save_button.clicked.connect(self.save)
        self.message = InlineMessage()
        self.message.setObjectName("batchMessage")
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label, 1)
        bottom.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addLayout(filters)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.message)
        layout.addLayout(bottom)

        self._filter_timer = search_as_you_type(self.filter_edit, self.load_households, FILTER_DELAY_MS)
        self.relabel()
        fill_group_combo(self.ctx, self.group_combo)
        self.group_combo.currentIndexChanged.connect(lambda _i: self.load_households())
        self.refresh()

    def relabel(self) -> None:
        self.rule_label.setText(field_label(_("Rule"), True))
        self.date_label.setText(field_label(_("Date"), True))
        self.note_label.setText(_("Note"))
        self.note.setPlaceholderText(_("Optional, the same for every household (e.g. the clean-up day of 3 March)"))
        self.filter_edit.setPlaceholderText(_("Search name, pinyin, initials or household no."))
        self.select_all_button.setText(_("Tick all shown"))
        self.clear_button.setText(_("Untick all"))
        self.save_button.setText(_("Save for the ticked households"))
        self._update_count()

    def refresh(self) -> None:
        self.date.setMaximumDate(date_to_q(today()))
        keep = self.rule_combo.currentData()
        try:
            self.rules = load_catalog(self.ctx).rules
        except Exception as exc:
            self.message.error(error_message(self.ctx, exc, traceback.format_exc()))
            self.rules = []
        self.rule_combo.clear()
        self.rule_combo.addItem(_("Choose a rule…"), None)
        for rule in self.rules:
            self.rule_combo.addItem(f"{rule.code}  {rule.wording}  {signed(rule.points)}", rule.code)
        self.rule_combo.setCurrentIndex(max(self.rule_combo.findData(keep), 0))
        fill_group_combo(self.ctx, self.group_combo)
        self.load_households()

    def load_households(self) -> None:
        from app.services import households

        self._filter_timer.stop()
        try:
            with self.ctx.store.read() as session:
                rows = households.list_households(session, self.ctx.actor, query=self.filter_edit.text().strip(),
                                                  cell_id=self.group_combo.currentData(), limit=MAX_LISTED)
        except Exception as exc:
            self.message.error(error_message(self.ctx, exc, traceback.format_exc()))
            rows = []
        self.list.blockSignals(True)
        self.list.clear()
        for row in rows:
            text = "  ".join(p for p in (row.number, row.head_name, row.group_name, row.micro_grid_name) if p)
            item = QListWidgetItem(text)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable)
            item.setCheckState(Qt.CheckState.Checked if row.id in self.ticked else Qt.CheckState.Unchecked)
            item.setData(ID_ROLE, row.id)
            self.list.addItem(item)
        self.list.blockSignals(False)
        if rows:
            self.stack.show_list()
        else:
            if self.filter_edit.text().strip():
                text = _("No household matches “{query}”.").format(query=self.filter_edit.text().strip())
            elif self.group_combo.currentData() is not None:
                text = _("No households in this villager group yet.")
            else:
                text = _("No households yet. Add them in Grid and households first.")
            self.stack.show_empty(text)
        self._update_count()

    # -------------------------------------------------------- ticking

    def _item_changed(self, item: QListWidgetItem) -> None:
        household_id = item.data(ID_ROLE)
        if item.checkState() == Qt.CheckState.Checked:
            self.ticked.add(household_id)
        else:
            self.ticked.discard(household_id)
        self._update_count()

    def tick_all_shown(self, ticked: bool = True) -> None:
        self.list.blockSignals(True)
        for i in range(self.list.count()):
            item = self.list.item(i)
            item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
            if ticked:
                self.ticked.add(item.data(ID_ROLE))
            else:
                self.ticked.discard(item.data(ID_ROLE))
        self.list.blockSignals(False)
        self._update_count()

    def clear_ticks(self) -> None:
        self.ticked.clear()
        self.tick_all_shown(False)

    def _update_count(self) -> None:
        n = len(self.ticked)
        shown = self.list.count()
        self.count_label.setText(_("{ticked} ticked · {shown} shown").format(
            ticked=ngettext("{n} household", "{n} households", n).format(n=format_number(n)),
            shown=format_number(shown)))
        self.save_button.setEnabled(n > 0 and self.ctx.can("points.write"))

    # -------------------------------------------------------- saving

    def save(self) -> bool:
        from app.services import points

        code = self.rule_combo.currentData()
        if not code:
            self.message.error(_("Choose the rule first."))
            self.rule_combo.setFocus()
            return False
        if not self.ticked:
            self.message.error(_("Tick at least one household."))
            return False
        ids = sorted(self.ticked)
        day = q_to_date(self.date.date())
        note = self.note.text()

        def add(session: Any) -> list[str]:
            return [e.id for e in points.add_batch(session, self.ctx.actor, ids, code, day, note)]

        try:
            self.last_batch = write(self.ctx, add, ENTRY_TABLES)
        except ValidationError as exc:
            self.message.error(_("Nothing was saved. {message}").format(message=exc.message))
            return False
        except Exception as exc:
            self.message.error(error_message(self.ctx, exc, traceback.format_exc()))
            return False
        count = len(self.last_batch)
        self.message.success(ngettext("Saved {rule} for {n} household.", "Saved {rule} for {n} households.", count).format(
            rule=code, n=format_number(count)))
        self.clear_ticks()
        return True
