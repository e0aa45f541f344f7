"""Settings: the committee's details, the language, the font size, the idle lock and the work rules
(days to settle a case, when to visit after an agreement's performance deadline, how often to visit a
high- or medium-risk household), and, for the committee director, the backups: back up now to a folder
(a USB stick), restore from a file, the list of automatic backups and how many to keep.

Every role sees them; only a role with `settings.write` (the committee director) may change them.
Language and font size take effect at once; the other pages re-label themselves on `ctx.retranslate`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import i18n
from app.errors import DeskError, ValidationError
from app.i18n import N_, _, format_datetime
from app.paths import log_file
from app.ui.context import UiContext
from app.ui.messages import FieldError, FieldErrors, ask, error_text, inform, required_note, show_error, warn
from app.ui.widgets import scroll_area

LANGUAGE_NAMES = {"zh_CN": "简体中文", "en": "English"}  # each in its own language: never translated
FONT_SIZES = (("normal", N_("Normal ({size} pt)"), 12), ("large", N_("Large ({size} pt)"), 15))
# (setting key, label, hint under the field): whole numbers of days, checked and audited by `settings.put`
WORK_RULES = (
    ("case_deadline_days", N_("Days to settle a case"), N_("From the day a case is received.")),
    ("follow_up_after_days", N_("Follow-up visit after the performance deadline"),
     N_("Days after the deadline an agreement sets for performing it.")),
    ("risk_visit_days_high", N_("Visit a high-risk household every"), ""),
    ("risk_visit_days_medium", N_("Visit a medium-risk household every"), ""),
)
SAVED_COLOR = "#1e7b45"
HINT_COLOR = "#5f6368"


def _saved_label() -> QLabel:
    label = QLabel()
    label.setStyleSheet(f"color: {SAVED_COLOR};")
    return label


class SettingsPage(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsPage")
        self.ctx = ctx
        self.editable = ctx.can("settings.write")
        self.log_path = log_file(ctx.data_dir)

        self.heading = QLabel()
        self.heading.setObjectName("pageHeading")
        self.read_only_note = QLabel()
        self.read_only_note.setWordWrap(True)
        self.read_only_note.setVisible(not self.editable)

        # Committee details
        self.committee_box = QGroupBox()
        self.name = QLineEdit()
        self.name.setObjectName("name")
        self.name.setMaxLength(100)
        self.code = QLineEdit()
        self.code.setObjectName("code")
        self.code.setMaxLength(6)
        self.seal_text = QLineEdit()
        self.seal_text.setObjectName("seal_text")
        self.seal_text.setMaxLength(100)
        self.village = QLineEdit()
        self.village.setObjectName("village")
        self.village.setMaxLength(60)
        self.township = QLineEdit()
        self.township.setObjectName("township")
        self.township.setMaxLength(60)
        self.committee_errors = FieldErrors()
        committee_form = QFormLayout()
        committee_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self._committee_rows: list[tuple[QLabel, str, bool]] = []
        for key, label, required in (
            ("name", N_("Committee name"), True),
            ("code", N_("Committee code"), True),
            ("seal_text", N_("Seal text"), False),
            ("village", N_("Village"), True),
            ("township", N_("Township"), True),
        ):
            widget = self.committee_errors.add_row(committee_form, key, _(label), getattr(self, key), required=required)
            self._committee_rows.append((widget, label, required))
        self.committee_note = QLabel()
        self.committee_note.setTextFormat(Qt.TextFormat.RichText)
        self.save_committee = QPushButton()
        self.save_committee.setObjectName("saveCommittee")
        self.save_committee.clicked.connect(self.save_committee_details)
        self.committee_saved = _saved_label()
        self.committee_error = FieldError()
        committee_buttons = QHBoxLayout()
        committee_buttons.addWidget(self.committee_note)
        committee_buttons.addStretch(1)
        committee_buttons.addWidget(self.committee_saved)
        committee_buttons.addWidget(self.save_committee)
        committee_layout = QVBoxLayout(self.committee_box)
        committee_layout.addLayout(committee_form)
        committee_layout.addWidget(self.committee_error)
        committee_layout.addLayout(committee_buttons)

        # Display: language and font size, applied at once
        self.display_box = QGroupBox()
        self.language = QComboBox()
        self.language.setObjectName("language")
        for code in i18n.LANGUAGES:
            self.language.addItem(LANGUAGE_NAMES.get(code, code), code)
        self.font_size = QComboBox()
        self.font_size.setObjectName("fontSize")
        for key, _label, _size in FONT_SIZES:
            self.font_size.addItem("", key)
        self.display_errors = FieldErrors()
        display_form = QFormLayout()
        self.language_label = self.display_errors.add_row(display_form, "language", _("Language"), self.language)
        self.font_label = self.display_errors.add_row(display_form, "font_size", _("Font size"), self.font_size)
        display_layout = QVBoxLayout(self.display_box)
        display_layout.addLayout(display_form)

        # Security: the idle lock
        self.security_box = QGroupBox()
        self.idle_minutes = QSpinBox()
        self.idle_minutes.setObjectName("idleMinutes")
        self.idle_minutes.setRange(1, 240)
        self.idle_minutes.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.save_idle = QPushButton()
        self.save_idle.setObjectName("saveIdle")
        self.save_idle.clicked.connect(self.save_idle_minutes)
        self.idle_saved = _saved_label()
        idle_row = QWidget()
        idle_layout = QHBoxLayout(idle_row)
        idle_layout.setContentsMargins(0, 0, 0, 0)
        idle_layout.addWidget(self.idle_minutes)
        idle_layout.addWidget(self.save_idle)
        idle_layout.addWidget(self.idle_saved)
        idle_layout.addStretch(1)
        self.security_errors = FieldErrors()
        security_form = QFormLayout()
        self.idle_label = self.security_errors.add_row(security_form, "idle_lock_minutes", _("Lock after idle minutes"),
                                                       idle_row)
        security_layout = QVBoxLayout(self.security_box)
        security_layout.addLayout(security_form)

        # Work rules: deadlines and visit intervals, saved together
        self.work_box = QGroupBox()
        self.work_box.setObjectName("workRules")
        self.work_errors = FieldErrors()
        work_form = QFormLayout()
        work_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.work_days: dict[str, QSpinBox] = {}
        self._work_rows: list[tuple[QLabel, str, QLabel, str]] = []
        for key, label, hint in WORK_RULES:
            days = QSpinBox()
            days.setObjectName(key)
            days.setRange(0, 999)  # the service says what is allowed, under the field
            days.setAlignment(Qt.AlignmentFlag.AlignRight)
            days.setMinimumWidth(days.fontMetrics().averageCharWidth() * 12)
            days.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            hint_label = QLabel()
            hint_label.setStyleSheet(f"color: {HINT_COLOR};")
            hint_label.setWordWrap(True)
            row = QWidget()
            row_layout = QHBoxLayout(row)
            row_layout.setContentsMargins(0, 0, 0, 0)
            row_layout.addWidget(days, 0, Qt.AlignmentFlag.AlignLeft)
            row_layout.addWidget(hint_label, 1)
            widget = self.work_errors.add_row(work_form, key, _(label), row)
            widget.setBuddy(days)
            self.work_days[key] = days
            self._work_rows.append((widget, label, hint_label, hint))
        self.save_work = QPushButton()
        self.save_work.setObjectName("saveWorkRules")
        self.save_work.clicked.connect(self.save_work_rules)
        self.work_saved = _saved_label()
        work_buttons = QHBoxLayout()
        work_buttons.addStretch(1)
        work_buttons.addWidget(self.work_saved)
        work_buttons.addWidget(self.save_work)
        work_layout = QVBoxLayout(self.work_box)
        work_layout.addLayout(work_form)
        work_layout.addLayout(work_buttons)

        # Where things are
        self.about_box = QGroupBox()
        self.data_dir_value = QLabel(str(ctx.data_dir))
        self.data_dir_value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.data_dir_value.setWordWrap(True)
        self.log_value = QLabel(str(self.log_path))
        self.log_value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.log_value.setWordWrap(True)
        about_form = QFormLayout()
        self.data_dir_label = QLabel()
        self.log_label = QLabel()
        about_form.addRow(self.data_dir_label, self.data_dir_value)
        about_form.addRow(self.log_label, self.log_value)
        QVBoxLayout(self.about_box).addLayout(about_form)

        self._build_backup_box()

        content = QWidget()
        content.setObjectName("settingsContent")
        column = QVBoxLayout(content)
        column.setContentsMargins(24, 16, 24, 24)
        column.setSpacing(16)
        column.addWidget(self.heading)
        column.addWidget(self.read_only_note)
        column.addWidget(self.committee_box)
        column.addWidget(self.display_box)
        column.addWidget(self.security_box)
        column.addWidget(self.work_box)
        column.addWidget(self.backup_box)
        column.addWidget(self.about_box)
        column.addStretch(1)
        content.setMaximumWidth(900)
        holder = QWidget()
        holder_layout = QHBoxLayout(holder)
        holder_layout.setContentsMargins(0, 0, 0, 0)
        holder_layout.addWidget(content, 1)
        holder_layout.addStretch(0)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll_area(holder))

        editors: tuple[QWidget, ...] = (self.name, self.code, self.seal_text, self.village, self.township,
                                        self.save_committee, self.language, self.font_size, self.idle_minutes,
                                        self.save_idle, *self.work_days.values(), self.save_work)
        for editor in editors:
            editor.setEnabled(self.editable)

        self.refresh()
        self.language.currentIndexChanged.connect(self._language_chosen)
        self.font_size.currentIndexChanged.connect(self._font_size_chosen)
        ctx.retranslate.connect(self.retranslate)
        self.retranslate()

    # -- loading ----------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Show what is stored now."""
        from app.services import committee, settings

        with self.ctx.store.read() as session:
            current = committee.current(session)
            font_size = settings.get(session, "font_size")
            idle = settings.get_int(session, "idle_lock_minutes")
            work = {key: settings.get_int(session, key) for key in self.work_days}
        if current is not None:
            self.name.setText(current.name)
            self.code.setText(current.code)
            self.seal_text.setText(current.seal_text)
            self.village.setText(current.village)
            self.township.setText(current.township)
        self._select(self.language, i18n.language())
        self._select(self.font_size, font_size)
        self.idle_minutes.setValue(idle)
        for key, days in self.work_days.items():
            days.setValue(work[key])
        self.committee_errors.clear()
        self.work_errors.clear()

    @staticmethod
    def _select(combo: QComboBox, value: str) -> None:
        index = combo.findData(value)
        if index >= 0 and index != combo.currentIndex():
            combo.blockSignals(True)
            combo.setCurrentIndex(index)
            combo.blockSignals(False)

    def retranslate(self) -> None:
        from app.ui.messages import field_label

        font = QFont(QApplication.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.setText(_("Settings"))
        self.read_only_note.setText(_("Only the committee director can change these settings."))
        self.committee_box.setTitle(_("Committee"))
        for widget, label, required in self._committee_rows:
            widget.setText(field_label(_(label), required))
        self.committee_note.setText(required_note())
        self.save_committee.setText(_("Save committee details"))
        self.display_box.setTitle(_("Display"))
        self.language_label.setText(_("Language"))
        self.font_label.setText(_("Font size"))
        for index, (_key, label, size) in enumerate(FONT_SIZES):
            self.font_size.setItemText(index, _(label).format(size=size))
        self.security_box.setTitle(_("Security"))
        self.idle_label.setText(_("Lock after idle minutes"))
        self.idle_minutes.setSuffix(" " + _("min"))
        self.save_idle.setText(_("Save"))
        self.work_box.setTitle(_("Work rules"))
        for widget, label, hint_label, hint in self._work_rows:
            widget.setText(_(label))
            hint_label.setText(_(hint) if hint else "")
            hint_label.setVisible(bool(hint))
        for days in self.work_days.values():
            days.setSuffix(" " + _("days"))
        self.save_work.setText(_("Save work rules"))
        self.about_box.setTitle(_("This desk"))
        self.data_dir_label.setText(_("Data directory"))
        self.log_label.setText(_("Log file"))
        self._retranslate_backups()
        self.committee_saved.clear()
        self.idle_saved.clear()
        self.work_saved.clear()

    # -- saving -----------------------------------------------------------------------------------

    def _put(self, key: str, value: str) -> bool:
        from app.services import settings

        try:
            with self.ctx.store.write() as session:
                settings.put(session, self.ctx.actor, key, value)
        except ValidationError as exc:
            errors = {"language": self.display_errors, "font_size": self.display_errors,
                      "idle_lock_minutes": self.security_errors}.get(key)
            if errors is None or not errors.show(exc):
                show_error(self, exc, self.log_path)
            return False
        except DeskError as exc:
            show_error(self, exc, self.log_path)
            return False
        return True

    def _language_chosen(self, index: int) -> None:
        language = str(self.language.itemData(index))
        previous = i18n.language()
        if language == previous:
            return
        self.display_errors.clear()
        try:
            i18n.set_language(language)
        except OSError as exc:  # the catalog is missing from this installation
            i18n.set_language(previous)
            self._select(self.language, previous)
            show_error(self, exc, self.log_path)
            return
        if not self._put("language", language):
            i18n.set_language(previous)
            self._select(self.language, previous)
            return
        app = QApplication.instance()
        if isinstance(app, QApplication):
            from app.ui.qt_setup import install_qt_translations

            install_qt_translations(app, language)
        self.ctx.retranslate.emit()

    def _font_size_chosen(self, index: int) -> None:
        size = str(self.font_size.itemData(index))
        self.display_errors.clear()
        if not self._put("font_size", size):
            self.refresh()
            return
        app = QApplication.instance()
        if isinstance(app, QApplication):
            from app.ui.qt_setup import apply_font_size

            apply_font_size(app, size)
        self.ctx.retranslate.emit()

    def save_idle_minutes(self) -> None:
        self.security_errors.clear()
        self.idle_saved.clear()
        if self._put("idle_lock_minutes", str(self.idle_minutes.value())):
            self.idle_saved.setText(_("Saved."))
            self.ctx.changed.emit({"setting"})

    def save_work_rules(self) -> None:
        """All four in one write transaction: one refused value saves none of them."""
        from app.services import settings

        self.work_errors.clear()
        self.work_saved.clear()
        values = {key: str(days.value()) for key, days in self.work_days.items()}
        try:
            with self.ctx.store.write() as session:
                for key, value in values.items():
                    settings.put(session, self.ctx.actor, key, value)
        except ValidationError as exc:
            if not self.work_errors.show(exc, focus=False):
                show_error(self, exc, self.log_path)
                return
            days = self.work_days[exc.field]
            days.setFocus()
            days.selectAll()
            return
        except DeskError as exc:
            show_error(self, exc, self.log_path)
            return
        self.work_saved.setText(_("Saved."))
        self.ctx.changed.emit({"setting"})

    def save_committee_details(self) -> None:
        from app.services import committee

        self.committee_errors.clear()
        self.committee_error.clear_message()
        self.committee_saved.clear()
        data = committee.CommitteeInput(self.name.text(), self.code.text(), self.seal_text.text(),
                                        self.village.text(), self.township.text())
        try:
            with self.ctx.store.write() as session:
                committee.update(session, self.ctx.actor, data)
        except ValidationError as exc:
            if not self.committee_errors.show(exc):
                self.committee_error.show_message(exc.message)
            return
        except DeskError as exc:
            show_error(self, exc, self.log_path)
            return
        self.refresh()
        self.committee_saved.setText(_("Saved."))
        self.ctx.changed.emit({"committee", "grid_cell"})

    # -- backups (the committee director only) ----------------------------------------------------

    def _build_backup_box(self) -> None:
        from app.services import backup

        self.backup_box = QGroupBox()
        self.backup_box.setObjectName("backups")
        self.backup_box.setVisible(self.ctx.can("backup.run"))
        # After a restore the program must start again; tests replace this.
        self.quit_after_restore: Callable[[], None] = _quit_application
        self.backup_task: object | None = None
        self.backup_intro = QLabel()
        self.backup_intro.setWordWrap(True)
        self.backup_intro.setStyleSheet(f"color: {HINT_COLOR};")
        self.backup_folder = backup.backups_dir(self.ctx.data_dir)
        self.backup_now = QPushButton()
        self.backup_now.setObjectName("backupNow")
        self.backup_now.clicked.connect(self.back_up_now)
        self.restore_file = QPushButton()
        self.restore_file.setObjectName("restoreFile")
        self.restore_file.clicked.connect(self.restore_from_file)
        self.restore_chosen = QPushButton()
        self.restore_chosen.setObjectName("restoreChosen")
        self.restore_chosen.clicked.connect(self.restore_chosen_backup)
        self.backup_status = QLabel()
        self.backup_status.setObjectName("backupStatus")
        self.backup_status.setWordWrap(True)
        self.backup_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.backup_list = QTableWidget(0, 3)
        self.backup_list.setObjectName("backupList")
        self.backup_list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.backup_list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.backup_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.backup_list.verticalHeader().hide()
        header = self.backup_list.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.backup_list.setMinimumHeight(self.backup_list.verticalHeader().defaultSectionSize() * 4)
        self.backup_list.itemSelectionChanged.connect(self._backup_selection_changed)
        self.backup_keep = QSpinBox()
        self.backup_keep.setObjectName("backupKeep")
        self.backup_keep.setRange(1, 100)
        self.backup_keep.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.save_keep = QPushButton()
        self.save_keep.setObjectName("saveBackupKeep")
        self.save_keep.clicked.connect(self.save_backup_keep)
        self.keep_saved = _saved_label()
        self.keep_label = QLabel()
        keep_row = QHBoxLayout()
        keep_row.addWidget(self.keep_label)
        keep_row.addWidget(self.backup_keep)
        keep_row.addWidget(self.save_keep)
        keep_row.addWidget(self.keep_saved)
        keep_row.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.backup_now)
        buttons.addWidget(self.restore_file)
        buttons.addStretch(1)
        buttons.addWidget(self.restore_chosen)
        self.list_label = QLabel()
        layout = QVBoxLayout(self.backup_box)
        layout.addWidget(self.backup_intro)
        layout.addLayout(buttons)
        layout.addWidget(self.backup_status)
        layout.addWidget(self.list_label)
        layout.addWidget(self.backup_list)
        layout.addLayout(keep_row)
        if self.ctx.can("backup.run"):
            self.refresh_backups()

    def _retranslate_backups(self) -> None:
        self.backup_box.setTitle(_("Backups"))
        self.backup_intro.setText(_(
            "The desk backs itself up when the program is closed and once a day, into {path}. Back up to a USB "
            "stick now and then and keep it in another place: a backup holds every record and attachment, "
            "full ID numbers included, and is not encrypted.").format(path=self.backup_folder))
        self.backup_now.setText(_("Back up now to a folder…"))
        self.restore_file.setText(_("Restore from a file…"))
        self.restore_chosen.setText(_("Restore the chosen backup…"))
        self._label_backup_list()
        self.backup_list.setHorizontalHeaderLabels([_("Made on"), _("Size"), _("File")])
        self.keep_label.setText(_("Automatic backups to keep"))
        self.save_keep.setText(_("Save"))
        self.keep_saved.clear()

    def refresh_backups(self) -> None:
        from app.services import backup, settings

        infos = backup.list_backups(self.ctx.data_dir)
        self.backup_list.setRowCount(len(infos))
        for row, info in enumerate(infos):
            values = (format_datetime(info.created_at), _size_text(info.size),
                      info.path.name)
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, str(info.path))
                self.backup_list.setItem(row, column, item)
        self._label_backup_list()
        with self.ctx.store.read() as session:
            self.backup_keep.setValue(settings.get_int(session, "backup_keep"))
        self._backup_selection_changed()

    def _label_backup_list(self) -> None:
        count = self.backup_list.rowCount()
        self.list_label.setText(_("Automatic backups ({n}), newest first").format(n=count) if count else
                                _("No automatic backup yet: the first is made when the program is closed."))
        self.backup_list.setVisible(bool(count))

    def _backup_selection_changed(self) -> None:
        self.restore_chosen.setEnabled(self.chosen_backup() is not None and self._backup_idle())

    def chosen_backup(self) -> Path | None:
        rows = self.backup_list.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.backup_list.item(rows[0].row(), 0)
        return Path(str(item.data(Qt.ItemDataRole.UserRole))) if item is not None else None

    def _backup_idle(self) -> bool:
        return self.backup_task is None

    def _set_backup_busy(self, busy: bool, message: str = "") -> None:
        self.backup_task = object() if busy else None
        for button in (self.backup_now, self.restore_file):
            button.setEnabled(not busy)
        self._backup_selection_changed()
        if message:
            self.backup_status.setText(message)

    def choose_backup_folder(self) -> str:
        return QFileDialog.getExistingDirectory(self, _("Back up to which folder (a USB stick)?"))

    def choose_backup_file(self) -> str:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Restore from which backup?"), "", _("Mediation Desk backups (*.mdbackup *.sqlite3)"))
        return path

    def back_up_now(self) -> None:
        folder = self.choose_backup_folder()
        if not folder:
            return
        self._start_backup(Path(folder))

    def _start_backup(self, folder: Path) -> None:
        from app.services import backup
        from app.ui.worker import Progress, run_task

        store, actor = self.ctx.store, self.ctx.actor

        def work(progress: Progress) -> backup.BackupInfo:
            return backup.create_backup(store, folder, actor=actor, progress=progress)

        def done(info: backup.BackupInfo) -> None:
            self._set_backup_busy(False, _("Backed up to {path} ({size}, {n} attachments).").format(
                path=info.path, size=_size_text(info.size), n=info.attachments))

        def failed(exc: BaseException, tb: str) -> None:
            self._set_backup_busy(False, _("The backup failed."))
            self._warn(exc, tb)

        def progress(done_count: int, total: int) -> None:
            self.backup_status.setText(_("Backing up… {done} of {total} files").format(done=done_count, total=total))

        self._set_backup_busy(True, _("Backing up to {path}…").format(path=folder))
        run_task(work, done, failed, progress)

    def _warn(self, exc: BaseException, tb: str = "") -> None:
        if not isinstance(exc, DeskError):
            import logging

            logging.getLogger("mediation_desk").error("unexpected error: %s\n%s", exc, tb)
        warn(self, _("Mediation Desk"), error_text(exc, self.log_path))

    def restore_from_file(self) -> None:
        path = self.choose_backup_file()
        if path:
            self.confirm_restore(Path(path))

    def restore_chosen_backup(self) -> None:
        path = self.chosen_backup()
        if path is not None:
            self.confirm_restore(path)

    def confirm_restore(self, path: Path) -> None:
        from app.services import backup

        try:
            info = backup.inspect_backup(path)
        except DeskError as exc:
            self._warn(exc)
            return
        text = _("Replace all the data of this desk with the backup of {committee} made on {when}?\n\n"
                 "Everything entered since then will be gone from the desk (the current database is kept aside as "
                 "a file in the data directory). Afterwards the program closes; start it again.\n\n{path}").format(
            committee=info.committee or "?", when=format_datetime(info.created_at), path=path)
        self.restore_question = ask(self, _("Restore a backup"), text, lambda: self._start_restore(path),
                                    yes_text=_("Restore and close"), no_text=_("Cancel"))

    def _start_restore(self, path: Path) -> None:
        from app.services import backup
        from app.ui.worker import Progress, run_task

        store, actor = self.ctx.store, self.ctx.actor

        def work(_progress: Progress) -> backup.RestoreResult:
            return backup.restore_backup(store, path, actor)

        def done(result: backup.RestoreResult) -> None:
            self._set_backup_busy(False, _("Restored."))
            self.setEnabled(False)  # the desk's store is closed: nothing more may be done in this window
            text = _("The desk was restored from {path}. The program will now close; start it again to go on.").format(
                path=result.restored_from)
            if result.kept_aside is not None:
                text += "\n\n" + _("The database as it was is kept as {path}.").format(path=result.kept_aside)
            box = inform(self, _("Restore a backup"), text)
            box.finished.connect(lambda _result: self.quit_after_restore())
            self.restore_done_box = box

        def failed(exc: BaseException, tb: str) -> None:
            self._set_backup_busy(False, _("Nothing was restored."))
            self._warn(exc, tb)

        self._set_backup_busy(True, _("Checking and restoring {path}…").format(path=path.name))
        run_task(work, done, failed)

    def save_backup_keep(self) -> None:
        self.keep_saved.clear()
        if self._put("backup_keep", str(self.backup_keep.value())):
            self.keep_saved.setText(_("Saved."))
            self.ctx.changed.emit({"setting"})


def _size_text(size: int) -> str:
    if size < 1024 * 1024:
        return _("{size} KB").format(size=max(1, round(size / 1024)))
    return _("{size} MB").format(size=f"{size / 1048576:.1f}")


def _quit_application() -> None:
    app = QApplication.instance()
    if app is not None:
        app.exit(0)
