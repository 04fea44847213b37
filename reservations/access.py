"""Refused access and login walls, and the requests Heed never sends (Code of Practice,
Copyright chapter, Measure 1.2(a): never circumvent technological measures).

A response refused with 401, 402 or 403 is denied as it is: never retried with credentials,
cookies or another identity. A redirect into a login, sign-in or subscribe page is a login
wall. A request that carries credentials, cookies of its own making, a second cookie session
or another user agent would be a way around a wall, so it is denied before it leaves.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import urljoin, urlsplit

from reservations.verdict import Verdict, allow, deny

# RFC 9110 §15.5.2 (401 Unauthorized), §15.5.3 (402 Payment Required), §15.5.4 (403 Forbidden).
REFUSED_STATUSES = frozenset({401, 402, 403})
# RFC 9110 §15.4: the redirections Scrapy follows.
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Request headers that carry credentials or a session made by the crawler, not the site.
CREDENTIAL_HEADERS = frozenset({"authorization", "cookie"})


def compile_login_patterns(patterns: Iterable[str]) -> tuple[re.Pattern[str], ...]:
    """Compile the login-wall patterns; ``ValueError`` names the one that does not compile."""
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern))
        except re.error as exc:
            raise ValueError(f"{pattern!r}: {exc}") from exc
    return tuple(compiled)


def response_access_verdict(
    url: str,
    status: int,
    location: str | None,
    login_patterns: Sequence[re.Pattern[str]],
    refusal_headers: Mapping[str, str] | None = None,
) -> Verdict:
    """Deny a refused response (401/402/403) or a redirect into a login page; else allow.

    ``refusal_headers`` are the fields that say why and on what terms (``WWW-Authenticate``;
    a pay-per-crawl 402's ``crawler-price`` and ``crawler-error``): kept as evidence, never
    acted on (Heed neither authenticates nor pays)."""
    if status in REFUSED_STATUSES:
        evidence: dict[str, object] = {"status": status}
        kept = {name.lower(): value[:300] for name, value in (refusal_headers or {}).items()}
        if kept:
            evidence["header"] = kept
        return deny("access", f"access.http_{status}", **evidence)
    if status in REDIRECT_STATUSES and location:
        target = urljoin(url, location.strip())
        pattern = login_wall_pattern(url, target, login_patterns)
        if pattern is not None:
            return deny(
                "access", "access.login_redirect", status=status, location=target, pattern=pattern
            )
    return allow("access", "access.open")


def login_wall_pattern(source: str, target: str, patterns: Sequence[re.Pattern[str]]) -> str | None:
    """The first pattern that finds a login page in ``target`` (host, path and query) but not
    in ``source`` (host and path): a page about logging in may still redirect to itself."""
    target_text = _locator(target, with_query=True)
    source_text = _locator(source, with_query=False)
    for pattern in patterns:
        if pattern.search(target_text) and not pattern.search(source_text):
            return pattern.pattern
    return None


def _locator(url: str, *, with_query: bool) -> str:
    parts = urlsplit(url)
    text = parts.netloc + parts.path
    return f"{text}?{parts.query}" if with_query and parts.query else text


def request_access_verdict(
    header_names: Iterable[str],
    user_agent: str | None,
    expected_user_agent: str,
    *,
    site_cookies_only: bool = True,
    own_cookies: bool = False,
    separate_session: bool = False,
    drops_session: bool = False,
) -> Verdict:
    """Deny a request that would unlock content or pose as someone else.

    ``site_cookies_only``: a ``Cookie`` header on the request is replaced by the site's own
    cookies before it leaves (Scrapy's cookie middleware with its one jar), so it is no
    credential; ``own_cookies``: cookies given with the request rather than set by the site;
    ``separate_session``: a second cookie jar (Scrapy's ``cookiejar`` meta), a fresh visitor;
    ``drops_session``: the site's cookies left out (``dont_merge_cookies``): it resets meters.
    """
    names = {name.lower() for name in header_names}
    if site_cookies_only:
        names.discard("cookie")
    carried = sorted(CREDENTIAL_HEADERS & names)
    if carried or own_cookies:
        return deny("access", "access.credentials", headers=carried, cookies=own_cookies)
    if separate_session or drops_session:
        return deny(
            "access",
            "access.session",
            separate_session=separate_session,
            drops_session=drops_session,
        )
    if user_agent is not None and user_agent != expected_user_agent:
        return deny("access", "access.identity", user_agent=user_agent[:300])
    return allow("access", "access.open")
