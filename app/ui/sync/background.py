"""The village desk's network path in the background: when a township address is set, push what the
township has not acknowledged (and fetch the return bundle) shortly after start and every few minutes,
backing off after failures (app.sync.backoff), on a worker so the window never waits. It also says, in
one short line for the status bar, where sync stands: "已同步 10:42", "有 35 条待发送", "镇中心连不上，稍后重试"."""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal

from app.clock import utcnow
from app.i18n import _, ngettext
from app.sync.backoff import START_DELAY_S, Backoff
from app.ui.cases.common import HINT_COLOR, OK_COLOR, WARNING_COLOR
from app.ui.context import UiContext
from app.ui.messages import ERROR_COLOR
from app.ui.sync.common import SYNC_TABLES, when_text
from app.ui.worker import run_task

log = logging.getLogger("mediation_desk")

STALE_AFTER = dt.timedelta(days=3)  # a village that has not synced for this long is shown in amber
# tables a return bundle may bring (the township's decisions, catalog updates) besides the sync bookkeeping
RECEIVED_TABLES = SYNC_TABLES | {"case_decision", "dispute_case", "committee", "rule_version", "rule_item", "risk_factor"}


@dataclass
class SyncState:
    mode: str = "village"
    enrolled: bool = False  # a township (village desk) or any village (township) is enrolled
    url: str = ""
    pending: int = 0
    last_sync: dt.datetime | None = None
    villages: int = 0
    pushing: bool = False
    failed: str = ""  # the last push's problem, while it lasts
    refused: bool = False  # the township refused it (not a network problem)
    next_try: dt.datetime | None = None


def state_text(state: SyncState) -> tuple[str, str]:
    """The status bar's words about sync, and their colour."""
    if state.mode == "township":
        if not state.villages:
            return _("Sync: no village enrolled yet"), HINT_COLOR
        villages = ngettext("{n} village", "{n} villages", state.villages).format(n=state.villages)
        return _("Last import: {when} · {villages}").format(when=when_text(state.last_sync), villages=villages), HINT_COLOR
    if not state.enrolled:
        return _("Sync: township center not enrolled"), HINT_COLOR
    if state.pushing:
        return _("Sending to the township…"), HINT_COLOR
    if state.failed and state.refused:
        return _("The township refused the last bundle: see the Sync section"), ERROR_COLOR
    if state.failed:
        text = _("Township center unreachable; will retry later")
        if state.next_try is not None:
            text = _("Township center unreachable; next try at {time}").format(time=when_text(state.next_try))
        return text, WARNING_COLOR
    stale = state.last_sync is None or utcnow() - state.last_sync > STALE_AFTER
    if state.pending:
        waiting = ngettext("{n} change waiting to be sent", "{n} changes waiting to be sent", state.pending).format(n=state.pending)
        last = _("last sync: {when}").format(when=when_text(state.last_sync, _("never")))
        return _("{waiting} · {last}").format(waiting=waiting, last=last), WARNING_COLOR if stale or not state.url else HINT_COLOR
    if state.last_sync is None:
        return _("Not synced yet"), WARNING_COLOR
    return _("Synced {when}").format(when=when_text(state.last_sync)), WARNING_COLOR if stale else OK_COLOR


class SyncMonitor(QObject):
    """Reads where sync stands (after each write, after each push) and, on a village desk with a township
    address, pushes in the background. `state_changed` carries the status bar's text and colour;
    `pushed` carries each `PushResult` (the Sync page shows it)."""

    state_changed = Signal(str, str)
    pushed = Signal(object)

    def __init__(self, ctx: UiContext, parent: QObject | None = None, *, background: bool = True) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.state = SyncState()
        self.backoff = Backoff()
        self.background = background
        self._task: object | None = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._tick)
        ctx.changed.connect(self._on_changed)
        ctx.retranslate.connect(self._emit)
        self.read_state()

    # -------------------------------------------------------- state

    def read_state(self) -> SyncState:
        from app.services import committee
        from app.sync import status

        try:
            with self.ctx.store.read() as session:
                mode = committee.require_current(session).mode
                summary = status.summary(session, self.ctx.data_dir)
        except Exception:
            log.error("cannot read the sync state\n%s", traceback.format_exc())
            return self.state
        live = [p for p in summary.peers if not p.revoked]
        s = self.state
        s.mode = str(mode)
        s.villages = len([p for p in live if p.kind == "village"])
        township = next((p for p in live if p.kind == "township"), None)
        s.enrolled = township is not None if s.mode == "village" else bool(s.villages)
        s.url = township.url if township else ""
        s.pending = township.pending if township else 0
        s.last_sync = summary.last_sync
        self._emit()
        return s

    def text(self) -> tuple[str, str]:
        return state_text(self.state)

    def _emit(self) -> None:
        text, colour = state_text(self.state)
        self.state_changed.emit(text, colour)

    def _on_changed(self, tables: object) -> None:
        self.read_state()
        if self.background and self.state.url and not self.timer.isActive() and not self.state.pushing:
            self._schedule(START_DELAY_S)  # an address was just set: start pushing

    # -------------------------------------------------------- pushing

    def can_push(self) -> bool:
        return self.state.mode == "village" and self.state.enrolled and bool(self.state.url) and self.ctx.can("sync.run")

    def start(self) -> None:
        """Begin background pushing (a village desk with a township address and a user who may sync)."""
        if self.background and self.state.mode == "village" and self.ctx.can("sync.run"):
            self._schedule(START_DELAY_S)

    def stop(self) -> None:
        self.timer.stop()
        self.background = False

    def _schedule(self, seconds: float) -> None:
        self.state.next_try = utcnow() + dt.timedelta(seconds=seconds)
        self.timer.start(int(seconds * 1000))

    def _tick(self) -> None:
        self.read_state()
        if not self.can_push():
            self._schedule(self.backoff.interval)  # look again later: an address may be set meanwhile
            return
        self.push_now()

    def push_now(self) -> bool:
        """Push once now on a worker; False when that is not possible (no address, already pushing)."""
        if self.state.pushing or not self.can_push():
            return False
        from app.sync.transport import push_once

        store, data_dir, actor = self.ctx.store, self.ctx.data_dir, self.ctx.actor
        self.timer.stop()
        self.state.pushing = True
        self._emit()
        self._task = run_task(lambda _progress: push_once(store, data_dir, actor), self._done, self._failed)
        return True

    def _done(self, result: object) -> None:
        self._task = None
        self.state.pushing = False
        ok = bool(getattr(result, "ok", False))
        self.state.refused = bool(getattr(result, "rejected", False))
        if ok:
            self.state.failed = ""
            delay = self.backoff.succeeded()
        else:
            self.state.failed = str(getattr(result, "message", "")) or _("The push failed.")
            delay = self.backoff.failed()
        if self.background:
            self._schedule(delay)
        received = getattr(result, "received", None) or []
        # the sync bookkeeping always changed; the township's decisions only when a return bundle brought some
        self.ctx.changed.emit(set(RECEIVED_TABLES if any(r.get("applied") for r in received) else SYNC_TABLES))
        self.read_state()
        self.pushed.emit(result)

    def _failed(self, exc: BaseException, tb: str) -> None:
        from app.sync.transport import PushResult

        log.error("background push failed\n%s", tb)
        self._done(PushResult(False, _("The push failed: {error}").format(error=type(exc).__name__)))
