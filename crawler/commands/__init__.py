"""Scrapy commands as Heed runs them (``COMMANDS_MODULE``)."""
