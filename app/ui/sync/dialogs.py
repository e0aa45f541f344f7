"""Where an export goes and what an import reads: a USB stick found on this PC (its sync folder), or a
folder (or files) chosen by hand. The dialogs only choose; the Sync page does the work on a worker."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, ngettext
from app.sync.importer import files_in
from app.ui.cases.common import HINT_COLOR, clear_layout
from app.ui.sync.common import Drive, import_source, stick_folder


class _PlaceDialog(QDialog):
    """Radio buttons: one per USB stick found, then "A folder:" with a path field and Choose buttons."""

    def __init__(self, title: str, intro: str, ok_text: str, finder: Callable[[], list[Drive]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.finder = finder
        self.drives: list[Drive] = []
        self.chosen_files: list[Path] = []
        self.group = QButtonGroup(self)
        self.drive_buttons: list[QRadioButton] = []
        layout = QVBoxLayout(self)
        intro_label = QLabel(intro)
        intro_label.setWordWrap(True)
        layout.addWidget(intro_label)
        self.drives_caption = QLabel()
        self.look_again = QPushButton(_("Look again"))
        self.look_again.setObjectName("lookAgain")
        self.look_again.setAutoDefault(False)
        self.look_again.clicked.connect(self.find_drives)
        caption_row = QHBoxLayout()
        caption_row.addWidget(self.drives_caption, 1)
        caption_row.addWidget(self.look_again)
        layout.addLayout(caption_row)
        self.drives_layout = QVBoxLayout()
        layout.addLayout(self.drives_layout)
        self.folder_radio = QRadioButton(_("A folder:"))
        self.folder_radio.setObjectName("folderRadio")
        self.group.addButton(self.folder_radio)
        self.folder = QLineEdit()
        self.folder.setObjectName("folder")
        self.folder.setMinimumWidth(self.fontMetrics().averageCharWidth() * 40)
        self.folder.textEdited.connect(self._typed)
        self.choose_folder = QPushButton(_("Choose a folder…"))
        self.choose_folder.setObjectName("chooseFolder")
        self.choose_folder.setAutoDefault(False)
        self.choose_folder.clicked.connect(self._pick_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_radio)
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(self.choose_folder)
        self.folder_row = folder_row
        layout.addLayout(folder_row)
        self.extra = QVBoxLayout()
        layout.addLayout(self.extra)
        self.note = QLabel()
        self.note.setObjectName("placeNote")
        self.note.setWordWrap(True)
        self.note.setStyleSheet(f"color: {HINT_COLOR};")
        layout.addWidget(self.note)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok_text)
        self.ok_button.setObjectName("okButton")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.reject)
        self.find_drives()
        self.group.buttonToggled.connect(lambda *_a: self.update_state())
        self.folder.textChanged.connect(lambda _t: self.update_state())
        self.file_dialog: QFileDialog | None = None
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 70)

    def find_drives(self) -> None:
        """List the USB sticks plugged in now, the first one chosen (else the folder)."""
        for button in self.drive_buttons:
            self.group.removeButton(button)
        clear_layout(self.drives_layout)
        self.drive_buttons = []
        self.drives = self.finder()
        self.drives_caption.setText(_("USB sticks found on this computer:") if self.drives else
                                    _("No USB stick was found. Plug one in and press “Look again”, or choose a folder."))
        self.drives_caption.setWordWrap(True)
        self.drives_caption.setStyleSheet("" if self.drives else f"color: {HINT_COLOR};")
        for n, drive in enumerate(self.drives):
            button = QRadioButton(drive.describe())
            button.setObjectName(f"drive{n}")
            self.group.addButton(button)
            self.drive_buttons.append(button)
            self.drives_layout.addWidget(button)
            button.show()
        (self.drive_buttons[0] if self.drive_buttons else self.folder_radio).setChecked(True)
        if hasattr(self, "ok_button"):
            self.update_state()

    def _typed(self, _text: str) -> None:
        self.chosen_files = []
        self.folder_radio.setChecked(True)

    def _file_dialog(self, title: str) -> QFileDialog:
        dialog = QFileDialog(self, title)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)  # the same dialog, translated, on every PC
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if self.folder.text().strip() and Path(self.folder.text().strip()).is_dir():
            dialog.setDirectory(self.folder.text().strip())
        self.file_dialog = dialog
        return dialog

    def _pick_folder(self) -> None:
        dialog = self._file_dialog(_("Choose a folder"))
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.fileSelected.connect(self.set_folder)
        dialog.open()

    def set_folder(self, path: str) -> None:
        self.chosen_files = []
        self.folder.setText(path)
        self.folder_radio.setChecked(True)

    def chosen_drive(self) -> Drive | None:
        for button, drive in zip(self.drive_buttons, self.drives, strict=True):
            if button.isChecked():
                return drive
        return None

    def update_state(self) -> None:
        raise NotImplementedError

    def _accept(self) -> None:
        if self.ok_button.isEnabled():
            self.accept()


class ExportDialog(_PlaceDialog):
    """Where to write the bundle(s); at a township also for which village; "everything" on request."""

    def __init__(self, finder: Callable[[], list[Drive]], villages: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(_("Export to USB"), _("The changes the other side has not yet acknowledged are written as one signed, "
                                                "encrypted bundle file per desk. Carry the stick over, import it there, and bring "
                                                "the receipt back."), _("Export"), finder, parent)
        self.setObjectName("exportDialog")
        self.peer = QComboBox()
        self.peer.setObjectName("exportPeer")
        if villages:
            self.peer.addItem(_("Every village with something to receive"), "")
            for device, name in villages:
                self.peer.addItem(name, device)
            row = QHBoxLayout()
            row.addWidget(QLabel(_("For:")))
            row.addWidget(self.peer, 1)
            self.extra.addLayout(row)
        else:
            self.peer.hide()
        self.everything = QCheckBox(_("Everything, not only what is new (when the other side lost its data)"))
        self.everything.setObjectName("everything")
        self.extra.addWidget(self.everything)
        self.update_state()

    def destination(self) -> Path | None:
        drive = self.chosen_drive()
        if drive is not None:
            return stick_folder(drive.path)
        text = self.folder.text().strip()
        return Path(text) if text else None

    def peer_ref(self) -> str | None:
        return str(self.peer.currentData()) or None if self.peer.count() else None

    def update_state(self) -> None:
        target = self.destination()
        if target is None:
            self.note.setText(_("Missing: the folder to write to"))
        elif self.chosen_drive() is not None:
            self.note.setText(_("The files go into the folder {path} on the stick.").format(path=target))
        elif not target.is_dir():
            self.note.setText(_("This folder does not exist."))
        else:
            self.note.setText("")
        self.ok_button.setEnabled(target is not None and (self.chosen_drive() is not None or target.is_dir()))


class ImportDialog(_PlaceDialog):
    """What to import: the sync folder of a stick, a folder, or bundle and receipt files chosen by hand."""

    def __init__(self, finder: Callable[[], list[Drive]], parent: QWidget | None = None) -> None:
        super().__init__(_("Import bundles and receipts"), _("Every bundle and receipt file in the folder is read and checked "
                                                              "before anything is written; each file's fate is listed afterwards."),
                         _("Import"), finder, parent)
        self.setObjectName("importDialog")
        self.folder_radio.setText(_("Files or a folder:"))
        self.choose_files = QPushButton(_("Choose files…"))
        self.choose_files.setObjectName("chooseFiles")
        self.choose_files.setAutoDefault(False)
        self.choose_files.clicked.connect(self._pick_files)
        self.folder_row.addWidget(self.choose_files)
        self.update_state()

    def _pick_files(self) -> None:
        dialog = self._file_dialog(_("Choose bundle and receipt files"))
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setNameFilters([_("Bundles and receipts (*.mdbundle *.receipt)"), _("All files (*)")])
        dialog.filesSelected.connect(self.set_files)
        dialog.open()

    def set_files(self, paths: list[str]) -> None:
        self.folder.setText("; ".join(paths))
        self.chosen_files = [Path(p) for p in paths]
        self.folder_radio.setChecked(True)
        self.update_state()

    def sources(self) -> list[Path]:
        drive = self.chosen_drive()
        if drive is not None:
            return [import_source(drive.path)]
        if self.chosen_files:
            return list(self.chosen_files)
        return [Path(p.strip()) for p in self.folder.text().split(";") if p.strip()]

    def files(self) -> list[Path]:
        sources = [p for p in self.sources() if p.exists()]
        try:
            return files_in(sources)
        except OSError:
            return []

    def update_state(self) -> None:
        sources = self.sources()
        if not sources:
            self.note.setText(_("Missing: the folder or the files to import"))
            self.ok_button.setEnabled(False)
            return
        missing = [p for p in sources if not p.exists()]
        if missing:
            self.note.setText(_("Not found: {path}").format(path=missing[0]))
            self.ok_button.setEnabled(False)
            return
        n = len(self.files())
        self.note.setText(ngettext("{n} bundle or receipt file to import.", "{n} bundle or receipt files to import.", n).format(n=n)
                          if n else _("There is no bundle or receipt file here."))
        self.ok_button.setEnabled(n > 0)
