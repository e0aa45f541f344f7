"""Public notice of points (积分公示): choose the period and the villager group (or the whole village), preview
the 积分公示榜, post it (`post_notice`: the notice period starts) and print it; below, the objections raised
during notice periods, each decided upheld (the entry is reversed) or dismissed, with a reason."""

from __future__ import annotations

import datetime as dt
import io
import traceback
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.clock import today
from app.errors import ValidationError
from app.i18n import N_, _, format_date
from app.paths import log_file
from app.ui.context import UiContext
from app.ui.points.common import (
    HINT_COLOR,
    NOTICE_TABLES,
    OK_COLOR,
    WARNING_COLOR,
    InlineMessage,
    date_edit,
    empty_state,
    error_message,
    hint_label,
    period_choices,
    q_to_date,
    write,
)
from app.ui.points.dialogs import ReasonDialog

NOTICE_TITLE = "积分公示榜"
DEFAULT_WHERE = "村委会办公室（村人民调解室）"
ID_ROLE = Qt.ItemDataRole.UserRole + 1
DECISIONS = {"": N_("Pending"), "upheld": N_("Upheld"), "dismissed": N_("Dismissed")}
DECISION_COLORS = {"": WARNING_COLOR, "upheld": OK_COLOR, "dismissed": HINT_COLOR}


@dataclass(frozen=True)
class ObjectionRow:
    id: str
    raised_on: Any
    raised_by: str
    content: str
    decision: str
    decision_note: str
    decided_by: str
    decided_on: Any


