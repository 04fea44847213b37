"""Signed checkpoints: published signed notes verify, ours round-trip, tampering is caught."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from crawler.log.checkpoint import (
    MAX_NOTE_BYTES,
    MAX_SIGNATURES,
    BadSignatureError,
    Checkpoint,
    KeyFormatError,
    MalformedNoteError,
    NoteError,
    NoteSignature,
    UnknownKeyError,
    UnsignedNoteError,
    format_checkpoint,
    generate_key,
    key_id,
    load_private_key,
    open_note,
    parse_checkpoint,
    parse_note,
    parse_verifier_key,
    sign_note,
    verifier_key,
    verify_note,
)
from crawler.log.merkle import MerkleTree, inclusion_proof, leaf_hash, verify_inclusion

# The example of the C2SP signed-note specification: a verifier key and a note it signed.
SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = (
    "This is an example message.\n\n\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6"
    "TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
)
# A checkpoint of the Go checksum database (a tlog-checkpoint in production), signed by
# sum.golang.org, and the verifier key the Go project publishes for it.
GO_VKEY = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"
GO_ROOT = "WVVNVD2qx+fTq31zkj6UAqxT5X6HvGphGM+o8Thnbsg="
GO_CHECKPOINT = (
    f"go.sum database tree\n65664258\n{GO_ROOT}\n\n\u2014 sum.golang.org Az3grligJmgX7KGyGPKy"
    "bykNTh3VgsbLvUuvOwrM5zLVlulmFp2wdvbxOw74/gcNxURShXEpb7RXcs3+BYflYN+w0gQ=\n"
)
NAME = "heed.example/decisions"
ROOT = hashlib.sha256(b"a root").digest()


@pytest.fixture(scope="module")
def key() -> tuple[Ed25519PrivateKey, str]:
    pem, vkey = generate_key(NAME)
    return load_private_key(pem), vkey


def _signed(key: tuple[Ed25519PrivateKey, str], size: int = 7) -> str:
    return sign_note(format_checkpoint(NAME, size, ROOT), key[0], NAME)


def test_the_signed_note_spec_example_verifies() -> None:
    assert parse_verifier_key(SPEC_VKEY).key_id == 0x530D903A
    assert open_note(SPEC_NOTE, SPEC_VKEY) == "This is an example message.\n"
    with pytest.raises(MalformedNoteError, match="three lines"):
        verify_note(SPEC_NOTE, SPEC_VKEY)  # signed, but not a checkpoint


def test_key_ids_and_verifier_keys_match_the_published_go_checksum_database_key() -> None:
    parsed = parse_verifier_key(GO_VKEY)
    assert (parsed.name, parsed.key_id) == ("sum.golang.org", 0x033DE0AE)
    assert key_id("sum.golang.org", parsed.public_key) == 0x033DE0AE
    public = Ed25519PublicKey.from_public_bytes(parsed.public_key)
    assert verifier_key("sum.golang.org", public) == GO_VKEY


def test_a_checkpoint_signed_by_the_go_checksum_database_verifies() -> None:
    assert verify_note(GO_CHECKPOINT, GO_VKEY) == Checkpoint(
        "go.sum database tree", 65664258, base64.b64decode(GO_ROOT)
    )
    assert verify_note(GO_CHECKPOINT.encode(), GO_VKEY).size == 65664258


@pytest.mark.parametrize(
    "bent",
    [
        GO_CHECKPOINT.replace("65664258", "65664259"),
        GO_CHECKPOINT.replace("WVVN", "WVVM"),
        GO_CHECKPOINT.replace("go.sum", "go.sun"),
    ],
    ids=["size", "root", "origin"],
)
def test_a_changed_checkpoint_does_not_verify(bent: str) -> None:
    with pytest.raises(BadSignatureError):
        verify_note(bent, GO_VKEY)


def test_a_generated_key_signs_checkpoints_that_verify_with_its_verifier_key(
    key: tuple[Ed25519PrivateKey, str],
) -> None:
    signing, vkey = key
    assert re.fullmatch(r"heed\.example/decisions\+[0-9a-f]{8}\+A[A-Za-z0-9+/]{43}", vkey)
    body = format_checkpoint(NAME, 7, ROOT, ["extension line"])
    note = sign_note(body, signing, NAME)
    assert note.startswith(body + "\n\u2014 heed.example/decisions ")
    assert verify_note(note, vkey) == Checkpoint(NAME, 7, ROOT, ("extension line",))
    [signature] = parse_note(note)[1]
    assert (signature.name, signature.key_id) == (NAME, parse_verifier_key(vkey).key_id)
    assert len(signature.signature) == 64


def test_the_private_key_is_pem_pkcs8_and_may_be_encrypted() -> None:
    pem, vkey = generate_key(NAME)
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----\n")
    encrypted = load_private_key(pem).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret"),
    )
    note = sign_note(format_checkpoint(NAME, 1, ROOT), load_private_key(encrypted, b"secret"), NAME)
    assert verify_note(note, vkey).size == 1


def test_a_signature_by_another_key_of_the_same_name_is_unknown(
    key: tuple[Ed25519PrivateKey, str],
) -> None:
    _, other_vkey = generate_key(NAME)
    with pytest.raises(UnknownKeyError, match=NAME):
        verify_note(_signed(key), other_vkey)


def test_a_forged_signature_claiming_the_key_name_and_id_is_a_bad_signature(
    key: tuple[Ed25519PrivateKey, str],
) -> None:
    body = format_checkpoint(NAME, 7, ROOT)
    forged_by = Ed25519PrivateKey.generate()
    claimed_id = parse_verifier_key(key[1]).key_id.to_bytes(4, "big")
    line = base64.b64encode(claimed_id + forged_by.sign(body.encode())).decode()
    with pytest.raises(BadSignatureError):
        verify_note(f"{body}\n\u2014 {NAME} {line}\n", key[1])


def test_a_short_signature_claiming_the_key_is_a_bad_signature(
    key: tuple[Ed25519PrivateKey, str],
) -> None:
    claimed_id = parse_verifier_key(key[1]).key_id.to_bytes(4, "big")
    line = base64.b64encode(claimed_id + b"\x00" * 10).decode()
    with pytest.raises(BadSignatureError, match="64 bytes"):
        verify_note(f"{format_checkpoint(NAME, 7, ROOT)}\n\u2014 {NAME} {line}\n", key[1])


def test_signatures_by_other_keys_alongside_are_ignored(
    key: tuple[Ed25519PrivateKey, str],
) -> None:
    body = format_checkpoint(NAME, 7, ROOT)
    witness = Ed25519PrivateKey.generate()
    cosigned = sign_note(body, witness, "witness.example")
    note = _signed(key) + cosigned.removeprefix(body + "\n")
    assert len(parse_note(note)[1]) == 2
    assert verify_note(note, key[1]).size == 7
    assert verify_note(note, verifier_key("witness.example", witness.public_key())).size == 7


def test_an_unsigned_checkpoint_is_readable_and_verifies_as_unsigned(
    key: tuple[Ed25519PrivateKey, str],
) -> None:
    body = format_checkpoint(NAME, 0, hashlib.sha256(b"").digest())
    assert parse_note(body) == (body, ())
    assert parse_checkpoint(body).size == 0
    with pytest.raises(UnsignedNoteError):
        verify_note(body, key[1])


@pytest.mark.parametrize(
    ("suffix", "message"),
    [
        ("junk", "newline"),
        ("junk\n", "em dash"),
        ("\n", "no signature line"),
        ("\u2014 other.example AAAAAAB=\n", "not base64"),  # not the canonical spelling
        ("\u2014 other.example AAAAAAA\n", "not base64"),
        ("\u2014 two words AAAAAAAA\n", "name signature"),
    ],
)
def test_a_note_with_trailing_junk_is_malformed(
    key: tuple[Ed25519PrivateKey, str], suffix: str, message: str
) -> None:
    with pytest.raises(MalformedNoteError, match=message):
        verify_note(_signed(key) + suffix, key[1])


@pytest.mark.parametrize(
    ("note", "message"),
    [
        ("", "newline"),
        ("text\n\n- sum.golang.org AAAAAAA=\n", "em dash"),
        ("text\r\n\r\n\u2014 name AAAAAAAA\r\n", "control character"),
        ("text\n\n\u2014 name AAAA\n", "key id and signature"),
        ("text\n\n\u2014 na+me AAAAAAAA\n", "name signature"),
        ("text\n\n\u2014 name\u00a0x AAAAAAAA\n", "name signature"),
        ("text\n\n\u2014 name  AAAAAAAA\n", "name signature"),
        ("text\ud800\n", "Unicode"),
        ("x" * MAX_NOTE_BYTES + "\n", "larger"),
        ("\u00e9" * (MAX_NOTE_BYTES // 2) + "\n", "larger"),
        ("text\n\n" + "\u2014 name AAAAAAAA\n" * (MAX_SIGNATURES + 1), "more than"),
    ],
)
def test_malformed_notes_are_refused(note: str, message: str) -> None:
    with pytest.raises(MalformedNoteError, match=message):
        parse_note(note)


def test_note_bytes_must_be_utf8_and_bounded() -> None:
    with pytest.raises(MalformedNoteError, match="UTF-8"):
        parse_note(b"text\xff\n")
    with pytest.raises(MalformedNoteError, match="larger"):
        parse_note(b"x" * (MAX_NOTE_BYTES + 1))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("origin\n12\n", "three lines"),
        (f"\n12\n{GO_ROOT}\n", "origin"),
        (f"origin\n012\n{GO_ROOT}\n", "tree size"),
        (f"origin\n-1\n{GO_ROOT}\n", "tree size"),
        (f"origin\n{2**64}\n{GO_ROOT}\n", "tree size"),
        (f"origin\n{'9' * 400}\n{GO_ROOT}\n", "tree size"),
        ("origin\n12\nAAAA\n", "32 bytes"),
        (f"origin\n12\n{GO_ROOT.rstrip('=')}\n", "32 bytes"),
        (f"origin\n12\n{GO_ROOT}\n\nextension\n", "extension line"),
        (f"origin\n12\n{GO_ROOT}", "newline"),
    ],
)
def test_malformed_checkpoint_bodies_are_refused(body: str, message: str) -> None:
    with pytest.raises(MalformedNoteError, match=message):
        parse_checkpoint(body)


def test_a_checkpoint_body_is_three_lines_with_a_base64_root() -> None:
    body = format_checkpoint("go.sum database tree", 65664258, base64.b64decode(GO_ROOT))
    assert body == f"go.sum database tree\n65664258\n{GO_ROOT}\n"
    assert parse_checkpoint(body).root == base64.b64decode(GO_ROOT)
    assert format_checkpoint("o", 2**64 - 1, ROOT).split("\n")[1] == "18446744073709551615"


@pytest.mark.parametrize(
    ("origin", "size", "root", "extensions"),
    [
        ("", 1, ROOT, ()),
        ("two\nlines", 1, ROOT, ()),
        ("o", -1, ROOT, ()),
        ("o", 2**64, ROOT, ()),
        ("o", 1, ROOT[:31], ()),
        ("o", 1, ROOT, ("",)),
        ("o", 1, ROOT, ("a\nb",)),
    ],
)
def test_impossible_checkpoints_are_not_formatted(
    origin: str, size: int, root: bytes, extensions: tuple[str, ...]
) -> None:
    with pytest.raises(ValueError):
        format_checkpoint(origin, size, root, extensions)


@pytest.mark.parametrize(
    ("vkey", "message"),
    [
        ("example.com/foo+530d903a", "name\\+keyid\\+key"),
        (SPEC_VKEY.replace("530d903a", "530d903b"), "key id"),
        (SPEC_VKEY.replace("530d903a", "530D903A"), "hex"),
        (SPEC_VKEY.replace("example.com/foo", "example.com/bar"), "key id"),
        (SPEC_VKEY.replace("+Aeky", "+Aoky"), "Ed25519"),
        (SPEC_VKEY[:-4], "33 bytes"),
        (SPEC_VKEY.replace("example.com/foo", "example com"), "key name"),
    ],
)
def test_malformed_verifier_keys_are_refused(vkey: str, message: str) -> None:
    with pytest.raises(KeyFormatError, match=message):
        parse_verifier_key(vkey)


def test_only_ed25519_pem_private_keys_load() -> None:
    with pytest.raises(KeyFormatError, match="PEM"):
        load_private_key(b"not a key")
    ec_pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(KeyFormatError, match="not Ed25519"):
        load_private_key(ec_pem)


def test_notes_are_signed_only_under_valid_names_and_texts(
    key: tuple[Ed25519PrivateKey, str],
) -> None:
    for name in ("", "a b", "a+b", "tab\tname"):
        with pytest.raises(ValueError, match="key name"):
            sign_note("text\n", key[0], name)
    for text in ("no newline", "\n", "a\rb\n"):
        with pytest.raises(ValueError):
            sign_note(text, key[0], NAME)


def test_each_failure_names_its_reason_code() -> None:
    reasons = {
        cls: cls.reason
        for cls in (MalformedNoteError, UnsignedNoteError, UnknownKeyError, BadSignatureError)
    }
    assert reasons == {
        MalformedNoteError: "checkpoint_malformed",
        UnsignedNoteError: "checkpoint_unsigned",
        UnknownKeyError: "checkpoint_unknown_key",
        BadSignatureError: "checkpoint_bad_signature",
    }
    assert all(issubclass(cls, NoteError) for cls in reasons)


def test_a_record_is_proved_offline_from_a_signed_checkpoint(
    key: tuple[Ed25519PrivateKey, str],
) -> None:
    records = [f'{{"url": "https://example.com/{i}", "allowed": false}}'.encode() for i in range(9)]
    leaves = [leaf_hash(record) for record in records]
    tree = MerkleTree()
    for leaf in leaves:
        tree.append(leaf)
    note = sign_note(format_checkpoint(NAME, tree.size, tree.root()), key[0], NAME)
    proof = inclusion_proof(leaves, 4, tree.size)

    checkpoint = verify_note(note, key[1])
    assert verify_inclusion(leaf_hash(records[4]), 4, checkpoint.size, proof, checkpoint.root)
    altered = records[4].replace(b"false", b"true ")
    assert not verify_inclusion(leaf_hash(altered), 4, checkpoint.size, proof, checkpoint.root)


def test_parsed_signatures_carry_name_id_and_bytes() -> None:
    body, signatures = parse_note(GO_CHECKPOINT)
    assert body == f"go.sum database tree\n65664258\n{GO_ROOT}\n"
    assert signatures == (
        NoteSignature(
            "sum.golang.org",
            0x033DE0AE,
            base64.b64decode(GO_CHECKPOINT.rsplit(" ", 1)[1])[4:],
        ),
    )
