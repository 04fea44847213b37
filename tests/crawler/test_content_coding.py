"""Content codings undone as a bounded stream: real gzip, deflate, brotli and zstd bytes."""

from __future__ import annotations

import gzip
import zlib

import brotli  # type: ignore[import-untyped]
import pytest

from bench.hostile_server import bomb
from crawler.content_coding import DecodingError, codings, decode

TEXT = b"User-agent: *\nDisallow: /private/\n" * 100
MIB = 1 << 20


def test_codings_are_listed_in_the_order_applied_without_identity() -> None:
    assert codings([b"gzip, Identity", b" BR "]) == ["gzip", "br"]
    assert codings([]) == []


@pytest.mark.parametrize("coding", ["gzip", "x-gzip", "deflate", "br", "zstd", "gzip, br"])
def test_each_coding_round_trips(coding: str) -> None:
    body = bomb(coding.replace("x-", ""), len(TEXT), head=TEXT[:40], line=TEXT[40:80])
    decoded = decode(body, codings([coding.encode()]), MIB)
    assert decoded.complete and not decoded.exceeded and not decoded.unknown
    assert decoded.body[:40] == TEXT[:40] and len(decoded.body) == len(TEXT)


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br", "zstd", "gzip, gzip"])
def test_bomb_stops_at_the_limit(coding: str) -> None:
    decoded = decode(bomb(coding, 64 * MIB), codings([coding.encode()]), MIB)
    assert decoded.exceeded and len(decoded.body) == MIB
    assert decoded.body.startswith(b"<html><body>")


def test_raw_deflate_is_read_too() -> None:
    raw = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    body = raw.compress(TEXT) + raw.flush()
    assert decode(body, ["deflate"], MIB).body == TEXT


def test_concatenated_gzip_members_are_one_body() -> None:
    assert decode(gzip.compress(b"ab") + gzip.compress(b"cd"), ["gzip"], MIB).body == b"abcd"


@pytest.mark.parametrize(
    ("coding", "body"),
    [
        ("gzip", gzip.compress(TEXT)),
        ("br", brotli.compress(TEXT)),
        ("deflate", zlib.compress(TEXT)),
    ],
    ids=["gzip", "br", "deflate"],
)
def test_stream_cut_short_gives_its_head_marked_incomplete(coding: str, body: bytes) -> None:
    decoded = decode(body[: len(body) // 2], [coding], MIB)
    assert not decoded.complete and TEXT.startswith(decoded.body)


def test_garbage_in_a_known_coding_raises() -> None:
    with pytest.raises(DecodingError):
        decode(b"\x1f\x8b\x08\x00 not gzip at all", ["gzip"], MIB)
    with pytest.raises(DecodingError):
        decode(b"not brotli" * 10, ["br"], MIB)


def test_unknown_or_too_deep_codings_are_left_as_received() -> None:
    assert decode(b"abc", ["compress"], MIB).unknown == ("compress",)
    deep = decode(b"abc", ["gzip"] * 5, MIB)
    assert deep.unknown and deep.body == b"abc"


def test_empty_body_needs_no_decoding() -> None:
    decoded = decode(b"", ["gzip"], MIB)
    assert decoded.body == b"" and decoded.complete
