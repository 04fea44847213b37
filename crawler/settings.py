"""Heed's own Scrapy project (``scrapy crawl site``): the add-on, the spiders and an identity.

Every ``HEED_*`` default lives in ``crawler/defaults.py`` and is applied by the add-on; a project
of your own gets the same stack with ``ADDONS = {"crawler.addon.Heed": 0}`` (README).
"""

BOT_NAME = "heed"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
# `scrapy crawl` prints Heed's configuration errors as one line, not a traceback.
COMMANDS_MODULE = "crawler.commands"
ADDONS = {"crawler.addon.Heed": 0}

# --- Identity (RFC 9309 §2.2.1) -------------------------------------------------------------
HEED_PRODUCT_TOKEN = "HeedBot"
# Must contain HEED_PRODUCT_TOKEN; Scrapy's default agent is refused. Name a contact you answer.
USER_AGENT = "Mozilla/5.0 (compatible; HeedBot/0.1; +https://github.com/heed-crawler/heed)"
