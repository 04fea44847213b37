"""``verify_log`` on sealed logs: complete, incomplete, and every kind of tampering, with a
key, with a checkpoint file, and with neither (docs/decision-log.md states the same)."""

from __future__ import annotations

import json
import stat
from collections import Counter
from pathlib import Path

import pytest

from crawler.cli import main
from crawler.log.chain import canonical_json, chained_line
from crawler.log.checkpoint import generate_key, load_private_key
from crawler.log.seal import Sealer, SigningKey, log_origin, write_key_pair
from crawler.log.verify import Anchors, State, verify_log
from tests.crawler.log.sealed import decide, open_sealed, sealed_log


def new_key(name: str = "heed") -> SigningKey:
    pem, _ = generate_key(name)
    return SigningKey(name, load_private_key(pem))


@pytest.fixture
def key() -> SigningKey:
    return new_key()


def lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def forged(after: bytes, fields: dict[str, object]) -> bytes:
    """A record correctly chained after the line ``after``, as a forger would write it."""
    last = json.loads(after)
    record = {**fields, "seq": last["seq"] + 1, "prev": last["hash"], "ts": last["ts"]}
    return chained_line(record)[1]


def cut(path: Path, n: int) -> None:
    path.write_bytes(b"".join(lines(path)[:-n]))


DECISION = {"url": "http://a.example/x", "stage": "request", "decision": "allow"}


def test_a_closed_log_is_complete_and_says_its_checkpoints_are_unsigned(tmp_path) -> None:
    result = verify_log(sealed_log(tmp_path / "log.jsonl"))
    assert result.state is State.COMPLETE, result.describe()
    assert "unsigned" in result.describe()


def test_a_signed_log_is_complete_with_its_key_and_with_none(tmp_path, key) -> None:
    path = sealed_log(tmp_path / "log.jsonl", key=key)
    assert verify_log(path, key=key.verifier).state is State.COMPLETE
    assert "not checked" in verify_log(path).describe()


def test_checkpoints_come_every_n_records_and_in_the_closing_record(tmp_path) -> None:
    records = [json.loads(line) for line in lines(sealed_log(tmp_path / "log.jsonl", 10))]
    stages = [r["stage"] for r in records]
    assert stages.count("checkpoint") == 2 and stages[-1] == "close"
    close = records[-1]
    assert close["last_seq"] == close["seq"] == len(records) - 1
    assert close["counts"] == {"allow": 6, "deny": 4}
    assert close["finish_reason"] == "finished"
    assert close["checkpoint"].split("\n")[:2] == [log_origin("run-a"), str(close["seq"])]


@pytest.mark.parametrize("n", [1, 2, 10])
def test_a_cut_tail_is_incomplete_without_key_or_checkpoint_file(tmp_path, n) -> None:
    path = sealed_log(tmp_path / "log.jsonl")
    cut(path, n)
    result = verify_log(path)
    assert result.state is State.INCOMPLETE
    assert result.describe().startswith(f"{path}: incomplete: no closing record")


@pytest.mark.parametrize("n", [1, 10])
def test_a_cut_tail_is_broken_against_the_checkpoint_file(tmp_path, n) -> None:
    anchor = tmp_path / "checkpoints.jsonl"
    path = sealed_log(tmp_path / "log.jsonl", anchor=anchor)
    cut(path, n)
    result = verify_log(path, anchors=Anchors.read(anchor, None))
    assert result.state is State.BROKEN
    assert "cut" in (result.problem or "") or "no closing record" in (result.problem or "")


def test_a_killed_crawl_matching_its_checkpoints_is_only_incomplete(tmp_path, key) -> None:
    anchor = tmp_path / "checkpoints.jsonl"
    log, sealer = open_sealed(tmp_path / "log.jsonl", key=key, anchor=anchor)
    decide(log, sealer, 10, Counter())
    log.close()  # killed: no closing record
    result = verify_log(log.path, key=key.verifier, anchors=Anchors.read(anchor, key.verifier))
    assert result.state is State.INCOMPLETE, result.describe()


