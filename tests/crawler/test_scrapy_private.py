"""The private Scrapy APIs Heed relies on are all present in the installed Scrapy."""

from __future__ import annotations

import random

from scrapy.core.downloader import Slot

from crawler import scrapy_private


def test_every_private_scrapy_api_heed_uses_is_present() -> None:
    # When this fails, a Scrapy release dropped one: the add-on refuses to start on it too.
    assert scrapy_private.missing() == []


def test_a_slot_spaced_exactly_never_randomises_its_delay() -> None:
    slot = Slot(concurrency=1, delay=0.1, jitter=0.5)
    scrapy_private.space_exactly(slot, 2.0)
    random.seed(7)
    assert {slot.download_delay() for _ in range(200)} == {2.0}
