"""Find, read and reload the blocklist files that ``HEED_BLOCKLISTS`` names.

The rules and the matching are pure (``reservations.blocklist*``); this module owns the files,
for the request gate's check and for ``heed blocklist``. Relative paths are read from the
current directory. The default, ``blocklists``, is the project's folder: ``./blocklists`` when
it exists, else the ``blocklists/`` beside the ``crawler`` package (a checkout or an editable
install), else the copy a ``pip install .`` puts in ``<prefix>/share/heed/blocklists``, so that
crawls, tests and ``heed demo`` run from any folder still obey it.
"""

from __future__ import annotations

import json
import site
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from crawler.collector import collector_paused
from crawler.errors import ConfigError
from reservations.blocklist import BlocklistIndex, Problem, find_warnings
from reservations.blocklist_yaml import ParsedList, parse_blocklist

DEFAULT_BLOCKLISTS = ("blocklists",)
_INSTALLED = Path("share", "heed", "blocklists")  # pyproject.toml: [tool.setuptools.data-files]


def _project_blocklists() -> Path:
    """The project's own lists: beside the package, else where an install put them."""
    beside = Path(__file__).resolve().parent.parent / "blocklists"
    installed = [Path(base) / _INSTALLED for base in (sys.prefix, site.getuserbase())]
    return next((path for path in (beside, *installed) if path.is_dir()), beside)


PROJECT_BLOCKLISTS = _project_blocklists()
LIST_SUFFIXES = (".yaml", ".yml")

Stamp = tuple[int, int, int]  # (inode, size, mtime in ns): a changed stamp means re-read
_GONE: Stamp = (-1, -1, -1)


class BlocklistError(ConfigError):
    """A configured blocklist is missing, unreadable or invalid: the crawl does not start."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        super().__init__(
            f"{len(self.problems)} problem(s) in the blocklists; fix them, then start again "
            f"(heed blocklist validate lists them):\n{lines}"
        )


@dataclass(frozen=True)
class ListFile:
    """One list file as loaded, with the stamp that tells whether it changed since."""

    name: str
    path: Path
    stamp: Stamp
    parsed: ParsedList


@dataclass(frozen=True)
class LoadedLists:
    """The list files in force and their index."""

    files: tuple[ListFile, ...]
    index: BlocklistIndex
    rejected: Mapping[str, Stamp] = field(default_factory=dict)  # bad versions seen, by name

    def header(self) -> dict[str, Any]:
        """The lists' ids, versions and digests, for the run header."""
        return {
            "sha256": self.index.digest,
            "entries": len(self.index),
            "lists": [blocklist.info.describe() for blocklist in self.index.lists],
        }


def today() -> date:
    return datetime.now(UTC).date()


