"""Identity and enrollment: this desk's name, kind and fingerprint (large digit groups, and a QR code),
its identity file; enrolling the other side after its fingerprint was read out over the phone; the
enrolled desks, revoking one at a township (a lost laptop); making new keys; the township's address on
a village desk."""

from __future__ import annotations

import io
import traceback
import unicodedata
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import Session

from app.errors import DeskError, ValidationError
from app.i18n import N_, _, format_datetime
from app.models.sync import SyncPeer
from app.sync import identity
from app.sync.identity import Identity, kind_label
from app.sync.keys import fingerprint_of, unb64
from app.ui.cases.common import HINT_COLOR, OK_COLOR, ask, bigger, inform, relabel_all, report_error, tr, write
from app.ui.cases.form_dialog import FormDialog, text_box
from app.ui.context import UiContext
from app.ui.messages import ERROR_COLOR, FieldError
from app.ui.sync.common import SYNC_TABLES, Column, RowsModel, fit_rows, table_view

IDENTITY_SUFFIX = ".mdidentity"
DIGITS = 40  # eight groups of five
PEER_COLUMNS = (
    Column("name", N_("Desk")), Column("kind", N_("Desk kind")), Column("fingerprint", N_("Fingerprint")),
    Column("enrolled", N_("Enrolled on")), Column("state", N_("State"), chip=True),
)


def ascii_digits(text: str) -> str:
    """The digits typed, full-width ones (a Chinese input method) read as ASCII."""
    return "".join(str(unicodedata.digit(ch)) for ch in text if ch.isdigit() and unicodedata.digit(ch, None) is not None)


def grouped(digits: str) -> str:
    return " ".join(digits[i:i + 5] for i in range(0, len(digits), 5))


def fingerprint_lines(fingerprint: str) -> str:
    """Eight groups of five digits on two lines of four, easy to read out."""
    groups = fingerprint.split()
    return "   ".join(groups[:4]) + "\n" + "   ".join(groups[4:])


