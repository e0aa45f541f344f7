"""Identities: the small file a desk hands to the other side (public keys, committee, fingerprint),
enrollment after the fingerprint was compared over the phone, revocation of a lost device, key rotation."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey
from sqlmodel import Session, col, select

from app.clock import utcnow
from app.errors import NotFound, ValidationError, VerificationFailed
from app.i18n import _
from app.models.committee import Committee, DeskMode
from app.models.sync import PeerKind, SyncPeer
from app.services import audit, township_notices
from app.services.context import Actor, require
from app.services.identity import device_id
from app.sync.keys import Keys, b64, canonical, fingerprint_of, key_id_of, load_keys, normalize_fingerprint, rotate_keys, unb64

IDENTITY_FORMAT = "mediation-desk-identity/1"
MAX_IDENTITY_BYTES = 64 * 1024


@dataclass(frozen=True)
class Identity:
    device_id: str
    kind: str
    committee_name: str
    committee_code: str
    village: str
    township: str
    key_id: str
    sign_key: bytes
    box_key: bytes

    @property
    def fingerprint(self) -> str:
        return fingerprint_of(self.sign_key, self.box_key)


def own_committee(session: Session) -> Committee:
    me = device_id(session)
    committee = session.exec(select(Committee).where(Committee.origin == me)).first()
    if committee is None:
        raise NotFound(_("The desk is not set up yet: run the first-run wizard or `mediation-desk init`."))
    return committee


def own_keys(session: Session, data_dir: Path) -> Keys:
    return load_keys(data_dir, device_id(session))


def own_identity(session: Session, data_dir: Path) -> Identity:
    committee = own_committee(session)
    keys = own_keys(session, data_dir)
    kind = PeerKind.TOWNSHIP if committee.mode == DeskMode.TOWNSHIP else PeerKind.VILLAGE
    return Identity(keys.device_id, kind, committee.name, committee.code, committee.village, committee.township,
                    keys.current.key_id, keys.current.sign_public, keys.current.box_public)


def identity_file(session: Session, data_dir: Path) -> bytes:
    """The identity file: public data only, signed by its own key so a damaged copy is noticed."""
    me = own_identity(session, data_dir)
    body: dict[str, Any] = {
        "format": IDENTITY_FORMAT, "device_id": me.device_id, "kind": me.kind,
        "committee": {"name": me.committee_name, "code": me.committee_code, "village": me.village, "township": me.township},
        "key_id": me.key_id, "sign_key": b64(me.sign_key), "box_key": b64(me.box_key), "fingerprint": me.fingerprint,
    }
    keys = own_keys(session, data_dir)
    body["signature"] = b64(keys.current.signing.sign(canonical(body)).signature)
    return json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8")


def _bad(reason: str) -> VerificationFailed:
    return VerificationFailed(_("This is not a valid identity file: {reason}").format(reason=reason))


def _text(data: dict[str, Any], key: str, limit: int) -> str:
    value = data.get(key, "")
    if not isinstance(value, str) or len(value) > limit:
        raise _bad(key)
    return value


def read_identity(raw: bytes) -> Identity:
    """Parse and check an identity file; any damage gives a clear VerificationFailed."""
    if len(raw) > MAX_IDENTITY_BYTES:
        raise _bad(_("the file is too large"))
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise _bad(_("it cannot be read")) from exc
    if not isinstance(data, dict) or data.get("format") != IDENTITY_FORMAT:
        raise _bad(_("unknown format"))
    committee = data.get("committee")
    if not isinstance(committee, dict):
        raise _bad("committee")
    try:
        sign_key = unb64(_text(data, "sign_key", 64), 32)
        box_key = unb64(_text(data, "box_key", 64), 32)
        signature = unb64(_text(data, "signature", 100), 64)
    except ValueError as exc:
        raise _bad(_("damaged key")) from exc
    body = {k: v for k, v in data.items() if k != "signature"}
    try:
        VerifyKey(sign_key).verify(canonical(body), signature)
    except BadSignatureError as exc:
        raise _bad(_("the signature does not match; the file was changed or damaged")) from exc
    kind = _text(data, "kind", 10)
    if kind not in (PeerKind.VILLAGE, PeerKind.TOWNSHIP):
        raise _bad("kind")
    if _text(data, "key_id", 16) != key_id_of(sign_key):
        raise _bad("key_id")
    device = _text(data, "device_id", 36)
    if len(device) != 36:
        raise _bad("device_id")
    return Identity(device, kind, _text(committee, "name", 100), _text(committee, "code", 10), _text(committee, "village", 60),
                    _text(committee, "township", 60), key_id_of(sign_key), sign_key, box_key)


def enroll(session: Session, actor: Actor, data_dir: Path, identity: Identity, confirmed_fingerprint: str) -> SyncPeer:
    """Enroll the other side after its fingerprint was read out over the phone and typed (or confirmed) here."""
    require(actor, "sync.manage")
    if normalize_fingerprint(confirmed_fingerprint) != identity.fingerprint:
        raise ValidationError("fingerprint", _("The fingerprint does not match the identity file. Do not enroll it; "
                                               "ask the other side to read it out again."))
    me = own_identity(session, data_dir)
    if identity.device_id == me.device_id:
        raise ValidationError("identity", _("This is this desk's own identity file."))
    if me.kind == identity.kind:
        raise ValidationError("identity", _("A village desk enrolls its township center, and a township center its villages; "
                                            "this file is of another {kind}.").format(kind=_(kind_label(identity.kind))))
    if me.kind == PeerKind.VILLAGE:
        other = session.exec(select(SyncPeer).where(SyncPeer.kind == PeerKind.TOWNSHIP, SyncPeer.device_id != identity.device_id,
                                                    col(SyncPeer.revoked_at).is_(None))).first()
        if other is not None:
            raise ValidationError("identity", _("This desk already reports to {name}. Revoke it first.").format(name=other.committee_name))
    peer = session.get(SyncPeer, identity.device_id)
    if peer is not None and peer.revoked_at is not None and peer.key_id == identity.key_id:
        raise ValidationError("identity", _("This key was revoked; the desk must make new keys (rotate) before it is enrolled again."))
    action = "sync.enroll" if peer is None else "sync.re_enroll"
    if peer is None:
        peer = SyncPeer(device_id=identity.device_id, kind=identity.kind, committee_name=identity.committee_name,
                        key_id=identity.key_id, sign_key=b64(identity.sign_key), box_key=b64(identity.box_key))
    peer.kind = identity.kind
    peer.committee_name, peer.committee_code = identity.committee_name, identity.committee_code
    peer.village, peer.township = identity.village, identity.township
    peer.key_id, peer.sign_key, peer.box_key = identity.key_id, b64(identity.sign_key), b64(identity.box_key)
    peer.enrolled_at, peer.enrolled_by = utcnow(), actor.username
    peer.revoked_at, peer.revoked_reason = None, ""
    session.add(peer)
    audit.record(session, actor, action, table="sync_peer", record_id=peer.device_id,
                 summary=f"{identity.committee_name} {identity.key_id} {identity.fingerprint}")
    session.flush()
    return peer


def kind_label(kind: str) -> str:
    from app.i18n import N_

    return N_("township center") if kind == PeerKind.TOWNSHIP else N_("village desk")


def find_peer(session: Session, ref: str) -> SyncPeer:
    """A peer by device id, committee code or committee name."""
    ref = ref.strip()
    peer = session.get(SyncPeer, ref)
    if peer is None:
        peer = session.exec(select(SyncPeer).where((SyncPeer.committee_code == ref) | (SyncPeer.committee_name == ref))).first()
    if peer is None:
        raise NotFound(_("No enrolled desk is called {ref}.").format(ref=ref))
    return peer


def revoke(session: Session, actor: Actor, ref: str, reason: str) -> SyncPeer:
    """Refuse every bundle signed with this peer's key from now on (a lost or stolen laptop)."""
    require(actor, "sync.manage")
    reason = reason.strip()
    if not reason:
        raise ValidationError("reason", _("Reason: say why the key is revoked."))
    peer = find_peer(session, ref)
    if peer.revoked_at is not None:
        raise ValidationError("reason", _("{name} is already revoked.").format(name=peer.committee_name))
    peer.revoked_at, peer.revoked_reason = utcnow(), reason[:500]
    session.add(peer)
    township_notices.notice_revocation(session, peer)
    audit.record(session, actor, "sync.revoke", table="sync_peer", record_id=peer.device_id,
                 summary=f"{peer.committee_name} {peer.key_id}: {reason[:200]}")
    session.flush()
    return peer


