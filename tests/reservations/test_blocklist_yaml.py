"""Reading blocklist files: every problem as file:line: field: problem, and two equal readers."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

import reservations.blocklist_yaml as blocklist_yaml
from reservations.blocklist_layout import NotSimpleLayout, scan_layout
from reservations.blocklist_yaml import parse_blocklist

EXAMPLE = Path(__file__).resolve().parents[2] / "blocklists" / "example.yaml"

GOOD = """\
entries:
  - domain: infringing.example
    reason: test
    source: court
    added: 2026-01-15
"""


def problems(text: str | bytes) -> list[str]:
    data = text.encode() if isinstance(text, str) else text
    return [str(p) for p in parse_blocklist(data, "x.yaml").problems]


def test_minimal_entry_reads_with_its_defaults() -> None:
    parsed = parse_blocklist(GOOD.encode(), "lists/courts.yaml")
    assert parsed.problems == ()
    assert parsed.info.id == "courts" and parsed.info.version is None
    (entry,) = parsed.blocklist.entries
    assert (entry.domain, entry.match, entry.expires, entry.line) == (
        "infringing.example",
        "subdomains",
        None,
        2,
    )


def test_list_metadata_and_free_fields_are_read() -> None:
    head = 'id: court-orders\nversion: 3\nowner: "ops@example.org"\nnotes: [anything, goes]\n'
    parsed = parse_blocklist((head + GOOD + "    x-reviewer: someone\n").encode(), "a.yaml")
    assert parsed.problems == ()
    assert parsed.info.describe() == {
        "id": "court-orders",
        "file": "a.yaml",
        "sha256": parsed.info.sha256,
        "version": "3",
        "owner": "ops@example.org",
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("entries:\n  - domain: [a\n", "x.yaml:3: yaml: "),
        ("entries:\n  - domain: a.example\n   reason: x\n", "x.yaml:3: yaml: "),
        (GOOD.replace("    source: court\n", ""), "x.yaml:2: source: is required"),
        (GOOD.replace("reason: test", "reason:"), "x.yaml:3: reason: is empty"),
        (GOOD.replace("reason: test", "reason: [a, b]"), "x.yaml:3: reason: must be a single"),
        (GOOD.replace("infringing.example", "https://a.example/"), "x.yaml:2: domain: "),
        (GOOD.replace("infringing.example", "bad name"), "x.yaml:2: domain: 'bad name' has an"),
        (GOOD + "    match: subdomain\n", "x.yaml:6: match: unknown value 'subdomain'"),
        (GOOD + "    match: [exact]\n", "x.yaml:6: match: must be a single value"),
        (GOOD.replace("2026-01-15", "2026-02-30"), "x.yaml:5: added: '2026-02-30' is not a"),
        (GOOD.replace("2026-01-15", "15.01.2026"), "x.yaml:5: added: '15.01.2026' is not a"),
        (GOOD + "    expires: 2025-01-01\n", "x.yaml:6: expires: 2025-01-01 is before added"),
        (GOOD + "    reason: again\n", "x.yaml:6: reason: repeated; line 3 sets it too"),
        ("entries:\n  - just a string\n", "x.yaml:2: entries: each entry must be a mapping"),
        ("entries: everything\n", "x.yaml:1: entries: must be a list"),
        ("id: x\n", "x.yaml:1: entries: is required"),
        ("- a\n- b\n", "x.yaml:1: entries: missing: the file must be a mapping"),
        ("", "x.yaml:1: entries: missing: the file must be a mapping"),
        ("id: [x]\nentries: []\n", "x.yaml:1: id: must be a single value"),
        (b"entries:\n  - domain: caf\xe9.example\n", "x.yaml:2: yaml: not UTF-8 text"),
        ("entries:\n  - domain: a\x07.example\n", "x.yaml:2: yaml: character '\\x07' is not"),
        ("entries:\n---\nentries:\n", "x.yaml:2: yaml: expected a single document"),
    ],
    ids=[
        "yaml-syntax",
        "yaml-indentation",
        "missing-field",
        "empty-field",
        "wrong-type",
        "url-as-domain",
        "invalid-domain",
        "unknown-match",
        "match-not-scalar",
        "impossible-date",
        "date-format",
        "expires-before-added",
        "repeated-key",
        "entry-not-mapping",
        "entries-not-list",
        "no-entries",
        "top-level-list",
        "empty-file",
        "metadata-not-scalar",
        "not-utf8",
        "control-character",
        "two-documents",
    ],
)
def test_each_problem_names_file_line_and_field(text, expected) -> None:
    found = problems(text)
    assert any(p.startswith(expected) for p in found), found


def test_every_problem_is_reported_not_just_the_first() -> None:
    text = GOOD + GOOD.replace("entries:\n", "").replace("infringing.example", "a b")
    text += "  - domain: c.example\n    match: nearby\n"
    assert problems(text) == [
        "x.yaml:6: domain: 'a b' has an invalid label 'a b': use letters, digits, '-'",
        "x.yaml:10: reason: is required",
        "x.yaml:10: source: is required",
        "x.yaml:10: added: is required",
        "x.yaml:11: match: unknown value 'nearby': use subdomains or exact",
    ]


def test_a_file_with_a_bad_entry_still_yields_its_valid_entries_for_counting() -> None:
    bad = "  - domain: bad.example\n    reason: x\n    source: y\n    added: 2026-01-15\n"
    other = bad.replace("bad.example", "other.example")
    parsed = parse_blocklist((GOOD + bad + "    mach: exact\n" + other).encode(), "x.yaml")
    assert [str(p) for p in parsed.problems] == [
        "x.yaml:10: mach: unknown key; did you mean match?"
    ]
    assert [e.domain for e in parsed.blocklist.entries] == ["infringing.example", "other.example"]


def test_a_misspelt_key_is_an_error_naming_the_closest_known_key() -> None:
    assert problems(GOOD + "    expries: 2027-01-01\n") == [
        "x.yaml:6: expries: unknown key; did you mean expires?"
    ]
    assert problems(GOOD + "    colour: red\n") == [
        "x.yaml:6: colour: unknown key; known keys: domain, match, reason, source, added, "
        "expires; notes go under x-NAME"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "entries:\n" + "[" * 100_000,
        "entries:\n" + "- " * 100_000,
        "entries: " + "{a: " * 5000,
        "a: &a [1]\n" + "".join(f"b{i}: &a{i} [*a, *a]\n" for i in range(60)) + "entries: []\n",
        "\x00\xff\xfe garbage",
        GOOD.replace("reason: test", "reason: " + "a" * 20_000 + ":"),
        GOOD.replace("reason: test", "reason: " + "a b " * 5_000 + "c") + "   x\n",
        GOOD.replace("reason: test", "reason: " + "a:" * 10_000 + " "),
        GOOD + "    expires: " + "b" * 20_000 + "\n   zz",
    ],
    ids=[
        "deep-flow",
        "deep-block",
        "deep-mapping",
        "alias-fan-out",
        "binary",
        "long-word",
        "long-words-then-bad-line",
        "colons",
        "long-last-field",
    ],
)
def test_hostile_files_are_problems_never_crashes_nor_hangs(text) -> None:
    started = time.monotonic()
    parsed = parse_blocklist(text.encode("utf-8", "surrogateescape"), "x.yaml")
    assert parsed.info.file == "x.yaml" and time.monotonic() - started < 5


def test_anchors_and_merge_keys_share_fields_between_entries() -> None:
    text = """\
