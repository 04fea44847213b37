"""Shared conformance data: the vector files in ``<repo>/../shared/conformance/``.

The ``shared`` folder sits beside the repository checkout, not inside it. Where it is missing,
the cases that need it are skipped with a reason rather than failing the suite.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

import pytest

ROBOTS_VECTORS = Path(__file__).resolve().parents[1].parent / "shared" / "conformance" / "robots"

Vector = dict[str, Any]


def load_vectors(name: str) -> list[Vector] | None:
    """The cases in ``ROBOTS_VECTORS / name``, or ``None`` when the file is not there."""
    path = ROBOTS_VECTORS / name
    if not path.is_file():
        return None
    vectors: list[Vector] = json.loads(path.read_text(encoding="utf-8"))
    return vectors


def vector_params(
    name: str, marks: Callable[[Vector], Collection[pytest.MarkDecorator]] = lambda vector: ()
) -> list[pytest.ParameterSet]:
    """The cases of ``name`` for ``pytest.mark.parametrize``, each with its ``name`` as id.

    Without the file, a single skipped case says where the data was looked for.
    """
    vectors = load_vectors(name)
    if vectors is None:
        return [missing_case(name, None)]
    return [pytest.param(v, id=v["name"], marks=tuple(marks(v))) for v in vectors]


def missing_case(name: str, *values: object) -> pytest.ParameterSet:
    """A single skipped case (with placeholder ``values``) that says where ``name`` was looked
    for: a checkout without the conformance data still collects and runs the rest."""
    reason = f"conformance data not found: {ROBOTS_VECTORS / name}"
    return pytest.param(*values, id=f"{name}-missing", marks=pytest.mark.skip(reason=reason))
