"""Public notice of points (积分公示): choose the period and the villager group (or the whole village), preview
the 积分公示榜, post it (`post_notice`: the notice period starts) and print it; the notices posted so far, each
of which can be printed again; below, the objections raised during notice periods (recorded from a household's
ledger) with the contested entry, each decided upheld (the entry is reversed) or dismissed, with a reason."""

from __future__ import annotations

import datetime as dt
import io
import traceback
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.clock import today
from app.i18n import N_, _, format_date
from app.paths import log_file
from app.ui.context import UiContext
from app.ui.points.common import (
    GAIN_COLOR,
    HINT_COLOR,
    ID_ROLE,
    LOSS_COLOR,
    NOTICE_TABLES,
    OK_COLOR,
    WARNING_COLOR,
    InlineMessage,
    ListOrEmpty,
    chosen_item,
    date_edit,
    error_message,
    fill_group_combo,
    hint_label,
    list_table,
    period_choices,
    q_to_date,
    select_id,
    signed,
    write,
)
from app.ui.points.dialogs import ReasonDialog
from app.ui.widgets import columns_to_contents

if TYPE_CHECKING:
    from app.services.points_notice import ObjectionRow

NOTICE_TITLE = "积分公示榜"
DEFAULT_WHERE = "村委会办公室（村人民调解室）"
DECISIONS = {"": N_("Pending"), "upheld": N_("Upheld"), "dismissed": N_("Dismissed")}
DECISION_COLORS = {"": WARNING_COLOR, "upheld": OK_COLOR, "dismissed": HINT_COLOR}


@dataclass(frozen=True)
class PostedNotice:
    """A posted notice as the list shows it."""

    id: str
    period: str
    scope: str
    posted_on: dt.date
    objections_until: dt.date

    @property
    def is_open(self) -> bool:
        """Whether villagers may still object to it (today is within its notice period)."""
        return self.posted_on <= today() <= self.objections_until

    @property
    def title(self) -> str:
        return f"{NOTICE_TITLE}-{self.period}-{self.scope}"


