"""The bundle and receipt file formats: build, parse, sign, verify, encrypt, decrypt. Plain bytes in and
out; no database here.

A bundle (`*.mdbundle`):

    MAGIC (8) | manifest length (4, big-endian) | manifest (JSON) | Ed25519 signature (64) | payload

The signature covers the magic and the manifest; the manifest carries the payload's SHA-256 and size,
so the signature covers the payload too. The payload is zlib-compressed JSON lines encrypted with
NaCl's Box (X25519 + XSalsa20-Poly1305) from the sender's key to the recipient's: only the recipient
can read it and it knows who wrote it. Its first line repeats the manifest's sender, epoch and
sequence range, compared after decryption.

A receipt (`*.receipt`): RECEIPT_MAGIC | length | JSON | signature. Not encrypted: it holds no
personal data, only which sequences were applied.
"""

from __future__ import annotations

import hashlib
import json
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson
from nacl.exceptions import BadSignatureError, CryptoError
from nacl.public import Box, PrivateKey, PublicKey
from nacl.signing import SigningKey, VerifyKey

from app.i18n import _

BUNDLE_MAGIC = b"MDBUNDL1"
RECEIPT_MAGIC = b"MDRECPT1"
FORMAT = 1
MAX_BUNDLE_BYTES = 512 * 1024 * 1024
MAX_MANIFEST_BYTES = 256 * 1024
MAX_RECEIPT_BYTES = 64 * 1024
MAX_PLAINTEXT_BYTES = 4 * 1024 * 1024 * 1024
MAX_LINE_BYTES = 64 * 1024 * 1024
SIGNATURE_BYTES = 64
LINE_SEPARATOR = b"\x1f"


class BundleError(Exception):
    """The file is not a bundle we can accept; `reason` says why in the user's language."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ParsedBundle:
    manifest: dict[str, Any]
    signed: bytes  # magic + manifest bytes: what the signature covers
    signature: bytes
    payload: bytes
    sha256: str  # of the whole file


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _frame(magic: bytes, body: bytes, signing: SigningKey, tail: bytes = b"") -> bytes:
    signed = magic + struct.pack(">I", len(body)) + body
    return signed + signing.sign(signed).signature + tail


def build_bundle(manifest: dict[str, Any], lines: list[bytes], signing: SigningKey, sender_box: PrivateKey,
                 recipient_box: PublicKey) -> bytes:
    plain = b"\n".join(lines)
    payload = bytes(Box(sender_box, recipient_box).encrypt(zlib.compress(plain, 6)))
    manifest = {**manifest, "payload_sha256": sha256_hex(payload), "payload_size": len(payload)}
    body = json.dumps(manifest, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return _frame(BUNDLE_MAGIC, body, signing, payload)


def _split(raw: bytes, magic: bytes, limit: int) -> tuple[dict[str, Any], bytes, bytes, bytes]:
    if len(raw) < len(magic) + 4 + SIGNATURE_BYTES:
        raise BundleError(_("the file is too short: it was cut off or is not a bundle"))
    if raw[:len(magic)] != magic:
        raise BundleError(_("the file does not start like a bundle"))
    (length,) = struct.unpack(">I", raw[len(magic):len(magic) + 4])
    if length > limit:
        raise BundleError(_("the manifest is too large"))
    end = len(magic) + 4 + length
    if len(raw) < end + SIGNATURE_BYTES:
        raise BundleError(_("the file is too short: it was cut off or is not a bundle"))
    try:
        manifest = json.loads(raw[len(magic) + 4:end].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BundleError(_("the manifest cannot be read")) from exc
    if not isinstance(manifest, dict):
        raise BundleError(_("the manifest cannot be read"))
    return manifest, raw[:end], raw[end:end + SIGNATURE_BYTES], raw[end + SIGNATURE_BYTES:]


def parse_bundle(raw: bytes) -> ParsedBundle:
    if len(raw) > MAX_BUNDLE_BYTES:
        raise BundleError(_("the file is larger than a bundle may be"))
    manifest, signed, signature, payload = _split(raw, BUNDLE_MAGIC, MAX_MANIFEST_BYTES)
    return ParsedBundle(manifest, signed, signature, payload, sha256_hex(raw))


def verify_signature(signed: bytes, signature: bytes, sign_key: bytes) -> None:
    try:
        VerifyKey(sign_key).verify(signed, signature)
    except (BadSignatureError, ValueError) as exc:
        raise BundleError(_("the signature does not match: the file was changed, damaged or forged")) from exc


def check_payload(bundle: ParsedBundle) -> None:
    size = bundle.manifest.get("payload_size")
    if size != len(bundle.payload):
        raise BundleError(_("the payload is not the size the manifest says: the file was cut off or changed"))
    if bundle.manifest.get("payload_sha256") != sha256_hex(bundle.payload):
        raise BundleError(_("the payload does not match its hash: the file was changed or damaged"))


def decrypt_payload(payload: bytes, recipient_box: PrivateKey, sender_box: PublicKey) -> bytes:
    try:
        compressed = Box(recipient_box, sender_box).decrypt(payload)
    except (CryptoError, ValueError) as exc:
        raise BundleError(_("the payload cannot be decrypted with this desk's key")) from exc
    inflater = zlib.decompressobj()
    try:
        plain = inflater.decompress(compressed, MAX_PLAINTEXT_BYTES)
    except zlib.error as exc:
        raise BundleError(_("the payload is damaged")) from exc
    if inflater.unconsumed_tail or not inflater.eof:
        raise BundleError(_("the payload is damaged or too large"))
    return plain


def iter_lines(plain: bytes) -> Iterator[dict[str, Any]]:
    """The payload's lines as dicts. A change line is its small JSON header, the separator 0x1F (which
    JSON never leaves unescaped) and the row's own canonical JSON, kept as text in "d": the digest is
    over that text, and it is parsed once, not twice as a string inside a string."""
    for line in plain.split(b"\n"):
        if len(line) > MAX_LINE_BYTES:
            raise BundleError(_("the payload is damaged or too large"))
        head, sep, data = line.partition(LINE_SEPARATOR)
        try:
            value = orjson.loads(head)
            text = data.decode("utf-8") if sep else None
        except (orjson.JSONDecodeError, UnicodeDecodeError) as exc:
            raise BundleError(_("the payload is damaged")) from exc
        if not isinstance(value, dict) or (sep and "d" in value):
            raise BundleError(_("the payload is damaged"))
        if text is not None:
            value["d"] = text
        yield value


def change_line(header: dict[str, Any], data: str) -> bytes:
    return json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode() + LINE_SEPARATOR + data.encode()


def build_receipt(body: dict[str, Any], signing: SigningKey) -> bytes:
    data = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return _frame(RECEIPT_MAGIC, data, signing)


def parse_receipt(raw: bytes) -> tuple[dict[str, Any], bytes, bytes]:
    if len(raw) > MAX_RECEIPT_BYTES:
        raise BundleError(_("the file is larger than a receipt may be"))
    body, signed, signature, rest = _split(raw, RECEIPT_MAGIC, MAX_RECEIPT_BYTES)
    if rest:
        raise BundleError(_("the receipt has extra bytes at its end"))
    return body, signed, signature


def kind_of(raw: bytes) -> str:
    """'bundle', 'receipt' or '' from the first bytes."""
    if raw.startswith(BUNDLE_MAGIC):
        return "bundle"
    if raw.startswith(RECEIPT_MAGIC):
        return "receipt"
    return ""
