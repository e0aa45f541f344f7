"""`mediation-desk identity show|export|enroll|revoke|rotate` and `sync export|import|push|serve|status`:
thin over app/sync. A rejected bundle exits with 4 and writes nothing but the bundle log."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.cli_support import Output, actor_for
from app.errors import ValidationError, VerificationFailed
from app.files import write_atomic
from app.i18n import _
from app.models.sync import BUNDLE_STATUS_LABELS, OTHER_STATUS_LABELS, BundleStatus


def add_parsers(sub: Any) -> None:
    ident = sub.add_parser("identity", help=_("this desk's keys and the desks it exchanges bundles with"))
    ia = ident.add_subparsers(dest="action", metavar="ACTION", required=True)
    ia.add_parser("show", help=_("show this desk's identity, fingerprint and the enrolled desks"))
    ie = ia.add_parser("export", help=_("write this desk's identity file (public keys only)"))
    ie.add_argument("-o", "--output", required=True, metavar="FILE", help=_("the identity file to write"))
    ien = ia.add_parser("enroll", help=_("enroll another desk from its identity file"))
    ien.add_argument("file", help=_("the other desk's identity file"))
    ien.add_argument("--fingerprint", required=True,
                     help=_("the fingerprint the other side read out to you over the phone (digits; spaces optional)"))
    ien.add_argument("--url", default="", help=_("the township receiver's address, e.g. http://10.0.0.5:8470"))
    ir = ia.add_parser("revoke", help=_("revoke an enrolled desk's key (a lost or stolen computer)"))
    ir.add_argument("desk", help=_("the desk's code, name or device id"))
    ir.add_argument("--reason", required=True, help=_("why"))
    ia.add_parser("rotate", help=_("make new keys; the next bundles announce them, signed by the old key"))

    sync = sub.add_parser("sync", help=_("exchange bundles with the township (USB stick or network)"))
    sa = sync.add_subparsers(dest="action", metavar="ACTION", required=True)
    se = sa.add_parser("export", help=_("write the changes not yet acknowledged to a folder (a USB stick)"))
    se.add_argument("--to", required=True, metavar="DIR", help=_("the folder to write to"))
    se.add_argument("--all", action="store_true", help=_("everything, not only what was not acknowledged"))
    se.add_argument("--peer", default="", help=_("at a township: only the return bundle of this village"))
    si = sa.add_parser("import", help=_("import bundles and receipts (files or folders)"))
    si.add_argument("paths", nargs="+", metavar="PATH", help=_("bundle or receipt files, or folders holding them"))
    sa.add_parser("push", help=_("send the pending bundle to the township over the network, and fetch the return bundle"))
    ss = sa.add_parser("serve", help=_("township: receive bundles over HTTP"))
    ss.add_argument("--host", default="127.0.0.1", help=_("address to listen on"))
    ss.add_argument("--port", type=int, default=8470, help=_("port to listen on"))
    sa.add_parser("status", help=_("pending changes, last export and receipt, enrolled desks"))
    url = sa.add_parser("url", help=_("set the township receiver's address on a village desk"))
    url.add_argument("url", help=_("e.g. http://10.0.0.5:8470 (empty to switch network sync off)"))


def _data_dir(store: Any) -> Path:
    assert store.data_dir is not None
    return Path(store.data_dir)


def cmd_identity(args: argparse.Namespace, store: Any, out: Output) -> int:
    from app.sync import identity

    actor = actor_for(store, args.user)
    base = _data_dir(store)
    if args.action == "show":
        with store.read() as session:
            me = identity.own_identity(session, base)
            peers = identity.peers(session)
        data = {"device_id": me.device_id, "kind": me.kind, "committee": me.committee_name, "code": me.committee_code,
                "key_id": me.key_id, "fingerprint": me.fingerprint,
                "peers": [{"device_id": p.device_id, "kind": p.kind, "committee": p.committee_name, "code": p.committee_code,
                           "key_id": p.key_id, "url": p.url, "revoked": p.revoked_at is not None,
                           "revoked_reason": p.revoked_reason} for p in peers]}
        out.emit(data, lambda: [
            _("{name} ({kind}), device {device}").format(name=me.committee_name, kind=_(identity.kind_label(me.kind)), device=me.device_id),
            _("Fingerprint: {fp}").format(fp=me.fingerprint),
            *[_("Enrolled: {name} ({kind}) key {key}{revoked}").format(
                name=p.committee_name, kind=_(identity.kind_label(p.kind)), key=p.key_id,
                revoked=_(" — REVOKED: {reason}").format(reason=p.revoked_reason) if p.revoked_at else "") for p in peers]])
        return 0
    if args.action == "export":
        with store.read() as session:
            raw = identity.identity_file(session, base)
            me = identity.own_identity(session, base)
        write_atomic(Path(args.output), raw)
        out.say(_("Wrote {path}. Read this fingerprint to the other side over the phone: {fp}").format(
            path=args.output, fp=me.fingerprint))
        out.emit({"file": args.output, "fingerprint": me.fingerprint}, lambda: [me.fingerprint])
        return 0
    if args.action == "enroll":
        path = Path(args.file)
        try:
            raw = path.read_bytes()[:identity.MAX_IDENTITY_BYTES + 1]
        except OSError as exc:
            raise ValidationError("file", _("The identity file cannot be read: {error}").format(error=exc.strerror or exc)) from exc
        other = identity.read_identity(raw)
        with store.write() as session:
            peer = identity.enroll(session, actor, base, other, args.fingerprint)
            if args.url:
                identity.set_township_url(session, actor, args.url)
        out.say(_("Enrolled {name}.").format(name=peer.committee_name))
        out.emit({"device_id": peer.device_id, "committee": peer.committee_name, "key_id": peer.key_id}, lambda: [])
        return 0
    if args.action == "revoke":
        with store.write() as session:
            peer = identity.revoke(session, actor, args.desk, args.reason)
        out.say(_("Revoked {name}: its bundles are refused from now on.").format(name=peer.committee_name))
        out.emit({"device_id": peer.device_id, "revoked": True}, lambda: [])
        return 0
    with store.write() as session:  # rotate
        keys = identity.rotate(session, actor, base)
    out.say(_("New keys made. New fingerprint: {fp}. The next bundles announce them.").format(fp=keys.current.fingerprint))
    out.emit({"key_id": keys.current.key_id, "fingerprint": keys.current.fingerprint}, lambda: [])
    return 0


def _status_word(status: str) -> str:
    label = BUNDLE_STATUS_LABELS.get(BundleStatus(status)) if status in BundleStatus._value2member_map_ else None
    label = label or OTHER_STATUS_LABELS.get(status)
    return _(label) if label else status


def cmd_sync(args: argparse.Namespace, store: Any, out: Output) -> int:
    from app.sync import export, importer, status

    actor = actor_for(store, args.user)
    base = _data_dir(store)
    if args.action == "export":
        with store.write() as session:
            written = export.export_to_folder(session, actor, base, Path(args.to), peer_ref=args.peer or None, everything=args.all)
        if not written:
            out.say(_("Nothing to send: every change was acknowledged."))
        for built, path in written:
            out.say(_("Wrote {path}: changes {first}–{last} ({n} records).").format(
                path=path, first=built.seq_from, last=built.seq_to, n=built.changes))
        out.emit({"bundles": [{"file": str(p), "peer": b.peer, "epoch": b.epoch, "seq_from": b.seq_from, "seq_to": b.seq_to,
                               "changes": b.changes, "sha256": b.sha256} for b, p in written]}, lambda: [])
        return 0
    if args.action == "import":
        from app.services.context import require

        require(actor, "sync.run")
        files = importer.files_in(Path(p) for p in args.paths)
        if not files:
            raise ValidationError("paths", _("No bundle or receipt files were found there."))
        outcomes = [importer.import_path(store, base, f, actor=actor) for f in files]
        for o in outcomes:
            line = _("{file}: {status}").format(file=o.file_name, status=_status_word(o.status))
            if o.reason and o.status != BundleStatus.ALREADY:
                line += _(" — {reason}").format(reason=o.reason)
            if o.applied:
                line += _(" ({n} changes applied)").format(n=o.applied)
            out.say(line)
            for r in o.released:
                out.say(_("  then imported the held bundle {file} ({n} changes)").format(file=r.file_name, n=r.applied))
        out.emit({"files": [o.as_json() for o in outcomes]}, lambda: [])
        if any(not o.ok for o in outcomes):
            return VerificationFailed.exit_code
        return 0
    if args.action == "push":
        from app.sync import transport

        result = transport.push_once(store, base, actor)
        out.say(result.message)
        out.emit(result.as_json(), lambda: [])
        return 0 if result.ok else (VerificationFailed.exit_code if result.rejected else 1)
    if args.action == "serve":
        from app.sync import server

        with store.read() as session:
            from app.sync.identity import own_identity

            me = own_identity(session, base)
        if me.kind != "township":
            raise ValidationError("serve", _("Only a township center receives bundles; this desk is a village desk."))
        out.say(_("Receiving bundles on http://{host}:{port}/ — stop with Ctrl+C.").format(host=args.host, port=args.port))
        server.serve(store, base, args.host, args.port)
        return 0
    if args.action == "url":
        from app.sync import identity

        with store.write() as session:
            identity.set_township_url(session, actor, args.url)
        out.say(_("Township address saved."))
        return 0
    with store.read() as session:
        summary = status.summary(session, base)
    out.emit(summary.as_json(), lambda: status.lines(summary))
    return 0
