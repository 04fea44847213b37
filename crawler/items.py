"""Every item links to its decision record, whatever spider made it.

A spider middleware stamps each item a spider yields from a response with ``heed_seq`` (the
``seq`` of the response decision that let that response in), ``heed_log`` (the decision log's
path) and ``heed_run_id`` (the run's id, in its log's run header): ``heed log`` and the exports
find the record by them. Items of a class with a fixed set of fields (``scrapy.Item``,
dataclasses) get the stamp only if they declare ``heed_seq`` and ``heed_log``; otherwise a
warning says so once per class.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from crawler.components import shared
from crawler.gates import RESPONSE_SEQ
from crawler.log.recorder import DecisionRecorder

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

SEQ_FIELD = "heed_seq"
LOG_FIELD = "heed_log"
# The run the record belongs to (its log's run header); set when the item can hold it.
RUN_FIELD = "heed_run_id"


class DecisionLink(BaseSpiderMiddleware):
    """Spider middleware: stamp ``heed_seq`` and ``heed_log`` on every item from a response."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        recorder = shared(crawler, DecisionRecorder)
        self.log = str(recorder.log.path)
        self.run_id = recorder.run_id
        self._warned: set[type] = set()

    def get_processed_item(self, item: Any, response: Response | None) -> Any:
        seq = response.meta.get(RESPONSE_SEQ) if response is not None else None
        if seq is None:
            return item
        adapter = ItemAdapter(item)
        try:
            adapter[SEQ_FIELD] = seq
            adapter[LOG_FIELD] = self.log
            with suppress(KeyError):
                adapter[RUN_FIELD] = self.run_id
        except KeyError:
            self.crawler.stats.inc_value("heed/items/unlinked")
            if type(item) not in self._warned:
                self._warned.add(type(item))
                logger.warning(
                    "Heed cannot link %s items to their decision records: declare the fields "
                    "%s and %s",
                    type(item).__name__,
                    SEQ_FIELD,
                    LOG_FIELD,
                )
        return item