class NoticeView(QWidget):
    NOTICE_COLUMNS = (N_("Period"), N_("Scope"), N_("Posted on"), N_("Objections until"), N_("Status"))
    OBJECTION_COLUMNS = (N_("Raised on"), N_("Household no."), N_("Entry date"), N_("Entry"), N_("Points"),
                         N_("Raised by"), N_("Objection"), N_("Decision"), N_("Reason"))
    POINTS_COLUMN = 4
    DECISION_COLUMN = 7

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("pointsNotice")
        self.dialog: QWidget | None = None
        self.posted_id: str | None = None
        self.notices: list[PostedNotice] = []
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
        buttons = QHBoxLayout()
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.post_button)
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

        # ---- the notices posted so far
        self.reprint_button = QPushButton()
        self.reprint_button.setObjectName("reprintNotice")
        self.reprint_button.clicked.connect(self.reprint_selected)
        self.reprint_button.setVisible(can_post)  # the others open a notice with a double-click
        notices_bar = QHBoxLayout()
        self.notices_hint = hint_label(wrap=False)
        notices_bar.addWidget(self.notices_hint)
        notices_bar.addStretch(1)
        notices_bar.addWidget(self.reprint_button)
        self.notices_table = list_table(len(self.NOTICE_COLUMNS), "noticesTable")
        self.notices_table.itemSelectionChanged.connect(self._update_reprint)
        self.notices_table.itemDoubleClicked.connect(lambda _item: self.reprint_selected())
        self.notices_stack = ListOrEmpty(self.notices_table)
        self.notices_empty = self.notices_stack.empty
        self.notices_box = QGroupBox()
        notices_layout = QVBoxLayout(self.notices_box)
        notices_layout.addLayout(notices_bar)
        notices_layout.addWidget(self.notices_stack, 1)

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
        self.table = list_table(len(self.OBJECTION_COLUMNS), "objectionsTable")
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.objections_stack = ListOrEmpty(self.table)
        self.objections_empty = self.objections_stack.empty
        self.objection_message = InlineMessage()
        self.objections_box = QGroupBox()
        objections_layout = QVBoxLayout(self.objections_box)
        objections_layout.addLayout(objection_bar)
        objections_layout.addWidget(self.objection_message)
        objections_layout.addWidget(self.objections_stack, 1)

        lists = QSplitter(Qt.Orientation.Vertical)
        lists.setObjectName("noticeSplitter")
        lists.addWidget(self.notices_box)
        lists.addWidget(self.objections_box)
        lists.setStretchFactor(0, 2)
        lists.setStretchFactor(1, 3)
        lists.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.notice_box)
        layout.addWidget(lists, 1)
        self.relabel()
        fill_group_combo(self.ctx, self.group_combo)
        self.load_notices()
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
        self.notices_box.setTitle(_("Posted notices"))
        self.notices_hint.setText(_("Double-click a notice to print it again."))
        self.reprint_button.setText(_("Print again…"))
        self.notices_table.setHorizontalHeaderLabels([_(c) for c in self.NOTICE_COLUMNS])
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
        self._show_notices()
        self._show_objections()

    def refresh(self) -> None:
        fill_group_combo(self.ctx, self.group_combo)
        self.load_notices()
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
        except Exception as exc:  # a known error in its own words (error_message)
            self.message.error(error_message(self.ctx, exc, traceback.format_exc()))
            return None
        self.posted_id = notice_id
        self.message.success(_("The notice of {period} for {scope} is posted; objections are possible until {date}.").format(
            period=period, scope=self.group_combo.currentText(),
            date=format_date(posted + dt.timedelta(days=days - 1))))
        self.load_notices()
        self.select_notice(notice_id)
        return self.preview_notice(notice_id, f"{NOTICE_TITLE}-{period}-{self.group_combo.currentText()}")

    def preview_notice(self, notice_id: str, title: str) -> QDialog:
        """A posted notice, with the figures as they are now, for printing (again)."""
        store, actor = self.ctx.store, self.ctx.actor

        def make() -> bytes:
            from app.documents.points_notice import collect_notice, render_notice

            with store.read() as session:
                data = collect_notice(session, actor, notice_id)
            out = io.BytesIO()
            render_notice(data, out)
            return out.getvalue()

        return self._preview(make, title)

    # -------------------------------------------------------- the notices posted

    def load_notices(self) -> None:
        from app.services import grid, points_notice

        try:
            with self.ctx.store.read() as session:
                rows = points_notice.notices(session, self.ctx.actor)
                names = {gid: grid.get_cell(session, gid).name for gid in {n.group_id for n in rows if n.group_id}}
        except Exception as exc:
            self.message.error(error_message(self.ctx, exc, traceback.format_exc()))
            rows, names = [], {}
        self.notices = [PostedNotice(n.id, n.period, names[n.group_id] if n.group_id else _("Whole village"), n.posted_on,
                                     n.objections_until) for n in rows]
        self._show_notices()

    def _show_notices(self) -> None:
        keep = self.selected_notice()
        self.notices_table.setRowCount(len(self.notices))
        for r, n in enumerate(self.notices):
            values = [n.period, n.scope, format_date(n.posted_on), format_date(n.objections_until),
                      _("Open for objections") if n.is_open else _("Objections closed")]
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(ID_ROLE, n.id)
                if c == 4:
                    item.setForeground(QColor(OK_COLOR if n.is_open else HINT_COLOR))
                self.notices_table.setItem(r, c, item)
        columns_to_contents(self.notices_table)
        if keep is not None:
            self.select_notice(keep.id)
        if self.notices:
            self.notices_stack.show_list()
        else:
            self.notices_stack.show_empty(_("No notice has been posted yet. Choose the period and the group above, "
                                            "then “Post and print…”.") if self.ctx.can("points.notice")
                                          else _("No notice has been posted yet."))
        self.notices_hint.setVisible(bool(self.notices))
        self._update_reprint()

    def selected_notice(self) -> PostedNotice | None:
        return chosen_item(self.notices_table, self.notices)

    def select_notice(self, notice_id: str) -> None:
        select_id(self.notices_table, notice_id)

    def _update_reprint(self) -> None:
        chosen = self.selected_notice()
        self.reprint_button.setEnabled(chosen is not None)
        self.reprint_button.setToolTip(_("Open the chosen notice for printing, with the figures as they are now")
                                       if chosen is not None else _("Choose a notice in the list first"))

    def reprint_selected(self) -> QDialog | None:
        chosen = self.selected_notice()
        if chosen is None:
            return None
        self.message.clear_message()
        return self.preview_notice(chosen.id, chosen.title)

    # -------------------------------------------------------- objections

    def load_objections(self) -> None:
        from app.services import points_notice

        try:
            with self.ctx.store.read() as session:
                rows = points_notice.objection_rows(session, self.ctx.actor, pending_only=self.pending_only.isChecked())
        except Exception as exc:
            self.objection_message.error(error_message(self.ctx, exc, traceback.format_exc()))
            rows = []
        self.objections = rows
        self._show_objections()

    def _show_objections(self) -> None:
        keep = self.selected_objection()
        self.table.setRowCount(len(self.objections))
        for r, o in enumerate(self.objections):
            values = [format_date(o.raised_on, "short"), o.household_number, format_date(o.entry_occurred_on, "short"),
                      o.entry_reason, signed(o.entry_points), o.raised_by, o.content,
                      _(DECISIONS.get(o.decision, o.decision)), o.decision_note]
            for c, value in enumerate(values):
                item = QTableWidgetItem(value.replace("\n", " "))
                item.setData(ID_ROLE, o.id)
                if c == 3:
                    item.setToolTip(_("{entry} (on the notice of {period})").format(entry=o.entry_reason, period=o.notice_period)
                                    if o.notice_period else o.entry_reason)
                if c == self.POINTS_COLUMN:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    item.setForeground(QColor(GAIN_COLOR if o.entry_points > 0 else LOSS_COLOR))
                if c in (6, 8) and value:
                    item.setToolTip(value)
                if c == self.DECISION_COLUMN:
                    item.setForeground(QColor(DECISION_COLORS.get(o.decision, HINT_COLOR)))
                self.table.setItem(r, c, item)
        columns_to_contents(self.table, widest=220)  # the long texts are in their tooltips: the decision stays in sight
        if keep is not None:
            self.select_objection(keep.id)
        if self.objections:
            self.objections_stack.show_list()
        else:
            self.objections_stack.show_empty(
                _("No objections waiting for a decision.") if self.pending_only.isChecked() else _("No objections yet."))
        self._update_buttons()

    def selected_objection(self) -> ObjectionRow | None:
        return chosen_item(self.table, self.objections)

    def select_objection(self, objection_id: str) -> None:
        select_id(self.table, objection_id)

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

        entry = _("household {number}: {reason} ({points}, {date})").format(
            number=objection.household_number, reason=objection.entry_reason, points=signed(objection.entry_points),
            date=format_date(objection.entry_occurred_on))
        if upheld:
            title, explanation, button = (_("Uphold the objection"),
                                          _("The objection of {who} to {entry} is right: the entry is reversed, with this "
                                            "reason.").format(who=objection.raised_by, entry=entry), _("Uphold"))
        else:
            title, explanation, button = (_("Dismiss the objection"),
                                          _("The objection of {who} to {entry} is dismissed; the reason is kept and can be "
                                            "told to the villager.").format(who=objection.raised_by, entry=entry),
                                          _("Dismiss"))
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
