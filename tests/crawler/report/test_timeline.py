"""Decisions over time: small in memory however long the crawl, a few dozen bars to draw."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crawler.report.timeline import Bars, Timeline

START = datetime(2025, 6, 1, 10, 0, tzinfo=UTC)


def stamp(seconds: float) -> str:
    return (START + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@pytest.mark.parametrize(
    ("span", "every", "width"),
    [
        (50, 1, 1),
        (600, 3, 10),
        (3 * 3600, 7, 300),
        (3 * 86400, 61, 7200),
        (90 * 86400, 3601, 2 * 86400),
    ],
    ids=["50s", "10min", "3h", "3days", "90days"],
)
def test_bars_have_a_nice_width_and_keep_every_count(span, every, width) -> None:
    timeline = Timeline(max_slots=5000)
    added = 0
    for second in range(0, span, every):
        timeline.add(stamp(second), denied=second % 2 == 0)
        added += 1
    bars = timeline.bars(most=60)
    assert bars is not None
    assert bars.seconds == width
    assert len(bars.allow) <= 60
    assert sum(bars.allow) + sum(bars.deny) == added
    assert bars.start <= START < bars.start + timedelta(seconds=width)


def test_timeline_coarsens_instead_of_growing() -> None:
    timeline = Timeline(max_slots=100)
    for second in range(0, 86400, 5):
        timeline.add(stamp(second), denied=False)
    assert len(timeline._slots) <= 100
    bars = timeline.bars()
    assert bars is not None and sum(bars.allow) == 86400 // 5


def test_bars_round_trip_through_summary_json() -> None:
    timeline = Timeline()
    timeline.add(stamp(0), denied=True)
    timeline.add(stamp(2), denied=False)
    bars = timeline.bars()
    assert bars is not None
    assert Bars.from_json(bars.as_json()) == bars
    assert Timeline().bars() is None
