"""The package table of docs/architecture.md, enforced: what each package may import.

Imports are read with ``ast`` from the source, at module level and inside functions alike;
only those under ``if TYPE_CHECKING:`` are left out, since they never run.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ARCHITECTURE = REPO / "docs" / "architecture.md"
_ROW = re.compile(r"^\| `([\w.]+)` \|[^|]*\|([^|]*)\|$")
_NAME = re.compile(r"`([\w.]+)`")


def _table() -> dict[str, set[str]]:
    """``{package: names it may import}`` from the table's rows."""
    rows = {}
    for line in ARCHITECTURE.read_text(encoding="utf-8").splitlines():
        if match := _ROW.match(line.strip()):
            rows[match[1]] = set(_NAME.findall(match[2]))
    return rows


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
    )


def _nodes(node: ast.AST) -> Iterator[ast.AST]:
    """Every node below ``node`` but those of ``if TYPE_CHECKING:`` bodies."""
    for child in ast.iter_child_nodes(node):
        if _is_type_checking(child):
            assert isinstance(child, ast.If)
            for other in child.orelse:
                yield other
                yield from _nodes(other)
            continue
        yield child
        yield from _nodes(child)


def _exists(module: str) -> bool:
    path = REPO.joinpath(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imported_modules(path: Path, module: str) -> set[str]:
    """The absolute names of the modules that ``path``, the source of ``module``, imports when
    it runs."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in _nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            for alias in node.names:
                # ``from crawler import defaults`` imports the module crawler.defaults.
                found.add(f"{base}.{alias.name}" if _exists(f"{base}.{alias.name}") else base)
    return found


def unit(module: str) -> str:
    """The table's package of a module: ``reservations``, a third party's top name, or
    ``crawler.<module or subpackage>`` (``crawler`` itself for its ``__init__``)."""
    parts = module.split(".")
    if parts[0] == "crawler" and len(parts) > 1:
        return f"crawler.{parts[1]}"
    return parts[0]


def imports_by_unit(root: str) -> dict[str, set[str]]:
    """``{package: packages it imports}`` over every source file under ``root``."""
    found: dict[str, set[str]] = {}
    for path in sorted((REPO / root).rglob("*.py")):
        module = _module_name(path)
        source = unit(module)
        targets = {unit(m) for m in imported_modules(path, module)} - {source}
        found.setdefault(source, set()).update(
            t for t in targets if t not in sys.stdlib_module_names and t != "__future__"
        )
    return found


CRAWLER = imports_by_unit("crawler")
RESERVATIONS = imports_by_unit("reservations")["reservations"]


def test_every_crawler_package_has_a_row_in_the_table() -> None:
    assert set(CRAWLER) | {"reservations"} == set(_table())


@pytest.mark.parametrize("package", sorted(CRAWLER))
def test_a_crawler_package_imports_only_what_its_row_allows(package: str) -> None:
    heed = {t for t in CRAWLER[package] if t.startswith("crawler") or t == "reservations"}
    unlisted = heed - _table()[package]
    assert not unlisted, f"{package} imports {sorted(unlisted)}, not in its row"


def test_reservations_imports_only_its_listed_libraries() -> None:
    unlisted = RESERVATIONS - _table()["reservations"]
    assert not unlisted, f"reservations imports {sorted(unlisted)}, not in its row"


def test_reservations_never_reaches_scrapy_twisted_or_crawler() -> None:
    assert not RESERVATIONS & {"scrapy", "twisted", "crawler"}
    assert not _table()["reservations"] & {"scrapy", "twisted", "crawler"}


def test_crawler_packages_import_each_other_one_way() -> None:
    graph = {p: {t for t in targets if t in CRAWLER} for p, targets in CRAWLER.items()}
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        pytest.fail(f"import cycle among crawler packages: {' -> '.join(exc.args[1])}")


def test_a_local_import_counts_and_a_type_checking_one_does_not(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    import crawler.cli\n"
        "def f():\n    from crawler import gates\n    from .page import Page\n",
        encoding="utf-8",
    )
    found = imported_modules(probe, "crawler.probe")
    assert found == {"typing", "crawler.gates", "crawler.page"}
