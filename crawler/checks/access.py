"""Adapters: access controls at both gates (never circumvent: Code of Practice, Copyright
chapter, Measure 1.2(a)).

``AccessCheck`` denies, at the request gate, a request that carries credentials, cookies of the
crawler's own making, a second cookie session or another user agent; at the response gate, a
401/402/403 and a redirect into a login page (the gate sees the 3xx before Scrapy's redirect
middleware, so the login page is never requested). ``PaywallCheck`` denies a page that declares
a paywall in its markup; ``HEED_PAYWALL_PARTIAL = "keep_free"`` passes on a partly paid page
without its paid parts instead.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from crawler.components import shared
from crawler.errors import ConfigError
from crawler.log.recorder import DecisionRecorder
from crawler.page import Page
from reservations.access import (
    CREDENTIAL_HEADERS,
    compile_login_patterns,
    request_access_verdict,
    response_access_verdict,
)
from reservations.paywall import (
    PARTIAL_POLICIES,
    PartialPolicy,
    decide_paywall,
    find_paywall,
    needs_document,
)
from reservations.verdict import Verdict, allow, deny

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response


def _pattern_list(value: Any) -> list[str]:
    """A list, or from the command line a JSON list: never split at commas, which patterns use."""
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.lstrip().startswith("[") else [value]
        except ValueError as exc:
            raise ConfigError(f"HEED_LOGIN_PATTERNS: not a JSON list: {exc}") from exc
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ConfigError("HEED_LOGIN_PATTERNS: give a list of regular expressions")
    return list(value)


def _refuse_default_credentials(headers: dict[str, object], user_agent: str) -> None:
    """Default headers are added after the request gate, so they are checked once, here."""
    names = {str(name).lower(): value for name, value in headers.items()}
    if carried := sorted(CREDENTIAL_HEADERS & names.keys()):
        raise ConfigError(
            f"DEFAULT_REQUEST_HEADERS sets {', '.join(carried)}: Heed never sends "
            "credentials or cookies of its own; remove them"
        )
    if names.get("user-agent", user_agent) != user_agent:
        raise ConfigError(
            "DEFAULT_REQUEST_HEADERS sets another User-Agent: Heed has one identity, "
            "USER_AGENT; remove it"
        )


class AccessCheck:
    """Refused responses, login walls, and requests that would get around them."""

    name = "access"

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        try:
            self.login_patterns = compile_login_patterns(
                _pattern_list(settings.get("HEED_LOGIN_PATTERNS"))
            )
        except ValueError as exc:
            raise ConfigError(f"HEED_LOGIN_PATTERNS: {exc}: fix or remove the pattern") from exc
        self.user_agent: str = settings.get("USER_AGENT")
        self.site_cookies_only = settings.getbool("COOKIES_ENABLED")
        _refuse_default_credentials(settings.getdict("DEFAULT_REQUEST_HEADERS"), self.user_agent)
        shared(crawler, DecisionRecorder).add_header(
            "access",
            {
                "login_patterns": [p.pattern for p in self.login_patterns],
                "cookies_enabled": self.site_cookies_only,
                "paywall_partial": settings.get("HEED_PAYWALL_PARTIAL"),
            },
        )

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AccessCheck:
        return cls(crawler)

    async def check_request(self, request: Request) -> Verdict:
        agent = request.headers.get(b"User-Agent")
        return request_access_verdict(
            (name.decode("latin-1") for name in request.headers),
            agent.decode("latin-1") if agent is not None else None,
            self.user_agent,
            site_cookies_only=self.site_cookies_only,
            own_cookies=bool(request.cookies),
            separate_session="cookiejar" in request.meta,
            drops_session=bool(request.meta.get("dont_merge_cookies")),
        )

    async def check_response(self, response: Response, page: Page) -> Verdict:
        location = page.header_values("Location")
        refusal = {name: ", ".join(page.header_values(name)) for name in REFUSAL_HEADERS}
        return response_access_verdict(
            response.url,
            response.status,
            location[0] if location else None,
            self.login_patterns,
            {name: value for name, value in refusal.items() if value},
        )


# Why a response was refused, and on what terms: an authentication challenge, or the price
# and error of a pay-per-crawl 402 (Cloudflare's crawler-price / crawler-error). Heed never
# sends the crawler-exact-price or crawler-max-price headers that would pay.
REFUSAL_HEADERS = ("WWW-Authenticate", "crawler-price", "crawler-error")


class PaywallCheck:
    """Paywalls declared in the page: schema.org, article:content_tier, AMP."""

    name = "paywall"

    def __init__(self, crawler: Crawler) -> None:
        partial = crawler.settings.get("HEED_PAYWALL_PARTIAL")
        if partial not in PARTIAL_POLICIES:
            raise ConfigError(
                f"HEED_PAYWALL_PARTIAL={partial!r}: use one of {', '.join(PARTIAL_POLICIES)}"
            )
        self.partial: PartialPolicy = partial
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PaywallCheck:
        return cls(crawler)

    async def check_response(self, response: Response, page: Page) -> Verdict:
        if not page.is_html:
            return allow(self.name, "paywall.not_html", content_type=page.content_type)
        if not response.body.strip():
            return allow(self.name, "paywall.empty")
        # The full parse (most of this check's cost) only where markup may need it.
        encoding = getattr(response, "encoding", "") or ""
        full = self.partial == "keep_free" or needs_document(response.body, encoding)
        tree = page.tree if full else None
        if full and tree is None:
            # Markup we cannot read may declare a paywall we cannot see: fail closed.
            return deny(self.name, "paywall.unreadable_html", bytes=len(response.body))
        findings = find_paywall(tree, response.body, page.meta, page.json_ld)
        decision = decide_paywall(findings, tree, response.body, self.partial)
        if decision.free_part is not None:
            page.replace_body(decision.free_part)
            self.stats.inc_value("heed/paywall/free_part_kept")
        return decision.verdict
