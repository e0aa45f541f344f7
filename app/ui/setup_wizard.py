"""First run: the committee this desk serves, its director's account, a summary; then the director is logged in.

Every step is checked by the service itself (`committee.set_up`), run in a transaction that is rolled
back until the last page, so the wizard never keeps anything half-written and shows the service's own
message under the field it names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.errors import DeskError, ValidationError
from app.i18n import N_, _
from app.ui.messages import FieldError, FieldErrors, required_note

if TYPE_CHECKING:
    from app.services.committee import AdminInput, CommitteeInput
    from app.services.context import Actor
    from app.store.engine import Store

COMMITTEE_FIELDS = ("name", "code", "seal_text", "village", "township")
ADMIN_FIELDS = ("username", "display_name", "password", "password2")
# A stand-in director used while only the committee page is checked; never written.
_PROBE_ADMIN = ("setup-check", "检查", "setup-check-password")


class _DryRun(Exception):
    """Raised inside the write block to roll a check back."""


def _line(object_name: str, max_length: int, placeholder: str = "") -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(object_name)
    edit.setMaxLength(max_length)
    if placeholder:
        edit.setPlaceholderText(placeholder)
    return edit


class CommitteePage(QWizardPage):
    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.name = _line("name", 100, "庄墩村人民调解委员会")
        self.code = _line("code", 6, "甘")
        self.seal_text = _line("seal_text", 100)
        self.village = _line("village", 60, "庄墩村")
        self.township = _line("township", 60, "长安镇")
        self.errors = FieldErrors()
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self._rows: list[tuple[QLabel, str, bool]] = []
        for name, label, required in (
            ("name", N_("Committee name"), True),
            ("code", N_("Committee code"), True),
            ("seal_text", N_("Seal text"), False),
            ("village", N_("Village"), True),
            ("township", N_("Township"), True),
        ):
            widget = self.errors.add_row(self.form, name, _(label), getattr(self, name), required=required)
            self._rows.append((widget, label, required))
        self.code_hint = QLabel()
        self.code_hint.setWordWrap(True)
        self.code_hint.setStyleSheet("color: palette(placeholder-text);")
        self.note = QLabel()
        self.note.setTextFormat(Qt.TextFormat.RichText)
        self.status = FieldError()
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.code_hint)
        layout.addStretch(1)
        layout.addWidget(self.note)
        layout.addWidget(self.status)
        self.code.textChanged.connect(self._update_hint)

    def retranslate(self) -> None:
        from app.ui.messages import field_label

        self.setTitle(_("The committee"))
        self.setSubTitle(_("Which people's mediation committee does this desk serve?"))
        for widget, label, required in self._rows:
            widget.setText(field_label(_(label), required))
        self.seal_text.setPlaceholderText(_("The same as the committee name"))
        self.note.setText(required_note())
        self._update_hint()

    def _update_hint(self) -> None:
        from app.clock import today

        code = self.code.text().strip() or "甘"
        self.code_hint.setText(_("The code is used in case numbers, e.g. {number}.").format(
            number=f"（{today().year}）{code}调字第0001号"))

    def data(self) -> CommitteeInput:
        from app.services.committee import CommitteeInput

        return CommitteeInput(self.name.text(), self.code.text(), self.seal_text.text(), self.village.text(),
                              self.township.text())

    def validatePage(self) -> bool:
        return self._wizard.check("committee")


class AdminPage(QWizardPage):
    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.username = _line("username", 40, "wangli")
        self.display_name = _line("display_name", 50, "王丽")
        self.password = _line("password", 200)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password2 = _line("password2", 200)
        self.password2.setEchoMode(QLineEdit.EchoMode.Password)
        self.errors = FieldErrors()
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self._rows: list[tuple[QLabel, str]] = []
        for name, label in (
            ("username", N_("User name")),
            ("display_name", N_("Full name")),
            ("password", N_("Password")),
            ("password2", N_("Repeat the password")),
        ):
            widget = self.errors.add_row(self.form, name, _(label), getattr(self, name), required=True)
            self._rows.append((widget, label))
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: palette(placeholder-text);")
        self.note = QLabel()
        self.note.setTextFormat(Qt.TextFormat.RichText)
        self.status = FieldError()
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.hint)
        layout.addStretch(1)
        layout.addWidget(self.note)
        layout.addWidget(self.status)

    def retranslate(self) -> None:
        from app.ui.messages import field_label

        self.setTitle(_("The committee director"))
        self.setSubTitle(_("The director manages the users and the settings of this desk."))
        for widget, label in self._rows:
            widget.setText(field_label(_(label), True))
        self.hint.setText(_("The user name is what the director types to log in: letters or digits, e.g. wangli. "
                            "The password needs at least 6 characters."))
        self.note.setText(required_note())

    def data(self) -> AdminInput:
        from app.services.committee import AdminInput

        return AdminInput(self.username.text(), self.display_name.text(), self.password.text())

    def validatePage(self) -> bool:
        return self._wizard.check("admin")


class SummaryPage(QWizardPage):
    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.form = QFormLayout()
        self.summary: dict[str, QLabel] = {}
        self._rows: list[tuple[QLabel, str]] = []
        for key, label in (
            ("name", N_("Committee name")),
            ("code", N_("Committee code")),
            ("seal_text", N_("Seal text")),
            ("village", N_("Village")),
            ("township", N_("Township")),
            ("admin", N_("Committee director")),
        ):
            value = QLabel()
            value.setObjectName(f"summary_{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            caption = QLabel()
            self.form.addRow(caption, value)
            self.summary[key] = value
            self._rows.append((caption, label))
        self.status = FieldError()
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addStretch(1)
        layout.addWidget(self.status)

    def retranslate(self) -> None:
        self.setTitle(_("Ready to set up"))
        self.setSubTitle(_("Check the details. The committee details can be changed later in Settings."))
        for caption, label in self._rows:
            caption.setText(_(label))

    def initializePage(self) -> None:
        c = self._wizard.committee_page
        a = self._wizard.admin_page
        self.summary["name"].setText(c.name.text().strip())
        self.summary["code"].setText(c.code.text().strip())
        self.summary["seal_text"].setText(c.seal_text.text().strip() or c.name.text().strip())
        self.summary["village"].setText(c.village.text().strip())
        self.summary["township"].setText(c.township.text().strip())
        self.summary["admin"].setText(_("{name} (user name {username})").format(
            name=a.display_name.text().strip(), username=a.username.text().strip()))
        self.status.clear_message()

    def validatePage(self) -> bool:
        return self._wizard.finish()


class SetupWizard(QWizard):
    """Returns (in `self.actor`) the committee director it created, already logged in."""

    def __init__(self, store: Store | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("setupWizard")
        self.store = store
        self.actor: Actor | None = None
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.committee_page = CommitteePage(self)
        self.admin_page = AdminPage(self)
        self.summary_page = SummaryPage(self)
        self.addPage(self.committee_page)
        self.addPage(self.admin_page)
        self.addPage(self.summary_page)
        self.setMinimumSize(640, 520)
        self.retranslate()

    def set_store(self, store: Store) -> None:
        self.store = store
        for page in (self.committee_page, self.admin_page, self.summary_page):
            page.status.clear_message()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Mediation Desk — first-run set-up"))
        self.committee_page.retranslate()
        self.admin_page.retranslate()
        self.summary_page.retranslate()
        self.setButtonText(QWizard.WizardButton.FinishButton, _("Set up the desk"))
        self.setButtonText(QWizard.WizardButton.NextButton, _("Next"))
        self.setButtonText(QWizard.WizardButton.BackButton, _("Back"))
        self.setButtonText(QWizard.WizardButton.CancelButton, _("Cancel"))

    # -- checking ---------------------------------------------------------------------------------

    def _page_of(self, field: str) -> CommitteePage | AdminPage | None:
        if field in COMMITTEE_FIELDS:
            return self.committee_page
        if field in ADMIN_FIELDS:
            return self.admin_page
        return None

    def _show(self, exc: DeskError, here: CommitteePage | AdminPage | SummaryPage) -> None:
        """Put the message under its field, going back to that field's page if needed."""
        if isinstance(exc, ValidationError):
            page = self._page_of(exc.field)
            if page is not None:
                while self.currentPage() is not page and self.currentId() > 0:
                    self.back()
                page.errors.show(exc)
                return
        here.status.show_message(exc.message)

    def _not_ready(self, page: CommitteePage | AdminPage | SummaryPage) -> bool:
        if self.store is None:
            page.status.show_message(_("The desk is still opening. Try again in a moment."))
            return True
        return False

    def check(self, stage: str) -> bool:
        """Run the service's checks for the pages so far, rolled back; True when they pass."""
        page: CommitteePage | AdminPage = self.committee_page if stage == "committee" else self.admin_page
        page.errors.clear()
        page.status.clear_message()
        if self._not_ready(page):
            return False
        if stage == "admin" and self.admin_page.password.text() != self.admin_page.password2.text():
            self.admin_page.errors.set("password2", _("The two passwords differ."))
            self.admin_page.password2.setFocus()
            return False
        from app.services.committee import AdminInput

        admin = self.admin_page.data() if stage == "admin" else AdminInput(*_PROBE_ADMIN)
        try:
            self._set_up(self.committee_page.data(), admin, keep=False)
        except DeskError as exc:
            self._show(exc, page)
            return False
        return True

    def finish(self) -> bool:
        page = self.summary_page
        page.status.clear_message()
        if self._not_ready(page):
            return False
        try:
            self._set_up(self.committee_page.data(), self.admin_page.data(), keep=True)
            from app.services import users

            assert self.store is not None
            self.actor = users.login(self.store, self.admin_page.username.text().strip(),
                                     self.admin_page.password.text())
        except DeskError as exc:
            self._show(exc, page)
            return False
        return True

    def _set_up(self, data: CommitteeInput, admin: AdminInput, *, keep: bool) -> None:
        from app.services import committee

        assert self.store is not None
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            with self.store.write() as session:
                committee.set_up(session, data, admin)
                if not keep:
                    raise _DryRun
        except _DryRun:
            pass
        finally:
            QGuiApplication.restoreOverrideCursor()
