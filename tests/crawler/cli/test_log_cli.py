"""``heed log verify`` and ``heed log export`` as users run them, including bad input."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.cli import main
from tests.crawler.log.test_logread import write_log

REPO = Path(__file__).resolve().parents[3]


def heed(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The real console command, in its own process."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "crawler", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
        check=False,
    )


def test_verify_prints_a_line_per_log_of_files_and_folders(tmp_path, demo_crawl, capsys) -> None:
    runs = tmp_path / "runs"
    (runs / "2025").mkdir(parents=True)
    shutil.copy(demo_crawl.log_path, runs / "2025" / "a.jsonl")
    write_log(runs / "b.jsonl", 3)
    single = write_log(tmp_path / "single.jsonl", 1)
    assert main(["log", "verify", str(runs), str(single)]) == 0
    out = capsys.readouterr().out.splitlines()
    unsigned = "complete, chain intact; 1 checkpoint(s) unsigned: anyone could have rewritten"
    assert out == [
        f"{runs / '2025' / 'a.jsonl'}: OK ({len(demo_crawl.written)} records, {unsigned} the log)",
        f"{runs / 'b.jsonl'}: OK (5 records, {unsigned} the log)",
        f"{single}: OK (3 records, {unsigned} the log)",
    ]


def test_verify_fails_when_any_log_fails_and_names_its_first_bad_line(tmp_path, capsys) -> None:
    good = write_log(tmp_path / "good.jsonl")
    bad = write_log(tmp_path / "bad.jsonl")
    content = bad.read_text().splitlines(keepends=True)
    bad.write_text("".join(content[:3] + content[4:]))
    foreign = tmp_path / "foreign.csv"
    foreign.write_text("url,decision\n")
    code = main(["log", "verify", str(good), str(bad), str(foreign), str(tmp_path / "gone.jsonl")])
    assert code == 1
    out, err = capsys.readouterr()
    assert out.splitlines()[0].startswith(f"{good}: OK (7 records, complete, chain intact")
    out = [""] + err.splitlines()  # what went wrong is a diagnostic: stderr
    assert out[1].startswith(f"{bad}:4: seq is 4, expected 3")
    assert out[2] == f"{foreign}:1: not a Heed decision log: the first line is not JSON"
    assert out[3] == f"{tmp_path / 'gone.jsonl'}: cannot read: No such file or directory"


def test_verify_of_a_folder_without_logs_fails(tmp_path, capsys) -> None:
    assert main(["log", "verify", str(tmp_path)]) == 1
    assert "no log files found" in capsys.readouterr().err


def test_corrupt_or_foreign_input_is_a_clear_error_never_a_traceback(tmp_path: Path) -> None:
    corrupt = write_log(tmp_path / "corrupt.jsonl")
    corrupt.write_bytes(corrupt.read_bytes()[:-40] + b"\x00\xff garbage\n")
    foreign = tmp_path / "photo.jsonl"
    foreign.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    for args, problem in [
        (["log", "verify", str(corrupt)], f"{corrupt}:7: "),
        (["log", "export", str(corrupt), "-o", str(tmp_path / "out.csv")], f"{corrupt}:7: "),
        (["report", str(foreign), "-o", str(tmp_path / "report")], "not a Heed decision log"),
        (["log", "export", str(foreign), "-o", str(tmp_path / "o.parquet")], "not a Heed"),
    ]:
        proc = heed(*args)
        assert proc.returncode in (1, 2), (args, proc.stdout, proc.stderr)
        assert problem in proc.stdout + proc.stderr
        assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "o.parquet").exists()
    assert not list(tmp_path.glob(".*"))  # no partial output, no spool left behind


def test_export_needs_a_format_it_can_tell(tmp_path, capsys) -> None:
    log = write_log(tmp_path / "log.jsonl")
    assert main(["log", "export", str(log), "-o", str(tmp_path / "out.xlsx")]) == 2
    assert "add --format csv|jsonl|parquet" in capsys.readouterr().err
    assert main(["log", "export", str(log), "--format", "csv", "-o", str(tmp_path / "o")]) == 0
    assert (tmp_path / "o").read_text().startswith('"log","seq","ts"')


def test_export_rejects_a_time_bound_that_is_not_a_time(tmp_path, capsys) -> None:
    log = write_log(tmp_path / "log.jsonl")
    with pytest.raises(SystemExit) as exit_:
        main(["log", "export", str(log), "-o", str(tmp_path / "o.csv"), "--since", "yesterday"])
    assert exit_.value.code == 2
    assert "'yesterday' is not an ISO 8601 date or time" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet", None])
def test_export_to_dash_writes_standard_output_and_the_summary_to_stderr(tmp_path, fmt) -> None:
    log = write_log(tmp_path / "log.jsonl", 3)
    chosen = ["--format", fmt] if fmt else []  # JSON Lines unless told otherwise
    proc = subprocess.run(
        [sys.executable, "-m", "crawler", "log", "export", str(log), *chosen, "-o", "-"],
        capture_output=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert not (tmp_path / "-").exists()
    assert proc.stderr.decode().startswith("-: 4 records")
    assert f"({fmt or 'jsonl'}, from 1 log)" in proc.stderr.decode()
    if fmt == "parquet":
        import io

        import pyarrow.parquet as pq

        assert pq.read_table(io.BytesIO(proc.stdout)).num_rows == 4
    else:
        assert len(proc.stdout.decode().splitlines()) == 4 + (fmt == "csv")


def test_every_command_sends_its_diagnostics_to_stderr_and_nothing_to_stdout(tmp_path) -> None:
    log = write_log(tmp_path / "log.jsonl")
    bad = tmp_path / "bad.yaml"
    bad.write_text("entries:\n  - domain: x.example\n    mach: exact\n")
    for args in (
        ["log", "verify", str(tmp_path / "missing")],
        ["log", "export", str(log), "--check", "robot", "-o", str(tmp_path / "o.csv")],
        ["report", str(tmp_path / "missing"), "-o", str(tmp_path / "r")],
        ["blocklist", "validate", str(bad)],
        ["explain", "ftp://127.0.0.1/"],
    ):
        proc = heed(*args, cwd=tmp_path)
        assert proc.returncode in (1, 2), args
        assert proc.stdout == "", (args, proc.stdout)
        assert proc.stderr.strip() and "Traceback" not in proc.stderr, args
