"""Errors that users cause (bad settings, bad files, unreadable logs).

The CLI prints them without a traceback and exits with ``exit_code``.
"""


class HeedError(Exception):
    """Base of every user-facing error; the message names the file, line or setting and the fix."""

    exit_code = 2


class ConfigError(HeedError):
    """A setting is missing or invalid; the crawl refuses to start."""


class LogWriteError(HeedError):
    """The decision log cannot be written; the crawl must stop before fetching anything more."""


class LogReadError(HeedError):
    """A decision log cannot be read or is not a Heed log."""
