"""Class paths from before the move into packages still load, for one release, with a warning."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.crawling import REPO

OLD_PATHS = {
    "crawler.middlewares.gates.RequestGate": "crawler.gates.RequestGate",
    "crawler.middlewares.gates.ResponseGate": "crawler.gates.ResponseGate",
    "crawler.middlewares.robots.RobotsCheck": "crawler.checks.robots.RobotsCheck",
    "crawler.middlewares.tdmrep.TdmrepCheck": "crawler.checks.tdmrep.TdmrepCheck",
    "crawler.recorder.DecisionRecorder": "crawler.log.recorder.DecisionRecorder",
}


@pytest.mark.parametrize(("old", "new"), OLD_PATHS.items(), ids=list(OLD_PATHS))
def test_an_old_class_path_loads_the_new_class_with_a_deprecation_warning(
    old: str, new: str
) -> None:
    # A fresh interpreter: the warning is given once, when the old module is first imported.
    script = (
        "from scrapy.utils.misc import load_object\n"
        f"print(load_object({old!r}) is load_object({new!r}))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-W", "always::DeprecationWarning", "-c", script],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "True"
    assert "DeprecationWarning" in proc.stderr and "crawler." in proc.stderr
