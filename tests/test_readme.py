"""The README promises what the code does: its settings table matches crawler/defaults.py."""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def heed_defaults() -> dict[str, str]:
    """Every ``HEED_*`` setting assigned in crawler/defaults.py, with its default's source text."""
    source = (REPO / "crawler" / "defaults.py").read_text(encoding="utf-8")
    found = {}
    for node in ast.parse(source).body:
        target = getattr(node, "target", None) or (getattr(node, "targets", [None]) or [None])[0]
        if isinstance(target, ast.Name) and target.id.startswith("HEED_"):
            found[target.id] = ast.get_source_segment(source, node.value) or ""
    return found


def readme_settings() -> set[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\|\s*`(HEED_[A-Z0-9_]+)`\s*\|", readme, flags=re.M))


def test_every_heed_setting_is_in_the_readme_table_and_nothing_else() -> None:
    assert set(heed_defaults()) == readme_settings()


def test_readme_starts_with_the_two_commands_and_ci_runs_the_second() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(?:sh|bash)?\n(.*?)```", readme, flags=re.S)
    demo, tests = blocks[0].strip(), blocks[1].strip()
    assert demo.endswith("heed demo")
    assert "pytest" in tests
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert tests in ci


def test_readme_activates_the_virtualenv_once_then_uses_bare_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(?:sh|bash)?\n(.*?)```", readme, flags=re.S)
    assert all(". .venv/bin/activate" in block for block in blocks[:2])
    # Past the activation, no command is spelt through the virtualenv's bin/.
    assert ".venv/bin/" not in readme.replace(".venv/bin/activate", "")


def test_cli_help_runs_without_traceback() -> None:
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "crawler", "--help"], capture_output=True, text=True, cwd=REPO
    )
    assert proc.returncode == 0 and "demo" in proc.stdout
