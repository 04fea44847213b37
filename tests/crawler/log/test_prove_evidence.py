"""Inclusion proofs and the evidence bundle of one domain, checked offline with the key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.cli import main
from crawler.errors import LogReadError
from crawler.log.chain import chained_line
from crawler.log.checkpoint import generate_key, load_private_key
from crawler.log.evidence import write_evidence
from crawler.log.prove import prove, verify_proof, write_proof
from crawler.log.seal import SigningKey
from tests.crawler.log.sealed import URLS, sealed_log


@pytest.fixture
def key() -> SigningKey:
    pem, _ = generate_key("heed")
    return SigningKey("heed", load_private_key(pem))


@pytest.fixture
def pub(tmp_path: Path, key: SigningKey) -> Path:
    path = tmp_path / "heed.pub"
    path.write_text(key.verifier + "\n")
    return path


def test_a_proof_of_one_url_verifies_offline_and_holds_only_that_url(tmp_path, key, pub):
    log = sealed_log(tmp_path / "log.jsonl", 30, key=key)
    proof = tmp_path / "proof.json"
    write_proof(prove(log, lambda r: r.get("url") == URLS[2]), proof)
    checked = verify_proof(proof, key.verifier)
    urls = [r["url"] for r in checked.records if r["stage"] != "run"]
    assert urls and set(urls) == {URLS[2]}
    assert main(["log", "verify-proof", str(proof), "--key", str(pub)]) == 0


def test_an_edited_record_in_a_proof_fails(tmp_path, key, pub) -> None:
    log = sealed_log(tmp_path / "log.jsonl", 30, key=key)
    document = prove(log, lambda r: r.get("url") == URLS[0])
    entry = document["records"][1]
    record = json.loads(entry["record"])
    record["decision"] = "allow" if record["decision"] == "deny" else "deny"
    line = chained_line({k: v for k, v in record.items() if k != "hash"})[1]
    entry["record"] = line.decode().removesuffix("\n")
    write_proof(document, tmp_path / "proof.json")
    with pytest.raises(LogReadError, match="not in the signed log"):
        verify_proof(tmp_path / "proof.json", key.verifier)
    assert main(["log", "verify-proof", str(tmp_path / "proof.json"), "--key", str(pub)]) == 1


def test_a_proof_fails_with_another_key(tmp_path, key) -> None:
    log = sealed_log(tmp_path / "log.jsonl", 10, key=key)
    write_proof(prove(log, lambda r: True), tmp_path / "proof.json")
    other = generate_key("heed")[1]
    with pytest.raises(LogReadError, match="does not verify"):
        verify_proof(tmp_path / "proof.json", other)


def test_prove_prints_one_json_document(tmp_path, key, capsys) -> None:
    log = sealed_log(tmp_path / "log.jsonl", 10, key=key)
    assert main(["log", "prove", str(log), "--domain", "www.a.example"]) == 0
    document = json.loads(capsys.readouterr().out)
    hosts = {json.loads(e["record"])["url"] for e in document["records"][1:]}
    assert hosts == {URLS[0], URLS[1], URLS[3]}


def test_the_evidence_bundle_of_one_domain_holds_none_of_anothers_records(tmp_path, key) -> None:
    logs = [sealed_log(tmp_path / f"log{i}.jsonl", 40, f"run-{i}", key=key) for i in range(2)]
    bundle = write_evidence("a.example", logs, tmp_path / "out")
    written = [json.loads(line) for line in (tmp_path / "out/records.jsonl").open()]
    urls = {r["url"] for r in written if r["stage"] != "run"}
    assert urls == {URLS[0], URLS[1], URLS[3]}  # subdomains in; b.example, a.example.co.uk out
    assert len(bundle.records) == 2 * sum(1 for i in range(40) if i % 5 in (0, 1, 3))
    for proof in sorted((tmp_path / "out/proofs").iterdir()):
        assert verify_proof(proof, key.verifier).records
    summary = (tmp_path / "out/summary.md").read_text()
    assert "a.example" in summary and "b.example" not in summary
    assert "robots.disallowed" in summary


def test_evidence_and_export_by_domain_from_the_command_line(tmp_path, key, capsys) -> None:
    log = sealed_log(tmp_path / "log.jsonl", 20, key=key)
    assert main(["evidence", "b.example", str(log), "-o", str(tmp_path / "ev")]) == 0
    assert "4 decisions about b.example" in capsys.readouterr().out
    out = tmp_path / "b.jsonl"
    assert main(["log", "export", str(log), "-o", str(out), "--domain", "b.example"]) == 0
    assert {json.loads(line)["url"] for line in out.open()} == {URLS[2]}


def test_a_domain_never_crawled_gets_a_bundle_that_says_so(tmp_path, key) -> None:
    log = sealed_log(tmp_path / "log.jsonl", 5, key=key)
    bundle = write_evidence("c.example", [log], tmp_path / "ev")
    assert not bundle.records and not bundle.logs
    assert "No request to this domain" in (tmp_path / "ev/summary.md").read_text()
