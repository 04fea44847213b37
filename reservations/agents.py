"""robots.txt-style rules read for several product tokens at once, under another check's name.

Heed obeys a file's rules for its own token and, with ``HEED_ALSO_OBEY_AGENTS``, for other
crawlers' tokens as if they were its own: the most restrictive answer wins. ai.txt (Spawning's
robots-style file) and the also-obeyed agents' robots.txt groups are both read this way.
"""

from __future__ import annotations

from collections.abc import Sequence

from reservations.robots_policy import RobotsState, robots_verdict
from reservations.verdict import Verdict


def verdict_for_agents(state: RobotsState, url: str, tokens: Sequence[str], check: str) -> Verdict:
    """The first token's deny for ``url`` (else the first token's answer), renamed ``check``.

    Reasons keep robots' codes under the new name (``robots.disallow`` -> ``<check>.disallow``);
    the evidence names the token and the rule line, as robots evidence does.
    """
    verdicts = [robots_verdict(state, url, token) for token in tokens]
    decided = next((v for v in verdicts if not v.allowed), verdicts[0])
    reason = f"{check}.{decided.reason.partition('.')[2]}"
    return Verdict(decided.decision, check, reason, decided.evidence)
