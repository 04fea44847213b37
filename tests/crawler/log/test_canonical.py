"""One canonical form, however it is computed: the fast encoder and decoder never change a byte
of what the standard library's canonical encoder writes, or what a reader accepts."""

from __future__ import annotations

import collections
import enum
import hashlib
import json
import random
from pathlib import Path
from typing import Any

import pytest

from crawler.log.chain import DecisionLog, canonical_bytes, canonical_json, record_hash
from crawler.log.read import read_log
from crawler.log.verify import State, verify_log


class Text(str):
    pass


class Number(enum.IntEnum):
    ONE = 1


def _every_code_point() -> list[str]:
    """Every Unicode scalar value, a few thousand to a string."""
    points = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    return ["".join(points[i : i + 4096]) for i in range(0, len(points), 4096)]


def _random_keys(rnd: random.Random) -> dict[str, int]:
    alphabet = [chr(c) for c in (0x41, 0x61, 0x7F, 0xE9, 0x7FF, 0x800, 0xFFFF, 0x10000, 0x10FFFF)]
    return {"".join(rnd.choices(alphabet, k=rnd.randrange(4))): i for i in range(300)}


@pytest.mark.parametrize(
    "record",
    [
        {"strings": _every_code_point()},
        {"controls": "".join(map(chr, range(0x20))) + '"\\/\u2028\u2029\x7f'},
        _random_keys(random.Random(1)),
        {"ints": [0, -1, 2**63 - 1, -(2**63), 2**64 - 1, 2**64, -(2**63) - 1, 10**30]},
        {"floats": [0.0, -0.0, 1.0, 1e-05, 0.0001, 1e16, 1.5e300, 2.5e-7, 5e-324]},
        {"non-finite": [float("nan"), float("inf"), float("-inf")]},
        {"nested": {"a": [1, (2, [None, True, False]), {"b": {}}], "c": []}},
        {"subclasses": [Text("x"), Number.ONE, collections.OrderedDict(b=1, a=2)]},
        {"keys": {1: "one", 22: "twenty-two"}},
        {"deep": json.loads("[" * 300 + "]" * 300)},
    ],
    ids=[
        "code-points",
        "escapes",
        "key-order",
        "ints",
        "floats",
        "non-finite",
        "nested",
        "subclasses",
        "non-str-keys",
        "deep",
    ],
)
def test_canonical_bytes_are_the_standard_encoders_exactly(record: dict[str, Any]) -> None:
    assert canonical_bytes(record) == canonical_json(record).encode("utf-8")


def test_a_value_json_cannot_hold_is_still_refused() -> None:
    with pytest.raises(TypeError):
        canonical_bytes({"when": object()})
    with pytest.raises(UnicodeEncodeError):
        canonical_bytes({"lone": "\ud800"})


def test_logs_with_values_only_the_standard_encoder_spells_verify(tmp_path: Path) -> None:
    fields = {"float": 1e-05, "big": 2**70, "nan": float("nan"), "kind": Text("x")}
    log = DecisionLog(tmp_path / "log.jsonl")
    log.write_header({})
    log.write({"url": "http://127.0.0.1/", **fields})
    log.close()
    assert verify_log(tmp_path / "log.jsonl").state is State.INCOMPLETE  # sound, not closed
    record = list(read_log(tmp_path / "log.jsonl"))[1]
    assert (
        record["float"] == 1e-05
        and record["big"] == 2**70
        and record["hash"] == record_hash(record)
    )


def _append(path: Path, body: str) -> None:
    """Append a line that chains on and hashes as the writer's would, spelt ``body``."""
    last = json.loads(path.read_bytes().splitlines()[-1])
    body = body.replace("SEQ", str(last["seq"] + 1)).replace("PREV", last["hash"])
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    with path.open("ab") as handle:
        handle.write(f'{{"hash":"{digest}",{body[1:]}\n'.encode())


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"prev":"PREV","seq":SEQ,"url":"\\ud800"}', "lone surrogate"),
        ('{"prev":"PREV","seq":SEQ,"url":"x","url":"y"}', "canonical"),
        ('{"prev":"PREV","seq":SEQ,"x":' + "[" * 100_000 + "]" * 100_000 + "}", "not valid"),
    ],
    ids=["escaped-surrogate", "duplicate-key", "deep-nesting"],
)
def test_lines_no_writer_writes_are_named_not_crashed_on(tmp_path, text, problem) -> None:
    log = DecisionLog(tmp_path / "log.jsonl")
    log.write_header({})
    log.close()
    _append(tmp_path / "log.jsonl", text)
    result = verify_log(tmp_path / "log.jsonl")
    assert (result.state, result.line) == (State.BROKEN, 2)
    assert problem in (result.problem or "")
