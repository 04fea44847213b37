"""The report's text as sections of sentences and tables, shared by summary.md and report.html
so that both always say the same thing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Section:
    """A titled part of the report: sentences, then an optional table (cells are text)."""

    key: str
    title: str
    text: tuple[str, ...]
    headers: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()


def human_bytes(size: int) -> str:
    """``1536`` → ``1.5 KiB``: what a reader grasps; the exact count stays in summary.json."""
    if size < 1024:
        return f"{size:,} bytes"
    value = size / 1024
    for unit in ("KiB", "MiB", "GiB"):
        if value < 1024:
            return f"{value:,.1f} {unit}"
        value /= 1024
    return f"{value:,.1f} TiB"


def sections(summary: dict[str, Any]) -> list[Section]:
    """Every section of the report, in reading order."""
    return [
        _crawler(summary),
        _period_and_volumes(summary),
        _top_domains(summary),
        _domains(summary),
        _opt_outs(summary),
        _robots(summary),
        _decisions(summary),
        _logs(summary),
    ]


def _crawler(summary: dict[str, Any]) -> Section:
    software = "; ".join(
        ", ".join(f"{name} {version}" for name, version in sorted(s.items()))
        for s in summary["crawler"]["software"]
    )
    rows = tuple(
        (i["product_token"], i["user_agent"], f"{i['logs']:,}")
        for i in summary["crawler"]["identities"]
    )
    text = (
        "The crawler identifies itself by a robots.txt product token that its user agent "
        "contains (RFC 9309 §2.2.1).",
        f"Software: {software or 'not recorded'}.",
    )
    return Section("crawler", "Crawler", text, ("product token", "user agent", "logs"), rows)


def _period_and_volumes(summary: dict[str, Any]) -> Section:
    period, volumes = summary["period"], summary["volumes"]
    content = volumes["content"]
    text = (
        f"Collection period (UTC): {period['start'] or '—'} to {period['end'] or '—'}.",
        f"Content collected: {content['unique_pages']:,} unique pages in "
        f"{content['pages']:,} fetches, {human_bytes(content['bytes'])} "
        f"({content['bytes']:,} bytes) from {content['domains']:,} domains; "
        f"{content['cached_pages']:,} of those fetches were served from the HTTP cache. "
        "A page fetched again (a recrawl, a cache replay) counts once among unique pages.",
    )
    rows = tuple(
        (stage, f"{volumes[stage]['allowed']:,}", f"{volumes[stage]['denied']:,}")
        for stage in ("requests", "responses")
    )
    return Section("volumes", "Period and volumes", text, ("", "allowed", "denied"), rows)


def _top_domains(summary: dict[str, Any]) -> Section:
    rule = summary["top_domains_rule"]
    text = (
        f"Rule: {rule['rule']} — {rule['domains_listed']:,} of {rule['domains_total']:,} "
        "registrable domains, largest first. Content size is the body bytes of allowed "
        "responses.",
    )
    rows = tuple(
        (f"{i}", d["domain"], human_bytes(d["bytes"]), f"{d['bytes']:,}", f"{d['pages']:,}")
        for i, d in enumerate(summary["top_domains"], start=1)
    )
    headers = ("#", "domain", "size", "bytes", "pages")
    return Section("top_domains", "Top domains by content size", text, headers, rows)


DOMAIN_ROWS = 1000


def _domains(summary: dict[str, Any]) -> Section:
    domains = summary["domains"]
    rows = tuple(
        (
            d["domain"],
            f"{d['unique_pages']:,}",
            f"{d['pages']:,}",
            human_bytes(d["bytes"]),
            f"{d['denied']:,}",
            ", ".join(f"{reason} × {n:,}" for reason, n in d["denied_by_reason"].items()),
        )
        for d in domains[:DOMAIN_ROWS]
    )
    shown = "" if len(domains) <= DOMAIN_ROWS else f" The first {DOMAIN_ROWS:,} are shown;"
    text = (
        f"Every registrable domain met ({len(domains):,}): pages kept, unique and as fetched, "
        "their size, and the decisions that denied a request or a response there, by reason. "
        f"Largest content first, then most denied.{shown or ''}"
        + (" summary.json lists them all." if shown else ""),
    )
    headers = ("domain", "unique pages", "fetches", "size", "denied", "denied by reason")
    return Section("domains", "Domains", text, headers, rows)


def _opt_outs(summary: dict[str, Any]) -> Section:
    rows = tuple(
        (o["check"], o["reason"], o["stage"], f"{o['denials']:,}", f"{o['domains']:,}")
        for o in summary["opt_outs"]
    )
    text = (
        "Every denial found, by check and reason: rights reservations and opt-outs that were "
        "honoured, and what was refused to fail closed. Every check's own finding counts, so "
        "a page reserved in two ways shows twice. A denied request was never sent; a denied "
        "response was dropped before anything else saw it.",
    )
    headers = ("check", "reason", "stage", "denials", "domains")
    return Section("opt_outs", "Opt-outs and other denials", text, headers, rows)


def _robots(summary: dict[str, Any]) -> Section:
    robots = summary["robots"]
    statuses = ", ".join(f"{n:,} × {s}" for s, n in robots["fetches_by_status"].items())
    text = (
        f"robots.txt was fetched {robots['fetches']:,} times for {robots['origins']:,} origins"
        + (f" (HTTP status: {statuses})." if statuses else "."),
        f"{robots['requests_checked']:,} requests were judged against robots.txt, by the "
        "reason below. A robots.txt that could not be fetched (network error, 429, 5xx) "
        "disallows its whole origin (RFC 9309 §2.3.1.4).",
    )
    rows = tuple((reason, f"{n:,}") for reason, n in robots["requests_by_reason"].items())
    return Section("robots", "robots.txt", text, ("reason", "requests"), rows)


def _decisions(summary: dict[str, Any]) -> Section:
    rows = tuple(
        (d["stage"], d["decision"], d["check"], d["reason"], f"{d['count']:,}")
        for d in summary["decisions"]
    )
    text = (f"{summary['volumes']['decisions']:,} decisions in all.",)
    headers = ("stage", "decision", "check", "reason", "count")
    return Section("decisions", "Decisions by check and reason", text, headers, rows)


def _logs(summary: dict[str, Any]) -> Section:
    rows = tuple(
        (
            log["file"],
            f"{log['records']:,}",
            log["chain"],
            log["started_at"] or "",
            log["worker"] or "",
            log["last_hash"] or "",
        )
        for log in summary["logs"]
    )
    text = (
        "Every log's hash chain was recomputed while this report read it. The last hash pins "
        "the exact log content the report was built from; `heed log verify` re-checks a chain.",
    )
    headers = ("file", "records", "chain", "started", "worker", "last hash")
    return Section("logs", "Decision logs", text, headers, rows)
