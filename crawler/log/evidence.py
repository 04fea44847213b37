"""An evidence bundle for one registrable domain: the answer to "did you crawl my site, and
what did you do?" (GPAI Code of Practice, Copyright chapter, Measure 1.5: complaints).

The bundle holds the domain's records as written, the run headers, inclusion proofs against
each log's signed checkpoint, the archived policy documents those records relied on (their WARC
records copied byte for byte into ``policy-documents.warc.gz``), and ``summary.md`` for a reader
who never opens JSON. It holds no record of any other domain.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from crawler.domains import url_domain
from crawler.log.archive import archive_path
from crawler.log.prove import prove, write_proof

# Rows of the summary's table of decisions; every record is in records.jsonl anyway.
SUMMARY_ROWS = 500
# The fields of a decision that the summary tells.
_SUMMARISED = ("ts", "url", "stage", "decision", "check", "reason")


@dataclass
class Bundle:
    """What was found for the domain, log by log."""

    domain: str
    logs: list[str] = field(default_factory=list)
    headers: list[dict[str, Any]] = field(default_factory=list)
    # The summarised fields of each decision (records.jsonl holds them whole).
    records: list[dict[str, Any]] = field(default_factory=list)
    unproven: int = 0
    documents: int = 0


def about(domain: str) -> Any:
    """The predicate for records of ``domain``'s URLs, subdomains included."""

    def wanted(record: dict[str, Any]) -> bool:
        url = record.get("url")
        return isinstance(url, str) and url_domain(url) == domain

    return wanted


def write_evidence(domain: str, logs: Iterable[Path], out: Path) -> Bundle:
    """Write the bundle for ``domain`` to ``out``; ``LogReadError`` if a log does not verify."""
    bundle = Bundle(domain)
    proofs = out / "proofs"
    proofs.mkdir(parents=True, exist_ok=True)
    relied_on: dict[Path, set[str]] = {}
    with (out / "records.jsonl").open("w", encoding="utf-8") as handle:
        for path in logs:
            document = prove(path, about(domain))
            entries = document["records"]
            if len(entries) < 2 and not document["after_checkpoint"]:
                continue  # only the run header: this crawl never met the domain
            name = f"{len(bundle.logs):03d}-{path.stem}.json"
            write_proof(document, proofs / name)
            bundle.logs.append(f"{path} (proof: proofs/{name})")
            bundle.unproven += document["after_checkpoint"]
            for entry in entries:
                handle.write(entry["record"] + "\n")
                record = json.loads(entry["record"])
                relied_on.setdefault(path, set()).update(_documents(record))
                if record.get("stage") == "run":
                    bundle.headers.append(record)
                else:  # what the summary tells; a whole domain's records would fill memory
                    bundle.records.append({k: record.get(k) for k in _SUMMARISED})
    bundle.documents = _copy_documents(relied_on, out / "policy-documents.warc.gz")
    (out / "summary.md").write_text(summary(bundle), encoding="utf-8")
    return bundle


def _documents(record: dict[str, Any]) -> set[str]:
    """The WARC record ids of the policy documents (and their redirect hops) a record cites."""
    ids: set[str] = set()
    for evidence in (record.get("evidence") or {}).values():
        if isinstance(evidence, dict):
            for found in (evidence, *(v for v in evidence.values() if isinstance(v, dict))):
                if isinstance(found.get("doc_warc_record"), str):
                    ids.add(found["doc_warc_record"])
                ids.update(h for h in found.get("doc_warc_hops") or () if isinstance(h, str))
    return ids


