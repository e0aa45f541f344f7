"""The Sync section's first view: what is waiting to be sent, when the last bundle went out and when the
last receipt came back, per enrolled desk; "Export to USB", "Import…" and "Send over the network now";
after an import, what became of each file, in plain words; and the desks the township revoked — in red at the
top when it is this very desk, whose bundles are then refused."""

from __future__ import annotations

import datetime as dt
import traceback
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.clock import LOCAL_TZ
from app.i18n import N_, _, format_date, format_number, ngettext
from app.models.township import RevocationNotice
from app.sync.identity import kind_label
from app.sync.status import PeerStatus, SyncSummary
from app.ui.cases.common import HINT_COLOR, OK_COLOR, bigger, relabel_all, report_error, tr
from app.ui.context import UiContext
from app.ui.messages import ERROR_COLOR
from app.ui.sync.common import (
    Column,
    RowsModel,
    bundle_status_chip,
    find_drives,
    fit_height,
    fit_rows,
    seq_range,
    table_view,
    when_text,
)
from app.ui.sync.dialogs import ExportDialog, ImportDialog
from app.ui.worker import Progress, Task, run_task

# the columns that matter most come first: on a narrow screen at the large font size the last ones scroll
PEER_COLUMNS = (
    Column("name", N_("Desk")), Column("pending", N_("Waiting to be sent"), numeric=True),
    Column("export", N_("Last export")), Column("receipt", N_("Last receipt")), Column("import", N_("Last received")),
    Column("problem", N_("Last problem")), Column("held", N_("Held / missing")),
    Column("applied", N_("Their changes here"), numeric=True), Column("kind", N_("Desk kind")),
)
SOMETIMES = ("problem", "held")  # shown only when some desk has one
REVOKED_COLUMNS = (Column("committee", N_("Committee")), Column("revoked", N_("Revoked on")), Column("reason", N_("Reason")))
REVOKED_ROWS = 4  # a short list; it scrolls beyond
RESULT_COLUMNS = (
    Column("file", N_("File")), Column("status", N_("Fate"), chip=True), Column("reason", N_("In plain words")),
    Column("from", N_("Sent by")), Column("seq", N_("Change numbers"), numeric=True),
)


def peer_cell(p: PeerStatus, key: str) -> Any:
    if key == "name":
        return p.name + (_(" (revoked)") if p.revoked else "")
    if key == "kind":
        return _(kind_label(p.kind))
    if key == "pending":
        return format_number(p.pending)
    if key == "export":
        return when_text(p.last_export)
    if key == "receipt":
        return when_text(p.last_receipt)
    if key == "import":
        return when_text(p.last_import)
    if key == "applied":
        return format_number(p.applied_seq)
    if key == "held":
        return _("{n} held, {missing} missing").format(n=p.held, missing=p.missing) if p.held else ""
    if key == "problem":
        if p.rejected:
            return _("{n} rejected: {reason}").format(n=p.rejected, reason=p.last_problem)
        return ""
    return ""


def revoked_day(notice: RevocationNotice) -> str:
    value = notice.revoked_at
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return format_date(value.astimezone(LOCAL_TZ).date())


def revoked_cell(notice: RevocationNotice, key: str) -> Any:
    if key == "committee":
        return notice.committee_name
    if key == "revoked":
        return revoked_day(notice)
    if key == "reason":
        return notice.reason
    return ""


def own_revocation_text(notice: RevocationNotice) -> str:
    if notice.reason:
        return _("This desk's key was revoked by the township on {date} ({reason}). Bundles from it are refused; set the "
                 "desk up again with the township.").format(date=revoked_day(notice), reason=notice.reason)
    return _("This desk's key was revoked by the township on {date}. Bundles from it are refused; set the desk up again "
             "with the township.").format(date=revoked_day(notice))


def outcome_words(o: Any) -> str:
    """What happened to one imported file, in a sentence."""
    status = o.status
    if status == "imported":
        words = ngettext("{n} change applied.", "{n} changes applied.", o.applied).format(n=o.applied)
        if o.released:
            words += " " + ngettext("It let {n} held bundle through.", "It let {n} held bundles through.",
                                    len(o.released)).format(n=len(o.released))
        return words
    if status == "delivered":
        return _("The other side confirms it received our changes up to number {seq}.").format(seq=o.seq_to)
    if status == "already":
        return _("This bundle was imported before; nothing changed.")
    return (o.reason[:1].upper() + o.reason[1:]) if o.reason else ""


