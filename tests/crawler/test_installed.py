"""A plain ``pip install .`` (not editable) crawls from any folder with the project's lists."""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

from tests.crawling import REPO, TEST_SETTINGS, _setting_arg

SOURCES = ("pyproject.toml", "README.md", "crawler", "reservations", "blocklists")
IGNORE = {"ignore": shutil.ignore_patterns("__pycache__")}


def install_wheel(tmp_path: Path) -> Path:
    """A fresh virtualenv with Heed installed from a wheel built from this checkout; its
    dependencies come from the test environment's site-packages (their .pth files unread, so
    the checkout's own editable install does not leak in). Returns the venv's python."""
    source = tmp_path / "source"  # a copy: builds write build/ in the tree they build
    source.mkdir()
    for name in SOURCES:
        copy = shutil.copytree if (REPO / name).is_dir() else shutil.copy
        copy(REPO / name, source / name, **IGNORE if (REPO / name).is_dir() else {})
    wheels = tmp_path / "wheels"
    pip = [sys.executable, "-m", "pip", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, "wheel", "--no-deps", str(source), "-w", str(wheels)], check=True,
                   capture_output=True, timeout=300)  # fmt: skip
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([*pip, "--python", str(python), "install", "--no-deps",
                    str(next(wheels.glob("heed-*.whl")))], check=True, capture_output=True,
                   timeout=300)  # fmt: skip
    (purelib,) = venv.glob("lib/python*/site-packages")
    (purelib / "test-deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    return python


def test_a_non_editable_install_crawls_outside_the_checkout_with_its_lists(
    tmp_path: Path, make_server
) -> None:
    python = install_wheel(tmp_path)
    server = make_server()
    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow:\n")
    server.expect_request("/").respond_with_data("<p>hello</p>", content_type="text/html")
    work = tmp_path / "elsewhere"
    work.mkdir()
    settings = dict(TEST_SETTINGS)
    args = [str(python), "-c", "import crawler; print(crawler.__file__)"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    where = subprocess.run(args, cwd=work, env=env, capture_output=True, text=True, check=True)
    assert str(REPO) not in where.stdout  # the installed copy, not the checkout
    options = [a for n, v in settings.items() for a in ("-s", _setting_arg(n, v))]
    proc = subprocess.run(
        [str(python), "-m", "scrapy", "crawl", "site", "-a", f"urls={server.url_for('/')}",
         "-a", "follow=no", "-s", "HEED_DECISION_LOG=log.jsonl", *options],
        cwd=work, env={**env, "SCRAPY_SETTINGS_MODULE": "crawler.settings"},
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    header = json.loads((work / "log.jsonl").read_text().splitlines()[0])
    (listed,) = header["blocklists"]["lists"]
    assert listed["file"].endswith("share/heed/blocklists/example.yaml")
    assert listed["file"].startswith(str(tmp_path / "venv"))