def peers(session: Session) -> list[SyncPeer]:
    return list(session.exec(select(SyncPeer).order_by(SyncPeer.kind, SyncPeer.committee_name)))


def township_peer(session: Session) -> SyncPeer | None:
    return session.exec(select(SyncPeer).where(SyncPeer.kind == PeerKind.TOWNSHIP, col(SyncPeer.revoked_at).is_(None))).first()


def set_township_url(session: Session, actor: Actor, url: str) -> SyncPeer:
    require(actor, "sync.manage")
    peer = township_peer(session)
    if peer is None:
        raise NotFound(_("Enroll the township center first."))
    url = url.strip()
    if url and not url.startswith(("http://", "https://")):
        raise ValidationError("url", _("Township address: it must start with http:// or https://"))
    peer.url = url[:300]
    session.add(peer)
    audit.record(session, actor, "sync.url", table="sync_peer", record_id=peer.device_id, summary=url[:200])
    return peer


def rotate(session: Session, actor: Actor, data_dir: Path) -> Keys:
    """Make new keys; the next bundles carry the announcement signed by the old key."""
    require(actor, "sync.manage")
    keys = rotate_keys(data_dir, own_keys(session, data_dir))
    audit.record(session, actor, "sync.rotate", summary=f"{keys.retired[0].key_id} -> {keys.current.key_id}")
    return keys
