"""The Sync section driven as a person would, between two real desks (a village and its township): export
to a folder (a stand-in USB stick), import at the township, the receipt carried back, the bundle log;
enrolling the other side only with the right fingerprint; the township address and the network button;
revoking a lost laptop at the township; the USB sticks found among the mounted volumes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.models.sync import SyncPeer
from app.sync import identity
from app.ui.sync import SyncPage
from app.ui.sync import overview as overview_module
from app.ui.sync.common import STICK_FOLDER, Drive, Volume, pick_drives
from app.ui.sync.dialogs import ExportDialog, ImportDialog
from app.ui.sync.identity_view import EnrollDialog, RevokeDialog, ascii_digits
from tests.sync_support import Desk, pair, township_desk, village_desk
from tests.ui import answer, click, make_ctx, type_text


@pytest.fixture
def desks(tmp_path: Path) -> Iterator[tuple[Desk, Desk]]:
    village = village_desk(tmp_path / "village", households=6, cases=3, entries=10)
    township = township_desk(tmp_path / "township")
    yield village, township
    village.close()
    township.close()


@pytest.fixture(autouse=True)
def no_sticks(monkeypatch: pytest.MonkeyPatch) -> None:
    """The machine running the tests may have volumes mounted under /media: find none unless a test says so."""
    monkeypatch.setattr(overview_module, "find_drives", lambda: [])


def sync_page(qtbot: QtBot, desk: Desk) -> SyncPage:
    page = SyncPage(make_ctx(desk.store, desk.admin))
    qtbot.addWidget(page)
    page.resize(1200, 760)
    page.show()
    qtbot.waitExposed(page)
    return page






def export_with_dialog(qtbot: QtBot, page: SyncPage, folder: Path) -> None:
    view = page.overview
    click(qtbot, view.export_button)
    dialog = view.dialog
    assert isinstance(dialog, ExportDialog) and dialog.isVisible()
    type_text(qtbot, dialog.folder, str(folder))
    assert dialog.folder_radio.isChecked() and dialog.ok_button.isEnabled()
    click(qtbot, dialog.ok_button)
    qtbot.waitUntil(lambda: not view.is_busy() and view.message.isVisible(), timeout=20000)


def import_with_dialog(qtbot: QtBot, page: SyncPage, folder: Path, files: int) -> list[tuple[str, str]]:
    """Import `folder`; returns (file, fate) per row of the result table."""
    view = page.overview
    click(qtbot, view.import_button)
    dialog = view.dialog
    assert isinstance(dialog, ImportDialog)
    assert not dialog.ok_button.isEnabled() and "Missing" in dialog.note.text()
    type_text(qtbot, dialog.folder, str(folder))
    assert dialog.note.text() == (f"{files} bundle or receipt file to import." if files == 1 else
                                  f"{files} bundle or receipt files to import.")
    click(qtbot, dialog.ok_button)
    qtbot.waitUntil(lambda: not view.is_busy() and view.results_box.isVisible(), timeout=20000)
    model = view.results_model
    return [(model.text(r, "file"), model.text(r, "status")) for r in range(model.rowCount())]


def test_export_import_and_receipt_between_a_village_and_its_township(qtbot: QtBot, desks: tuple[Desk, Desk],
                                                                        tmp_path: Path) -> None:
    village, township = desks
    pair(village, township)
    usb = tmp_path / "usb"
    usb.mkdir()
    here = sync_page(qtbot, village)
    view = here.overview
    assert view.title.text().startswith("This desk: ") and "(village desk)" in view.title.text()
    pending = int(view.pending_card.value.text().split()[0].replace(",", ""))
    assert pending > 0 and view.receipt_card.value.text() == "never"
    assert view.peers_model.text(0, "name") == "长安镇综治中心"
    assert not view.push_button.isVisible()  # no township address: USB only

    export_with_dialog(qtbot, here, usb)
    [bundle] = list(usb.glob("*.mdbundle"))
    assert f"Written to {usb}: 1 file." in view.message.text() and bundle.name in view.message.text()
    assert view.export_card.value.text() != "never"

    there = sync_page(qtbot, township)
    rows = import_with_dialog(qtbot, there, usb, 1)
    assert rows == [(bundle.name, "Imported")]
    words = there.overview.results_model.text(0, "reason")
    assert words.endswith("changes applied.") and "1 file read" in there.overview.message.text()
    assert (usb / (bundle.name + ".receipt")).exists()

    # the same stick again at the township: already imported, nothing changes
    rows = import_with_dialog(qtbot, there, usb, 2)  # the bundle and the receipt the township wrote (its own: skipped)
    assert dict(rows)[bundle.name] == "Already imported"
    assert dict(rows)[bundle.name + ".receipt"] == "Own file: skipped"

    # back at the village: the receipt marks the changes delivered
    rows = import_with_dialog(qtbot, here, usb, 2)
    assert dict(rows)[bundle.name + ".receipt"] == "Delivered"
    assert dict(rows)[bundle.name] == "Own file: skipped"
    assert view.pending_card.value.text() == "0 changes" and view.receipt_card.value.text() != "never"

    log = here.show_view("log")
    assert log is here.log
    model = here.log.model
    fates = [(model.text(r, "direction"), model.text(r, "status")) for r in range(model.rowCount())]
    assert ("Sent", "Delivered") in fates and ("Receipt in", "Receipt received") in fates
    assert not here.log.empty.isVisible()


def test_export_goes_into_the_sync_folder_of_the_stick_found(qtbot: QtBot, desks: tuple[Desk, Desk], tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    village, township = desks
    pair(village, township)
    stick = tmp_path / "KINGSTON"
    stick.mkdir()
    page = sync_page(qtbot, village)
    view = page.overview
    click(qtbot, view.export_button)
    dialog = view.dialog
    assert isinstance(dialog, ExportDialog)
    assert "No USB stick was found" in dialog.drives_caption.text() and dialog.folder_radio.isChecked()
    assert not dialog.ok_button.isEnabled()
    monkeypatch.setattr(overview_module, "find_drives", lambda: [Drive(stick, "KINGSTON", 7_800_000_000, True)])  # plugged in
    click(qtbot, dialog.look_again)
    assert dialog.drive_buttons[0].isChecked() and "KINGSTON" in dialog.drive_buttons[0].text()
    assert "7.8 GB free" in dialog.drive_buttons[0].text() and STICK_FOLDER in dialog.note.text()
    click(qtbot, dialog.ok_button)
    qtbot.waitUntil(lambda: not view.is_busy() and view.message.isVisible(), timeout=20000)
    assert len(list((stick / STICK_FOLDER).glob("*.mdbundle"))) == 1

    view.message.clear()
    click(qtbot, view.export_button)  # no receipt yet: the same changes again, under the same name
    click(qtbot, view.dialog.ok_button)  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: not view.is_busy() and "Written to" in view.message.text(), timeout=20000)
    assert len(list((stick / STICK_FOLDER).glob("*.mdbundle"))) == 1

    click(qtbot, view.import_button)  # the import dialog offers the stick's sync folder
    importing = view.dialog
    assert isinstance(importing, ImportDialog) and importing.sources() == [stick / STICK_FOLDER]
    assert importing.note.text() == "1 bundle or receipt file to import."


def test_enrollment_refuses_a_wrong_fingerprint_and_accepts_the_right_one(qtbot: QtBot, desks: tuple[Desk, Desk],
                                                                            tmp_path: Path) -> None:
    village, township = desks
    there = sync_page(qtbot, township)
    ident = there.show_view("identity")
    assert ident is there.identity
    assert there.identity.name_label.text() == "长安镇综治中心"
    own_fp = there.identity.fingerprint_label.text()
    assert len(own_fp.split()) == 8 and "\n" in own_fp  # two lines of four groups
    assert not there.identity.qr_label.pixmap().isNull()
    assert there.identity.peers_empty.isVisible() and not there.identity.peers_table.isVisible()
    # the township saves its identity file for the village
    file_dialog = there.identity.save_identity_clicked()
    assert file_dialog is not None
    target = tmp_path / "township.mdidentity"
    file_dialog.selectFile(str(target))
    file_dialog.accept()
    assert target.exists()
    assert identity.read_identity(target.read_bytes()).fingerprint == " ".join(own_fp.split())

    here = sync_page(qtbot, village)
    view = here.show_view("identity")
    assert view is here.identity
    click(qtbot, here.identity.enroll_button)
    dialog = here.identity.dialog
    assert isinstance(dialog, EnrollDialog)
    assert not dialog.enroll_button.isEnabled()
    type_text(qtbot, dialog.path, str(target))  # read as soon as the whole name is typed
    assert dialog.other is not None and dialog.other_name.text().startswith("长安镇综治中心 (township center)")
    assert " ".join(dialog.other_fingerprint.text().split()) == " ".join(own_fp.split())
    right = "".join(own_fp.split())
    wrong = right[:-1] + str((int(right[-1]) + 1) % 10)
    type_text(qtbot, dialog.digits, wrong[:12])
    assert dialog.digits_state.text() == "12 of 40 digits" and not dialog.enroll_button.isEnabled()
    type_text(qtbot, dialog.digits, wrong[12:])
    click(qtbot, dialog.enroll_button)
    assert dialog.isVisible() and dialog.digits_error.isVisible()
    assert "does not match" in dialog.digits_error.text()
    with village.store.read() as session:
        assert identity.peers(session) == []
    dialog.digits.clear()
    # read out in groups, with full-width digits as a Chinese input method types them
    spoken = " ".join(right[i:i + 5] for i in range(0, 40, 5)).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert ascii_digits(spoken) == right
    type_text(qtbot, dialog.digits, spoken)
    assert dialog.digits_state.text() == "✓ All 40 digits match the file."
    click(qtbot, dialog.enroll_button)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    with village.store.read() as session:
        [peer] = identity.peers(session)
    assert peer.committee_name == "长安镇综治中心"
    assert here.identity.peers_model.text(0, "name") == "长安镇综治中心"
    assert here.identity.peers_model.text(0, "state") == "Enrolled"
    assert here.identity.url_box.isVisible()  # now the township's address may be set


def test_the_township_address_the_network_button_and_a_refused_connection(qtbot: QtBot, desks: tuple[Desk, Desk]) -> None:
    village, township = desks
    pair(village, township)
    from app.ui.sync.background import SyncMonitor

    ctx = make_ctx(village.store, village.admin)
    page = SyncPage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 760)
    monitor = SyncMonitor(ctx, page, background=False)
    page.attach_monitor(monitor)
    page.show()
    qtbot.waitExposed(page)
    assert "waiting to be sent" in monitor.text()[0]
    page.show_view("identity")
    view = page.identity
    type_text(qtbot, view.url_edit, "ftp://town")
    click(qtbot, view.url_save)
    assert "must start with http://" in view.url_error.text()
    view.url_edit.clear()
    type_text(qtbot, view.url_edit, "http://127.0.0.1:9")  # nothing listens there
    qtbot.keyClick(view.url_edit, Qt.Key.Key_Return)
    assert view.url_error.text() == "Saved."
    with village.store.read() as session:
        assert identity.township_peer(session).url == "http://127.0.0.1:9"  # type: ignore[union-attr]

    page.show_view("overview")
    over = page.overview
    assert over.push_button.isVisible() and "sent to http://127.0.0.1:9 by themselves" in over.network_label.text()
    click(qtbot, over.push_button)
    qtbot.waitUntil(lambda: not monitor.state.pushing, timeout=20000)
    assert "cannot be reached" in over.message.text()
    assert monitor.backoff.failures == 1 and monitor.text()[0].startswith("Township center unreachable")
    assert "It is tried again by itself" in over.network_label.text()


def test_the_township_revokes_a_lost_laptop_with_a_reason(qtbot: QtBot, desks: tuple[Desk, Desk]) -> None:
    village, township = desks
    pair(village, township)
    page = sync_page(qtbot, township)
    page.show_view("identity")
    view = page.identity
    assert view.revoke_button.isVisible() and not view.revoke_button.isEnabled()
    assert not view.url_box.isVisible()  # a township has no township address
    view.select_peer(view.peers_model.rows()[0].committee_name)
    click(qtbot, view.revoke_button)
    dialog = view.dialog
    assert isinstance(dialog, RevokeDialog) and not dialog.save_button.isEnabled()
    type_text(qtbot, dialog.reason, "笔记本电脑被盗")
    click(qtbot, dialog.save_button)
    answer(qtbot, "Revoke")
    qtbot.waitUntil(lambda: not dialog.isVisible())
    with township.store.read() as session:
        peer = session.get(SyncPeer, village.device)
    assert peer is not None and peer.revoked_at is not None and peer.revoked_reason == "笔记本电脑被盗"
    assert view.peers_model.text(0, "state").startswith("Revoked") and "笔记本电脑被盗" in view.peers_model.text(0, "state")
    page.show_view("overview")
    assert page.overview.peers_model.text(0, "name").endswith("(revoked)")


def test_usb_sticks_are_found_among_the_mounted_volumes() -> None:
    def vol(root: str, name: str = "", fs: str = "vfat", ro: bool = False, ready: bool = True) -> Volume:
        return Volume(root, name, fs, ro, ready, 1_000_000)

    linux = [vol("/", fs="ext4"), vol("/boot/efi"), vol("/run/user/1000", fs="tmpfs"), vol("/media/wang/KINGSTON", "KINGSTON"),
             vol("/run/media/li/U盘", "U盘"), vol("/media/wang/CDROM", fs="iso9660", ro=True), vol("/snap/core/1", fs="squashfs"),
             vol("/mnt/usb", "usb"), vol("/media", fs="ext4"), vol("/media/wang/OLD", ready=False)]
    assert [str(d.path) for d in pick_drives(linux)] == ["/media/wang/KINGSTON", "/mnt/usb", "/run/media/li/U盘"]
    windows = [vol("C:/", "系统", "NTFS"), vol("D:/", "数据", "NTFS"), vol("E:/", "KINGSTON")]
    found = pick_drives(windows, windows=True, system_drive="C:", removable=lambda root: root.startswith("E"))
    assert [(d.path, d.removable) for d in found] == [(Path("E:/"), True), (Path("D:/"), False)]
