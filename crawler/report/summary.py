"""Aggregate decision records into the public-summary facts, one record at a time.

Collected content is what the response gate allowed with a 2xx status, policy documents
(robots.txt, tdmrep.json) left out; its size is the body bytes the log recorded. Pages count
every such fetch (recrawls and cache replays included); unique pages count each URL once.
Domains are registrable domains (``crawler.domains``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from crawler.domains import TopDomainRule, netloc_of, registrable_domain
from crawler.log.chain import utc_now
from crawler.log.read import SEAL_STAGES, Progress, read_logs
from crawler.report.timeline import Timeline

REPORT_FORMAT = "heed-report/1"
_POLICY_DOCUMENT = ".policy_document"


def summarise(
    paths: Iterable[Path], rule: TopDomainRule, progress: Progress | None = None
) -> dict[str, Any]:
    """Read every log (verifying its chain) and return the facts of summary.json."""
    builder = SummaryBuilder()
    for path, record in read_logs(paths, progress, seals=True):
        builder.add(path, record)
    return builder.build(rule)


class SummaryBuilder:
    """Feed it every log's records in order (``add``); ``build`` returns summary.json."""

    def __init__(self) -> None:
        self.logs: list[dict[str, Any]] = []
        self.identities: Counter[tuple[str, str]] = Counter()
        self.software: list[dict[str, Any]] = []
        self.decisions: Counter[tuple[str, str, str, str]] = Counter()
        self.first_ts: str | None = None
        self.last_ts: str | None = None
        self.timeline = Timeline()
        self.domain_bytes: Counter[str] = Counter()
        self.domain_pages: Counter[str] = Counter()
        # URL hashes, not URLs: a few bytes per page. Within one run of the report the
        # 64-bit hash makes a collision among even 10**8 pages unlikely (birthday bound).
        self.domain_urls: defaultdict[str, set[int]] = defaultdict(set)
        self.domain_denied: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self.cached_pages = 0
        self.denials: Counter[tuple[str, str, str]] = Counter()
        self.denied_domains: defaultdict[tuple[str, str, str], set[str]] = defaultdict(set)
        self.robots_status: Counter[str] = Counter()
        self.robots_origins: set[str] = set()
        self.robots_reasons: Counter[str] = Counter()

    def add(self, path: Path, record: dict[str, Any]) -> None:
        stage = record.get("stage")
        if stage == "run":
            self._add_header(path, record)
            return
        log = self.logs[-1]
        log["last_hash"] = record.get("hash")  # the closing record's, in a closed log
        if stage in SEAL_STAGES:
            return
        log["records"] += 1
        ts = record.get("ts") or ""
        if self.first_ts is None or ts < self.first_ts:
            self.first_ts = ts
        if self.last_ts is None or ts > self.last_ts:
            self.last_ts = ts
        decision, check, reason = record.get("decision"), record.get("check"), record.get("reason")
        self.decisions[(str(stage), str(decision), str(check), str(reason))] += 1
        if ts:
            self.timeline.add(ts, decision != "allow")
        url = record.get("url") or ""
        self._add_findings(str(stage), url, _findings(record))
        if decision == "allow" and stage == "response":
            self._add_response(url, str(reason), record)
        elif decision == "deny":
            self.domain_denied[registrable_domain(netloc_of(url))][str(reason)] += 1

    def _add_findings(self, stage: str, url: str, findings: dict[str, Any]) -> None:
        """Every check's own answer counts, not only the deciding one: a page reserved by two
        protocols shows in both."""
        robots = findings.get("robots")
        if stage == "request" and isinstance(robots, dict):
            self.robots_reasons[str(robots.get("reason"))] += 1
        for check, finding in findings.items():
            if isinstance(finding, dict) and finding.get("decision") == "deny":
                reason = str(finding.get("reason"))
                self.denials[(check, reason, stage)] += 1
                self.denied_domains[(check, reason, stage)].add(registrable_domain(netloc_of(url)))

    def _add_header(self, path: Path, header: dict[str, Any]) -> None:
        self.logs.append(
            {
                "file": str(path),
                "records": 1,
                "chain": "intact",
                "started_at": header.get("started_at"),
                "worker": header.get("worker"),
                "settings_digest": header.get("settings_digest"),
                "last_hash": header.get("hash"),
            }
        )
        self.identities[(str(header.get("product_token")), str(header.get("user_agent")))] += 1
        software = header.get("software")
        if isinstance(software, dict) and software not in self.software:
            self.software.append(software)

    def _add_response(self, url: str, reason: str, record: dict[str, Any]) -> None:
        status = record.get("status")
        if reason.endswith(_POLICY_DOCUMENT):
            if reason.startswith("robots."):
                self.robots_status[str(status)] += 1
                self.robots_origins.add(netloc_of(url))
            return
        if not isinstance(status, int) or not 200 <= status < 300:
            return
        domain = registrable_domain(netloc_of(url))
        size = record.get("bytes")
        self.domain_bytes[domain] += size if isinstance(size, int) else 0
        self.domain_pages[domain] += 1
        self.domain_urls[domain].add(hash(url))
        self.cached_pages += record.get("cached") is True

    def build(self, rule: TopDomainRule) -> dict[str, Any]:
        """The report's facts as plain JSON values."""
        ranked = sorted(self.domain_pages, key=lambda d: (-self.domain_bytes[d], d))
        listed = ranked[: rule.count(len(ranked))]
        bars = self.timeline.bars()
        return {
            "report": REPORT_FORMAT,
            "generated_at": utc_now(),
            "crawler": self._crawler(),
            "period": {"start": self.first_ts, "end": self.last_ts},
            "volumes": self._volumes(len(ranked)),
            "top_domains_rule": {
                "rule": rule.describe(),
                "sme": rule.sme,
                "domains_total": len(ranked),
                "domains_listed": len(listed),
            },
            "top_domains": [
                {"domain": d, "bytes": self.domain_bytes[d], "pages": self.domain_pages[d]}
                for d in listed
            ],
            "domains": self._domains(),
            "decisions": [
                {"stage": s, "decision": d, "check": c, "reason": r, "count": n}
                for (s, d, c, r), n in sorted(self.decisions.items(), key=_by_count)
            ],
            "opt_outs": self._opt_outs(),
            "robots": self._robots(),
            "timeline": bars.as_json() if bars else None,
            "logs": self.logs,
        }

    def _crawler(self) -> dict[str, Any]:
        return {
            "identities": [
                {"product_token": token, "user_agent": agent, "logs": n}
                for (token, agent), n in self.identities.most_common()
            ],
            "software": self.software,
        }

    def _volumes(self, domains: int) -> dict[str, Any]:
        def count(stage: str, decision: str) -> int:
            return sum(
                n for (s, d, _, _), n in self.decisions.items() if (s, d) == (stage, decision)
            )

        return {
            "decisions": sum(self.decisions.values()),
            "requests": {"allowed": count("request", "allow"), "denied": count("request", "deny")},
            "responses": {
                "allowed": count("response", "allow"),
                "denied": count("response", "deny"),
            },
            "content": {
                "pages": sum(self.domain_pages.values()),
                "unique_pages": sum(len(urls) for urls in self.domain_urls.values()),
                "bytes": sum(self.domain_bytes.values()),
                "domains": domains,
                "cached_pages": self.cached_pages,
            },
        }

    def _opt_outs(self) -> list[dict[str, Any]]:
        return [
            {
                "check": check,
                "reason": reason,
                "stage": stage,
                "denials": n,
                "domains": len(self.denied_domains[(check, reason, stage)]),
            }
            for (check, reason, stage), n in sorted(self.denials.items(), key=_by_count)
        ]

    def _domains(self) -> list[dict[str, Any]]:
        """Every domain met: pages kept (fetches and unique), bytes, and denials by reason,
        largest content first, then most denied."""
        names = set(self.domain_pages) | set(self.domain_denied)
        order = sorted(
            names,
            key=lambda d: (-self.domain_bytes[d], -sum(self.domain_denied[d].values()), d),
        )
        return [
            {
                "domain": d,
                "pages": self.domain_pages[d],
                "unique_pages": len(self.domain_urls[d]),
                "bytes": self.domain_bytes[d],
                "denied": sum(self.domain_denied[d].values()),
                "denied_by_reason": dict(
                    sorted(self.domain_denied[d].items(), key=lambda kv: (-kv[1], kv[0]))
                ),
            }
            for d in order
        ]

    def _robots(self) -> dict[str, Any]:
        return {
            "fetches": sum(self.robots_status.values()),
            "origins": len(self.robots_origins),
            "fetches_by_status": dict(sorted(self.robots_status.items())),
            "requests_checked": sum(self.robots_reasons.values()),
            "requests_by_reason": dict(sorted(self.robots_reasons.items())),
        }


def _findings(record: dict[str, Any]) -> dict[str, Any]:
    """Each check's answer; a record without ``findings`` has only its deciding one."""
    findings = record.get("findings")
    if isinstance(findings, dict):
        return findings
    return {
        str(record.get("check")): {
            "decision": record.get("decision"),
            "reason": record.get("reason"),
        }
    }


def _by_count(item: tuple[tuple[str, ...], int]) -> tuple[int, tuple[str, ...]]:
    return (-item[1], item[0])