@pytest.mark.parametrize("use_key", [False, True])
def test_a_forged_record_appended_after_the_close_is_tampering(tmp_path, key, use_key) -> None:
    path = sealed_log(tmp_path / "log.jsonl", key=key)
    content = lines(path)
    path.write_bytes(b"".join(content) + forged(content[-1], DECISION))
    result = verify_log(path, key=key.verifier if use_key else None)
    assert result.state is State.BROKEN
    assert result.line == len(content) + 1
    assert "after the closing record" in (result.problem or "")


def _reclose(path: Path, key: SigningKey | None, extra: int) -> None:
    """A forger's extension: drop the closing record, append decisions, close again."""
    content = lines(path)[:-1]
    for _ in range(extra):
        content.append(forged(content[-1], DECISION))
    path.write_bytes(b"".join(content))
    # The forger knows the format: rebuild the tree and seal it as the writer would.
    from crawler.log.chain import DecisionLog

    copy = path.with_suffix(".forged")
    log = DecisionLog(copy, fsync_every=0)
    for raw in content:
        record = json.loads(raw)
        log.write({k: v for k, v in record.items() if k not in ("seq", "prev", "hash")})
    counts = Counter(json.loads(r).get("decision") for r in content if b'"decision"' in r)
    Sealer(log, log_origin("run-a"), key=key).close("finished", counts)
    log.close()
    copy.replace(path)


def _edit_finish_reason(path: Path, in_note: bool) -> None:
    """A forger's edit of the closing record's finish reason (its hash recomputed), and, with
    ``in_note``, of the final checkpoint's line that names it too."""
    content = lines(path)
    record = json.loads(content[-1])
    record["finish_reason"] = "shutdown"
    if in_note:
        named = '"finish_reason":"finished"'
        assert named in record["checkpoint"]
        record["checkpoint"] = record["checkpoint"].replace(named, '"finish_reason":"shutdown"')
    content[-1] = chained_line({k: v for k, v in record.items() if k != "hash"})[1]
    path.write_bytes(b"".join(content))


@pytest.mark.parametrize(
    ("in_note", "plain"),
    [(False, State.BROKEN), (True, State.COMPLETE)],
    ids=["record-only", "record-and-checkpoint"],
)
def test_the_final_checkpoint_signs_the_closing_records_finish_reason(
    tmp_path, key, in_note, plain
) -> None:
    anchor = tmp_path / "checkpoints.jsonl"
    path = sealed_log(tmp_path / "log.jsonl", key=key, anchor=anchor)
    _edit_finish_reason(path, in_note)
    assert verify_log(path).state is plain  # without a key, an edited note is not noticed
    with_key = verify_log(path, key=key.verifier)
    assert with_key.state is State.BROKEN, with_key.describe()
    with_file = verify_log(path, anchors=Anchors.read(anchor, None))
    assert with_file.state is State.BROKEN, with_file.describe()


def test_a_log_closed_before_the_checkpoint_signed_the_close_still_verifies(tmp_path, key) -> None:
    log, sealer = open_sealed(tmp_path / "log.jsonl", key=key)
    counts: Counter[str] = Counter()
    decide(log, sealer, 10, counts)
    fields = {"counts": dict(sorted(counts.items())), "last_seq": log.records}
    log.write({"url": None, "stage": "close", "finish_reason": "finished", **fields,
               "checkpoint": sealer.note()})  # fmt: skip
    log.close()
    assert verify_log(log.path, key=key.verifier).state is State.COMPLETE


def test_an_extended_and_resealed_log_fails_with_the_key_and_the_checkpoint_file(
    tmp_path, key
) -> None:
    anchor = tmp_path / "checkpoints.jsonl"
    path = sealed_log(tmp_path / "log.jsonl", key=key, anchor=anchor)
    _reclose(path, None, 3)
    # Without a key or checkpoint file, a forger who reseals leaves a consistent log.
    assert verify_log(path).state is State.COMPLETE
    assert verify_log(path, key=key.verifier).state is State.BROKEN
    result = verify_log(path, anchors=Anchors.read(anchor, None))
    assert result.state is State.BROKEN, result.describe()