def qr_pixmap(text: str, size: int) -> QPixmap:
    """A QR code of `text`, made by segno as a PNG in memory."""
    import segno

    qr = segno.make(text, error="m")
    out = io.BytesIO()
    modules = qr.symbol_size(scale=1, border=2)[0]
    qr.save(out, kind="png", scale=max(1, size // modules), border=2)
    pixmap = QPixmap()
    pixmap.loadFromData(out.getvalue(), "PNG")
    return pixmap


def digits_font() -> QFont:
    font = QFont(QApplication.font())
    font.setFamilies(["DejaVu Sans Mono", "Consolas", "Menlo", *font.families()])
    font.setStyleHint(QFont.StyleHint.Monospace)
    font.setPointSizeF(font.pointSizeF() * 1.6)
    font.setBold(True)
    return font


def peer_fingerprint(peer: SyncPeer) -> str:
    try:
        return fingerprint_of(unb64(peer.sign_key, 32), unb64(peer.box_key, 32))
    except ValueError:
        return ""


def peer_cell(peer: SyncPeer, key: str) -> Any:
    if key == "name":
        return peer.committee_name
    if key == "kind":
        return _(kind_label(peer.kind))
    if key == "fingerprint":
        return peer_fingerprint(peer)
    if key == "enrolled":
        return _("{when} by {user}").format(when=format_datetime(peer.enrolled_at), user=peer.enrolled_by) if peer.enrolled_by \
            else format_datetime(peer.enrolled_at)
    if key == "state":
        if peer.revoked_at is not None:
            return _("Revoked {date}: {reason}").format(date=format_datetime(peer.revoked_at), reason=peer.revoked_reason), ERROR_COLOR
        return _("Enrolled"), OK_COLOR
    return ""


# ---------------------------------------------------------------- enrolling the other side


class EnrollDialog(QDialog):
    """Choose the other desk's identity file; its name and fingerprint are shown; the user types the
    digits the other side reads over the phone (or ticks that they match, after comparing). The service
    enrolls only if they are equal."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("enrollDialog")
        self.setWindowTitle(_("Enroll a desk"))
        self.other: Identity | None = None
        self.file_dialog: QFileDialog | None = None
        intro = QLabel(_("1. Choose the identity file the other desk gave you (on a USB stick or by e-mail).\n"
                         "2. Call them: they read out the fingerprint shown on their Sync page; type it below.\n"
                         "Enroll only when every digit matches: then nobody can pass themselves off as them."))
        intro.setWordWrap(True)
        self.path = QLineEdit()
        self.path.setObjectName("identityPath")
        self.path.setMinimumWidth(self.fontMetrics().averageCharWidth() * 40)
        self.path.editingFinished.connect(lambda: self.load(self.path.text().strip()))
        self.path.textChanged.connect(self._path_typed)
        self.choose = QPushButton(_("Choose a file…"))
        self.choose.setObjectName("chooseIdentity")
        self.choose.setAutoDefault(False)
        self.choose.clicked.connect(self._pick)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(self.choose)
        self.file_error = FieldError()
        file_box = QVBoxLayout()
        file_box.addLayout(file_row)
        file_box.addWidget(self.file_error)

        self.other_name = QLabel()
        self.other_name.setObjectName("otherName")
        self.other_name.setWordWrap(True)
        self.other_fingerprint = QLabel()
        self.other_fingerprint.setObjectName("otherFingerprint")
        self.other_fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.digits = QLineEdit()
        self.digits.setObjectName("typedFingerprint")
        self.digits.setPlaceholderText(_("e.g. 12345 67890 …"))
        self.digits.textChanged.connect(self._typed)
        self.digits_error = FieldError()
        self.digits_state = QLabel()
        self.digits_state.setObjectName("digitsState")
        digits_box = QVBoxLayout()
        digits_box.addWidget(self.digits)
        digits_box.addWidget(self.digits_state)
        digits_box.addWidget(self.digits_error)
        self.matches = QCheckBox(_("I compared every digit with the other side (for example side by side): they match."))
        self.matches.setObjectName("matchesBox")
        self.matches.toggled.connect(lambda _on: self.update_state())

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.addRow(_("Identity file:"), self._wrap(file_box))
        form.addRow(_("Desk:"), self.other_name)
        form.addRow(_("Fingerprint in the file:"), self.other_fingerprint)
        form.addRow(_("Fingerprint read out:"), self._wrap(digits_box))
        form.addRow("", self.matches)
        self.general_error = FieldError()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.enroll_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.enroll_button.setText(_("Enroll"))
        self.enroll_button.setObjectName("enrollButton")
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(_("Cancel"))
        cancel.setAutoDefault(False)  # Enter in a field never cancels
        self.enroll_button.setDefault(True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 80)
        self.update_state()

    @staticmethod
    def _wrap(inner: QVBoxLayout) -> QWidget:
        box = QWidget()
        inner.setContentsMargins(0, 0, 0, 0)
        box.setLayout(inner)
        return box

    def _pick(self) -> None:
        dialog = QFileDialog(self, _("Choose the other desk's identity file"))
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilters([_("Identity files (*{suffix})").format(suffix=IDENTITY_SUFFIX), _("All files (*)")])
        dialog.fileSelected.connect(self.load)
        self.file_dialog = dialog
        dialog.open()

    def _path_typed(self, text: str) -> None:
        path = Path(text.strip())
        if text.strip() and path.is_file() and path.stat().st_size <= identity.MAX_IDENTITY_BYTES:
            self.load(text.strip())  # read as soon as a whole file name is there

    def load(self, path: str) -> None:
        """Read and check the identity file at `path`; show whose it is and its fingerprint."""
        if not path:
            return
        if self.path.text() != path:
            self.path.setText(path)
        self.other = None
        self.file_error.clear_message()
        try:
            raw = Path(path).read_bytes()[: identity.MAX_IDENTITY_BYTES + 1]
            self.other = identity.read_identity(raw)
        except OSError as exc:
            self.file_error.show_message(_("The file cannot be read: {error}").format(error=exc.strerror or exc))
        except DeskError as exc:
            self.file_error.show_message(exc.message)
        self.update_state()

    def _typed(self, _text: str) -> None:
        self.digits_error.clear_message()
        self.update_state()

    def typed_digits(self) -> str:
        return ascii_digits(self.digits.text())

    def update_state(self) -> None:
        other = self.other
        if other is None:
            self.other_name.setText(_("(choose the file first)"))
            self.other_name.setStyleSheet(f"color: {HINT_COLOR};")
            self.other_fingerprint.setText("")
        else:
            where = " · ".join(x for x in (other.village, other.township) if x)
            self.other_name.setText(_("{name} ({kind})").format(name=other.committee_name, kind=_(kind_label(other.kind)))
                                    + (f"\n{where}" if where else ""))
            self.other_name.setStyleSheet("")
            self.other_fingerprint.setFont(digits_font())
            self.other_fingerprint.setText(fingerprint_lines(other.fingerprint))
        typed = self.typed_digits()
        if not typed:
            self.digits_state.setText("")
        elif len(typed) < DIGITS:
            self.digits_state.setText(_("{n} of {total} digits").format(n=len(typed), total=DIGITS))
            self.digits_state.setStyleSheet(f"color: {HINT_COLOR};")
        elif other is not None and grouped(typed) == other.fingerprint:
            self.digits_state.setText(_("✓ All {total} digits match the file.").format(total=DIGITS))
            self.digits_state.setStyleSheet(f"color: {OK_COLOR};")
        else:
            self.digits_state.setText(_("{n} digits typed.").format(n=len(typed)))
            self.digits_state.setStyleSheet(f"color: {HINT_COLOR};")
        ready = other is not None and (len(typed) >= DIGITS or (not typed and self.matches.isChecked()))
        self.enroll_button.setEnabled(ready)
        if other is None:
            self.enroll_button.setToolTip(_("Missing: the identity file"))
        elif not ready:
            self.enroll_button.setToolTip(_("Missing: the fingerprint read out by the other side"))
        else:
            self.enroll_button.setToolTip("")

    def save(self) -> None:
        if not self.enroll_button.isEnabled() or self.other is None:
            return
        other = self.other
        typed = self.typed_digits()
        confirmed = grouped(typed) if typed else other.fingerprint
        self.general_error.clear_message()

        def show(exc: ValidationError) -> bool:
            target = {"fingerprint": self.digits_error, "identity": self.file_error}.get(exc.field, self.general_error)
            target.show_message(exc.message)
            if exc.field == "fingerprint":
                self.digits.setFocus()
                self.digits.selectAll()
            return True

        def call(session: Session) -> object:
            return identity.enroll(session, self.ctx.actor, self.ctx.data_dir, other, confirmed)

        if write(self, self.ctx, call, on_invalid=show, tables=SYNC_TABLES):
            self.accept()


class RevokeDialog(FormDialog):
    tables = SYNC_TABLES

    def __init__(self, ctx: UiContext, peer: SyncPeer, parent: QWidget | None = None) -> None:
        super().__init__(ctx, _("Revoke a desk"), _("Revoke…"), parent, intro=_(
            "Every bundle signed with the key of {name} is refused from now on — do this when its laptop was lost or "
            "stolen. The desk can be enrolled again only after it made new keys.").format(name=peer.committee_name))
        self.peer = peer
        self.reason = text_box(self, 3)
        self.reason.setObjectName("reason")
        self.row("reason", _("Reason"), self.reason, required=True)
        self.finish()

    def save(self) -> None:
        if not self.save_button.isEnabled():
            return
        self.confirm = ask(self, _("Revoke"), _("Revoke {name}? Its bundles will be refused.").format(name=self.peer.committee_name),
                           super().save, yes_text=_("Revoke"), no_text=_("Cancel"))

    def perform(self, session: Session) -> Any:
        return identity.revoke(session, self.ctx.actor, self.peer.device_id, self.reason.toPlainText())


# ---------------------------------------------------------------- the view


class IdentityView(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.me: Identity | None = None
        self.mode = "village"
        self.township: SyncPeer | None = None
        self.dialog: QDialog | None = None
        self.file_dialog: QFileDialog | None = None
        self.box: Any = None
        manage = ctx.can("sync.manage")

        # ---- this desk
        self.own_box = tr(QGroupBox(), N_("This desk"))
        self.name_label = QLabel()
        self.name_label.setObjectName("ownName")
        self.name_label.setWordWrap(True)
        self.kind_label = QLabel()
        self.kind_label.setObjectName("ownKind")
        self.fingerprint_caption = tr(QLabel(), N_("Fingerprint — read it out to the other side over the phone:"))
        self.fingerprint_caption.setWordWrap(True)
        self.fingerprint_label = QLabel()
        self.fingerprint_label.setObjectName("ownFingerprint")
        self.fingerprint_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key_label = QLabel()
        self.key_label.setStyleSheet(f"color: {HINT_COLOR};")
        self.qr_label = QLabel()
        self.qr_label.setObjectName("qrCode")
        self.qr_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.save_button = tr(QPushButton(), N_("Save identity file…"))
        self.save_button.setObjectName("saveIdentity")
        self.save_button.clicked.connect(self.save_identity_clicked)
        self.rotate_button = tr(QPushButton(), N_("Make new keys…"))
        self.rotate_button.setObjectName("rotateKeys")
        self.rotate_button.clicked.connect(self.rotate_clicked)
        self.rotate_button.setVisible(manage)
        own_text = QVBoxLayout()
        own_text.addWidget(self.name_label)
        own_text.addWidget(self.kind_label)
        own_text.addSpacing(6)
        own_text.addWidget(self.fingerprint_caption)
        own_text.addWidget(self.fingerprint_label)
        own_text.addWidget(self.key_label)
        own_buttons = QHBoxLayout()
        own_buttons.addWidget(self.save_button)
        own_buttons.addWidget(self.rotate_button)
        own_buttons.addStretch(1)
        own_text.addLayout(own_buttons)
        own_text.addStretch(1)
        own_layout = QGridLayout(self.own_box)
        own_layout.addLayout(own_text, 0, 0)
        own_layout.addWidget(self.qr_label, 0, 1, Qt.AlignmentFlag.AlignTop)
        own_layout.setColumnStretch(0, 1)

        # ---- the township's address (village desk)
        self.url_box = tr(QGroupBox(), N_("Township address (network)"))
        self.url_edit = QLineEdit()
        self.url_edit.setObjectName("townshipUrl")
        self.url_edit.setPlaceholderText("http://192.168.1.10:8470")
        self.url_edit.returnPressed.connect(self.save_url)
        self.url_save = tr(QPushButton(), N_("Save address"))
        self.url_save.setObjectName("saveUrl")
        self.url_save.clicked.connect(self.save_url)
        self.url_error = FieldError()
        self.url_hint = tr(QLabel(), N_("When an address is set, changes are sent over the network by themselves every few "
                                        "minutes, whenever the township can be reached. Leave it empty to use USB sticks only."))
        self.url_hint.setWordWrap(True)
        self.url_hint.setStyleSheet(f"color: {HINT_COLOR};")
        url_row = QHBoxLayout()
        url_row.addWidget(self.url_edit, 1)
        url_row.addWidget(self.url_save)
        url_layout = QVBoxLayout(self.url_box)
        url_layout.addLayout(url_row)
        url_layout.addWidget(self.url_error)
        url_layout.addWidget(self.url_hint)
        self.url_box.hide()

        # ---- enrolled desks
        self.peers_box = tr(QGroupBox(), N_("Enrolled desks"))
        self.enroll_button = tr(QPushButton(), N_("Enroll…"))
        self.enroll_button.setObjectName("enrollButton")
        self.enroll_button.clicked.connect(self.enroll_clicked)
        self.enroll_button.setVisible(manage)
        self.revoke_button = tr(QPushButton(), N_("Revoke…"))
        self.revoke_button.setObjectName("revokeButton")
        self.revoke_button.clicked.connect(self.revoke_clicked)
        self.revoke_button.hide()
        self.peers_empty = QLabel()
        self.peers_empty.setObjectName("peersEmpty")
        self.peers_empty.setWordWrap(True)
        self.peers_empty.setStyleSheet(f"color: {HINT_COLOR};")
        self.peers_model = RowsModel(PEER_COLUMNS, peer_cell)
        self.peers_table = table_view(self.peers_model, "enrolledTable", stretch="state")
        self.peers_table.selectionModel().selectionChanged.connect(lambda *_a: self._selection_changed())
        peer_buttons = QHBoxLayout()
        peer_buttons.addWidget(self.enroll_button)
        peer_buttons.addWidget(self.revoke_button)
        peer_buttons.addStretch(1)
        peers_layout = QVBoxLayout(self.peers_box)
        peers_layout.addLayout(peer_buttons)
        peers_layout.addWidget(self.peers_empty)
        peers_layout.addWidget(self.peers_table, 1)
        peers_layout.addStretch(0)  # keeps the "nothing enrolled" words at the top while there is no table

        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.addWidget(self.own_box)
        content_layout.addWidget(self.url_box)
        content_layout.addWidget(self.peers_box, 1)
        scroll = QScrollArea()  # at the large font size on a small screen the page scrolls rather than squeezing the list
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self.relabel()

    def relabel(self) -> None:
        relabel_all(self)
        bigger(self.name_label, 1.25, bold=True)
        self.fingerprint_label.setFont(digits_font())
        fit_rows(self.peers_table)
        self.peers_table.setMinimumHeight(self.peers_table.verticalHeader().defaultSectionSize() * 4
                                          + self.peers_table.horizontalHeader().sizeHint().height() + 4)
        self.peers_model.relabel()
        if self.me is not None:
            self._show_own(self.me)

    # -------------------------------------------------------- loading

    def refresh(self) -> None:
        from app.services import committee

        try:
            with self.ctx.store.read() as session:
                self.mode = str(committee.require_current(session).mode)
                self.me = identity.own_identity(session, self.ctx.data_dir)
                peers = identity.peers(session)
                self.township = identity.township_peer(session)
        except Exception as exc:
            report_error(self, self.ctx, exc, traceback.format_exc())
            return
        self._show_own(self.me)
        self.peers_model.set_rows(peers)
        village = self.mode == "village"
        self.peers_empty.setText(
            (_("No township center is enrolled yet. Get its identity file, call the township, compare the fingerprint and "
               "press “Enroll…”; the township enrolls this desk the same way, from this desk's identity file.") if village else
             _("No village is enrolled yet. Get each village's identity file, call the village, compare the fingerprint "
               "and press “Enroll…”; the village enrolls this center the same way.")) if not peers else "")
        self.peers_empty.setVisible(not peers)
        self.peers_table.setVisible(bool(peers))
        self.url_box.setVisible(village and self.township is not None and self.ctx.can("sync.manage"))
        if self.township is not None and not self.url_edit.hasFocus():
            self.url_edit.setText(self.township.url)
        self.url_error.clear_message()
        self.revoke_button.setVisible(not village and self.ctx.can("sync.manage"))
        self._selection_changed()

    def _show_own(self, me: Identity) -> None:
        self.name_label.setText(me.committee_name)
        self.kind_label.setText(_(kind_label(me.kind)) + (f" · {me.committee_code}" if me.committee_code else ""))
        self.fingerprint_label.setText(fingerprint_lines(me.fingerprint))
        self.key_label.setText(_("Key {key}").format(key=me.key_id))
        size = max(150, self.fontMetrics().height() * 9)
        self.qr_label.setPixmap(qr_pixmap(_("Mediation Desk fingerprint of {name}: {fingerprint}").format(
            name=me.committee_name, fingerprint=me.fingerprint), size))
        self.qr_label.setToolTip(_("The fingerprint as a QR code: scan it with a phone to compare it."))

    def selected_peer(self) -> SyncPeer | None:
        rows = self.peers_table.selectionModel().selectedRows()
        return self.peers_model.row_data(rows[0].row()) if rows else None

    def _selection_changed(self) -> None:
        peer = self.selected_peer()
        self.revoke_button.setEnabled(peer is not None and peer.revoked_at is None)

    def select_peer(self, name: str) -> None:
        for row, peer in enumerate(self.peers_model.rows()):
            if peer.committee_name == name:
                self.peers_table.selectRow(row)
                return

    # -------------------------------------------------------- actions

    def save_identity_clicked(self) -> QFileDialog | None:
        if self.me is None:
            return None
        dialog = QFileDialog(self, _("Save this desk's identity file"))
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix(IDENTITY_SUFFIX.lstrip("."))
        dialog.selectFile(f"{self.me.committee_name}{IDENTITY_SUFFIX}")
        dialog.fileSelected.connect(lambda path: self.save_identity(Path(path)))
        self.file_dialog = dialog
        dialog.open()
        return dialog

    def save_identity(self, path: Path) -> bool:
        from app.files import write_atomic

        try:
            with self.ctx.store.read() as session:
                raw = identity.identity_file(session, self.ctx.data_dir)
            write_atomic(path, raw)
        except OSError as exc:
            self.box = inform(self, _("Cannot do this"), _("The identity file could not be written to {path}: {error}").format(
                path=path, error=exc.strerror or exc))
            return False
        except Exception as exc:
            report_error(self, self.ctx, exc, traceback.format_exc())
            return False
        self.box = inform(self, _("Identity file saved"), _(
            "Saved to {path}. Give it to the other side (USB stick, e-mail); it holds public keys only. Then call them and "
            "read out the fingerprint so they can check it.").format(path=path))
        return True

    def enroll_clicked(self) -> EnrollDialog:
        dialog = EnrollDialog(self.ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self.refresh)
        self.dialog = dialog
        dialog.open()
        return dialog

    def revoke_clicked(self) -> QDialog | None:
        peer = self.selected_peer()
        if peer is None or peer.revoked_at is not None:
            return None
        dialog = RevokeDialog(self.ctx, peer, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self.refresh)
        self.dialog = dialog
        dialog.open()
        return dialog

    def rotate_clicked(self) -> None:
        self.box = ask(self, _("Make new keys"), _(
            "New keys are made for this desk and its fingerprint changes. The next bundle announces the new key, signed with "
            "the old one, so the other side keeps accepting this desk's bundles.\n\nDo this when the keys may have been "
            "copied (a stolen backup, a PC given away). Afterwards save the new identity file and tell the other side the "
            "new fingerprint.\n\nMake new keys now?"), self.rotate, yes_text=_("Make new keys"), no_text=_("Cancel"))

    def rotate(self) -> None:
        if write(self, self.ctx, lambda session: identity.rotate(session, self.ctx.actor, self.ctx.data_dir), tables=SYNC_TABLES):
            self.refresh()
            if self.me is not None:
                self.box = inform(self, _("New keys made"), _("The new fingerprint is:\n{fingerprint}").format(
                    fingerprint=fingerprint_lines(self.me.fingerprint)))

    def save_url(self) -> bool:
        url = self.url_edit.text()
        self.url_error.clear_message()

        def show(exc: ValidationError) -> bool:
            self.url_error.show_message(exc.message)
            return True

        ok = write(self, self.ctx, lambda session: identity.set_township_url(session, self.ctx.actor, url),
                   on_invalid=show, tables=SYNC_TABLES)
        if ok:
            self.url_error.setStyleSheet(f"color: {OK_COLOR};")
            self.url_error.show_message(_("Saved.") if url.strip() else _("Saved: USB sticks only."))
        else:
            self.url_error.setStyleSheet(f"color: {ERROR_COLOR};")
        return ok
