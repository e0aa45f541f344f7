"""The network path of a village desk: push the pending bundle to the township receiver and fetch the
return bundle, over HTTP with httpx. The USB path (export/import) always works too.

The receiver answers a pushed bundle with its signed receipt (200), or with the reason it refused it
(422 rejected, 409 conflict); `GET /return/<device>` hands the village its return bundle, signed and
encrypted like any other. Requests carry the sender's device id only; everything else is in the
signed files themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from app.i18n import _, ngettext
from app.models.sync import BundleStatus
from app.services.context import Actor, require
from app.store.engine import Store
from app.sync import export, importer
from app.sync.identity import township_peer

TIMEOUT = httpx.Timeout(30.0, connect=5.0)
BUNDLE_TYPE = "application/vnd.mediation-desk.bundle"


@dataclass
class PushResult:
    ok: bool
    message: str
    rejected: bool = False
    sent: int = 0
    received: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "message": self.message, "rejected": self.rejected, "sent": self.sent, "received": self.received}


def push_once(store: Store, data_dir: Path, actor: Actor, *, client: httpx.Client | None = None) -> PushResult:
    """Send what the township has not acknowledged; import its receipt; fetch and import the return bundle."""
    require(actor, "sync.run")
    with store.write() as session:
        peer = township_peer(session)
        if peer is None:
            return PushResult(False, _("No township center is enrolled."))
        if not peer.url:
            return PushResult(False, _("No township address is set; use the USB stick, or set the address in the Sync section."))
        built = export.build_for(session, data_dir, peer)
        if built is not None:
            export.record_export(session, built, built.file_name)
    url = peer.url.rstrip("/")
    own = client or httpx.Client(timeout=TIMEOUT)
    try:
        sent = 0
        if built is not None:
            response = own.post(f"{url}/bundles", content=built.data, headers={"Content-Type": BUNDLE_TYPE})
            if response.status_code != 200:
                reason = response.text[:500]
                return PushResult(
                    False,
                    _("The township refused the bundle: {reason}").format(reason=reason),
                    rejected=response.status_code in (409, 413, 422),
                )
            receipt = importer.import_bytes(store, data_dir, response.content, actor=actor, file_name="receipt (HTTP)")
            if not receipt.ok:
                return PushResult(
                    False, _("The township's receipt was not accepted: {reason}").format(reason=receipt.reason), rejected=True
                )
            sent = built.changes
        back = own.get(f"{url}/return/{_device(store)}")
        received: list[dict[str, Any]] = []
        if back.status_code == 200 and back.content:
            outcome = importer.import_bytes(store, data_dir, back.content, actor=actor, file_name="return bundle (HTTP)")
            received.append(outcome.as_json())
            if outcome.receipt is not None:
                own.post(f"{url}/receipts", content=outcome.receipt, headers={"Content-Type": BUNDLE_TYPE})
            if not outcome.ok:
                return PushResult(
                    False,
                    _("The township's return bundle was refused: {reason}").format(reason=outcome.reason),
                    rejected=True,
                    sent=sent,
                    received=received,
                )
        elif back.status_code not in (200, 204):
            return PushResult(
                False, _("The township did not hand out the return bundle: {reason}").format(reason=back.text[:300]), sent=sent
            )
        message = (ngettext("Sent {n} change to the township.", "Sent {n} changes to the township.", sent).format(n=sent) if built
                   else _("Nothing new to send."))
        if received and received[0]["status"] == BundleStatus.IMPORTED:
            got = int(received[0]["applied"])
            message += " " + ngettext("Received {n} change from the township.", "Received {n} changes from the township.",
                                      got).format(n=got)
        return PushResult(True, message, sent=sent, received=received)
    except httpx.HTTPError as exc:
        return PushResult(False, _("The township cannot be reached ({error}); the bundle stays pending.").format(error=type(exc).__name__))
    finally:
        if client is None:
            own.close()


def _device(store: Store) -> str:
    from app.sync.changelog import local_identity

    with store.read() as session:
        return local_identity(session.connection())[0]
