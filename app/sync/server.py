"""The township receiver (`sync serve`): a WSGI application served by waitress.

    POST /bundles          a village's bundle   -> 200 + signed receipt | 409 conflict | 413 too large | 422 rejected
    POST /receipts         a village's receipt for its return bundle -> 200 | 422
    GET  /return/<device>  the village's return bundle -> 200 + bundle | 204 nothing new | 404 not enrolled
    GET  /health           -> 200

Refusals carry the reason as plain text in the receiver's language. Every request is bounded in size
before it is read; nothing in a request is used as a path.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from app.i18n import _
from app.models.sync import BundleStatus, SyncPeer
from app.services.context import SYSTEM
from app.store.engine import Store
from app.sync import export, importer
from app.sync.bundle import MAX_BUNDLE_BYTES, MAX_RECEIPT_BYTES

log = logging.getLogger("mediation_desk.sync")
DEVICE_RE = re.compile(r"^/return/([0-9a-f-]{36})$")
StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class Receiver:
    def __init__(self, store: Store, data_dir: Path) -> None:
        self.store = store
        self.data_dir = data_dir

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method, path = environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "/")
        try:
            if method == "POST" and path in ("/bundles", "/receipts"):
                limit = MAX_BUNDLE_BYTES if path == "/bundles" else MAX_RECEIPT_BYTES
                body = self._body(environ, limit)
                if body is None:
                    return self._text(start_response, "413 Payload Too Large", _("the file is larger than a bundle may be"))
                return self._import(start_response, body, path == "/bundles")
            match = DEVICE_RE.match(path)
            if method == "GET" and match:
                return self._return_bundle(start_response, match.group(1))
            if method == "GET" and path == "/health":
                return self._text(start_response, "200 OK", "ok")
            return self._text(start_response, "404 Not Found", _("no such address"))
        except Exception:
            log.exception("receiver failed on %s %s", method, path)
            return self._text(start_response, "500 Internal Server Error", _("the receiver failed; see its log"))

    @staticmethod
    def _body(environ: dict[str, Any], limit: int) -> bytes | None:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return None
        data = environ["wsgi.input"].read(length) if length else b""
        return data if len(data) <= limit else None

    @staticmethod
    def _text(start_response: StartResponse, status: str, text: str) -> list[bytes]:
        data = text.encode("utf-8")
        start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(data)))])
        return [data]

    @staticmethod
    def _bytes(start_response: StartResponse, data: bytes) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "application/octet-stream"), ("Content-Length", str(len(data)))])
        return [data]

    def _import(self, start_response: StartResponse, body: bytes, is_bundle: bool) -> list[bytes]:
        from app.sync.bundle import kind_of

        if kind_of(body) != ("bundle" if is_bundle else "receipt"):
            return self._text(start_response, "422 Unprocessable Entity", _("the file does not start like a bundle"))
        outcome = importer.import_bytes(self.store, self.data_dir, body, actor=SYSTEM, file_name="HTTP")
        log.info("HTTP %s from %s: %s %s", "bundle" if is_bundle else "receipt", outcome.sender_name or outcome.sender,
                 outcome.status, outcome.reason)
        if outcome.status == BundleStatus.CONFLICT:
            return self._text(start_response, "409 Conflict", outcome.reason)
        if not outcome.ok:
            return self._text(start_response, "422 Unprocessable Entity", outcome.reason)
        if outcome.receipt is not None:
            return self._bytes(start_response, outcome.receipt)
        return self._text(start_response, "200 OK", outcome.status)

    def _return_bundle(self, start_response: StartResponse, device: str) -> list[bytes]:
        with self.store.write() as session:
            peer = session.get(SyncPeer, device)
            if peer is None or peer.revoked_at is not None:
                return self._text(start_response, "404 Not Found", _("this desk is not enrolled here"))
            built = export.build_for(session, self.data_dir, peer)
            if built is None:
                start_response("204 No Content", [("Content-Length", "0")])
                return []
            export.record_export(session, built, "HTTP")
        return self._bytes(start_response, built.data)


def make_server(store: Store, data_dir: Path, host: str, port: int) -> Any:
    from waitress.server import create_server

    return create_server(Receiver(store, data_dir), host=host, port=port, threads=4,
                         max_request_body_size=MAX_BUNDLE_BYTES + 1024, ident="mediation-desk")


def serve(store: Store, data_dir: Path, host: str, port: int) -> None:
    server = make_server(store, data_dir, host, port)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
