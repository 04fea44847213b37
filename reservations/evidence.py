"""Small helpers for building evidence from hostile input: bounded, JSON-ready values."""

from __future__ import annotations

from collections.abc import Iterable

# Longest raw value copied into a log record; a reviewer needs its start, not megabytes.
MAX_TEXT = 500
MAX_ITEMS = 20


def clip(text: str, limit: int = MAX_TEXT) -> str:
    """``text`` cut to ``limit`` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... [{len(text) - limit} more characters]"


def clip_all(texts: Iterable[str], limit: int = MAX_ITEMS) -> list[str]:
    """At most ``limit`` clipped values: a response with a thousand headers logs twenty."""
    return [clip(t) for _, t in zip(range(limit), texts, strict=False)]