def result_cell(o: Any, key: str) -> Any:
    if key == "file":
        return o.file_name
    if key == "from":
        return o.sender_name
    if key == "seq":
        return seq_range(o.seq_from, o.seq_to)
    if key == "status":
        return bundle_status_chip(o.status)
    if key == "reason":
        return outcome_words(o)
    return ""


def flatten(outcomes: list[Any]) -> list[Any]:
    rows: list[Any] = []
    for o in outcomes:
        rows.append(o)
        rows += flatten(list(o.released))
    return rows


class Card(QFrame):
    """A figure with its caption: "Waiting to be sent 35"."""

    def __init__(self, caption: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setStyleSheet(f"QFrame#{name} {{ border: 1px solid #d5dae1; border-radius: 8px; background: #f8f9fb; }}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 8, 14, 8)
        self.caption = tr(QLabel(), caption)
        self.caption.setStyleSheet(f"color: {HINT_COLOR}; border: none;")
        self.value = QLabel()
        self.value.setObjectName(f"{name}Value")
        self.value.setStyleSheet("border: none;")
        layout.addWidget(self.caption)
        layout.addWidget(self.value)

    def relabel(self) -> None:
        bigger(self.value, 1.45, bold=True)


class OverviewView(QWidget):
    enroll_requested = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.summary: SyncSummary | None = None
        self.mode = "village"
        self.monitor: Any = None
        self.dialog: QDialog | None = None
        self.task: Task | None = None
        self.last_outcomes: list[Any] = []

        self.export_button = tr(QPushButton(), N_("Export to USB…"))
        self.export_button.setObjectName("exportButton")
        self.export_button.clicked.connect(self.export_clicked)
        self.import_button = tr(QPushButton(), N_("Import…"))
        self.import_button.setObjectName("importButton")
        self.import_button.clicked.connect(self.import_clicked)
        self.push_button = tr(QPushButton(), N_("Send over the network now"))
        self.push_button.setObjectName("pushButton")
        self.push_button.clicked.connect(self.push_clicked)
        self.push_button.hide()
        may = ctx.can("sync.run")
        for button in (self.export_button, self.import_button):
            button.setVisible(may)
        toolbar = QHBoxLayout()
        toolbar.addWidget(self.export_button)
        toolbar.addWidget(self.import_button)
        toolbar.addWidget(self.push_button)
        toolbar.addStretch(1)

        self.own_revoked = QLabel()
        self.own_revoked.setObjectName("ownRevoked")
        self.own_revoked.setWordWrap(True)
        self.own_revoked.setTextFormat(Qt.TextFormat.PlainText)
        self.own_revoked.setStyleSheet(f"color: {ERROR_COLOR}; font-weight: bold;")
        self.own_revoked.hide()
        self.own_notice: RevocationNotice | None = None
        self.revocations: list[RevocationNotice] = []

        self.title = QLabel()
        self.title.setObjectName("syncTitle")
        self.title.setWordWrap(True)
        self.network_label = QLabel()
        self.network_label.setObjectName("networkLabel")
        self.network_label.setWordWrap(True)
        self.network_label.setStyleSheet(f"color: {HINT_COLOR};")

        self.pending_card = Card(N_("Waiting to be sent"), "pendingCard")
        self.export_card = Card(N_("Last export"), "exportCard")
        self.receipt_card = Card(N_("Last receipt"), "receiptCard")
        self.import_card = Card(N_("Last received"), "importCard")
        cards = QHBoxLayout()
        for card in (self.pending_card, self.export_card, self.receipt_card, self.import_card):
            cards.addWidget(card)
        cards.addStretch(1)

        self.empty = QLabel()
        self.empty.setObjectName("emptyState")
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet(f"color: {HINT_COLOR};")
        self.enroll_button = tr(QPushButton(), N_("Go to identity and enrollment"))
        self.enroll_button.setObjectName("goEnroll")
        self.enroll_button.clicked.connect(self.enroll_requested)
        empty_row = QHBoxLayout()
        empty_row.addWidget(self.empty, 1)
        empty_row.addWidget(self.enroll_button)

        self.peers_model = RowsModel(PEER_COLUMNS, peer_cell, colour=lambda p: HINT_COLOR if p.revoked else None)
        self.peers_table = table_view(self.peers_model, "peersTable", stretch="problem")
        self.peers_table.horizontalHeader().setStretchLastSection(True)
        self.peers_box = tr(QGroupBox(), N_("Enrolled desks"))
        peers_layout = QVBoxLayout(self.peers_box)
        peers_layout.addWidget(self.peers_table)

        self.revoked_model = RowsModel(REVOKED_COLUMNS, revoked_cell, tip=lambda n: n.reason)
        self.revoked_table = table_view(self.revoked_model, "revokedTable", stretch="reason")
        self.revoked_box = tr(QGroupBox(), N_("Desks revoked by the township"))
        self.revoked_box.setObjectName("revokedBox")
        revoked_layout = QVBoxLayout(self.revoked_box)
        revoked_layout.addWidget(self.revoked_table)
        self.revoked_box.hide()

        self.busy_label = QLabel()
        self.busy_label.setObjectName("busyLabel")
        self.progress = QProgressBar()
        self.progress.setObjectName("progress")
        self.cancel_button = tr(QPushButton(), N_("Cancel"))
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.clicked.connect(self.cancel)
        busy_row = QHBoxLayout()
        busy_row.addWidget(self.busy_label)
        busy_row.addWidget(self.progress, 1)
        busy_row.addWidget(self.cancel_button)
        self.busy = QWidget()
        self.busy.setLayout(busy_row)
        self.busy.hide()

        self.message = QLabel()
        self.message.setObjectName("resultMessage")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()

        self.results_model = RowsModel(RESULT_COLUMNS, result_cell, tip=lambda o: outcome_words(o))
        self.results_table = table_view(self.results_model, "resultsTable", stretch="reason", capped={"file": 20, "from": 14},
                                        elide_middle=True)
        self.results_table.setWordWrap(True)  # the plain words in full: the rows grow, the words are never cut
        self.results_table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.results_box = tr(QGroupBox(), N_("What became of each file"))
        results_layout = QVBoxLayout(self.results_box)
        results_layout.addWidget(self.results_table)
        self.results_box.hide()

        layout = QVBoxLayout(self)
        layout.addLayout(toolbar)
        layout.addWidget(self.own_revoked)
        layout.addWidget(self.title)
        layout.addWidget(self.network_label)
        layout.addLayout(cards)
        layout.addLayout(empty_row)
        layout.addWidget(self.busy)
        layout.addWidget(self.message)
        layout.addWidget(self.peers_box, 1)
        layout.addWidget(self.revoked_box)
        layout.addWidget(self.results_box, 2)
        self.filler = QWidget()  # takes the room while there is no table to show, so the rest stays at the top
        self.filler.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        layout.addWidget(self.filler, 1)
        self.relabel()

    def relabel(self) -> None:
        relabel_all(self)
        bigger(self.title, 1.15, bold=True)
        for card in (self.pending_card, self.export_card, self.receipt_card, self.import_card):
            card.relabel()
        for table in (self.peers_table, self.results_table, self.revoked_table):
            fit_rows(table)
        fit_height(self.revoked_table, REVOKED_ROWS)
        self.peers_model.relabel()
        self.results_model.relabel()
        self.revoked_model.relabel()
        if self.summary is not None:
            self._show(self.summary)

    def attach_monitor(self, monitor: Any) -> None:
        self.monitor = monitor
        monitor.pushed.connect(self._pushed)
        monitor.state_changed.connect(lambda *_a: self._show_network())
        self._show_network()

    # -------------------------------------------------------- loading

    def refresh(self) -> None:
        from app.services import committee, township_notices
        from app.sync import status

        try:
            with self.ctx.store.read() as session:
                self.mode = str(committee.require_current(session).mode)
                summary = status.summary(session, self.ctx.data_dir)
                self.revocations = township_notices.revocations(session)
                self.own_notice = township_notices.own_revocation(session)
        except Exception as exc:
            report_error(self, self.ctx, exc, traceback.format_exc())
            return
        self.summary = summary
        self._show(summary)

    def _show(self, s: SyncSummary) -> None:
        self.title.setText(_("This desk: {name} ({kind}) · {n} changes made here").format(
            name=s.name, kind=_(kind_label(s.kind)), n=format_number(s.last_seq)))
        live = [p for p in s.peers if not p.revoked]
        self._show_revocations()
        self.peers_model.set_rows(s.peers)
        for key in SOMETIMES:
            column = self.peers_model.column(key)
            self.peers_table.setColumnHidden(column, not any(self.peers_model.text(r, key) for r in range(len(s.peers))))
        self.peers_box.setVisible(bool(s.peers))
        self.filler.setVisible(not s.peers and not self.results_box.isVisibleTo(self))
        if not live:
            self.empty.setText(_("No township center is enrolled yet. Enroll it on the “Identity and enrollment” tab, "
                                 "after comparing its fingerprint over the phone.") if s.kind == "village" else
                               _("No village is enrolled yet. Enroll each village on the “Identity and enrollment” tab, "
                                 "after comparing its fingerprint over the phone."))
        self.empty.setVisible(not live)
        self.enroll_button.setVisible(not live and self.ctx.can("sync.manage"))
        pending = sum(p.pending for p in live)
        self.pending_card.value.setText(ngettext("{n} change", "{n} changes", pending).format(n=format_number(pending)))
        self.pending_card.value.setStyleSheet(f"border: none; color: {'#b45309' if pending else OK_COLOR};")
        self.export_card.value.setText(when_text(max((p.last_export for p in live if p.last_export), default=None)))
        self.receipt_card.value.setText(when_text(max((p.last_receipt for p in live if p.last_receipt), default=None)))
        self.import_card.value.setText(when_text(max((p.last_import for p in live if p.last_import), default=None)))
        for button in (self.export_button, self.import_button):
            button.setEnabled(bool(live) and self.task is None)
        self._show_network()

    def _show_revocations(self) -> None:
        self.own_revoked.setText(own_revocation_text(self.own_notice) if self.own_notice is not None else "")
        self.own_revoked.setVisible(self.own_notice is not None)
        self.revoked_model.set_rows(self.revocations)
        fit_height(self.revoked_table, REVOKED_ROWS)
        self.revoked_box.setVisible(bool(self.revocations))

    def _show_network(self) -> None:
        s = self.summary
        township = next((p for p in s.peers if p.kind == "township" and not p.revoked), None) if s else None
        url = township.url if township else ""
        can_push = bool(url) and self.ctx.can("sync.run") and self.mode == "village"
        self.push_button.setVisible(can_push)
        pushing = bool(self.monitor is not None and self.monitor.state.pushing)
        self.push_button.setEnabled(can_push and not pushing)
        if self.mode != "village" or township is None:
            self.network_label.setVisible(False)
            return
        if not url:
            text = _("No township address is set: bundles travel by USB stick. An address can be set on the "
                     "“Identity and enrollment” tab.")
        elif pushing:
            text = _("Sending to {url}…").format(url=url)
        elif self.monitor is not None and self.monitor.state.failed:
            text = _("Network: {problem} It is tried again by itself; the USB stick always works too.").format(
                problem=self.monitor.state.failed)
        else:
            text = _("Network: changes are sent to {url} by themselves every few minutes.").format(url=url)
        self.network_label.setText(text)
        self.network_label.setVisible(True)

    # -------------------------------------------------------- busy

    def _start(self, text: str, fn: Any, on_done: Any, *, cancellable: bool = False) -> None:
        self.busy_label.setText(text)
        self.progress.setRange(0, 0)
        self.cancel_button.setVisible(cancellable)
        self.busy.show()
        self.message.hide()
        for button in (self.export_button, self.import_button):
            button.setEnabled(False)

        def done(result: Any) -> None:
            self._finish()
            on_done(result)

        def failed(exc: BaseException, tb: str) -> None:
            self._finish()
            report_error(self, self.ctx, exc, tb)
            self.refresh()

        self.task = run_task(fn, done, failed, self._progress)

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _finish(self) -> None:
        self.task = None
        self.busy.hide()

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.busy_label.setText(_("Stopping after the file being read…"))

    def is_busy(self) -> bool:
        return self.task is not None

    def _say(self, text: str, colour: str = "") -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {colour};" if colour else "")
        self.message.show()

    # -------------------------------------------------------- export

    def export_clicked(self) -> QDialog:
        villages = []
        if self.summary is not None and self.summary.kind == "township":
            villages = [(p.device_id, p.name) for p in self.summary.peers if not p.revoked]
        dialog = ExportDialog(lambda: find_drives(), villages, self)  # looked up when called: tests stand in sticks
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._export_chosen(dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _export_chosen(self, dialog: ExportDialog) -> None:
        target = dialog.destination()
        if target is None:
            return
        self.export_to(target, peer_ref=dialog.peer_ref(), everything=dialog.everything.isChecked())

    def export_to(self, folder: Path, *, peer_ref: str | None = None, everything: bool = False) -> None:
        from app.sync.export import export_to_folder

        store, actor, data_dir = self.ctx.store, self.ctx.actor, self.ctx.data_dir

        def work(_progress: Progress) -> list[tuple[str, int, int, int, Path]]:
            folder.mkdir(parents=True, exist_ok=True)
            with store.write() as session:
                written = export_to_folder(session, actor, data_dir, folder, peer_ref=peer_ref, everything=everything)
            return [(b.peer, b.changes, b.seq_from, b.seq_to, path) for b, path in written]

        self._start(_("Writing the bundle…"), work, lambda written: self._exported(folder, written))

    def _exported(self, folder: Path, written: list[tuple[str, int, int, int, Path]]) -> None:
        names = {p.device_id: p.name for p in self.summary.peers} if self.summary else {}
        if not written:
            self._say(_("Nothing new to send: the other side has acknowledged every change. Nothing was written to {path}.").format(
                path=folder))
        else:
            lines = [ngettext("Written to {path}: {n} file.", "Written to {path}: {n} files.", len(written)).format(
                path=folder, n=len(written))]
            for peer, changes, _first, _last, path in written:
                lines.append(ngettext("• {file}: {n} change for {name}", "• {file}: {n} changes for {name}", changes)
                             .format(file=path.name, n=changes, name=names.get(peer, peer)))
            lines.append(_("Carry it to the other side, import it there, and import the receipt it writes next to it here."))
            self._say("\n".join(lines), OK_COLOR)
        self.ctx.changed.emit({"sync_bundle"})
        self.refresh()

    # -------------------------------------------------------- import

    def import_clicked(self) -> QDialog:
        dialog = ImportDialog(lambda: find_drives(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.import_files(dialog.files()))
        self.dialog = dialog
        dialog.open()
        return dialog

    def import_files(self, files: list[Path]) -> None:
        from app.sync.importer import import_path

        store, actor, data_dir = self.ctx.store, self.ctx.actor, self.ctx.data_dir

        def work(progress: Progress) -> list[Any]:
            outcomes = []
            for n, path in enumerate(files):
                if progress.cancelled:
                    break
                progress(n, len(files))
                outcomes.append(import_path(store, data_dir, path, actor=actor))
            progress(len(outcomes), len(files))
            return outcomes

        text = ngettext("Reading {n} file…", "Reading {n} files…", len(files)).format(n=len(files))
        self._start(text, work, lambda outcomes: self._imported(outcomes, len(files)), cancellable=True)

    def _imported(self, outcomes: list[Any], asked: int) -> None:
        rows = flatten(outcomes)
        self.last_outcomes = rows
        self.results_model.set_rows(rows)
        self.results_box.setVisible(True)
        self.filler.hide()
        bad = [o for o in rows if not o.ok]
        applied = sum(o.applied for o in rows)
        text = ngettext("{n} file read", "{n} files read", len(outcomes)).format(n=len(outcomes))
        if len(outcomes) < asked:
            text += _(" (stopped: {n} not read)").format(n=asked - len(outcomes))
        text += ngettext("; {n} change applied", "; {n} changes applied", applied).format(n=applied)
        if bad:
            text += ngettext("; {n} file refused, see why below.", "; {n} files refused, see why below.", len(bad)).format(n=len(bad))
        else:
            text += _(".")
        self._say(text, ERROR_COLOR if bad else OK_COLOR)
        self.ctx.changed.emit(set() if applied else {"sync_bundle", "sync_cursor"})
        self.refresh()

    # -------------------------------------------------------- network

    def push_clicked(self) -> None:
        if self.monitor is not None and self.monitor.push_now():
            self._show_network()
            self._say(_("Sending to the township…"))

    def _pushed(self, result: Any) -> None:
        self._say(result.message, OK_COLOR if result.ok else ERROR_COLOR)
        self.refresh()
