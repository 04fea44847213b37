"""Re-derive every robots.txt decision of a log from the robots.txt files archived beside it.

The verdict is computed again with the functions the crawl used (``reservations.robots_policy``),
the run header's product token and the archived payload, and compared with what the log says:
the check's decision and reason, the group and rule it cites, and the fetch evidence. A decision
that cannot be reproduced, an archived payload whose digest no longer matches, or a record the
archive lacks, is a problem. Reading is bounded: a payload larger than any robots.txt the crawl
keeps is not read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from crawler.log.archive import payload_digest
from crawler.log.read import BadLine, read_log
from reservations.robots_policy import RobotsState, robots_state, robots_verdict

# Far above HEED_ROBOTS_MAX_BYTES' useful range: a larger payload was not written by a crawl.
MAX_PAYLOAD = 16 * 1024 * 1024


@dataclass(frozen=True)
class Stored:
    """One archived response: its HTTP status and payload, or why it cannot be relied on."""

    status: int | None
    payload: bytes
    problem: str | None = None

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.payload).hexdigest()


Archive = dict[str, Stored]


def read_archive(path: Path) -> Archive | str:
    """The response records of a WARC file by ``WARC-Record-ID``, or why it cannot be read."""
    found: Archive = {}
    try:
        with path.open("rb") as handle:
            for record in ArchiveIterator(handle):
                if record.rec_type == "response":
                    record_id = record.rec_headers.get_header("WARC-Record-ID")
                    found[str(record_id)] = _stored(record)
    except (OSError, ArchiveLoadFailed, ValueError, EOFError) as exc:
        return f"archive {path.name} unreadable: {exc}"
    return found


def _stored(record: Any) -> Stored:
    # The raw payload, exactly as stored: never decoded again by WARC-side headers.
    payload: bytes = record.raw_stream.read(MAX_PAYLOAD + 1)
    code = record.http_headers.get_statuscode() if record.http_headers else None
    status = int(code) if code and code.isdigit() else None
    if len(payload) > MAX_PAYLOAD:
        return Stored(status, b"", f"payload larger than {MAX_PAYLOAD} bytes")
    declared = record.rec_headers.get_header("WARC-Payload-Digest")
    if declared != payload_digest(payload):
        return Stored(status, payload, f"payload does not match WARC-Payload-Digest {declared}")
    return Stored(status, payload)


def replay_log(path: Path) -> Iterator[str]:
    """``FILE:LINE: replay: problem`` for every robots.txt decision of ``path`` that its
    archived robots.txt does not reproduce. A log whose chain is broken is replayed up to the
    break (verify reports the break itself)."""
    replayer = _Replayer(path.parent)
    try:
        for lineno, record in enumerate(read_log(path, seals=True), start=1):
            if record.get("stage") == "run":
                replayer.token = str(record.get("product_token", ""))
                continue
            robots = _robots_evidence(record)
            if robots is None:
                continue
            problem = replayer.replay(record, robots)
            if problem:
                yield f"{path}:{lineno}: replay: {problem}"
    except BadLine:
        return


def _robots_evidence(record: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The robots.txt evidence of a request decision that names an archived document."""
    if record.get("stage") != "request":
        return None
    evidence = record.get("evidence")
    robots = evidence.get("robots") if isinstance(evidence, Mapping) else None
    if isinstance(robots, Mapping) and "doc_warc" in robots:
        return robots
    return None


class _Replayer:
    """The archives of one log's folder, each read once, and each archived robots.txt parsed
    once (the decisions on one fetch all name the same fetch fields)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.token = ""
        self.archives: dict[str, Archive | str] = {}
        self.states: dict[tuple[str, str], RobotsState] = {}

    def replay(self, record: Mapping[str, Any], robots: Mapping[str, Any]) -> str | None:
        name, record_id = robots.get("doc_warc"), str(robots.get("doc_warc_record"))
        if not isinstance(name, str) or not name or Path(name).name != name:
            return f"doc_warc {name!r} is not a file beside the log"
        if name not in self.archives:
            self.archives[name] = read_archive(self.folder / name)
        archive = self.archives[name]
        if isinstance(archive, str):
            return archive
        stored = archive.get(record_id)
        if stored is None:
            return f"{name} holds no response record {record_id}"
        if stored.problem:
            return f"{name} {record_id}: {stored.problem}"
        if stored.sha256 != robots.get("doc_sha256"):
            return f"{name} {record_id}: archived payload does not match doc_sha256"
        fetch = {k: v for k, v in robots.items() if k.startswith("doc_")}
        state = self.states.get((name, record_id))
        if state is None or state.evidence != fetch:
            state = robots_state(stored.status, robots.get("doc_error"), stored.payload, fetch)
            self.states[(name, record_id)] = state
        verdict = robots_verdict(state, str(record.get("url")), self.token)
        findings = record.get("findings")
        logged = findings.get("robots") if isinstance(findings, Mapping) else None
        replayed = {"decision": verdict.decision, "reason": verdict.reason}
        if logged != replayed:
            return (
                f"logged robots {_outcome(logged)}, archived robots.txt gives {_outcome(replayed)}"
            )
        differing = sorted(
            k for k in {*verdict.evidence, *robots} if verdict.evidence.get(k) != robots.get(k)
        )
        if differing:
            return "robots evidence not reproduced: " + ", ".join(differing)
        return None


def _outcome(finding: Any) -> str:
    if not isinstance(finding, Mapping):
        return "nothing"
    return f"{finding.get('decision')} ({finding.get('reason')})"
