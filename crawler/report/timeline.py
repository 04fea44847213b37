"""Decisions over time: counted per second, per minute, per hour or per day, whichever keeps
the count of slots small, then regrouped into a few dozen bars for the chart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

# (length of the timestamp prefix that names a slot, seconds in that slot)
_LEVELS = ((19, 1), (16, 60), (13, 3600), (10, 86400))
# Bar widths a reader takes in at a glance, in seconds.
_NICE_WIDTHS = (
    1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200,
    86400, 2 * 86400, 7 * 86400, 14 * 86400, 28 * 86400, 91 * 86400, 364 * 86400,
)  # fmt: skip


@dataclass(frozen=True)
class Bars:
    """Allowed and denied decisions per bar of ``seconds``, the first starting at ``start``."""

    start: datetime
    seconds: int
    allow: tuple[int, ...]
    deny: tuple[int, ...]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Bars:
        return cls(
            datetime.fromisoformat(data["start"]),
            data["bucket_seconds"],
            tuple(data["allow"]),
            tuple(data["deny"]),
        )

    def as_json(self) -> dict[str, object]:
        return {
            "start": self.start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "bucket_seconds": self.seconds,
            "allow": list(self.allow),
            "deny": list(self.deny),
        }


class Timeline:
    """Counts decisions by time slot; coarsens itself when it holds more than ``max_slots``."""

    def __init__(self, max_slots: int = 20000) -> None:
        self.max_slots = max_slots
        self._level = 0
        self._slots: dict[str, list[int]] = {}

    def add(self, ts: str, denied: bool) -> None:
        key = ts[: _LEVELS[self._level][0]]
        slot = self._slots.get(key)
        if slot is None:
            if len(self._slots) >= self.max_slots and self._level < len(_LEVELS) - 1:
                self._coarsen()
                key = ts[: _LEVELS[self._level][0]]
            slot = self._slots.setdefault(key, [0, 0])
        slot[denied] += 1

    def _coarsen(self) -> None:
        self._level += 1
        width = _LEVELS[self._level][0]
        merged: dict[str, list[int]] = {}
        for key, (allowed, denied) in self._slots.items():
            slot = merged.setdefault(key[:width], [0, 0])
            slot[0] += allowed
            slot[1] += denied
        self._slots = merged

    def bars(self, most: int = 60) -> Bars | None:
        """At most ``most`` bars of a nice width covering every slot; ``None`` when empty."""
        if not self._slots:
            return None
        slot_seconds = _LEVELS[self._level][1]
        times = {_parse(key): counts for key, counts in self._slots.items()}
        first, last = min(times), max(times)
        span = (last - first).total_seconds() + slot_seconds
        width = next((w for w in _NICE_WIDTHS if w >= slot_seconds and span / w <= most), None)
        width = width or int(-(-span // most))
        start = _floor(first, width)
        count = int((last - start).total_seconds() // width) + 1
        allow, deny = [0] * count, [0] * count
        for when, (allowed, denied) in times.items():
            i = int((when - start).total_seconds() // width)
            allow[i] += allowed
            deny[i] += denied
        return Bars(start, width, tuple(allow), tuple(deny))


def _parse(key: str) -> datetime:
    return datetime.fromisoformat(key).replace(tzinfo=UTC)


def _floor(when: datetime, seconds: int) -> datetime:
    """``when`` rounded down to a multiple of ``seconds`` since the Unix epoch."""
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    elapsed = int((when - epoch).total_seconds())
    return epoch + timedelta(seconds=elapsed - elapsed % seconds)
