"""Signed checkpoints of the decision log: C2SP tlog-checkpoint bodies in C2SP signed notes.

A checkpoint states the log's origin, tree size and root hash; an Ed25519 signature over it
lets a rightsholder check a record's inclusion proof offline against a key published once.

Keys. The private key is Ed25519 in PEM PKCS#8: the form openssl and ``cryptography`` read
and can keep encrypted at rest; its key name is configuration, not part of the file. The
public key is published as a signed-note verifier key, ``<name>+<hex key id>+<base64(0x01 ||
32-byte key)>``, which the transparency-log tools read as they are.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from crawler.log.merkle import HASH_SIZE, MAX_TREE_SIZE

# signed-note: verifiers must accept at least 16 signatures; a checkpoint is a few hundred
# bytes, so these bounds only stop hostile input.
MAX_NOTE_BYTES = 64 * 1024
MAX_SIGNATURES = 100
ED25519_SIGNATURE_TYPE = 0x01  # signed-note §Signature types
_ED25519_KEY_BYTES = 32
_ED25519_SIGNATURE_BYTES = 64
_KEY_ID_BYTES = 4
_SIGNATURE_PREFIX = "\u2014 "  # em dash, space (signed-note §Format)
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")  # signed-note: no ASCII control but newline
_TREE_SIZE = re.compile(r"0|[1-9][0-9]{0,19}")  # tlog-checkpoint: decimal, no leading zeroes
_HEX_KEY_ID = re.compile(r"[0-9a-f]{8}")


class KeyFormatError(ValueError):
    """A private key or verifier key that is not a well-formed Ed25519 key of this format."""


class NoteError(ValueError):
    """Why a checkpoint does not verify; ``reason`` is the code a verdict records."""

    reason: ClassVar[str]


class MalformedNoteError(NoteError):
    """The text is not a signed note or its body not a checkpoint (or it is too large)."""

    reason = "checkpoint_malformed"


class UnsignedNoteError(NoteError):
    """A well-formed checkpoint with no signature line at all."""

    reason = "checkpoint_unsigned"


class UnknownKeyError(NoteError):
    """Signed, but not by the verifier key given (no signature with its name and key id)."""

    reason = "checkpoint_unknown_key"


class BadSignatureError(NoteError):
    """A signature claims the verifier key's name and id but does not verify."""

    reason = "checkpoint_bad_signature"


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A tree head: which log, how many leaves, the root hash (tlog-checkpoint §Note text)."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NoteSignature:
    """One signature line: key name, 32-bit key id, and the signature bytes after the id."""

    name: str
    key_id: int
    signature: bytes


@dataclass(frozen=True, slots=True)
class VerifierKey:
    """A parsed Ed25519 verifier key."""

    name: str
    key_id: int
    public_key: bytes


def _valid_name(name: str) -> bool:
    # signed-note: key names are non-empty, without Unicode spaces, "+" or control characters.
    return (
        bool(name)
        and "+" not in name
        and not any(c.isspace() for c in name)
        and not _CONTROL.search(name)
    )


def _check_name(name: str) -> None:
    if not _valid_name(name):
        raise ValueError(f"{name!r} is not a key name (non-empty, no spaces, no '+')")