def configured_paths(value: Any) -> list[str]:
    """``HEED_BLOCKLISTS`` as a list of paths: a list, a JSON list, or comma-separated text."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except ValueError as exc:
                raise ConfigError(f"HEED_BLOCKLISTS={text}: not a JSON list ({exc})") from exc
        else:
            value = text.split(",")
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ConfigError("HEED_BLOCKLISTS must be a list of files and folders")
    return [v.strip() for v in value if v.strip()]


def find_list_files(specs: Sequence[str]) -> tuple[list[tuple[str, Path]], list[Problem]]:
    """``(name, path)`` of each list: files as given, the ``*.yaml``/``*.yml`` of folders."""
    found: list[tuple[str, Path]] = []
    problems: list[Problem] = []
    for spec in specs:
        path = Path(spec).expanduser()
        if tuple(specs) == DEFAULT_BLOCKLISTS and not path.exists() and PROJECT_BLOCKLISTS.exists():
            path = PROJECT_BLOCKLISTS
            spec = str(path)
        if path.is_dir():
            try:
                children = sorted(p for p in path.iterdir() if p.suffix in LIST_SUFFIXES)
            except OSError as exc:
                problems.append(Problem(spec, 1, "file", f"cannot be listed: {exc.strerror}"))
                continue
            found += [(f"{spec.rstrip('/')}/{child.name}", child) for child in children]
        elif path.is_file():
            found.append((spec, path))
        else:
            problems.append(
                Problem(spec, 1, "file", "no such file or folder (see HEED_BLOCKLISTS)")
            )
    return found, problems


def read_list(name: str, path: Path) -> ListFile | Problem:
    """Read and parse one file; an unreadable file is a problem, never an exception."""
    try:
        info = path.stat()
        data = path.read_bytes()
    except OSError as exc:
        return Problem(name, 1, "file", f"cannot be read: {exc.strerror or exc}")
    stamp = (info.st_ino, info.st_size, info.st_mtime_ns)
    with collector_paused():
        return ListFile(name, path, stamp, parse_blocklist(data, name))


def _stamp(path: Path) -> Stamp | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_ino, info.st_size, info.st_mtime_ns)


def read_lists(specs: Sequence[str]) -> tuple[list[ListFile], list[Problem]]:
    """Every list file named by ``specs``, and every error (missing, unreadable, invalid)."""
    found, problems = find_list_files(specs)
    files: list[ListFile] = []
    for name, path in found:
        loaded = read_list(name, path)
        if isinstance(loaded, Problem):
            problems.append(loaded)
        else:
            files.append(loaded)
            problems += loaded.parsed.problems
    return files, problems


def load_lists(specs: Sequence[str]) -> tuple[LoadedLists, list[Problem]]:
    """The lists in force and their warnings; raises ``BlocklistError`` on any error."""
    files, problems = read_lists(specs)
    if problems:
        raise BlocklistError(problems)
    index = _index(files)
    return LoadedLists(tuple(files), index), find_warnings(index, today())


def reload_lists(
    current: LoadedLists, specs: Sequence[str]
) -> tuple[LoadedLists, list[Problem], list[Problem]]:
    """``(lists in force, new errors, warnings)`` after re-reading the files that changed.

    A file that became invalid, unreadable or vanished keeps its last valid version in force
    (fail closed): a list never loses an entry to a bad edit. Each bad version is reported
    once, and not parsed again until it changes. New files join when they are valid.
    """
    found, missing = find_list_files(specs)
    previous = {f.name: f for f in current.files}
    rejected = dict(current.rejected)
    errors = _once(missing, rejected)
    files: list[ListFile] = []
    changed = False
    for name, path in found:
        old = previous.pop(name, None)
        stamp = _stamp(path)
        if stamp is not None and stamp in (getattr(old, "stamp", None), rejected.get(name)):
            files += [old] if old is not None else []
            continue
        loaded = read_list(name, path)
        if isinstance(loaded, ListFile) and not loaded.parsed.problems:
            rejected.pop(name, None)
            changed = changed or old is None or old.parsed.info.sha256 != loaded.parsed.info.sha256
            files.append(loaded)
            continue
        errors += [loaded] if isinstance(loaded, Problem) else list(loaded.parsed.problems)
        rejected[name] = stamp or _GONE
        files += [old] if old is not None else []
    gone = [
        Problem(f.name, 1, "file", "is gone; its last version stays in force")
        for f in previous.values()
    ]
    errors += _once(gone, rejected)
    files += previous.values()
    index = _index(files) if changed else current.index
    warnings = find_warnings(index, today()) if changed else []
    return LoadedLists(tuple(files), index, rejected), errors, warnings


def _once(problems: Iterable[Problem], rejected: dict[str, Stamp]) -> list[Problem]:
    """The problems with missing files not reported yet (each is reported once)."""
    new = [p for p in problems if rejected.get(p.file) != _GONE]
    rejected.update((p.file, _GONE) for p in new)
    return new


def _index(files: Iterable[ListFile]) -> BlocklistIndex:
    with collector_paused():
        return BlocklistIndex.build(f.parsed.blocklist for f in files if f.parsed.blocklist)
