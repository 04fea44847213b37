"""Adapter: the TDM Reservation Protocol at both gates.

Request gate: each origin's ``/.well-known/tdmrep.json``, fetched once through the engine
(redirects followed) and cached for ``HEED_TDMREP_TTL``; a request whose first matching rule
reserves TDM rights is denied before it is sent. Heed therefore never sees the header of a
resource the file reserves: stricter than the processing priority of TDMRep §4.4, under which a
header's ``tdm-reservation: 0`` would supersede the file.

Response gate: the file's declaration for the URL, then the ``tdm-reservation`` and
``tdm-policy`` header fields, then the HTML ``<meta>`` elements, each superseding the one before
it, property by property (§4.4). The ``tdm-policy`` URL is kept in the evidence.

Both gates read the same cached file (``PolicyFiles``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crawler.checks.per_document import PerDocument
from crawler.checks.policy import record_policy
from crawler.checks.robots_lines import RobotsFirst, not_crawlable
from crawler.components import shared
from crawler.origin.documents import FetchedDocument
from crawler.origin.policy_files import PolicyFiles
from reservations.tdmrep import (
    CHECK,
    WELL_KNOWN,
    TdmrepFile,
    fetched_file,
    field_declaration,
    file_declaration,
    tdmrep_verdict,
)
from reservations.verdict import Verdict

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

    from crawler.page import Page


# The header fields (TDMRep §4.1) and meta element names (§4.3) a response may declare with.
RESERVATION, POLICY = "tdm-reservation", "tdm-policy"


def _parse(doc: FetchedDocument) -> TdmrepFile:
    return fetched_file(doc.status, doc.error, doc.body, doc.final_url, truncated=doc.truncated)


def _request_verdict(file: TdmrepFile, url: str, evidence: Mapping[str, Any]) -> Verdict:
    return tdmrep_verdict([file_declaration(file, url, evidence)])


def _response_verdict(
    file: TdmrepFile,
    evidence: Mapping[str, Any],
    url: str,
    fields: Mapping[str, tuple[Sequence[str], Sequence[str]]],
) -> Verdict:
    """§4.4: the file, then the header fields, then the meta elements (``fields`` by source)."""
    declarations = [file_declaration(file, url, evidence)]
    declarations += [field_declaration(source, *values, url) for source, values in fields.items()]
    return tdmrep_verdict(declarations)


class TdmrepCheck:
    """tdmrep.json at the request gate; the file, headers and meta elements at the response gate."""

    name = CHECK
    # Its request answer follows from the URL and the policy documents it reads (crawler.gates).
    reads_only_policy_documents = True

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.files = shared(crawler, PolicyFiles).file(
            "tdmrep",
            WELL_KNOWN,
            _parse,
            ttl=settings.getfloat("HEED_TDMREP_TTL"),
            max_bytes=settings.getint("HEED_TDMREP_MAX_BYTES"),
        )
        self.robots = RobotsFirst(crawler)
        # Per file with no rules: every URL's verdict, and every response's without tdm- fields.
        # A file is parsed from one fetch and cached with that fetch's evidence (PolicyFile),
        # so the verdict's evidence is the file's own.
        self._everywhere: PerDocument[Verdict] = PerDocument()
        record_policy(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TdmrepCheck:
        return cls(crawler)

    async def check_request(self, request: Request) -> Verdict:
        if await self.robots.disallows(request):
            return not_crawlable(CHECK)
        file, evidence = await self.files.get(request)
        if file.matches_nothing:
            return self._everywhere.get(file, lambda: _request_verdict(file, request.url, evidence))
        return _request_verdict(file, request.url, evidence)

    async def check_response(self, response: Response, page: Page) -> Verdict:
        file, evidence = await self.files.get(response)
        fields = {"header": (page.header_values(RESERVATION), page.header_values(POLICY))}
        if page.is_markup:
            meta = page.meta
            fields["html"] = (meta.get(RESERVATION, []), meta.get(POLICY, []))
        if file.matches_nothing and not any(r or p for r, p in fields.values()):
            # No declaration in the response either: the file's answer for every URL (an empty
            # declaration adds nothing to the verdict).
            return self._everywhere.get(
                file, lambda: _request_verdict(file, response.url, evidence)
            )
        return _response_verdict(file, evidence, response.url, fields)