def test_a_log_rewritten_with_another_key_fails_with_the_right_key(tmp_path, key) -> None:
    anchor = tmp_path / "checkpoints.jsonl"
    path = sealed_log(tmp_path / "log.jsonl", key=key, anchor=anchor)
    _reclose(path, new_key(), 0)  # same records, sealed by another key
    result = verify_log(path, key=key.verifier)
    assert result.state is State.BROKEN
    assert "checkpoint_unknown_key" in (result.problem or "")
    assert verify_log(path, key=new_key().verifier).state is State.BROKEN


def test_another_crawls_log_fails_against_this_crawls_checkpoint_file(tmp_path, key) -> None:
    anchor = tmp_path / "checkpoints.jsonl"
    sealed_log(tmp_path / "ours.jsonl", run_id="run-a", key=key, anchor=anchor)
    theirs = sealed_log(tmp_path / "theirs.jsonl", run_id="run-b", key=key)
    result = verify_log(theirs, key=key.verifier, anchors=Anchors.read(anchor, key.verifier))
    assert result.state is State.BROKEN
    assert "another crawl's log" in (result.problem or "")


def test_another_crawls_log_signed_with_another_key_fails_with_the_key(tmp_path, key) -> None:
    theirs = sealed_log(tmp_path / "theirs.jsonl", run_id="run-b", key=new_key())
    assert verify_log(theirs, key=key.verifier).state is State.BROKEN


def test_records_swapped_in_from_another_run_break_the_checkpoint(tmp_path) -> None:
    ours = sealed_log(tmp_path / "ours.jsonl", run_id="run-a")
    theirs = sealed_log(tmp_path / "theirs.jsonl", run_id="run-b")
    content = lines(theirs)
    content[0] = lines(ours)[0]  # our header on their records
    theirs.write_bytes(b"".join(content))
    assert verify_log(theirs).state is State.BROKEN


@pytest.mark.parametrize("use_key", [False, True])
def test_a_duplicated_key_is_tampering_though_the_hash_matches(tmp_path, key, use_key) -> None:
    path = sealed_log(tmp_path / "log.jsonl", key=key)
    content = lines(path)
    index = next(i for i, r in enumerate(content) if b'"decision":"allow"' in r)
    content[index] = content[index].replace(b'{"check"', b'{"decision":"deny","check"', 1)
    path.write_bytes(b"".join(content))
    record = json.loads(content[index])
    assert record["decision"] == "allow"  # Python keeps the last: the hash still matches
    result = verify_log(path, key=key.verifier if use_key else None)
    assert result.state is State.BROKEN
    assert result.line == index + 1
    assert "canonical" in (result.problem or "")


@pytest.mark.parametrize("use_key", [False, True])
def test_non_canonical_spacing_is_tampering(tmp_path, key, use_key) -> None:
    path = sealed_log(tmp_path / "log.jsonl", key=key)
    content = lines(path)
    record = json.loads(content[3])
    content[3] = (json.dumps(record, sort_keys=True, ensure_ascii=False) + "\n").encode()
    path.write_bytes(b"".join(content))
    result = verify_log(path, key=key.verifier if use_key else None)
    assert (result.state, result.line) == (State.BROKEN, 4)
    assert "canonical" in (result.problem or "")


def test_a_checkpoint_that_does_not_match_the_records_before_it_is_tampering(tmp_path) -> None:
    path = sealed_log(tmp_path / "log.jsonl")
    content = lines(path)
    index = next(i for i, r in enumerate(content) if b'"stage":"checkpoint"' in r)
    record = json.loads(content[index])
    body = record["checkpoint"].split("\n")
    body[1] = str(int(body[1]) - 1)
    fields = {k: v for k, v in record.items() if k not in ("hash",)}
    fields["checkpoint"] = "\n".join(body)
    content[index] = chained_line(fields)[1]
    path.write_bytes(b"".join(content[: index + 1]))
    result = verify_log(path)
    assert (result.state, result.line) == (State.BROKEN, index + 1)
    assert "does not match" in (result.problem or "")