def _b64decode(text: str) -> bytes | None:
    """Standard base64 (RFC 4648 §4) in its one canonical spelling, else ``None``."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if base64.b64encode(raw).decode("ascii") == text else None


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def key_id(name: str, public_key: bytes) -> int:
    """SHA-256(name || 0x0A || 0x01 || key)[:4] as a big-endian integer (signed-note §Ed25519)."""
    _check_name(name)
    material = name.encode() + b"\n" + bytes([ED25519_SIGNATURE_TYPE]) + public_key
    return int.from_bytes(hashlib.sha256(material).digest()[:_KEY_ID_BYTES], "big")


def _raw_public_key(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def verifier_key(name: str, public_key: Ed25519PublicKey) -> str:
    """The verifier key text to publish: ``name+hex(key id)+base64(0x01 || key)``."""
    raw = _raw_public_key(public_key)
    return f"{name}+{key_id(name, raw):08x}+{_b64(bytes([ED25519_SIGNATURE_TYPE]) + raw)}"


def parse_verifier_key(text: str) -> VerifierKey:
    """Read a verifier key, checking that its key id is the one its name and key imply."""
    parts = text.strip().split("+", 2)  # base64 may hold "+"; name and id may not
    if len(parts) != 3:
        raise KeyFormatError("a verifier key is name+keyid+key")
    name, hex_id, encoded = parts
    material = _b64decode(encoded)
    if not _valid_name(name):
        raise KeyFormatError(f"{name!r} is not a key name")
    if not _HEX_KEY_ID.fullmatch(hex_id):
        raise KeyFormatError(f"{hex_id!r} is not 8 lowercase hex digits")
    if material is None or len(material) != 1 + _ED25519_KEY_BYTES:
        raise KeyFormatError("the key is not base64 of 33 bytes")
    if material[0] != ED25519_SIGNATURE_TYPE:
        raise KeyFormatError(f"signature type {material[0]:#04x} is not Ed25519 (0x01)")
    public_key = material[1:]
    if int(hex_id, 16) != key_id(name, public_key):
        raise KeyFormatError("the key id is not the one its name and key imply")
    return VerifierKey(name, int(hex_id, 16), public_key)


def generate_key(name: str) -> tuple[bytes, str]:
    """A new signing key: (private key as unencrypted PEM PKCS#8, verifier key text)."""
    _check_name(name)
    private_key = Ed25519PrivateKey.generate()
    pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return pem, verifier_key(name, private_key.public_key())


def load_private_key(pem: bytes, password: bytes | None = None) -> Ed25519PrivateKey:
    """Read a PEM PKCS#8 Ed25519 private key (encrypted if ``password`` is given)."""
    try:
        key = serialization.load_pem_private_key(pem, password=password)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise KeyFormatError(f"not a readable PEM private key: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFormatError(f"the key is {type(key).__name__}, not Ed25519")
    return key


def _check_text(text: str) -> None:
    """A note text: bounded, ends in a newline, no control character but newline."""
    try:
        too_large = len(text) > MAX_NOTE_BYTES or len(text.encode("utf-8")) > MAX_NOTE_BYTES
    except UnicodeEncodeError:
        raise MalformedNoteError("the note is not valid Unicode") from None
    if too_large:
        raise MalformedNoteError(f"the note is larger than {MAX_NOTE_BYTES} bytes")
    if not text.endswith("\n"):
        raise MalformedNoteError("the note does not end in a newline")
    if _CONTROL.search(text):
        raise MalformedNoteError("the note holds a control character")


def format_checkpoint(origin: str, size: int, root: bytes, extensions: Sequence[str] = ()) -> str:
    """The checkpoint body: origin, tree size, base64 root, extension lines, each ended."""
    if not origin or "\n" in origin or _CONTROL.search(origin):
        raise ValueError(f"{origin!r} is not an origin line")
    if not 0 <= size <= MAX_TREE_SIZE:
        raise ValueError(f"{size} is not a tree size")
    if len(root) != HASH_SIZE:
        raise ValueError(f"a root hash is {HASH_SIZE} bytes, not {len(root)}")
    if any(not line or "\n" in line or _CONTROL.search(line) for line in extensions):
        raise ValueError("extension lines must be non-empty single lines")
    return "".join(f"{line}\n" for line in (origin, str(size), _b64(root), *extensions))


def parse_checkpoint(body: str) -> Checkpoint:
    """Read a checkpoint body (tlog-checkpoint §Note text), strictly."""
    _check_text(body)
    lines = body[:-1].split("\n")
    if len(lines) < 3:
        raise MalformedNoteError("a checkpoint has at least three lines")
    origin, size_line, root_line, *extensions = lines
    if not origin:
        raise MalformedNoteError("the origin line is empty")
    if not _TREE_SIZE.fullmatch(size_line) or int(size_line) > MAX_TREE_SIZE:
        raise MalformedNoteError(f"{size_line[:40]!r} is not a tree size")
    root = _b64decode(root_line)
    if root is None or len(root) != HASH_SIZE:
        raise MalformedNoteError("the root hash is not base64 of 32 bytes")
    if not all(extensions):
        raise MalformedNoteError("an extension line is empty")
    return Checkpoint(origin, int(size_line), root, tuple(extensions))


def sign_note(body: str, private_key: Ed25519PrivateKey, name: str) -> str:
    """``body`` as a signed note: the body, a blank line, one Ed25519 signature line."""
    _check_name(name)
    _check_text(body)
    if body == "\n":
        raise ValueError("an empty note text cannot be signed")
    raw_id = key_id(name, _raw_public_key(private_key.public_key())).to_bytes(_KEY_ID_BYTES, "big")
    signature = private_key.sign(body.encode("utf-8"))
    return f"{body}\n{_SIGNATURE_PREFIX}{name} {_b64(raw_id + signature)}\n"


def _parse_signature(line: str) -> NoteSignature:
    if not line.startswith(_SIGNATURE_PREFIX):
        raise MalformedNoteError("a signature line does not start with an em dash and a space")
    parts = line[len(_SIGNATURE_PREFIX) :].split(" ")
    if len(parts) != 2 or not _valid_name(parts[0]):
        raise MalformedNoteError("a signature line is not '— name signature'")
    raw = _b64decode(parts[1])
    if raw is None or len(raw) <= _KEY_ID_BYTES:
        raise MalformedNoteError("a signature is not base64 of a key id and signature")
    return NoteSignature(parts[0], int.from_bytes(raw[:_KEY_ID_BYTES], "big"), raw[_KEY_ID_BYTES:])


def parse_note(text: str | bytes) -> tuple[str, tuple[NoteSignature, ...]]:
    """Split a note into its text and signatures; a text alone is an unsigned note.

    signed-note §Format: the text is separated from the signature lines by the last blank
    line. Without a blank line the whole is the text and there are no signatures.
    """
    if isinstance(text, bytes):
        if len(text) > MAX_NOTE_BYTES:
            raise MalformedNoteError(f"the note is larger than {MAX_NOTE_BYTES} bytes")
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedNoteError("the note is not UTF-8") from None
    _check_text(text)
    blank = text.rfind("\n\n")
    if blank < 0:
        return text, ()
    body, lines = text[: blank + 1], text[blank + 2 : -1]
    if not lines:
        raise MalformedNoteError("no signature line follows the blank line")
    signature_lines = lines.split("\n")
    if len(signature_lines) > MAX_SIGNATURES:
        raise MalformedNoteError(f"more than {MAX_SIGNATURES} signatures")
    return body, tuple(_parse_signature(line) for line in signature_lines)


def open_note(text: str | bytes, verifier_key_text: str) -> str:
    """The text of a note the given key signed; else a ``NoteError``.

    signed-note §Signatures: signatures by other keys (another name, or the same name and a
    different key id) are ignored; a signature that claims this key and fails rejects the
    whole note.
    """
    key = parse_verifier_key(verifier_key_text)
    body, signatures = parse_note(text)
    if not signatures:
        raise UnsignedNoteError("the note is not signed")
    claimed = [s for s in signatures if (s.name, s.key_id) == (key.name, key.key_id)]
    if not claimed:
        raise UnknownKeyError(f"no signature by {key.name}+{key.key_id:08x}")
    public_key = Ed25519PublicKey.from_public_bytes(key.public_key)
    for signature in claimed:
        if len(signature.signature) != _ED25519_SIGNATURE_BYTES:
            raise BadSignatureError(f"a signature by {key.name} is not 64 bytes")
        try:
            public_key.verify(signature.signature, body.encode("utf-8"))
        except InvalidSignature:
            raise BadSignatureError(f"the signature by {key.name} does not verify") from None
    return body


def verify_note(text: str | bytes, verifier_key_text: str) -> Checkpoint:
    """The checkpoint a note carries, if the given key signed it; else a ``NoteError``.

    The body is read as a checkpoint only once its signature has verified.
    """
    return parse_checkpoint(open_note(text, verifier_key_text))
