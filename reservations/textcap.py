"""Text joined from many parts (chapters, pages) under one character cap."""

from __future__ import annotations

from collections.abc import Iterable


def join_capped(parts: Iterable[str], max_chars: int) -> tuple[str, bool]:
    """``parts`` joined by newlines and cut at ``max_chars``, and whether anything was cut.

    ``parts`` is consumed lazily and no further than the cap needs, so the chapter or page
    after the cap is never parsed.
    """
    taken: list[str] = []
    size = 0
    for part in parts:
        if size > max_chars:
            return "\n".join(taken)[:max_chars], True
        taken.append(part)
        size += len(part) + 1
    joined = "\n".join(taken)
    return joined[:max_chars], len(joined) > max_chars
