"""Real crawls: every policy document fetched is kept in a WARC file beside the decision log,
named by the evidence, and ``heed log verify --replay`` re-derives the robots.txt decisions."""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.warcwriter import WARCWriter

from crawler.cli import main
from tests.crawler.checks.test_robots_gate import HTML, page, serve_pages

ROBOTS = "User-agent: *\nDisallow: /private/\n"
TDMREP = '[{"location": "/", "tdm-reservation": 0}]'
AITXT = "User-Agent: *\nAllow: /\n"


def site(make_server):  # type: ignore[no-untyped-def]
    server = make_server()
    server.expect_request("/robots.txt").respond_with_data(
        "", status=301, headers={"Location": "/moved/robots.txt"}
    )
    server.expect_request("/moved/robots.txt").respond_with_data(ROBOTS, content_type="text/plain")
    server.expect_request("/.well-known/tdmrep.json").respond_with_data(
        TDMREP, content_type="application/json"
    )
    server.expect_request("/ai.txt").respond_with_data(AITXT, content_type="text/plain")
    server.expect_request("/").respond_with_data(
        page(["/open", "/private/x", "/private/y"]), content_type=HTML
    )
    serve_pages(server, ["/open", "/private/x", "/private/y"])
    return server


def records(path: Path) -> list[Any]:
    """Every record of a WARC file, its payload read (and its digests checked) by warcio."""
    with path.open("rb") as handle:
        found = []
        for record in ArchiveIterator(handle, check_digests="raise"):
            record.payload = record.content_stream().read()
            found.append(record)
        return found


def b32_sha256(payload: bytes) -> str:
    return "sha256:" + base64.b32encode(hashlib.sha256(payload).digest()).decode()


def test_every_policy_fetch_and_redirect_hop_is_archived_and_named_by_the_evidence(
    make_server, crawl
) -> None:
    server = site(make_server)
    result = crawl([server.url_for("/")], settings={"HEED_AITXT": True})
    assert result.returncode == 0, result.stderr
    warc = result.log_path.with_name("decisions.warc.gz")
    assert warc.exists()
    stored = records(warc)
    assert stored[0].rec_type == "warcinfo"
    responses = {
        r.rec_headers.get_header("WARC-Target-URI"): r
        for r in stored[1:]
        if r.rec_type == "response"
    }
    requests = [r for r in stored if r.rec_type == "request"]
    fetched = {
        server.url_for(p)
        for p in ("/robots.txt", "/moved/robots.txt", "/.well-known/tdmrep.json", "/ai.txt")
    }
    assert set(responses) == fetched
    # Once per fetch: one request record for each response, linked to it.
    assert len(requests) == len(responses)
    ids = {r.rec_headers.get_header("WARC-Record-ID") for r in responses.values()}
    assert {r.rec_headers.get_header("WARC-Concurrent-To") for r in requests} == ids
    for record in requests:
        assert record.http_headers.get_header("User-Agent").startswith("HeedTestBot/")
    for record in responses.values():
        assert record.rec_headers.get_header("WARC-Payload-Digest") == b32_sha256(record.payload)
    robots = responses[server.url_for("/moved/robots.txt")]
    assert robots.payload == ROBOTS.encode()
    hop = responses[server.url_for("/robots.txt")]
    assert hop.http_headers.get_statuscode() == "301"

    deny = result.decision_for(server.url_for("/private/x"))
    evidence = deny["evidence"]["robots"]
    assert evidence["doc_warc"] == "decisions.warc.gz"
    assert evidence["doc_warc_record"] == robots.rec_headers.get_header("WARC-Record-ID")
    assert evidence["doc_warc_hops"] == [hop.rec_headers.get_header("WARC-Record-ID")]
    assert evidence["doc_sha256"] == hashlib.sha256(robots.payload).hexdigest()
    tdmrep = responses[server.url_for("/.well-known/tdmrep.json")]
    open_page = result.decision_for(server.url_for("/open"))
    assert open_page["evidence"]["tdmrep"]["file"]["doc_warc_record"] == (
        tdmrep.rec_headers.get_header("WARC-Record-ID")
    )
    assert tdmrep.payload == TDMREP.encode()


