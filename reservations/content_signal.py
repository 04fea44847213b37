"""Cloudflare's Content Signals Policy: ``Content-Signal`` lines in robots.txt.

The policy (contentsignals.org, CC0, September 2025) adds to a robots.txt group a line such as
``Content-Signal: search=yes, ai-train=no``: comma-separated ``signal=yes|no`` pairs for three
uses, ``search``, ``ai-input`` and ``ai-train``; a signal left out neither grants nor restricts.
Cloudflare also sends the same value as a ``Content-Signal`` response header on some responses,
which Heed reads the same way.

The policy defines no paths. Heed reads a value that starts with ``/`` as a path-scoped line, the
way ``Content-Usage`` rules work (draft-ietf-aipref-attach §3), rather than ignore it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from reservations.evidence import clip, clip_all
from reservations.pathindex import LongestMatch
from reservations.pathmatch import PathPattern, split_scoped
from reservations.purpose import Purpose
from reservations.verdict import Verdict, allow, deny

CHECK = "content-signal"
SIGNALS: Mapping[Purpose, str] = {"train-ai": "ai-train", "ai-use": "ai-input", "search": "search"}


@dataclass(frozen=True)
class SignalLine:
    """One ``Content-Signal`` value: its signals (``no`` wins a repeated one) and optional path."""

    lineno: int
    raw: str
    signals: Mapping[str, str] = field(default_factory=dict)
    pattern: PathPattern | None = None


def parse_signals(value: str) -> dict[str, str]:
    """``search=yes, ai-train=no`` as ``{"search": "yes", "ai-train": "no"}``.

    Names and values are case-insensitive; pairs that are not ``name=yes|no`` are ignored; a
    signal given twice keeps ``no`` if either says so (the most restrictive reading).
    """
    signals: dict[str, str] = {}
    for pair in value.split(","):
        name, sep, answer = pair.partition("=")
        name, answer = name.strip().lower(), answer.strip().lower()
        if sep and name and answer in ("yes", "no") and signals.get(name) != "no":
            signals[name] = answer
    return signals


def parse_signal_line(lineno: int, value: str) -> SignalLine | None:
    """One robots.txt ``Content-Signal`` value; ``None`` for a path too long to be one."""
    scoped = split_scoped(value)
    if scoped is None:
        return None
    pattern, rest = scoped
    return SignalLine(lineno, value.strip(" \t"), parse_signals(rest), pattern)


@lru_cache(maxsize=32)
def _indexed_lines(lines: tuple[tuple[int, str], ...]) -> LongestMatch[SignalLine]:
    """One group's lines, parsed and indexed once: the crawler asks for every URL."""
    return LongestMatch([x for x in (parse_signal_line(n, v) for n, v in lines) if x is not None])


def _answer(lines: Sequence[SignalLine], signal: str) -> str | None:
    answers = {line.signals[signal] for line in lines if signal in line.signals}
    return "no" if "no" in answers else ("yes" if answers else None)


def _verdict(answer: str | None, signal: str, purpose: Purpose, **evidence: Any) -> Verdict:
    evidence = {"purpose": purpose, "signal": signal, "value": answer, **evidence}
    if answer == "no":
        return deny(CHECK, "content-signal.disallow", **evidence)
    if answer == "yes":
        return allow(CHECK, "content-signal.allow", **evidence)
    return allow(CHECK, "content-signal.unknown", **evidence)


def robots_signal_verdict(
    groups: Mapping[str, Sequence[tuple[int, str]]], url: str, purpose: Purpose
) -> Verdict:
    """Verdict from the ``Content-Signal`` lines of each obeyed token's robots.txt group.

    Lines without a path apply to the whole group; of path-scoped lines the longest matching
    path applies. Any ``no`` for the purpose's signal, in any obeyed group, denies.
    """
    signal = SIGNALS[purpose]
    chosen: dict[str, list[SignalLine]] = {}
    for token, raw_lines in groups.items():
        if matching := _indexed_lines(tuple(raw_lines)).longest(url):
            chosen[token] = matching
    answer = _answer([x for lines in chosen.values() for x in lines], signal)
    found = {
        token: [{"line": x.lineno, "value": clip(x.raw)} for x in lines]
        for token, lines in chosen.items()
    }
    return _verdict(answer, signal, purpose, source="robots.txt", lines=found)


def header_signal_verdict(values: Sequence[str], purpose: Purpose) -> Verdict:
    """Verdict from ``Content-Signal`` response header lines (read as one comma-joined value)."""
    signal = SIGNALS[purpose]
    answer = _answer([SignalLine(0, v, parse_signals(v)) for v in values], signal)
    return _verdict(answer, signal, purpose, source="header", header=clip_all(values) or None)