def _copy_documents(relied_on: dict[Path, set[str]], out: Path) -> int:
    """Copy, byte for byte, each cited response record and the request sent for it from the
    archives beside the logs; the number of responses copied."""
    copied = 0
    with out.open("wb") as target:
        for log, ids in relied_on.items():
            archive = archive_path(log)
            if not ids or not archive.exists():
                continue
            with archive.open("rb") as source:
                records = ArchiveIterator(source)
                spans = []
                for record in records:
                    headers = record.rec_headers
                    own = headers.get_header("WARC-Record-ID")
                    if own in ids or headers.get_header("WARC-Concurrent-To") in ids:
                        copied += own in ids
                        records.read_to_end()
                        spans.append((records.get_record_offset(), records.get_record_length()))
                for offset, length in spans:
                    source.seek(offset)
                    target.write(source.read(length))
    return copied


def summary(bundle: Bundle) -> str:
    """The bundle in words: who crawled, what was requested, fetched and denied, when, why."""
    records = bundle.records
    requests = [r for r in records if r.get("stage") == "request"]
    responses = [r for r in records if r.get("stage") == "response"]
    fetched = [r for r in responses if r.get("decision") == "allow"]
    denials = Counter(
        (str(r.get("stage")), str(r.get("check")), str(r.get("reason")))
        for r in records
        if r.get("decision") == "deny"
    )
    times = sorted(str(r.get("ts")) for r in records)
    lines = [
        f"# What Heed did on {bundle.domain}",
        "",
        f"Decisions about {bundle.domain} and its subdomains, from {len(bundle.logs)} "
        "decision log(s). Every decision Heed makes is written before the request is sent "
        "or the page kept.",
        "",
    ]
    if not records:
        lines += ["No request to this domain is on record in these logs.", ""]
        return "\n".join(lines)
    lines += [
        f"- First decision: {times[0]}; last: {times[-1]} (UTC).",
        f"- Requests considered: {len(requests)}; refused before download: "
        f"{sum(r.get('decision') == 'deny' for r in requests)}.",
        f"- Pages downloaded and kept: {len(fetched)}; downloaded and refused: "
        f"{len(responses) - len(fetched)}.",
        "",
        "## Who crawled",
        "",
    ]
    for header in bundle.headers:
        lines.append(
            f"- Run {header.get('run_id')}: product token {header.get('product_token')}, "
            f"user agent `{header.get('user_agent')}`, started {header.get('started_at')}."
        )
    lines += ["", "## Why requests or pages were refused", ""]
    if denials:
        lines += ["| stage | check | reason | count |", "|---|---|---|---|"]
        for (stage, check, reason), n in denials.most_common():
            lines.append(f"| {stage} | {check} | {reason} | {n} |")
    else:
        lines.append("Nothing was refused.")
    lines += ["", "## Every decision", "", "| time (UTC) | stage | decision | reason | URL |"]
    lines.append("|---|---|---|---|---|")
    for r in records[:SUMMARY_ROWS]:
        url = str(r.get("url")).replace("|", "%7C")
        lines.append(
            f"| {r.get('ts')} | {r.get('stage')} | {r.get('decision')} | {r.get('reason')} | "
            f"{url} |"
        )
    if len(records) > SUMMARY_ROWS:
        lines.append(f"\n{len(records) - SUMMARY_ROWS} more decisions are in records.jsonl.")
    lines += [
        "",
        "## How to check this",
        "",
        "`records.jsonl` holds the records exactly as the log holds them. Each file in `proofs/` "
        "proves, with RFC 9162 Merkle inclusion proofs, that those records are in the log whose "
        "checkpoint the crawler signed: `heed log verify-proof proofs/FILE --key KEY.pub`, "
        "with the verifier key the crawler operator publishes.",
        f"`policy-documents.warc.gz` holds the {bundle.documents} policy documents "
        "(robots.txt, tdmrep.json, ai.txt, licences) these decisions relied on, exactly as "
        "fetched and archived during the crawl; any WARC tool reads them, and each record's "
        "`doc_warc_record` names it.",
    ]
    if bundle.unproven:
        lines.append(
            f"\n{bundle.unproven} decisions came after the logs' last checkpoint and cannot be "
            "proven yet; they are left out."
        )
    lines += ["", "Logs:", "", *(f"- {log}" for log in bundle.logs), ""]
    return "\n".join(lines)