def test_an_unsigned_log_fails_with_a_key(tmp_path, key) -> None:
    path = sealed_log(tmp_path / "log.jsonl")
    result = verify_log(path, key=key.verifier)
    assert result.state is State.BROKEN
    assert "checkpoint_unsigned" in (result.problem or "")


def test_the_checkpoint_file_holds_every_checkpoint_of_the_log(tmp_path, key) -> None:
    anchor = tmp_path / "checkpoints.jsonl"
    path = sealed_log(tmp_path / "log.jsonl", key=key, anchor=anchor)
    in_log = [json.loads(r)["checkpoint"] for r in lines(path) if b'"checkpoint":' in r]
    kept = [json.loads(line) for line in anchor.read_text().splitlines()]
    assert [k["note"] for k in kept] == in_log
    assert kept[-1]["stage"] == "close"
    assert verify_log(path, key=key.verifier, anchors=Anchors.read(anchor, key.verifier)).ok


def test_keygen_writes_a_private_key_only_its_owner_reads_and_a_verifier_key(tmp_path) -> None:
    assert main(["log", "keygen", "-o", str(tmp_path / "signer")]) == 0
    private = tmp_path / "signer"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    verifier = (tmp_path / "signer.pub").read_text().strip()
    assert verifier.startswith("heed+")
    path = sealed_log(tmp_path / "log.jsonl", key=SigningKey.load(private))
    assert verify_log(path, key=verifier).ok
    with pytest.raises(Exception, match="cannot create the key"):
        write_key_pair(private)


def test_verify_exit_codes_tell_complete_broken_and_incomplete_apart(tmp_path, key, capsys):
    complete = sealed_log(tmp_path / "complete.jsonl", key=key)
    incomplete = sealed_log(tmp_path / "incomplete.jsonl", key=key)
    cut(incomplete, 1)
    pub = tmp_path / "key.pub"
    pub.write_text(key.verifier + "\n")
    assert main(["log", "verify", "--key", str(pub), str(complete)]) == 0
    assert main(["log", "verify", "--key", str(pub), str(complete), str(incomplete)]) == 4
    out, err = capsys.readouterr()
    assert f"{complete}: OK" in out and f"{incomplete}: incomplete: " in err  # diagnostics
    broken = sealed_log(tmp_path / "broken.jsonl")
    assert main(["log", "verify", "--key", str(pub), str(broken), str(incomplete)]) == 1
    assert f"{broken}:5: checkpoint: the note is not signed" in capsys.readouterr().err


def test_canonical_json_round_trips_the_written_lines(tmp_path) -> None:
    for raw in lines(sealed_log(tmp_path / "log.jsonl")):
        assert (canonical_json(json.loads(raw)) + "\n").encode() == raw


def test_a_cut_signed_log_is_incomplete_with_its_key(tmp_path, key) -> None:
    path = sealed_log(tmp_path / "log.jsonl", key=key)
    cut(path, 3)
    assert verify_log(path, key=key.verifier).state is State.INCOMPLETE


def test_the_writer_notices_its_file_removed_renamed_or_replaced(tmp_path) -> None:
    from crawler.log.chain import DecisionLog

    for change, problem in [
        (lambda p: p.unlink(), "removed or renamed"),
        (lambda p: p.rename(p.with_suffix(".moved")), "removed or renamed"),
        (lambda p: (p.with_suffix(".new").write_text("x\n"), p.with_suffix(".new").replace(p)),
         "replaced"),
    ]:  # fmt: skip
        path = tmp_path / f"log{len(list(tmp_path.iterdir()))}.jsonl"
        log = DecisionLog(path, fsync_every=0, fsync_seconds=3600)
        log.write_header({})
        assert log.check() is None
        change(path)
        assert problem in (log.check() or "")
        with pytest.raises(Exception, match=problem):
            log.write(DECISION)
        log.close()


def test_no_file_exists_until_the_first_record(tmp_path) -> None:
    from crawler.log.chain import DecisionLog

    log = DecisionLog(tmp_path / "later" / "log.jsonl")
    assert not (tmp_path / "later").exists()
    log.close()
    assert not (tmp_path / "later" / "log.jsonl").exists()
