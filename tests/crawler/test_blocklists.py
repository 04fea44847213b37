"""Finding, loading and reloading the list files that HEED_BLOCKLISTS names."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from crawler.blocklists import (
    PROJECT_BLOCKLISTS,
    BlocklistError,
    configured_paths,
    find_list_files,
    load_lists,
    reload_lists,
)
from crawler.errors import ConfigError


def write(path: Path, *domains: str, broken: bool = False) -> Path:
    body = "".join(
        f"  - domain: {d}\n    reason: r\n    source: s\n    added: 2026-01-15\n" for d in domains
    )
    path.write_text("entries:\n" + body + ("  - [broken\n" if broken else ""), encoding="utf-8")
    stat = path.stat()  # a later write within the same clock tick must still look changed
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    return path


def listed(lists, host: str) -> bool:
    return lists.index.match_host(host) is not None


@pytest.mark.parametrize(
    ("value", "paths"),
    [
        (["a.yaml", " b "], ["a.yaml", "b"]),
        ("a.yaml,b", ["a.yaml", "b"]),
        ('["a.yaml", "b"]', ["a.yaml", "b"]),
        ([], []),
    ],
    ids=["list", "comma-text", "json-text", "none"],
)
def test_setting_accepts_lists_and_text(value, paths) -> None:
    assert configured_paths(value) == paths


def test_setting_of_another_type_is_refused() -> None:
    with pytest.raises(ConfigError, match="HEED_BLOCKLISTS"):
        configured_paths({"a": 1})


def test_folders_give_their_yaml_files_in_order(tmp_path) -> None:
    for name in ("b.yml", "a.yaml", "README.md", "c.txt"):
        (tmp_path / name).write_text("entries: []\n")
    found, problems = find_list_files([str(tmp_path)])
    assert [name for name, _ in found] == [f"{tmp_path}/a.yaml", f"{tmp_path}/b.yml"]
    assert problems == []


def test_missing_path_is_a_problem(tmp_path) -> None:
    _, problems = find_list_files([str(tmp_path / "nope.yaml")])
    assert [str(p) for p in problems] == [
        f"{tmp_path}/nope.yaml:1: file: no such file or folder (see HEED_BLOCKLISTS)"
    ]


def test_default_is_the_projects_folder_from_any_directory(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    found, problems = find_list_files(["blocklists"])
    assert problems == [] and {p for _, p in found} == {PROJECT_BLOCKLISTS / "example.yaml"}
    (tmp_path / "blocklists").mkdir()
    write(tmp_path / "blocklists" / "ours.yaml", "ours.example")
    found, _ = find_list_files(["blocklists"])
    assert [name for name, _ in found] == ["blocklists/ours.yaml"]


def test_any_invalid_file_refuses_with_every_problem(tmp_path) -> None:
    write(tmp_path / "a.yaml", "bad name")
    write(tmp_path / "b.yaml", "fine.example", broken=True)
    with pytest.raises(BlocklistError) as raised:
        load_lists([str(tmp_path), str(tmp_path / "gone.yaml")])
    assert [p.file for p in raised.value.problems] == [
        f"{tmp_path}/gone.yaml",
        f"{tmp_path}/a.yaml",
        f"{tmp_path}/b.yaml",
    ]
    assert f"{tmp_path}/a.yaml:2: domain:" in str(raised.value)


def test_unchanged_files_are_not_read_again(tmp_path) -> None:
    write(tmp_path / "a.yaml", "a.example")
    lists, _ = load_lists([str(tmp_path)])
    again, errors, _ = reload_lists(lists, [str(tmp_path)])
    assert again.index is lists.index and errors == []


def test_valid_edit_and_new_file_take_effect(tmp_path) -> None:
    write(tmp_path / "a.yaml", "a.example")
    lists, _ = load_lists([str(tmp_path)])
    write(tmp_path / "a.yaml", "a2.example")
    write(tmp_path / "b.yaml", "b.example", "b.example")
    lists, errors, warnings = reload_lists(lists, [str(tmp_path)])
    assert errors == [] and [w.field for w in warnings] == ["domain"]
    assert not listed(lists, "a.example")
    assert listed(lists, "a2.example") and listed(lists, "b.example")


def test_bad_edit_keeps_the_last_valid_version_and_is_reported_once(tmp_path) -> None:
    specs = [str(tmp_path)]
    write(tmp_path / "a.yaml", "a.example")
    lists, _ = load_lists(specs)
    write(tmp_path / "a.yaml", "a2.example", broken=True)
    write(tmp_path / "new.yaml", "n.example", broken=True)
    lists, errors, _ = reload_lists(lists, specs)
    assert sorted(p.file for p in errors) == [f"{tmp_path}/a.yaml", f"{tmp_path}/new.yaml"]
    assert listed(lists, "a.example") and not listed(lists, "n.example")
    lists, errors, _ = reload_lists(lists, specs)
    assert errors == []  # the same bad versions: not parsed nor reported again
    write(tmp_path / "a.yaml", "a2.example")
    lists, errors, _ = reload_lists(lists, specs)
    assert errors == [] and listed(lists, "a2.example") and not listed(lists, "a.example")


def test_vanished_file_stays_in_force(tmp_path) -> None:
    write(tmp_path / "a.yaml", "a.example")
    lists, _ = load_lists([str(tmp_path)])
    (tmp_path / "a.yaml").unlink()
    lists, errors, _ = reload_lists(lists, [str(tmp_path)])
    assert [str(p) for p in errors] == [
        f"{tmp_path}/a.yaml:1: file: is gone; its last version stays in force"
    ]
    assert listed(lists, "a.example")
    assert reload_lists(lists, [str(tmp_path)])[1] == []


def test_default_found_nowhere_refuses(tmp_path, monkeypatch) -> None:
    # As after a non-editable install, run from a folder without blocklists/.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("crawler.blocklists.PROJECT_BLOCKLISTS", tmp_path / "site" / "blocklists")
    with pytest.raises(BlocklistError, match="blocklists:1: file: no such file or folder"):
        load_lists(["blocklists"])