court: &order
  reason: "order 1"
  source: "court"
  added: 2026-01-15
entries:
  - domain: a.example
    <<: *order
  - {domain: b.example, <<: *order, reason: "order 2"}
"""
    parsed = parse_blocklist(text.encode(), "x.yaml")
    assert parsed.problems == ()
    assert [(e.domain, e.reason) for e in parsed.blocklist.entries] == [
        ("a.example", "order 1"),
        ("b.example", "order 2"),
    ]


def test_empty_and_null_entries_are_an_empty_list() -> None:
    for text in ("entries: []\n", "entries:\n", "entries:\n  # all retired\n"):
        parsed = parse_blocklist(text.encode(), "x.yaml")
        assert parsed.problems == () and parsed.blocklist.entries == (), text


# The documented layout is read by the fast path; it must agree with PyYAML to the letter.
LAYOUTS = {
    "example-list": EXAMPLE.read_text(encoding="utf-8"),
    "indentless": "id: a\nentries:\n- domain: a.example\n  reason: r\n  source: s\n"
    "  added: 2026-01-15\n",
    "comments-quotes": "# head\nversion: '2'  # v\nentries:  \n\n  # first\n"
    '  - domain: "a.example"   # quoted\n    reason: it\'s "quoted" # note\n'
    "    source: 'https://x.example/a#b:c'\n    added: 2026-01-15\n\n"
    "  - domain: b.example\n    reason: a:b c#d e - f\n    source: ü ñ 中文\n"
    "    added: 2026-01-15\n    expires: 2027-01-01\n    match: exact",
    "problems": "entries:\n  - domain: a b\n    reason: ''\n    added: 2026-13-01\n"
    "    match: x\n  - domain: ok.example\n    extra: 1\n",
    "values-yaml-would-type": "entries:\n  - domain: yes\n    reason: 123\n    source: 1.5\n"
    "    added: 2026-01-15\n    match: on\n",
}


@pytest.mark.parametrize("text", LAYOUTS.values(), ids=LAYOUTS.keys())
def test_fast_path_reads_the_documented_layout_exactly_as_pyyaml(text, monkeypatch) -> None:
    _, _, _, items = scan_layout(text.encode())
    list(items)  # the fast path takes it: no NotSimpleLayout
    fast = parse_blocklist(text.encode(), "x.yaml")

    def refuse(text: str) -> None:
        raise NotSimpleLayout

    monkeypatch.setattr(blocklist_yaml, "scan_layout", refuse)
    assert parse_blocklist(text.encode(), "x.yaml") == fast


OTHER_LAYOUTS = {
    "flow-entry": "entries:\n  - {domain: a.example, reason: r, source: s, added: 2026-01-15}\n",
    "block-scalar": GOOD.replace("reason: test", "reason: |\n      long\n      text"),
    "folded-plain": GOOD.replace("reason: test", "reason: test\n      continued"),
    "escaped": GOOD.replace("reason: test", 'reason: "a\\tb"'),
    "null-spelt": GOOD + "    expires: null\n",
    "tab": GOOD.replace("reason: test", "reason:\ttest"),
    "crlf": GOOD.replace("\n", "\r\n"),
    "metadata-after": GOOD + "id: late\n",
    "comment-first": GOOD.replace("  - domain:", "  - # note\n    domain:"),
    "deeper-fields": GOOD.replace("\n    ", "\n      ").replace("  - domain", "  -   domain"),
    "document-marker": "---\n" + GOOD,
    "repeated-key": GOOD + "    reason: again\n",
}


@pytest.mark.parametrize("text", OTHER_LAYOUTS.values(), ids=OTHER_LAYOUTS.keys())
def test_any_other_layout_is_left_to_pyyaml(text) -> None:
    with pytest.raises(NotSimpleLayout):
        _, _, _, items = scan_layout(text.encode())
        list(items)
    assert parse_blocklist(text.encode(), "x.yaml").info.file == "x.yaml"


# Values the fast path reads itself, and values that send the file to PyYAML.
VALUES = [
    "a.example",
    "Court order 7",
    "a:b",
    "a#b",
    "https://x.example/a?b=c#d",
    "yes",
    "123",
    "1.5",
    "2026-01-15",
    "2026-1-5",
    "ü ñ 中文",
    "a - b",
    "a, b",
    '"a b"',
    "'a: b'",
    '"it\'s"',
    "''",
    '""',
    "a  # note",
    "bücher.example",
    "127.0.0.2",
    "exact",
    "subdomains",
    "x.example.",
    "a ",
    "2027-02-30",
    "xn--zz.example",
    "a..b",
]
RISKY = ["-a", "[x]", "~", "null", "*alias", "&anchor x", "'", "a: b", "#", "|", '"a\\tb"']
KEYS = ["domain", "match", "reason", "source", "added", "expires", "reviewer", "Domain"]


def random_list(rng: random.Random) -> str:
    indent = rng.choice(["", "  ", "    "])
    lines = ["# generated", f"id: {rng.choice(VALUES)}", "entries:"]
    for _ in range(rng.randrange(1, 6)):
        keys = KEYS[:6] if rng.random() < 0.5 else rng.sample(KEYS, rng.randrange(1, 8))
        keys = [k for k in keys if k not in ("match", "expires") or rng.random() < 0.7]
        for n, key in enumerate(keys):
            value = rng.choice(RISKY if rng.random() < 0.01 else VALUES)
            lead = f"{indent}- " if n == 0 else f"{indent}  "
            lines.append(f"{lead}{key}:" + ("" if rng.random() < 0.03 else f" {value}"))
            if rng.random() < 0.05:
                lines.append(rng.choice(["", f"{indent}  # note", "   # note"]))
    return "\n".join(lines) + rng.choice(["\n", "", "\n\n"])


@pytest.mark.parametrize("seed", range(20))
def test_fast_path_agrees_with_pyyaml_on_random_lists(seed, monkeypatch) -> None:
    rng = random.Random(seed)
    texts = [random_list(rng).encode() for _ in range(50)]
    fast = [parse_blocklist(text, "x.yaml") for text in texts]

    def refuse(data: bytes) -> None:
        raise NotSimpleLayout

    fast_path = sum(_takes_fast_path(text) for text in texts)
    monkeypatch.setattr(blocklist_yaml, "scan_layout", refuse)
    for text, expected in zip(texts, fast, strict=True):
        assert parse_blocklist(text, "x.yaml") == expected, text.decode()
    assert fast_path >= len(texts) // 3  # the comparison means something


def _takes_fast_path(data: bytes) -> bool:
    try:
        list(scan_layout(data)[3])
    except NotSimpleLayout:
        return False
    return True
