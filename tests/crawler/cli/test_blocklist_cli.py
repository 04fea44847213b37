"""``heed blocklist validate`` and ``heed blocklist check``."""

from __future__ import annotations

import pytest

from crawler.cli import main

ENTRY = "  - domain: {}\n    reason: r\n    source: Court X\n    added: 2026-01-15\n"


@pytest.fixture
def lists(tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("entries:\n" + ENTRY.format("infringing.example"), encoding="utf-8")
    return path


def test_valid_list_exits_0_and_prints_no_problem(lists, capsys) -> None:
    assert main(["blocklist", "validate", str(lists)]) == 0
    out, err = capsys.readouterr()
    assert out == "" and "1 file(s), 1 valid entries, 0 error(s), 0 warning(s)" in err


def test_the_shipped_lists_are_valid(capsys, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # the default finds the project's blocklists/ from anywhere
    assert main(["blocklist", "validate"]) == 0, capsys.readouterr().err


def test_invalid_list_exits_1_with_file_line_field_problem(lists, capsys) -> None:
    lists.write_text(lists.read_text() + ENTRY.format("https://x.example/").replace("15", "32"))
    assert main(["blocklist", "validate", str(lists)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines()[:-1] == [
        f"{lists}:6: domain: 'https://x.example/' is a URL or path: write only the host, "
        "e.g. 'x.example'",
        f"{lists}:9: added: '2026-01-32' is not a date: write YYYY-MM-DD",
    ]


def test_warnings_print_and_exit_0(lists, tmp_path, capsys) -> None:
    other = tmp_path / "other.yaml"
    other.write_text(
        "entries:\n" + ENTRY.format("INFRINGING.example") + "    expires: 2026-02-01\n",
        encoding="utf-8",
    )
    assert main(["blocklist", "validate", str(tmp_path)]) == 0
    out = capsys.readouterr().err
    assert f"{other}:2: domain: warning: INFRINGING.example is already listed at {lists}:2" in out
    assert f"{other}:2: expires: warning: INFRINGING.example expired on 2026-02-01" in out


@pytest.mark.parametrize(
    "content",
    [b"\x00\x01\xff" * 100, b"entries: " + b"[" * 50_000, b"\xef\xbb\xbf\tentries:\n\t- x", b""],
    ids=["binary", "deep", "bom-tabs", "empty"],
)
def test_no_input_makes_a_traceback(tmp_path, content, capsys) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_bytes(content)
    assert main(["blocklist", "validate", str(path), str(tmp_path / "missing.yaml")]) == 1
    out = capsys.readouterr().err
    assert f"{tmp_path}/missing.yaml:1: file: no such file or folder" in out
    assert f"{path}:1:" in out


def test_check_names_the_entry_that_blocks_a_url(lists, capsys) -> None:
    code = main(["blocklist", "check", "--list", str(lists), "https://WWW.Infringing.Example./x"])
    assert code == 3
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "listed: www.infringing.example. is blocked by infringing.example " + (
        "(match: subdomains)"
    )
    assert out[1].startswith(f"  file:    {lists}:2 (list list, sha256 ")
    assert out[3] == "  source:  Court X"


def test_check_of_an_unlisted_url_exits_0(lists, capsys) -> None:
    assert main(["blocklist", "check", "--list", str(lists), "fine.example"]) == 0
    assert capsys.readouterr().out == "not listed: fine.example (1 entries in 1 list(s))\n"


def test_check_refuses_invalid_lists(lists, capsys) -> None:
    lists.write_text("entries:\n  - domain: x\n")
    assert main(["blocklist", "check", "--list", str(lists), "x"]) == 2
    assert f"{lists}:2: reason: is required" in capsys.readouterr().err


def test_errors_do_not_hide_warnings_or_the_true_count(tmp_path, capsys) -> None:
    path = tmp_path / "list.yaml"
    good = "".join(ENTRY.format(f"site{i}.example") for i in range(3))
    path.write_text(
        "entries:\n"
        + good
        + ENTRY.format("site0.example")
        + ENTRY.format("bad.example")
        + "    expries: 2027-01-01\n"
        + ENTRY.format("future.example").replace("2026-01-15", "2126-01-15"),
        encoding="utf-8",
    )
    assert main(["blocklist", "validate", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        f"{path}:14: domain: warning: site0.example is already listed at {path}:2",
        f"{path}:22: expries: unknown key; did you mean expires?",
        f"{path}:23: added: warning: 2126-01-15 is in the future; check the date",
        "heed blocklist validate: 1 file(s), 5 valid entries, 1 error(s), 2 warning(s)",
    ]
