"""The response gate: every response is on record, and a denied one reaches nothing."""

from __future__ import annotations

from pathlib import Path

HTML = "text/html; charset=utf-8"
MARKED = {"tests.crawler.checks.marked.MarkedResponseCheck": 100}
ROBOTS_OPEN = "User-agent: *\nDisallow:\n"


def site(server, pages: dict[str, dict[str, str]]) -> None:
    server.expect_request("/robots.txt").respond_with_data(ROBOTS_OPEN)
    links = "".join(f'<a href="{p}">{p}</a>' for p in pages)
    server.expect_request("/").respond_with_data(
        f"<html><body>{links}</body></html>", content_type=HTML
    )
    for path, headers in pages.items():
        server.expect_request(path).respond_with_data(
            f"<html><body>secret {path}</body></html>", content_type=HTML, headers=headers
        )


def test_every_response_has_a_decision_with_status_type_and_size(make_server, crawl) -> None:
    server = make_server()
    site(server, {"/a": {}, "/b": {}})
    result = crawl([server.url_for("/")])
    responses = result.decisions("response")
    assert {r["url"] for r in responses} >= {server.url_for(p) for p in ("/", "/a", "/b")}
    a = result.decision_for(server.url_for("/a"), "response")
    assert a["status"] == 200 and a["content_type"] == "text/html"
    assert a["bytes"] == len(b"<html><body>secret /a</body></html>")
    assert a["request_seq"] == result.decision_for(server.url_for("/a"))["seq"]
    robots = result.decision_for(server.url_for("/robots.txt"), "response")
    assert robots["check"] == "robots" and robots["reason"] == "robots.policy_document"


def test_denied_response_reaches_no_item_feed_or_cache(make_server, crawl, tmp_path) -> None:
    server = make_server()
    site(server, {"/open": {}, "/closed": {"X-Test-Deny": "1"}})
    result = crawl(
        [server.url_for("/")],
        settings={
            "HEED_RESPONSE_CHECKS": MARKED,
            "HTTPCACHE_ENABLED": True,
            "HTTPCACHE_DIR": str(tmp_path / "cache"),
        },
    )
    assert result.returncode == 0, result.stderr
    closed = result.decision_for(server.url_for("/closed"), "response")
    assert closed["decision"] == "deny" and closed["reason"] == "marked.header"
    assert server.url_for("/closed") not in result.item_urls
    assert server.url_for("/open") in result.item_urls
    feed = (result.log_path.parent / "items.jsonl").read_text()
    assert "secret /closed" not in feed and "secret /open" in feed
    cache = tmp_path / "cache"
    cached = b"".join(p.read_bytes() for p in cache.rglob("*") if p.is_file())
    assert b"secret /open" in cached and b"secret /closed" not in cached
    assert "secret /closed" not in result.stderr + result.stdout


def test_cached_response_is_judged_again(make_server, crawl, tmp_path: Path) -> None:
    server = make_server()
    site(server, {"/page": {}})
    settings = {"HTTPCACHE_ENABLED": True, "HTTPCACHE_DIR": str(tmp_path / "cache")}
    crawl([server.url_for("/page")], settings=settings)
    again = crawl([server.url_for("/page")], settings=settings)
    record = again.decision_for(server.url_for("/page"), "response")
    assert record.get("cached") is True and record["decision"] == "allow"


def test_failing_check_denies_instead_of_crashing(make_server, crawl) -> None:
    server = make_server()
    site(server, {})
    result = crawl(
        [server.url_for("/")],
        settings={"HEED_RESPONSE_CHECKS": {"tests.crawler.checks.marked.BrokenResponseCheck": 1}},
    )
    record = result.decision_for(server.url_for("/"), "response")
    assert record["decision"] == "deny" and record["reason"] == "gate.check_error"
    assert "cannot decide" in record["evidence"]["broken"]["error"]
    assert result.items == []


def test_redirect_target_passes_the_request_gate_again(make_server, crawl) -> None:
    server = make_server()
    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /private\n")
    server.expect_request("/go").respond_with_data("", 302, {"Location": "/private/x"})
    result = crawl([server.url_for("/go")])
    assert result.decision_for(server.url_for("/go"), "response")["status"] == 302
    assert result.decision_for(server.url_for("/private/x"))["reason"] == "robots.disallow"
    assert not any(req.path == "/private/x" for req, _ in server.log)


def test_remote_control_and_telnet_are_off(make_server, crawl) -> None:
    server = make_server()
    site(server, {})
    result = crawl([server.url_for("/")], settings={"LOG_LEVEL": "DEBUG"})
    assert "Telnet console listening" not in result.stderr
    assert "TelnetConsole" not in result.stderr.split("Enabled extensions", 1)[-1].split("]", 1)[0]
    assert "RemoteControl" not in result.stderr.split("Enabled extensions", 1)[-1].split("]", 1)[0]
