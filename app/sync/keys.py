"""This desk's keys: an Ed25519 signing key and an X25519 encryption key (PyNaCl), kept in
`<data dir>/keys/identity.json` (readable by the owner only), never in the database, so a backup on a
stick does not carry them. Rotating a key keeps the old encryption key for mail still addressed to it
and a statement, signed by the old signing key, that announces the new keys.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nacl.public import PrivateKey, PublicKey
from nacl.signing import SigningKey, VerifyKey

from app.clock import utcnow
from app.errors import StoreError
from app.files import write_atomic
from app.i18n import _

KEY_FILE = Path("keys") / "identity.json"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str, size: int) -> bytes:
    raw = base64.b64decode(text.encode("ascii"), validate=True)
    if len(raw) != size:
        raise ValueError("wrong key length")
    return raw


def key_id_of(sign_key: bytes) -> str:
    return hashlib.sha256(sign_key).hexdigest()[:16]


def fingerprint_of(sign_key: bytes, box_key: bytes) -> str:
    """Eight groups of five digits, for two people to read to each other over the phone."""
    digest = hashlib.sha256(b"mediation-desk fingerprint\x00" + sign_key + box_key).digest()
    groups = [int.from_bytes(digest[i * 4:i * 4 + 4], "big") % 100_000 for i in range(8)]
    return " ".join(f"{g:05d}" for g in groups)


def normalize_fingerprint(text: str) -> str:
    """Digits only, in groups of five; full-width digits (１２３, typed with a Chinese input method) count too."""
    import unicodedata

    digits = "".join(unicodedata.normalize("NFKC", ch) for ch in text if ch.isdigit())
    digits = "".join(ch for ch in digits if ch in "0123456789")
    return " ".join(digits[i:i + 5] for i in range(0, len(digits), 5))


@dataclass
class KeyPair:
    signing: SigningKey
    box: PrivateKey
    created_at: str

    @property
    def sign_public(self) -> bytes:
        return bytes(self.signing.verify_key)

    @property
    def box_public(self) -> bytes:
        return bytes(self.box.public_key)

    @property
    def key_id(self) -> str:
        return key_id_of(self.sign_public)

    @property
    def fingerprint(self) -> str:
        return fingerprint_of(self.sign_public, self.box_public)

    def to_json(self) -> dict[str, str]:
        return {"sign_seed": b64(bytes(self.signing)), "box_secret": b64(bytes(self.box)), "created_at": self.created_at}

    @classmethod
    def from_json(cls, data: dict[str, str]) -> KeyPair:
        return cls(SigningKey(unb64(data["sign_seed"], 32)), PrivateKey(unb64(data["box_secret"], 32)), data["created_at"])

    @classmethod
    def generate(cls) -> KeyPair:
        return cls(SigningKey.generate(), PrivateKey.generate(), utcnow().isoformat())


@dataclass
class Keys:
    device_id: str
    current: KeyPair
    retired: list[KeyPair] = field(default_factory=list)
    rotation: dict[str, Any] | None = None  # the signed announcement of `current`, while peers may not know it

    def box_secret_for(self, public: bytes) -> PrivateKey | None:
        """Our encryption key whose public half is `public` (the current one or a retired one)."""
        for pair in (self.current, *self.retired):
            if pair.box_public == public:
                return pair.box
        return None


def key_path(data_dir: Path) -> Path:
    return data_dir / KEY_FILE


def _save(data_dir: Path, keys: Keys) -> None:
    path = key_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    if os.name != "nt":
        os.chmod(path.parent, 0o700)
    payload = {"format": 1, "device_id": keys.device_id, "current": keys.current.to_json(),
               "retired": [k.to_json() for k in keys.retired], "rotation": keys.rotation}
    write_atomic(path, json.dumps(payload, indent=1).encode())
    if os.name != "nt":
        os.chmod(path, 0o600)


def load_keys(data_dir: Path, device_id: str) -> Keys:
    """This desk's keys, made on first use."""
    path = key_path(data_dir)
    if not path.exists():
        keys = Keys(device_id, KeyPair.generate())
        _save(data_dir, keys)
        return keys
    try:
        data = json.loads(path.read_text("utf-8"))
        keys = Keys(data["device_id"], KeyPair.from_json(data["current"]),
                    [KeyPair.from_json(k) for k in data.get("retired", [])], data.get("rotation"))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StoreError(_("The key file {path} cannot be read: {error}").format(path=path, error=exc)) from exc
    if keys.device_id != device_id:
        raise StoreError(_("The key file {path} belongs to another installation; move it away to make new keys.").format(path=path))
    return keys


def rotate_keys(data_dir: Path, keys: Keys) -> Keys:
    """New keys, announced by a statement the old signing key signs; the old encryption key is kept."""
    new = KeyPair.generate()
    statement = {"device_id": keys.device_id, "old_key_id": keys.current.key_id, "key_id": new.key_id,
                 "sign_key": b64(new.sign_public), "box_key": b64(new.box_public), "at": utcnow().isoformat()}
    signature = keys.current.signing.sign(canonical(statement)).signature
    rotated = Keys(keys.device_id, new, [keys.current, *keys.retired][:5],
                   {"statement": statement, "signature": b64(signature)})
    _save(data_dir, rotated)
    return rotated


def clear_rotation(data_dir: Path, keys: Keys) -> None:
    if keys.rotation is not None:
        keys.rotation = None
        _save(data_dir, keys)


def canonical(data: dict[str, Any]) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def verify_rotation(rotation: Any, enrolled_sign_key: bytes, device_id: str) -> tuple[str, bytes, bytes]:
    """Check a rotation statement against the key the peer was enrolled with; returns (key id, sign, box)."""
    from nacl.exceptions import BadSignatureError

    if not isinstance(rotation, dict) or not isinstance(rotation.get("statement"), dict):
        raise ValueError("malformed rotation")
    statement = rotation["statement"]
    try:
        VerifyKey(enrolled_sign_key).verify(canonical(statement), unb64(str(rotation.get("signature", "")), 64))
    except (BadSignatureError, ValueError) as exc:
        raise ValueError("rotation not signed by the enrolled key") from exc
    sign = unb64(str(statement.get("sign_key", "")), 32)
    box = unb64(str(statement.get("box_key", "")), 32)
    if statement.get("device_id") != device_id or statement.get("key_id") != key_id_of(sign):
        raise ValueError("rotation for another device")
    return key_id_of(sign), sign, box


def public_box(raw: bytes) -> PublicKey:
    return PublicKey(raw)
