"""The same project without the add-on, Heed's components enabled by hand instead."""

BOT_NAME = "userproject"
SPIDER_MODULES = ["userproject.spiders"]

HEED_PRODUCT_TOKEN = "UserProjectBot"
USER_AGENT = "UserProjectBot/1.0 (+http://127.0.0.1/bot)"
DOWNLOADER_MIDDLEWARES = {"crawler.gates.RequestGate": 100, "crawler.gates.ResponseGate": 950}
EXTENSIONS = {
    "crawler.log.recorder.DecisionRecorder": 0,
    "crawler.origin.cache.OriginCaches": 0,
    "crawler.origin.robots.RobotsPolicy": 0,
    "crawler.origin.policy_files.PolicyFiles": 0,
}
