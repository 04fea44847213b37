"""``noai`` and ``noimageai``: robots directives that refuse the use of content for AI.

Introduced by DeviantArt (November 2022) and since adopted by other hosts, they ride on the
carriers of the robots directives Google documents ("Robots meta tag, data-nosnippet, and
X-Robots-Tag specifications"): ``<meta name="robots">`` or ``<meta name="BOTNAME">`` in HTML,
and the ``X-Robots-Tag`` response header, whose directives may be scoped to one crawler as
``botname: directive``. Directive and crawler names are case-insensitive.

``noai`` refuses every AI use of the content; ``noimageai`` refuses it for images only, so it
denies an image response and is recorded (not obeyed as a deny) on anything else.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from reservations.evidence import MAX_ITEMS, clip
from reservations.verdict import Verdict, allow, deny

CHECK = "noai"
DIRECTIVES = ("noai", "noimageai")
# Google's directives that carry a value after a colon; any other "name:" names a crawler.
_VALUED = frozenset({"unavailable_after", "max-snippet", "max-image-preview", "max-video-preview"})
_SCOPED = re.compile(r"\s*([A-Za-z0-9_.-]+)\s*:(.*)", re.DOTALL)
_WORDS = re.compile(r"[\s,]+")


@dataclass(frozen=True)
class Directive:
    """One ``noai``/``noimageai`` that applies to us, and where it was found."""

    directive: str
    source: str
    raw: str

    def evidence(self) -> dict[str, str]:
        return {"directive": self.directive, "source": self.source, "raw": clip(self.raw, 200)}


def _ours(words: str) -> list[str]:
    return [w for w in _WORDS.split(words.lower()) if w in DIRECTIVES]


def x_robots_directives(values: Sequence[str], tokens: Sequence[str]) -> list[Directive]:
    """The directives of ``X-Robots-Tag`` field lines that apply to one of ``tokens``.

    Within a field line, ``agent:`` scopes the directives after it (until the next agent); a
    directive before any agent applies to every crawler. Scopes for other crawlers are ignored.
    """
    wanted = {t.lower() for t in tokens}
    found: list[Directive] = []
    for value in values:
        agent: str | None = None
        for piece in value.split(","):
            scoped = _SCOPED.match(piece)
            if scoped and scoped.group(1).lower() not in _VALUED:
                agent, piece = scoped.group(1).lower(), scoped.group(2)
            if agent is None or agent in wanted:
                source = f"X-Robots-Tag ({agent})" if agent else "X-Robots-Tag"
                found += [Directive(d, source, value) for d in _ours(piece)]
    return found


def meta_directives(meta: Mapping[str, Sequence[str]], tokens: Sequence[str]) -> list[Directive]:
    """The directives of ``<meta name="robots">`` and ``<meta name="TOKEN">`` for each token.

    ``meta`` maps lowercased meta names to their ``content`` values, in document order.
    """
    found: list[Directive] = []
    for name in ["robots", *(t.lower() for t in tokens)]:
        for content in meta.get(name, ()):
            found += [Directive(d, f'meta name="{name}"', content) for d in _ours(content)]
    return found


def noai_verdict(directives: Sequence[Directive], *, is_image: bool) -> Verdict:
    """Deny on ``noai``, and on ``noimageai`` for an image; every directive found is evidence."""
    evidence: dict[str, Any] = {
        "directives": [d.evidence() for d in directives[:MAX_ITEMS]],
        "image": is_image,
    }
    names = {d.directive for d in directives}
    if "noai" in names:
        return deny(CHECK, "noai.noai", **evidence)
    if "noimageai" in names:
        if is_image:
            return deny(CHECK, "noai.noimageai", **evidence)
        return allow(CHECK, "noai.noimageai_not_image", **evidence)
    return allow(CHECK, "noai.none", **evidence)
