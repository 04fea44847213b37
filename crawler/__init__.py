"""Heed: a Scrapy crawler that obeys every opt-out and keeps the evidence."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("heed")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
