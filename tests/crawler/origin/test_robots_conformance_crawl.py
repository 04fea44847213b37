"""A sample of the RFC 9309 example vectors, through real crawls instead of the pure parser."""

from __future__ import annotations

from collections import defaultdict
from urllib.parse import urlsplit

import pytest

from reservations.robots_lines import is_product_token
from tests.conformance import load_vectors, missing_case

VECTORS = "rfc9309_example_vectors.json"


def _groups() -> list[tuple[str, str, list[dict]]] | list[pytest.ParameterSet]:
    vectors = load_vectors(VECTORS)
    if vectors is None:
        return [missing_case(VECTORS, "", "", [])]
    grouped: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for vector in vectors:
        if is_product_token(vector["user_agent"]) and urlsplit(vector["url"]).path != "/robots.txt":
            grouped[(vector["robotstxt"], vector["user_agent"])].append(vector)
    # Eight distinct robots.txt/agent pairs keep the sample broad and the suite quick.
    return [(robots, agent, cases) for (robots, agent), cases in list(grouped.items())[:8]]


@pytest.mark.parametrize(
    ("robots", "agent", "cases"),
    _groups(),
    ids=lambda v: v[0]["name"] if isinstance(v, list) else "",
)
def test_rfc_example_holds_through_a_real_crawl(make_server, crawl, robots, agent, cases) -> None:
    server = make_server()
    server.expect_request("/robots.txt").respond_with_data(robots, content_type="text/plain")
    urls = []
    for case in cases:
        parts = urlsplit(case["url"])
        local = server.url_for(parts.path) + (f"?{parts.query}" if parts.query else "")
        urls.append(local)
    result = crawl(
        urls,
        settings={"HEED_PRODUCT_TOKEN": agent, "USER_AGENT": f"{agent}/1.0 (+http://127.0.0.1/)"},
        spider_args={"follow": "no"},
    )
    for case, url in zip(cases, urls, strict=True):
        decisions = [r for r in result.decisions("request") if r["url"] == url]
        assert decisions, f"{case['name']}: no decision for {url}"
        expected = "allow" if case["allowed"] else "deny"
        assert decisions[0]["decision"] == expected, (case["name"], decisions[0]["evidence"])
