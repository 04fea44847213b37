"""What the crawl is for: the use whose reservations Heed must obey.

Every opt-out protocol names uses in its own words (``train-ai``, ``ai-train``, ``noai``); each
protocol module maps a ``Purpose`` to its own labels. A signal about another use (``search=n``
for a training crawl) is recorded but never denies.
"""

from __future__ import annotations

from typing import Literal, get_args

Purpose = Literal["train-ai", "ai-use", "search"]
PURPOSES: tuple[Purpose, ...] = get_args(Purpose)


def parse_purpose(value: object) -> Purpose:
    """The purpose named by ``value`` (case-insensitive); ``ValueError`` names the choices."""
    text = str(value).strip().lower()
    for purpose in PURPOSES:
        if text == purpose:
            return purpose
    raise ValueError(f"{value!r} is not a purpose: use one of {', '.join(PURPOSES)}")
