"""``heed report``: the public-summary facts of real crawl logs, in JSON, Markdown and HTML."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from crawler.cli import main
from crawler.log.chain import DecisionLog


def report(tmp_path: Path, logs: list[Path], *options: str) -> dict[str, Any]:
    out = tmp_path / "report"
    assert main(["report", *map(str, logs), "-o", str(out), *options]) == 0
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


def content_responses(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Allowed 2xx responses that are pages, not policy documents: the collected content."""
    return [
        r
        for r in records
        if r["stage"] == "response"
        and r["decision"] == "allow"
        and 200 <= r["status"] < 300
        and not r["reason"].endswith(".policy_document")
    ]


def test_summary_of_a_real_crawl_matches_its_log(tmp_path, demo_crawl) -> None:
    records = demo_crawl.records
    decisions = [r for r in records if r["stage"] != "run"]
    summary = report(tmp_path, [demo_crawl.log_path])
    assert summary["crawler"]["identities"] == [
        {"product_token": "HeedTestBot", "user_agent": "HeedTestBot/1.0 (+http://127.0.0.1/bot)",
         "logs": 1}
    ]  # fmt: skip
    assert summary["period"] == {
        "start": min(r["ts"] for r in decisions),
        "end": max(r["ts"] for r in decisions),
    }
    volumes = summary["volumes"]
    assert volumes["decisions"] == len(decisions)
    assert volumes["requests"]["denied"] == sum(
        r["stage"] == "request" and r["decision"] == "deny" for r in records
    )
    pages = content_responses(records)
    assert volumes["content"]["pages"] == len(pages) > 0
    assert volumes["content"]["bytes"] == sum(r["bytes"] for r in pages)
    counted = Counter((r["stage"], r["decision"], r["check"], r["reason"]) for r in decisions)
    assert {(d["stage"], d["decision"], d["check"], d["reason"]): d["count"]
            for d in summary["decisions"]} == counted  # fmt: skip
    assert summary["logs"][0]["records"] == len(records)
    assert summary["logs"][0]["last_hash"] == demo_crawl.written[-1]["hash"]  # the closing record


def test_robots_and_opt_out_statistics_of_a_real_crawl(tmp_path, demo_crawl) -> None:
    records = [r for r in demo_crawl.records if r["stage"] != "run"]
    summary = report(tmp_path, [demo_crawl.log_path])
    robots_docs = [
        r for r in records if r["stage"] == "response" and r["reason"] == "robots.policy_document"
    ]
    assert summary["robots"]["fetches"] == len(robots_docs) > 0
    assert sum(summary["robots"]["fetches_by_status"].values()) == len(robots_docs)
    robots_findings = Counter(
        r["findings"]["robots"]["reason"]
        for r in records
        if r["stage"] == "request" and "robots" in r["findings"]
    )
    assert summary["robots"]["requests_by_reason"] == dict(robots_findings)
    assert summary["robots"]["requests_checked"] == sum(robots_findings.values())
    assert robots_findings["robots.disallow"] >= 1 and robots_findings["robots.unreachable"] >= 1
    # Every check's own deny counts, deciding or not.
    found = Counter(
        (check, finding["reason"], r["stage"])
        for r in records
        for check, finding in r["findings"].items()
        if finding["decision"] == "deny"
    )
    opt_outs = {(o["check"], o["reason"], o["stage"]): o for o in summary["opt_outs"]}
    assert {key: o["denials"] for key, o in opt_outs.items()} == dict(found)
    assert opt_outs[("robots", "robots.disallow", "request")]["domains"] == 1  # all 127.0.0.1
    for record in records:
        if record["decision"] == "deny":
            assert (record["check"], record["reason"], record["stage"]) in opt_outs


def _site_log(path: Path, sizes: dict[str, list[int]]) -> Path:
    """A log of allowed responses: for each host, one page per size."""
    log = DecisionLog(path, fsync_every=0, fsync_seconds=3600)
    log.write_header({"product_token": "HeedTestBot", "user_agent": "HeedTestBot/1"})
    for host, pages in sizes.items():
        for i, size in enumerate(pages):
            log.write({"url": f"https://{host}/p{i}", "stage": "response", "decision": "allow",
                       "check": "paywall", "reason": "paywall.none", "evidence": {},
                       "status": 200, "content_type": "text/html", "bytes": size})  # fmt: skip
    log.write({"url": "https://www.site0.com/robots.txt", "stage": "response",
               "decision": "allow", "check": "robots", "reason": "robots.policy_document",
               "evidence": {}, "status": 200, "bytes": 10**9})  # fmt: skip
    log.close()
    return path