class NoticeView(QWidget):
    OBJECTION_COLUMNS = (N_("Raised on"), N_("Raised by"), N_("Objection"), N_("Decision"), N_("Reason"),
                         N_("Decided by"))

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("pointsNotice")
        self.dialog: QWidget | None = None
        self.posted_id: str | None = None
        self.posted_title = NOTICE_TITLE
        self.objections: list[ObjectionRow] = []
        can_post = ctx.can("points.notice")

        # ---- the notice
        self.period_combo = QComboBox()
        self.period_combo.setObjectName("noticePeriod")
        self.period_combo.setEditable(True)
        self.period_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.period_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.group_combo = QComboBox()
        self.group_combo.setObjectName("noticeGroup")
        self.group_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.posted_on = date_edit(today(), maximum=today())
        self.posted_on.setObjectName("noticePostedOn")
        self.days = QSpinBox()
        self.days.setObjectName("noticeDays")
        self.days.setRange(3, 30)
        self.days.setValue(7)
        self.where = QLineEdit(DEFAULT_WHERE)
        self.where.setObjectName("noticeWhere")
        self.where.setMaxLength(200)
        self.period_label, self.group_label, self.posted_label, self.days_label, self.where_label = (
            QLabel(), QLabel(), QLabel(), QLabel(), QLabel())
        self.where.setMinimumWidth(self.fontMetrics().averageCharWidth() * 44)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        posted_row = QHBoxLayout()
        posted_row.addWidget(self.posted_on)
        posted_row.addSpacing(16)
        posted_row.addWidget(self.days_label)
        posted_row.addWidget(self.days)
        posted_row.addStretch(1)
        form.addRow(self.period_label, self.period_combo)
        form.addRow(self.group_label, self.group_combo)
        form.addRow(self.posted_label, posted_row)
        form.addRow(self.where_label, self.where)
        for label, buddy in ((self.period_label, self.period_combo), (self.group_label, self.group_combo),
                             (self.posted_label, self.posted_on), (self.days_label, self.days), (self.where_label, self.where)):
            label.setBuddy(buddy)
        self.preview_button = QPushButton()
        self.preview_button.setObjectName("previewNotice")
        self.preview_button.clicked.connect(self.preview_draft)
        self.post_button = QPushButton()
        self.post_button.setObjectName("postNotice")
        self.post_button.clicked.connect(self.post)
        self.post_button.setVisible(can_post)
        self.reprint_button = QPushButton()
        self.reprint_button.setObjectName("reprintNotice")
        self.reprint_button.clicked.connect(self.preview_posted)
        self.reprint_button.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.post_button)
        buttons.addWidget(self.reprint_button)
        buttons.addStretch(1)
        self.message = InlineMessage()
        self.message.setObjectName("noticeMessage")
        self.notice_box = QGroupBox()
        notice_layout = QVBoxLayout(self.notice_box)
        self.notice_hint = hint_label()
        notice_layout.addWidget(self.notice_hint)
        notice_layout.addLayout(form)
        notice_layout.addLayout(buttons)
        notice_layout.addWidget(self.message)

        # ---- objections
        self.pending_only = QCheckBox()
        self.pending_only.setObjectName("pendingOnly")
        self.pending_only.setChecked(True)
        self.pending_only.toggled.connect(lambda _on: self.load_objections())
        self.uphold_button = QPushButton()
        self.uphold_button.setObjectName("upholdObjection")
        self.uphold_button.clicked.connect(lambda: self.decide_selected(True))
        self.dismiss_button = QPushButton()
        self.dismiss_button.setObjectName("dismissObjection")
        self.dismiss_button.clicked.connect(lambda: self.decide_selected(False))
        for button in (self.uphold_button, self.dismiss_button):
            button.setVisible(can_post)
        objection_bar = QHBoxLayout()
        objection_bar.addWidget(self.pending_only)
        objection_bar.addStretch(1)
        objection_bar.addWidget(self.uphold_button)
        objection_bar.addWidget(self.dismiss_button)
        self.table = QTableWidget(0, len(self.OBJECTION_COLUMNS))
        self.table.setObjectName("objectionsTable")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.objections_empty = empty_state()
        self.objections_stack = QStackedWidget()
        self.objections_stack.addWidget(self.table)
        self.objections_stack.addWidget(self.objections_empty)
        self.objection_message = InlineMessage()
        self.objections_box = QGroupBox()
        objections_layout = QVBoxLayout(self.objections_box)
        objections_layout.addLayout(objection_bar)
        objections_layout.addWidget(self.objection_message)
        objections_layout.addWidget(self.objections_stack, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.notice_box)
        layout.addWidget(self.objections_box, 1)
        self.relabel()
        self._fill_groups()
        self.load_objections()

    def relabel(self) -> None:
        self.notice_box.setTitle(_("Post a notice"))
        self.notice_hint.setText(_("The notice lists every household of the group with its points for the period; "
                                   "villagers may object until the notice period ends."))
        self.period_label.setText(_("Period"))
        self.period_combo.setToolTip(_("Choose, or type a period such as 2026-10, 2026Q3 or 2026"))
        self.group_label.setText(_("Villager group"))
        self.posted_label.setText(_("Posted on"))
        self.days_label.setText(_("Notice period (days)"))
        self.where_label.setText(_("Where to object"))
        self.preview_button.setText(_("Preview…"))
        self.preview_button.setToolTip(_("See the notice as it will print, before posting it"))
        self.post_button.setText(_("Post and print…"))
        self.post_button.setToolTip(_("Record the notice (its objection period starts) and open it for printing"))
        self.reprint_button.setText(_("Print the posted notice again…"))
        self.objections_box.setTitle(_("Objections"))
        self.pending_only.setText(_("Only those not decided yet"))
        self.uphold_button.setText(_("Uphold…"))
        self.uphold_button.setToolTip(_("The objection is right: the entry is reversed"))
        self.dismiss_button.setText(_("Dismiss…"))
        self.table.setHorizontalHeaderLabels([_(c) for c in self.OBJECTION_COLUMNS])
        keep = self.period_text()
        self.period_combo.blockSignals(True)
        self.period_combo.clear()
        for choice in period_choices(past_only=True):
            self.period_combo.addItem(choice.label, choice.text)
        index = self.period_combo.findData(keep)
        if index >= 0 or not keep:
            self.period_combo.setCurrentIndex(max(index, 0))
        else:
            self.period_combo.setEditText(keep)
        self.period_combo.blockSignals(False)
        self._show_objections()

    def _fill_groups(self) -> None:
        from app.services import grid

        keep = self.group_combo.currentData()
        with self.ctx.store.read() as session:
            groups = [(g.id, g.name) for g in grid.groups(session)]
        self.group_combo.clear()
        self.group_combo.addItem(_("Whole village"), None)
        for gid, name in groups:
            self.group_combo.addItem(name, gid)
        self.group_combo.setCurrentIndex(max(self.group_combo.findData(keep), 0))

    def refresh(self) -> None:
        self._fill_groups()
        self.load_objections()

    def period_text(self) -> str:
        """The chosen period as the services read it (2026-10), or what the user typed."""
        index = self.period_combo.currentIndex()
        text = self.period_combo.currentText().strip()
        if index >= 0 and self.period_combo.itemText(index) == text:
            return str(self.period_combo.itemData(index))
        return text

    # -------------------------------------------------------- the notice

    def _preview(self, make: Any, title: str) -> QDialog:
        from app.ui.print_preview import PrintPreviewDialog

        dialog = PrintPreviewDialog(make, title, 1, self, file_name=f"{title}.pdf", log_path=log_file(self.ctx.data_dir))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.open()
        return dialog

    def preview_draft(self) -> QDialog:
        """The notice as it would be posted with what is filled in now (nothing is recorded)."""
        store, actor = self.ctx.store, self.ctx.actor
        period, group = self.period_text(), self.group_combo.currentData()
        posted, days, where = q_to_date(self.posted_on.date()), self.days.value(), self.where.text()

        def make() -> bytes:
            from app.documents.points_notice import draft_notice, render_notice

            with store.read() as session:
                data = draft_notice(session, actor, period, group, posted_on=posted, days=days, where_to_object=where)
            out = io.BytesIO()
            render_notice(data, out)
            return out.getvalue()

        self.message.clear_message()
        return self._preview(make, f"{NOTICE_TITLE}-{period}-{self.group_combo.currentText()}")

    def post(self) -> QDialog | None:
        from app.services import points_notice

        if not self.ctx.can("points.notice"):
            return None
        period, group = self.period_text(), self.group_combo.currentData()
        posted, days, where = q_to_date(self.posted_on.date()), self.days.value(), self.where.text()
        try:
            notice_id = write(self.ctx, lambda session: points_notice.post_notice(
                session, self.ctx.actor, period, group, posted_on=posted, days=days, where_to_object=where).id, NOTICE_TABLES)
        except ValidationError as exc:
            self.message.error(exc.message)
            return None
        except Exception as exc:
            self.message.error(error_message(self.ctx, exc, traceback.format_exc()))
            return None
        self.posted_id = notice_id
        self.posted_title = f"{NOTICE_TITLE}-{period}-{self.group_combo.currentText()}"
        self.message.success(_("The notice of {period} for {scope} is posted; objections are possible until {date}.").format(
            period=period, scope=self.group_combo.currentText(),
            date=format_date(posted + dt.timedelta(days=days - 1))))
        self.reprint_button.show()
        return self.preview_posted()

    def preview_posted(self) -> QDialog | None:
        notice_id = self.posted_id
        if notice_id is None:
            return None
        store, actor = self.ctx.store, self.ctx.actor

        def make() -> bytes:
            from app.documents.points_notice import collect_notice, render_notice

            with store.read() as session:
                data = collect_notice(session, actor, notice_id)
            out = io.BytesIO()
            render_notice(data, out)
            return out.getvalue()

        return self._preview(make, self.posted_title)

    # -------------------------------------------------------- objections

    def load_objections(self) -> None:
        from app.services import points_notice

        try:
            with self.ctx.store.read() as session:
                rows = points_notice.objections(session, self.ctx.actor, pending_only=self.pending_only.isChecked())
        except Exception as exc:
            self.objection_message.error(error_message(self.ctx, exc, traceback.format_exc()))
            rows = []
        self.objections = [ObjectionRow(o.id, o.raised_on, o.raised_by, o.content, o.decision, o.decision_note,
                                        o.decided_by, o.decided_on) for o in rows]
        self._show_objections()

    def _show_objections(self) -> None:
        keep = self.selected_objection()
        self.table.setRowCount(len(self.objections))
        for r, o in enumerate(self.objections):
            values = [format_date(o.raised_on, "short"), o.raised_by, o.content, _(DECISIONS.get(o.decision, o.decision)),
                      o.decision_note, o.decided_by]
            for c, value in enumerate(values):
                item = QTableWidgetItem(value.replace("\n", " "))
                item.setData(ID_ROLE, o.id)
                if c == 2:
                    item.setToolTip(o.content)
                if c == 3:
                    item.setForeground(QColor(DECISION_COLORS.get(o.decision, HINT_COLOR)))
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        for c in range(len(self.OBJECTION_COLUMNS) - 1):
            header.resizeSection(c, min(max(header.sectionSize(c), 60), 360))
        if keep is not None:
            self.select_objection(keep.id)
        if self.objections:
            self.objections_stack.setCurrentWidget(self.table)
        else:
            self.objections_empty.setText(
                _("No objections waiting for a decision.") if self.pending_only.isChecked() else _("No objections yet."))
            self.objections_stack.setCurrentWidget(self.objections_empty)
        self._update_buttons()

    def selected_objection(self) -> ObjectionRow | None:
        row = self.table.currentRow()
        if not 0 <= row < len(self.objections) or not self.table.selectionModel().hasSelection():
            return None
        item = self.table.item(row, 0)
        objection_id = item.data(ID_ROLE) if item is not None else None
        return next((o for o in self.objections if o.id == objection_id), None)

    def select_objection(self, objection_id: str) -> None:
        for r, o in enumerate(self.objections):
            if o.id == objection_id:
                self.table.selectRow(r)
                return

    def _update_buttons(self) -> None:
        chosen = self.selected_objection()
        open_ = chosen is not None and not chosen.decision
        self.uphold_button.setEnabled(open_)
        self.dismiss_button.setEnabled(open_)

    def decide_selected(self, upheld: bool) -> ReasonDialog | None:
        from app.services import points_notice

        objection = self.selected_objection()
        if objection is None or objection.decision or not self.ctx.can("points.notice"):
            return None
        ctx = self.ctx

        def save(note: str) -> None:
            write(ctx, lambda session: points_notice.decide_objection(session, ctx.actor, objection.id, upheld, note),
                  NOTICE_TABLES)

        if upheld:
            title, explanation, button = (_("Uphold the objection"),
                                          _("The objection of {who} is right: the entry is reversed, with this reason.").format(
                                              who=objection.raised_by), _("Uphold"))
        else:
            title, explanation, button = (_("Dismiss the objection"),
                                          _("The objection of {who} is dismissed; the reason is kept and can be told to "
                                            "the villager.").format(who=objection.raised_by), _("Dismiss"))
        dialog = ReasonDialog(ctx, title, explanation, _("Reason"), button, save, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def decided() -> None:
            self.objection_message.success(_("The objection was upheld and the entry reversed.") if upheld
                                           else _("The objection was dismissed."))
            self.load_objections()

        dialog.accepted.connect(decided)
        self.dialog = dialog
        dialog.open()
        return dialog
