"""TDMRep through one real crawl: the well-known file, header fields, meta elements, precedence.

Each case is its own origin on 127.0.0.1; one crawl visits them all (see optout_site).
"""

from __future__ import annotations

import json
import time

import pytest
from werkzeug import Request, Response

from tests.crawler.checks.optout_site import Site, crawl_sites, page

WELL_KNOWN = "/.well-known/tdmrep.json"
POLICY = "https://rights.example/policy.json"


def tdmrep(*rules: dict) -> tuple[str, dict, str]:
    return json.dumps(list(rules)), {}, "application/json"


def slow_reserving_file(request: Request) -> Response:
    time.sleep(0.5)
    body = json.dumps([{"location": "/", "tdm-reservation": 1}])
    return Response(body, mimetype="application/json")


SLOW_PATHS = [f"/p{i}" for i in range(20)]
# (header fields, head markup) -> (kept, reason of the response decision when denied)
FIELDS = {
    "header-reserves": ({"tdm-reservation": "1", "tdm-policy": POLICY}, ""),
    "header-name-any-case": ({"TDM-Reservation": "1"}, ""),
    "meta-reserves": ({}, '<meta name="tdm-reservation" content="1">'),
    "meta-zero-supersedes-header": (
        {"tdm-reservation": "1"},
        '<meta name="tdm-reservation" content="0">',
    ),
    "meta-one-supersedes-header-zero": (
        {"tdm-reservation": "0"},
        '<meta name="tdm-reservation" content="1">',
    ),
    "invalid-value-is-unset": ({"tdm-reservation": "2"}, ""),
    "duplicated-header-strictest": ({"tdm-reservation": ["0", "1"]}, ""),
    "meta-policy": (
        {},
        f'<meta name="tdm-reservation" content="1"><meta name="tdm-policy" content="{POLICY}">',
    ),
    "nothing": ({}, ""),
}
MALFORMED = {
    "invalid-json": b"{not json",
    "lone-object": b'{"location": "/", "tdm-reservation": 1}',
    "uppercase-keys": b'[{"Location": "/", "TDM-Reservation": "1"}]',
    "wrong-types": b'[{"location": ["/"], "tdm-reservation": 1}, 5, null, {"location": "/"}]',
    "absurd-nesting": b"[" * 20_000 + b"]" * 20_000,
    "binary": b"\xff\xfe\x00garbage",
    "larger-than-limit": json.dumps(
        [{"location": f"/d{i}/", "tdm-reservation": 0} for i in range(3000)]
    ).encode(),
}
SITES = {
    "file": Site(
        {
            WELL_KNOWN: tdmrep(
                {"location": "/reserved/", "tdm-reservation": 1, "tdm-policy": POLICY},
                {"location": "/open/", "tdm-reservation": 0},
            ),
            "/": page(["/reserved/a", "/open/b", "/other"]),
            "/reserved/a": page(),
            "/open/b": page(),
            "/other": page(),
        },
        ["/"],
    ),
    "fields": Site(
        {f"/{name}": (page(head=head), headers) for name, (headers, head) in FIELDS.items()},
        [f"/{name}" for name in FIELDS],
    ),
    "precedence": Site(
        {
            WELL_KNOWN: tdmrep({"location": "/", "tdm-reservation": 0, "tdm-policy": POLICY}),
            "/p": (page(), {"tdm-reservation": "1"}),
        }
    ),
    "pdf": Site(
        {"/doc.pdf": (b"%PDF-1.7 ...", {"tdm-reservation": "1"}, "application/pdf")},
        ["/doc.pdf"],
    ),
    "redirected": Site(
        {
            WELL_KNOWN: ("", {"Location": "/policy/tdm.json"}, "text/plain", 301),
            "/policy/tdm.json": tdmrep({"location": "/", "tdm-reservation": 1}),
            "/p": page(),
        }
    ),
    "slow": Site({WELL_KNOWN: slow_reserving_file, **{p: page() for p in SLOW_PATHS}}, SLOW_PATHS),
    **{
        f"malformed-{name}": Site({WELL_KNOWN: (body, {}, "application/json"), "/p": page()})
        for name, body in MALFORMED.items()
    },
    **{
        f"status-{status}": Site({WELL_KNOWN: ("no", {}, "text/plain", status), "/p": page()})
        for status in (404, 410, 500)
    },
}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    settings = {
        "HEED_TDMREP_MAX_BYTES": 50_000,
        "CONCURRENT_REQUESTS": 32,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
    }
    with crawl_sites(tmp_path_factory.mktemp("tdmrep"), SITES, settings) as crawl:
        yield crawl


