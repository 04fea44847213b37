"""Everything a project adds to run under Heed: the add-on and an honest identity."""

BOT_NAME = "userproject"
SPIDER_MODULES = ["userproject.spiders"]
NEWSPIDER_MODULE = "userproject.spiders"

ADDONS = {"crawler.addon.Heed": 0}
HEED_PRODUCT_TOKEN = "UserProjectBot"
USER_AGENT = "UserProjectBot/1.0 (+http://127.0.0.1/bot)"