def rewrite_robots(warc: Path, old: bytes, new: bytes, *, fix_digest: bool) -> None:
    """Rewrite ``warc`` with every robots.txt payload edited, record ids kept; ``fix_digest``
    writes a matching WARC-Payload-Digest, as a careful forger would."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    for record in records(warc):
        payload = record.payload
        headers = record.rec_headers
        if record.rec_type == "response" and old in payload:
            payload = payload.replace(old, new)
            if fix_digest:
                headers.replace_header("WARC-Payload-Digest", b32_sha256(payload))
            headers.remove_header("WARC-Block-Digest")
            record.http_headers.replace_header("Content-Length", str(len(payload)))
        rebuilt = writer.create_warc_record(
            headers.get_header("WARC-Target-URI") or "",
            record.rec_type,
            payload=io.BytesIO(payload),
            length=len(payload),
            warc_headers=headers,
            http_headers=record.http_headers,
        )
        writer.write_record(rebuilt)
    warc.write_bytes(out.getvalue())


def test_replay_reproduces_every_robots_decision_and_flags_an_edited_robots_txt(
    make_server, crawl, capsys
) -> None:
    server = site(make_server)
    result = crawl([server.url_for("/")])
    assert result.returncode == 0, result.stderr
    robots_decisions = [
        r for r in result.decisions("request") if "doc_warc" in r["evidence"].get("robots", {})
    ]
    assert {r["findings"]["robots"]["reason"] for r in robots_decisions} >= {
        "robots.disallow",
        "robots.no_rule",
    }
    log = str(result.log_path)
    assert main(["log", "verify", "--replay", log]) == 0
    assert "replay" not in capsys.readouterr().err

    warc = result.log_path.with_name("decisions.warc.gz")
    rewrite_robots(warc, b"Disallow: /private/", b"Disallow: /nothing/", fix_digest=True)
    assert main(["log", "verify", log]) == 0  # the chain alone cannot see it
    assert main(["log", "verify", "--replay", log]) == 1
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if ": replay: " in line]
    assert len(lines) == len(robots_decisions)
    assert all("does not match doc_sha256" in line for line in lines)
    denied_line = next(
        i + 1
        for i, line in enumerate(result.log_path.read_text().splitlines())
        if json.loads(line).get("url") == server.url_for("/private/x")
        and json.loads(line)["stage"] == "request"
    )
    assert f"{log}:{denied_line}: replay: " in err


def test_replay_flags_a_payload_that_no_longer_matches_its_warc_digest(
    make_server, crawl, capsys
) -> None:
    server = site(make_server)
    result = crawl([server.url_for("/")])
    assert result.returncode == 0, result.stderr
    warc = result.log_path.with_name("decisions.warc.gz")
    rewrite_robots(warc, b"/private/", b"/elsewhere", fix_digest=False)
    assert main(["log", "verify", "--replay", str(result.log_path)]) == 1
    assert "does not match WARC-Payload-Digest" in capsys.readouterr().err


def test_replay_flags_a_missing_archive(make_server, crawl, capsys) -> None:
    server = site(make_server)
    result = crawl([server.url_for("/")])
    result.log_path.with_name("decisions.warc.gz").unlink()
    assert main(["log", "verify", "--replay", str(result.log_path)]) == 1
    assert "decisions.warc.gz unreadable" in capsys.readouterr().err


def test_a_refused_start_leaves_no_archive(make_server, crawl) -> None:
    server = site(make_server)
    result = crawl([server.url_for("/")], settings={"HEED_BLOCKLISTS": ["missing.yaml"]})
    assert result.returncode == 2
    assert not list(result.log_path.parent.glob("*.warc*"))


def test_an_archive_that_cannot_be_written_stops_the_crawl_with_a_non_zero_exit(
    make_server, crawl, tmp_path
) -> None:
    server = site(make_server)
    workdir = tmp_path / "crawl0"
    (workdir / "decisions.warc.gz").mkdir(parents=True)  # the archive's name, taken
    result = crawl([server.url_for("/")])
    assert result.returncode == 1, result.stderr[-3000:]
    assert "policy archive" in result.stderr
    # The first robots.txt response could not be kept: nothing after it is fetched.
    assert [request.path for request, _ in server.log] == ["/robots.txt"]
    assert not result.items


def test_the_archived_payload_is_the_body_as_parsed_decoded_and_cut(
    make_server, crawl, capsys
) -> None:
    server = make_server()
    robots = ("User-agent: *\nDisallow: /private/\n" + "# padding\n" * 50).encode()
    server.expect_request("/robots.txt").respond_with_data(
        gzip.compress(robots), content_type="text/plain", headers={"Content-Encoding": "gzip"}
    )
    server.expect_request("/").respond_with_data(page(["/private/x"]), content_type=HTML)
    result = crawl([server.url_for("/")], settings={"HEED_ROBOTS_MAX_BYTES": 100})
    assert result.returncode == 0, result.stderr
    stored = next(
        r
        for r in records(result.log_path.with_name("decisions.warc.gz"))
        if r.rec_type == "response"
    )
    assert stored.payload == robots[:100]
    assert stored.http_headers.get_header("Content-Encoding") is None
    assert stored.http_headers.get_header("Content-Length") == "100"
    evidence = result.decision_for(server.url_for("/private/x"))["evidence"]["robots"]
    assert evidence["doc_truncated"] is True
    assert evidence["doc_sha256"] == hashlib.sha256(robots[:100]).hexdigest()
    assert main(["log", "verify", "--replay", str(result.log_path)]) == 0


def test_an_evidence_bundle_carries_the_policy_documents_its_decisions_relied_on(
    make_server, crawl, tmp_path
) -> None:
    server = site(make_server)
    result = crawl([server.url_for("/")])
    assert result.returncode == 0, result.stderr
    out = tmp_path / "bundle"
    assert main(["evidence", "127.0.0.1", str(result.log_path), "-o", str(out)]) == 0
    kept = records(out / "policy-documents.warc.gz")  # digests checked by warcio
    responses = [r for r in kept if r.rec_type == "response"]
    requests = [r for r in kept if r.rec_type == "request"]
    urls = {r.rec_headers.get_header("WARC-Target-URI") for r in responses}
    assert server.url_for("/moved/robots.txt") in urls and server.url_for("/robots.txt") in urls
    assert len(requests) == len(responses)
    robots = next(
        r
        for r in responses
        if r.rec_headers.get_header("WARC-Target-URI") == server.url_for("/moved/robots.txt")
    )
    assert robots.payload == ROBOTS.encode()
    assert "policy documents" in (out / "summary.md").read_text()
