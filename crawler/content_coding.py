"""Undo HTTP content codings (RFC 9110 §8.4) as a stream that stops at a size limit.

A few kilobytes of gzip, deflate, brotli or zstd can expand to gigabytes, and codings can be
stacked (``Content-Encoding: gzip, gzip``). Every layer here is a generator of chunks of at
most ``CHUNK`` bytes feeding the next, and the last is read only up to the limit: memory stays
near the limit whatever the ratio or the depth, and decoding stops as soon as it is reached.
"""

from __future__ import annotations

import sys
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import brotli  # type: ignore[import-untyped]

if sys.version_info >= (3, 14):
    from compression import zstd
else:
    from backports import zstd

CHUNK = 64 * 1024
# More stacked codings than any server needs: a deeper stack is unreadable, not decoded.
MAX_LAYERS = 4


class DecodingError(ValueError):
    """The body is not valid in the coding its headers name."""


@dataclass(frozen=True, slots=True)
class Decoded:
    """A body with its codings undone, cut at the limit.

    ``exceeded``: there was more than ``limit`` bytes (``body`` holds the first ``limit``);
    ``complete``: every coded stream reached its end (a cut-off stream gives only a prefix);
    ``unknown``: codings that could not be undone (``body`` is then the bytes as received).
    """

    body: bytes
    exceeded: bool = False
    complete: bool = True
    unknown: tuple[str, ...] = ()


def codings(header_values: Iterable[bytes]) -> list[str]:
    """The codings of ``Content-Encoding`` values in the order applied (RFC 9110 §8.4)."""
    names = (part.strip().lower() for value in header_values for part in value.split(b","))
    return [name.decode("latin-1") for name in names if name and name != b"identity"]


class _Stream:
    """Tracks whether every decoder of a pipeline reached the end of its stream."""

    def __init__(self) -> None:
        self.complete = True

    def _zlib(self, chunks: Iterator[bytes], wbits: int) -> Iterator[bytes]:
        decoder = zlib.decompressobj(wbits)
        ended = False
        for chunk in chunks:
            data = chunk
            while data:
                if ended:
                    # Concatenated gzip members form one body (RFC 1952 §2.2); else, trailing
                    # bytes after the end of the stream are ignored.
                    if wbits != _GZIP:
                        break
                    decoder, ended = zlib.decompressobj(wbits), False
                try:
                    out = decoder.decompress(data, CHUNK)
                except zlib.error as exc:
                    raise DecodingError(str(exc)) from exc
                if out:
                    yield out
                ended = decoder.eof
                data = decoder.unused_data if ended else decoder.unconsumed_tail
        self.complete &= ended

    def gzip(self, chunks: Iterator[bytes]) -> Iterator[bytes]:
        return self._zlib(chunks, _GZIP)

    def deflate(self, chunks: Iterator[bytes]) -> Iterator[bytes]:
        # "deflate" means the zlib format (RFC 9110 §8.4.1.2); some servers send raw deflate.
        first = next(chunks, b"")
        wbits = zlib.MAX_WBITS if _zlib_header(first) else -zlib.MAX_WBITS
        return self._zlib(_prepend(first, chunks), wbits)

    def br(self, chunks: Iterator[bytes]) -> Iterator[bytes]:
        decoder = brotli.Decompressor()
        try:
            for chunk in chunks:
                out = decoder.process(chunk, output_buffer_limit=CHUNK)
                # Input it could not take yet stays inside the decoder until output is drained.
                while out or not decoder.can_accept_more_data():
                    yield out
                    out = decoder.process(b"", output_buffer_limit=CHUNK)
                    if not out and decoder.can_accept_more_data():
                        break
            while not decoder.is_finished():
                out = decoder.process(b"", output_buffer_limit=CHUNK)
                if not out:
                    break
                yield out
        except brotli.error as exc:
            raise DecodingError(str(exc)) from exc
        self.complete &= decoder.is_finished()

    def zstd(self, chunks: Iterator[bytes]) -> Iterator[bytes]:
        decoder = zstd.ZstdDecompressor()
        ended = False
        try:
            for chunk in chunks:
                data = chunk
                while data or not (decoder.needs_input or ended):
                    if ended:  # the next frame (RFC 8878 §3.1)
                        decoder, ended = zstd.ZstdDecompressor(), False
                    out = decoder.decompress(data, CHUNK)
                    data = b""
                    if out:
                        yield out
                    ended = decoder.eof
                    if ended:
                        data = decoder.unused_data
        except zstd.ZstdError as exc:
            raise DecodingError(str(exc)) from exc
        self.complete &= ended


_GZIP = 16 + zlib.MAX_WBITS
_DECODERS: dict[str, Callable[[_Stream, Iterator[bytes]], Iterator[bytes]]] = {
    "gzip": _Stream.gzip,
    "x-gzip": _Stream.gzip,
    "deflate": _Stream.deflate,
    "br": _Stream.br,
    "zstd": _Stream.zstd,
}


def _zlib_header(data: bytes) -> bool:
    """RFC 1950 §2.2: method 8 (deflate) and a header that is a multiple of 31."""
    return len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0


def _prepend(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest


def _pieces(body: bytes) -> Iterator[bytes]:
    view = memoryview(body)
    for start in range(0, len(body), CHUNK):
        yield bytes(view[start : start + CHUNK])


def decode(body: bytes, applied: list[str], limit: int) -> Decoded:
    """Undo ``applied`` codings (as from :func:`codings`) and keep at most ``limit`` bytes.

    Raises :class:`DecodingError` for bytes that are not what their coding says.
    """
    if not body:
        return Decoded(b"")
    unknown = [name for name in applied if name not in _DECODERS]
    if unknown or len(applied) > MAX_LAYERS:
        return Decoded(body[:limit], len(body) > limit, True, tuple(unknown or applied))
    stream = _Stream()
    chunks: Iterator[bytes] = _pieces(body)
    for name in reversed(applied):  # the last coding applied is undone first
        chunks = _DECODERS[name](stream, chunks)
    kept = bytearray()
    for chunk in chunks:
        kept += chunk
        if len(kept) > limit:
            # Stop pulling: no layer decodes a byte more (the generators are closed).
            return Decoded(bytes(kept[:limit]), exceeded=True, complete=True)
    return Decoded(bytes(kept), complete=stream.complete)
