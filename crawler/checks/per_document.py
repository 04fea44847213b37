"""What a request check works out once per policy document, not once per request.

A check's answer often depends on the document alone (no path rules, no file at all): it is
worked out for the first request and kept while the document object lives. The policy caches
build a new object on every fetch, so a reloaded document never meets an answer of the one it
replaced.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

V = TypeVar("V")


class PerDocument(Generic[V]):
    """Values keyed by a document object's identity and dropped with it (``weakref.finalize``):
    never by equality, so that two equal files of two origins, with their own fetch evidence,
    keep their own values, and no document is hashed per request."""

    def __init__(self) -> None:
        self._values: dict[int, V] = {}

    def get(self, document: object, make: Callable[[], V]) -> V:
        """The value kept for ``document``, made by ``make()`` the first time."""
        key = id(document)
        try:
            return self._values[key]
        except KeyError:
            value = self._values[key] = make()
            weakref.finalize(document, self._values.pop, key, None)
            return value