# 25 registrable domains: site{i}.com is i*100 bytes in all, split over two hosts for even i.
SIZES = {
    **{f"www.site{i}.com": [i * 50, i * 50] for i in range(1, 26, 2)},
    **{f"a.site{i}.com": [i * 60] for i in range(2, 26, 2)},
    **{f"b.site{i}.com": [i * 40] for i in range(2, 26, 2)},
}


@pytest.mark.parametrize(
    ("options", "listed"),
    [([], ["site25.com", "site24.com", "site23.com"]), (["--sme"], ["site25.com", "site24.com"])],
    ids=["top-10-percent", "sme-top-5-percent"],
)
def test_top_domains_are_registrable_domains_largest_first(tmp_path, options, listed) -> None:
    summary = report(tmp_path, [_site_log(tmp_path / "log.jsonl", SIZES)], *options)
    assert summary["top_domains"] == [
        {"domain": d, "bytes": int(d[4:6]) * 100, "pages": 2} for d in listed
    ]
    rule = summary["top_domains_rule"]
    assert (rule["domains_total"], rule["domains_listed"], rule["sme"]) == (
        25,
        len(listed),
        bool(options),
    )
    assert summary["volumes"]["content"]["bytes"] == sum(i * 100 for i in range(1, 26))


def test_several_logs_add_up_and_each_is_listed(tmp_path, demo_crawl) -> None:
    copy = tmp_path / "worker-2.jsonl"
    shutil.copy(demo_crawl.log_path, copy)
    one = report(tmp_path / "one", [demo_crawl.log_path])
    two = report(tmp_path / "two", [demo_crawl.log_path, copy])
    assert two["volumes"]["decisions"] == 2 * one["volumes"]["decisions"]
    assert two["crawler"]["identities"][0]["logs"] == 2
    assert [log["file"] for log in two["logs"]] == [str(demo_crawl.log_path), str(copy)]


def test_markdown_and_html_carry_the_same_facts(tmp_path, demo_crawl) -> None:
    summary = report(tmp_path, [demo_crawl.log_path])
    markdown = (tmp_path / "report" / "summary.md").read_text(encoding="utf-8")
    page = (tmp_path / "report" / "report.html").read_text(encoding="utf-8")
    for text in (markdown, page):
        for domain in summary["top_domains"]:
            assert domain["domain"] in text
        for opt_out in summary["opt_outs"]:
            assert opt_out["reason"] in text
        assert "HeedTestBot" in text and summary["period"]["start"] in text
    assert "## Top domains by content size" in markdown
    assert page.count("<svg") == 3


def test_html_report_is_one_self_contained_file(tmp_path, demo_crawl) -> None:
    report(tmp_path, [demo_crawl.log_path])
    page = (tmp_path / "report" / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"<(script|link|img|iframe|object)\b", page, re.I)
    assert not re.search(r"\b(src|href)\s*=", page, re.I)
    assert "url(" not in page and "@import" not in page


def test_text_from_sites_cannot_break_markdown_or_html(tmp_path) -> None:
    log = DecisionLog(tmp_path / "log.jsonl", fsync_every=0, fsync_seconds=3600)
    log.write_header({"product_token": "Bot", "user_agent": "Bot | <script>x</script>\n# hi"})
    log.write({"url": "https://a.example/", "stage": "request", "decision": "deny",
               "check": "odd", "reason": "odd.<b>|x</b>", "evidence": {}})  # fmt: skip
    log.close()
    report(tmp_path, [tmp_path / "log.jsonl"])
    markdown = (tmp_path / "report" / "summary.md").read_text(encoding="utf-8")
    page = (tmp_path / "report" / "report.html").read_text(encoding="utf-8")
    assert "| Bot | Bot \\| <script>x</script> # hi | 1 |" in markdown
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "odd.&lt;b&gt;|x&lt;/b&gt;" in page