def test_file_reservation_denies_before_the_fetch_and_records_the_policy(crawled) -> None:
    assert crawled.hits("file", "/reserved/a") == 0
    assert crawled.hits("file", WELL_KNOWN) == 1
    assert [crawled.kept("file", p) for p in ("/", "/open/b", "/other")] == [True] * 3
    deny = crawled.decision("file", "/reserved/a")
    assert (deny["decision"], deny["check"], deny["reason"]) == (
        "deny",
        "tdmrep",
        "tdmrep.reserved",
    )
    evidence = deny["evidence"]["tdmrep"]
    assert evidence["tdm-policy"] == POLICY and evidence["policy_from"] == "file"
    assert evidence["file"]["rule"] == 0 and evidence["file"]["doc_status"] == 200
    assert len(evidence["file"]["doc_sha256"]) == 64
    assert crawled.decision("file", "/open/b")["evidence"]["tdmrep"]["tdm-reservation"] == 0


def test_the_file_is_on_record_as_a_policy_document(crawled) -> None:
    doc = crawled.decision("file", WELL_KNOWN)
    assert doc["decision"] == "allow" and doc["reason"] == "tdmrep.policy_document"


@pytest.mark.parametrize(
    ("case", "reservation", "kept"),
    [
        ("header-reserves", 1, False),
        ("header-name-any-case", 1, False),
        ("meta-reserves", 1, False),
        ("meta-zero-supersedes-header", 0, True),
        ("meta-one-supersedes-header-zero", 1, False),
        ("invalid-value-is-unset", None, True),
        ("duplicated-header-strictest", 1, False),
        ("meta-policy", 1, False),
        ("nothing", None, True),
    ],
    ids=lambda v: str(v),
)
def test_header_and_meta_at_the_response_gate(crawled, case, reservation, kept) -> None:
    decision = crawled.decision("fields", f"/{case}", "response")
    assert decision["evidence"]["tdmrep"]["tdm-reservation"] == reservation
    assert crawled.kept("fields", f"/{case}") is kept
    assert decision["decision"] == ("allow" if kept else "deny")
    if not kept:
        assert (decision["check"], decision["reason"]) == ("tdmrep", "tdmrep.reserved")


def test_policy_url_from_the_header_or_meta_is_evidence(crawled) -> None:
    for case, source in (("header-reserves", "header"), ("meta-policy", "html")):
        evidence = crawled.decision("fields", f"/{case}", "response")["evidence"]["tdmrep"]
        assert (evidence["tdm-policy"], evidence["policy_from"]) == (POLICY, source)


def test_header_supersedes_the_files_zero_and_the_files_policy_is_kept(crawled) -> None:
    decision = crawled.decision("precedence", "/p", "response")
    assert decision["reason"] == "tdmrep.reserved" and not crawled.kept("precedence", "/p")
    evidence = decision["evidence"]["tdmrep"]
    assert evidence["reservation_from"] == "header" and evidence["policy_from"] == "file"
    assert evidence["tdm-policy"] == POLICY


def test_reserved_pdf_by_header_is_denied_without_html(crawled) -> None:
    assert crawled.decision("pdf", "/doc.pdf", "response")["reason"] == "tdmrep.reserved"
    assert not crawled.kept("pdf", "/doc.pdf")


def test_redirected_file_is_followed(crawled) -> None:
    evidence = crawled.decision("redirected", "/p")["evidence"]["tdmrep"]["file"]
    assert evidence["doc_redirects"] == [crawled.url("redirected", "/policy/tdm.json")]
    assert crawled.hits("redirected", "/p") == 0


def test_slow_file_is_fetched_once_and_no_waiting_request_slips_through(crawled) -> None:
    assert crawled.hits("slow", WELL_KNOWN) == 1
    assert sum(crawled.hits("slow", p) for p in SLOW_PATHS) == 0
    assert {crawled.decision("slow", p)["reason"] for p in SLOW_PATHS} == {"tdmrep.reserved"}


@pytest.mark.parametrize(
    ("case", "reservation", "valid"),
    [
        ("invalid-json", None, False),
        ("lone-object", 1, True),
        ("uppercase-keys", 1, True),
        ("wrong-types", None, True),
        ("absurd-nesting", None, False),
        ("binary", None, False),
    ],
    ids=lambda v: str(v),
)
def test_malformed_file_never_crashes_and_is_logged(crawled, case, reservation, valid) -> None:
    decision = crawled.decision(f"malformed-{case}", "/p")
    evidence = decision["evidence"]["tdmrep"]
    assert evidence["tdm-reservation"] == reservation
    assert evidence["file"]["valid"] is valid and evidence["file"]["doc_status"] == 200
    assert evidence["file"].get("problems")
    assert decision["decision"] == ("deny" if reservation == 1 else "allow")


def test_file_larger_than_the_limit_denies_its_origin(crawled) -> None:
    decision = crawled.decision("malformed-larger-than-limit", "/p")
    assert decision["reason"] == "tdmrep.unreadable"
    assert decision["evidence"]["tdmrep"]["file"]["doc_truncated"] is True
    assert crawled.hits("malformed-larger-than-limit", "/p") == 0


@pytest.mark.parametrize("status", [404, 410, 500], ids=str)
def test_no_file_means_the_protocol_is_not_used(crawled, status) -> None:
    decision = crawled.decision(f"status-{status}", "/p")
    assert decision["decision"] == "allow"
    assert decision["evidence"]["tdmrep"]["file"]["valid"] is False
    assert crawled.kept(f"status-{status}", "/p")
