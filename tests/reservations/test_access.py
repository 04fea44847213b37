"""Refused responses, login walls and requests that would get around them."""

from __future__ import annotations

import pytest

from crawler import defaults as settings
from reservations.access import (
    compile_login_patterns,
    login_wall_pattern,
    request_access_verdict,
    response_access_verdict,
)

PATTERNS = compile_login_patterns(settings.HEED_LOGIN_PATTERNS)
ARTICLE = "https://news.example/2025/story"


@pytest.mark.parametrize("status", [401, 402, 403])
def test_refused_statuses_deny_with_their_own_reason(status: int) -> None:
    verdict = response_access_verdict(ARTICLE, status, None, PATTERNS)
    assert verdict.decision == "deny" and verdict.reason == f"access.http_{status}"
    assert verdict.evidence["status"] == status


def test_a_401_challenge_is_kept_as_evidence() -> None:
    challenge = {"WWW-Authenticate": 'Basic realm="members"'}
    verdict = response_access_verdict(ARTICLE, 401, None, PATTERNS, challenge)
    assert verdict.evidence["header"] == {"www-authenticate": 'Basic realm="members"'}


@pytest.mark.parametrize("status", [200, 204, 304, 404, 410, 451, 500])
def test_other_statuses_are_not_access_refusals(status: int) -> None:
    assert response_access_verdict(ARTICLE, status, None, PATTERNS).reason == "access.open"


@pytest.mark.parametrize(
    "location",
    [
        "/login?next=/2025/story",
        "/account/sign-in",
        "/users/sign_in",
        "https://news.example/wp-login.php?redirect_to=x",
        "https://login.news.example/",
        "https://accounts.example.com/ServiceLogin?continue=x",
        "/subscribe?from=story",
        "/subscriptions/plans",
        "/paywall",
        "/register",
        "https://news.example/oauth/authorize?client_id=1",
        "https://sso.example.com/start",
        "/signon",
    ],
)
def test_redirects_into_login_pages_are_login_walls(location: str) -> None:
    verdict = response_access_verdict(ARTICLE, 302, location, PATTERNS)
    assert verdict.decision == "deny" and verdict.reason == "access.login_redirect"
    assert verdict.evidence["location"].startswith("https://")
    assert verdict.evidence["pattern"] in settings.HEED_LOGIN_PATTERNS


@pytest.mark.parametrize(
    "location",
    [
        "https://news.example/2025/story",
        "/blog/index",
        "/bloginfo",
        "/catalog/items",
        "/author/jane",
        "/design/signature",
        "/2025/story?page=2",
    ],
)
def test_ordinary_redirects_are_followed(location: str) -> None:
    assert response_access_verdict(ARTICLE, 301, location, PATTERNS).reason == "access.open"


def test_a_page_about_logging_in_may_redirect_within_itself() -> None:
    source = "http://news.example/help/login-problems"
    assert login_wall_pattern(source, "https://news.example/help/login-problems", PATTERNS) is None


def test_a_bad_pattern_is_named() -> None:
    with pytest.raises(ValueError, match=r"'\(unclosed'"):
        compile_login_patterns(["ok", "(unclosed"])


UA = "HeedBot/1.0 (+https://heed.example/bot)"


@pytest.mark.parametrize(
    ("headers", "kwargs", "reason"),
    [
        (["Accept"], {}, "access.open"),
        (["Cookie"], {}, "access.open"),
        (["Cookie"], {"site_cookies_only": False}, "access.credentials"),
        (["Authorization"], {}, "access.credentials"),
        ([], {"own_cookies": True}, "access.credentials"),
        ([], {"separate_session": True}, "access.session"),
        ([], {"drops_session": True}, "access.session"),
    ],
    ids=[
        "plain",
        "site-cookie-replaced-by-jar",
        "cookie-sent-as-is",
        "authorization",
        "spider-cookies",
        "second-cookie-jar",
        "dont-merge-cookies",
    ],
)
def test_requests_never_carry_credentials_or_a_fresh_session(
    headers: list[str], kwargs: dict[str, bool], reason: str
) -> None:
    assert request_access_verdict(headers, None, UA, **kwargs).reason == reason


def test_a_request_never_poses_as_another_agent() -> None:
    assert request_access_verdict(["User-Agent"], UA, UA).reason == "access.open"
    verdict = request_access_verdict(["User-Agent"], "Mozilla/5.0 Chrome", UA)
    assert verdict.reason == "access.identity" and verdict.evidence["user_agent"] == (
        "Mozilla/5.0 Chrome"
    )