def test_a_log_with_no_decisions_still_reports(tmp_path) -> None:
    log = DecisionLog(tmp_path / "log.jsonl")
    log.write_header({"product_token": "HeedTestBot", "user_agent": "HeedTestBot/1"})
    log.close()
    summary = report(tmp_path, [tmp_path / "log.jsonl"])
    assert summary["top_domains"] == [] and summary["timeline"] is None
    assert "nothing to show" in (tmp_path / "report" / "report.html").read_text(encoding="utf-8")


def _mixed_log(path: Path) -> Path:
    """a.example: one page fetched three times (a recrawl, a cache replay) and one other page,
    then a request denied by robots.txt; b.example: one robots.txt deny of a request, and one
    response denied twice over (noai and tdmrep findings); c and d.example: a request each
    denied by tdmrep, the same check and reason as b.example's but at another stage."""
    log = DecisionLog(path, fsync_every=0, fsync_seconds=3600)
    log.write_header({"product_token": "HeedTestBot", "user_agent": "HeedTestBot/1"})
    page = {"stage": "response", "decision": "allow", "check": "paywall",
            "reason": "paywall.none", "status": 200, "bytes": 100}  # fmt: skip
    fetches = [("https://a.example/1", False), ("https://a.example/1", False),
               ("https://a.example/1", True), ("https://www.a.example/2", False)]  # fmt: skip
    for url, cached in fetches:
        log.write({"url": url, **page, **({"cached": True} if cached else {})})
    for url in ("https://a.example/private", "https://b.example/private"):
        log.write({"url": url, "stage": "request", "decision": "deny", "check": "robots",
                   "reason": "robots.disallow"})  # fmt: skip
    for url in ("https://c.example/x", "https://d.example/y"):  # tdmrep.json reserves them
        log.write({"url": url, "stage": "request", "decision": "deny", "check": "tdmrep",
                   "reason": "tdmrep.reserved"})  # fmt: skip
    log.write({"url": "https://b.example/page", "stage": "response", "decision": "deny",
               "check": "noai", "reason": "noai.noai", "status": 200, "bytes": 50,
               "findings": {
                   "noai": {"decision": "deny", "reason": "noai.noai"},
                   "tdmrep": {"decision": "deny", "reason": "tdmrep.reserved"}}})  # fmt: skip
    log.close()
    return path


def test_domains_table_counts_pages_unique_and_fetched_bytes_and_denials(tmp_path) -> None:
    summary = report(tmp_path, [_mixed_log(tmp_path / "log.jsonl")])
    content = summary["volumes"]["content"]
    assert (content["pages"], content["unique_pages"], content["cached_pages"]) == (4, 2, 1)
    assert summary["domains"] == [
        {"domain": "a.example", "pages": 4, "unique_pages": 2, "bytes": 400, "denied": 1,
         "denied_by_reason": {"robots.disallow": 1}},
        {"domain": "b.example", "pages": 0, "unique_pages": 0, "bytes": 0, "denied": 2,
         "denied_by_reason": {"noai.noai": 1, "robots.disallow": 1}},
        {"domain": "c.example", "pages": 0, "unique_pages": 0, "bytes": 0, "denied": 1,
         "denied_by_reason": {"tdmrep.reserved": 1}},
        {"domain": "d.example", "pages": 0, "unique_pages": 0, "bytes": 0, "denied": 1,
         "denied_by_reason": {"tdmrep.reserved": 1}},
    ]  # fmt: skip
    markdown = (tmp_path / "report" / "summary.md").read_text(encoding="utf-8")
    assert "2 unique pages in 4 fetches" in markdown
    assert "| a.example | 2 | 4 | 400 bytes | 1 | robots.disallow × 1 |" in markdown
    assert "| b.example | 0 | 0 | 0 bytes | 2 | noai.noai × 1, robots.disallow × 1 |" in markdown


def test_opt_outs_count_domains_per_check_reason_and_stage(tmp_path) -> None:
    summary = report(tmp_path, [_mixed_log(tmp_path / "log.jsonl")])
    rows = {(o["check"], o["reason"], o["stage"]): (o["denials"], o["domains"])
            for o in summary["opt_outs"]}  # fmt: skip
    assert rows == {
        ("robots", "robots.disallow", "request"): (2, 2),
        ("noai", "noai.noai", "response"): (1, 1),
        ("tdmrep", "tdmrep.reserved", "response"): (1, 1),  # b.example only
        ("tdmrep", "tdmrep.reserved", "request"): (2, 2),
    }
    for row in summary["opt_outs"]:
        assert row["domains"] <= row["denials"]
