"""Every ``HEED_*`` setting checked once, when a crawl's settings are final.

A value that cannot be read as its default's type (``HEED_ROBOTS_TTL=abc``, a check table that
is not a mapping) stops the crawl with one line; an unknown ``HEED_*`` name is most likely a
misspelling and is reported with the closest known name. After this check, every component's
``settings.getint(...)`` and the like reads a value of the declared type: the add-on supplies
each default, so no read meets a missing setting.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from crawler import defaults
from crawler.errors import ConfigError

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

PREFIX = "HEED_"
# Numbers for which 0 means nothing sensible (a timeout of 0 s would give up on every page).
_MORE_THAN_ZERO = frozenset({"HEED_EXTRACT_TIMEOUT"})


def known_settings() -> dict[str, object]:
    """Every ``HEED_*`` setting with its declared default."""
    return {name: getattr(defaults, name) for name in dir(defaults) if name.startswith(PREFIX)}


def misspelled(settings: BaseSettings) -> list[str]:
    """A warning for each ``HEED_*`` name that Heed does not know, naming the closest one."""
    known = known_settings()
    warnings = []
    for name in sorted(n for n in settings if isinstance(n, str) and n.startswith(PREFIX)):
        if name in known:
            continue
        close = difflib.get_close_matches(name, known, n=1)
        hint = f": did you mean {close[0]}?" if close else " (see the README's settings table)"
        warnings.append(f"unknown setting {name} is ignored{hint}")
    return warnings


def _reader(settings: BaseSettings, default: object) -> Callable[[str], Any]:
    """The Scrapy getter that components use for a setting with this default."""
    if isinstance(default, bool):
        return settings.getbool
    if isinstance(default, int):
        return settings.getint
    if isinstance(default, float):
        return settings.getfloat
    if isinstance(default, list):
        return settings.getlist
    if isinstance(default, dict):
        return settings.getdict
    return settings.get


def _kind(default: object) -> str:
    if isinstance(default, bool):
        return "True or False"
    if isinstance(default, int | float):
        return "a number of 0 or more"
    if isinstance(default, list):
        return "a list"
    if isinstance(default, dict):
        return "a mapping (JSON object)"
    return "a string" + (" or None" if default is None else "")


def _valid(value: object, default: object) -> bool:
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int | float):
        return isinstance(value, int | float) and value >= 0
    if isinstance(default, str | None):
        return isinstance(value, str) or (default is None and value is None)
    return True


def validate(settings: BaseSettings) -> None:
    """Raise ``ConfigError`` for the first ``HEED_*`` value not of its default's type."""
    for name, default in known_settings().items():
        raw = settings.get(name)
        try:
            value = _reader(settings, default)(name)
            ok = _valid(value, default) and (name not in _MORE_THAN_ZERO or value > 0)
        except (TypeError, ValueError):
            ok = False
        if not ok:
            kind = "a number more than 0" if name in _MORE_THAN_ZERO else _kind(default)
            raise ConfigError(
                f"{name}={raw!r} is not {kind} (default: {default!r}); "
                "fix it in the project's settings, the spider's custom_settings or -s"
            )
