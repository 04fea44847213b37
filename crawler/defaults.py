"""Every default of Heed, documented: the ``Heed`` add-on (``crawler.addon``) applies them.

Like Scrapy's own ``default_settings``, this is the one place a default lives; the README's
settings table mirrors it (a test checks). The add-on sets each at add-on priority, so a
project's settings, a spider's ``custom_settings`` and ``-s NAME=VALUE`` override them.
"""

from scrapy.settings import default_settings as _scrapy_defaults

# --- Identity (RFC 9309 §2.2.1) -------------------------------------------------------------
# The product token robots.txt groups are matched against: letters, "-" and "_" only. Your
# USER_AGENT must contain it (Scrapy's default agent is refused): set both in your project.
HEED_PRODUCT_TOKEN = "HeedBot"

# --- Decision log ------------------------------------------------------------------------
# Path of this run's decision log; %(name)s is the spider, %(time)s the UTC start time.
# The file must not exist yet: a log is never appended to by a second run.
HEED_DECISION_LOG = "decisions/%(name)s-%(time)s.jsonl"
# fsync the log every N records or S seconds (whichever first) and at close; 0 records = time only.
HEED_LOG_FSYNC_RECORDS = 1000
HEED_LOG_FSYNC_SECONDS = 1.0
# Every line of the log is a leaf of an RFC 9162 Merkle tree. A checkpoint record (tree size,
# root hash) is written every N records or S seconds, whichever first, and in the closing
# record; 0 turns either trigger off (docs/decision-log.md).
HEED_CHECKPOINT_RECORDS = 10000
HEED_CHECKPOINT_SECONDS = 60.0
# Ed25519 private key (written by `heed log keygen -o FILE`) that signs every checkpoint, and
# the key name its verifier key FILE.pub carries. None: checkpoints are unsigned.
HEED_LOG_SIGNING_KEY = None
HEED_LOG_SIGNING_KEY_NAME = "heed"
# A file outside the log to which every checkpoint is also appended (JSON Lines), to keep an
# anchor elsewhere: `heed log verify --checkpoint FILE` checks logs against it. None: off.
HEED_CHECKPOINT_FILE = None

# --- Progress ------------------------------------------------------------------------------
# Seconds between Heed's progress lines (pages kept, denials by top reason, origins waiting or
# unreachable, log records), like Scrapy's LOGSTATS_INTERVAL. On a terminal the line is live,
# redrawn every second; in a log file it is an INFO line per interval. 0 switches it off.
HEED_PROGRESS_INTERVAL = 60.0

# --- Items -------------------------------------------------------------------------------
# The kinds of content the site spider keeps: "html", "pdf", "epub", "image" (a list, or on
# the command line html,pdf,image or the JSON form). A response of another kind is recorded
# and dropped before any spider sees it. With "image", the images pages show (<img>, srcset)
# are stored by Scrapy's ImagesPipeline under IMAGES_STORE (default ./images).
HEED_CONTENT = ["html", "pdf", "epub"]
# Keep each page's raw HTML in its item (field "html") besides its readable text.
HEED_KEEP_HTML = False
# Largest page, in bytes, whose main content trafilatura extracts; a larger page's item holds
# its whole visible text instead (text_source "whole_text"), read in time linear in the page.
# trafilatura's time grows faster than the page (about 0.4 s for 1 MB of paragraphs, 19 s for
# 8 MB): past this size, most pages would only run into HEED_EXTRACT_TIMEOUT.
HEED_EXTRACT_MAX_BYTES = 1048576
# Worker processes that extract main content off the crawl's thread (forks of the crawl, made
# when the first page needs one); 0 extracts on the crawl's thread, with no time limit. One is
# enough where the crawl's thread, not extraction, is the bottleneck (pages of ~7 KB).
HEED_EXTRACT_WORKERS = 1
# Seconds a worker may spend on one page: then it is killed and the page's item holds its
# whole visible text (hostile flat markup holds trafilatura for seconds to minutes).
HEED_EXTRACT_TIMEOUT = 10.0

# --- The gates -----------------------------------------------------------------------------
# Request checks, cheapest first (lower runs earlier); a deny stops the request before download.
HEED_REQUEST_CHECKS = {
    # First: a listed host is never contacted, not even for its robots.txt.
    "crawler.checks.blocklist.BlocklistCheck": 10,
    "crawler.checks.access.AccessCheck": 50,
    # Opt-outs beyond RFC 9309, just before robots.txt's own rules so that a record denied by
    # robots.txt still carries their findings: robots.txt lines (no fetch), then the per-origin
    # files tdmrep.json and ai.txt (one fetch per origin and TTL).
    "crawler.checks.also_obey.AlsoObeyCheck": 150,
    "crawler.checks.content_usage.ContentUsageCheck": 160,
    "crawler.checks.content_signal.ContentSignalCheck": 170,
    "crawler.checks.tdmrep.TdmrepCheck": 180,
    "crawler.checks.aitxt.AiTxtCheck": 190,
    # RSL licences named by robots.txt License: lines (fetched once per licence URL and TTL).
    "crawler.checks.rsl.RslCheck": 195,
    "crawler.checks.robots.RobotsCheck": 200,
}
# Response checks, run on every response before anything else sees it.
HEED_RESPONSE_CHECKS: dict[str, int] = {
    # The kind of content (HEED_CONTENT), decided once for the gate and everything after it.
    "crawler.checks.content.ContentCheck": 50,
    # Rights reservations in headers and the HTML head (one shared parse of the head).
    "crawler.checks.tdmrep.TdmrepCheck": 200,
    "crawler.checks.content_usage.ContentUsageCheck": 210,
    "crawler.checks.content_signal.ContentSignalCheck": 220,
    "crawler.checks.noai.NoaiCheck": 230,
    # RSL licences named by a Link header or an HTML <link rel="license">.
    "crawler.checks.rsl.RslCheck": 240,
    # Reservations inside the asset: IPTC Data Mining and TDMRep in the XMP of images and PDFs,
    # TDMRep in an EPUB's package document, C2PA training-and-data-mining assertions.
    "crawler.checks.assets.IptcCheck": 250,
    "crawler.checks.assets.XmpTdmrepCheck": 260,
    "crawler.checks.assets.EpubTdmrepCheck": 270,
    "crawler.checks.assets.C2paCheck": 280,
    "crawler.checks.access.AccessCheck": 100,
    "crawler.checks.access.PaywallCheck": 500,
}

# Download handlers behind the send-time gate, by scheme (class paths), for a project that
# downloads with another handler (HTTP/2, a browser): Scrapy's own (DOWNLOAD_HANDLERS_BASE) when
# a scheme is not named. DOWNLOAD_HANDLERS itself must stay Heed's, or the crawl refuses to start.
HEED_DOWNLOAD_HANDLERS: dict[str, str] = {}

# --- Blocklists (GPAI Code of Practice, Copyright, Measure 1.2(b)) ------------------------
# YAML files or folders of infringing-sites lists (schema: blocklists/README.md). Relative
# paths are read from the current directory; the default is the project's blocklists/
# (./blocklists, else the folder beside the crawler package). A missing or invalid list
# stops the crawl from starting; [] means no lists.
HEED_BLOCKLISTS = ["blocklists"]
# Seconds between checks for edited list files during a crawl; a bad edit keeps the last valid
# version in force. 0 never reloads.
HEED_BLOCKLIST_RELOAD_S = 60.0

# --- robots.txt (RFC 9309) -----------------------------------------------------------------
# How long a fetched robots.txt (2xx or 4xx) is trusted, in seconds (RFC 9309 §2.4: 24 h).
HEED_ROBOTS_TTL = 86400.0
# After an unreachable robots.txt (429, 5xx, network error, timeout, > 5 redirects, a redirect
# to a non-HTTP(S) URL, a body cut short by the network) the whole origin is disallowed; it is
# fetched again on the first request after this many seconds.
HEED_ROBOTS_RETRY_AFTER = 600.0
# Bytes of robots.txt parsed (RFC 9309 §2.5: at least 500 KiB), counted after undoing its
# Content-Encoding; the rest is neither decoded nor downloaded. Also the limit of ai.txt.
HEED_ROBOTS_MAX_BYTES = 512000
# Seconds a robots.txt download may take in all (a body that trickles forever is unreachable).
HEED_ROBOTS_TIMEOUT = 30.0
# Redirects followed for robots.txt (RFC 9309 §2.3.1.2: at least five); more is unreachable.
HEED_ROBOTS_MAX_REDIRECTS = 5
# Largest Crawl-delay honoured, in seconds; a larger value is capped to this.
HEED_MAX_CRAWL_DELAY = 30.0

# --- Response bodies ----------------------------------------------------------------------
# Largest response body, in bytes after undoing its Content-Encoding: a larger one (a
# compression bomb, say) is decoded no further and denied as page.too_large, and a larger
# download is dropped by Scrapy before it is all in memory (recorded the same way). Scrapy's
# DOWNLOAD_MAXSIZE, when lower, and a request's download_maxsize meta win. 32 MiB is Scrapy's
# DOWNLOAD_WARNSIZE.
HEED_PAGE_MAX_BYTES = 33554432

# --- Access controls (never circumvent: docs/access.md) ------------------------------------
# A page partly paywalled (schema.org hasPart with cssSelector): "deny" the whole page, or
# "keep_free": pass it on without the paid elements (a compliance choice: see docs/access.md).
HEED_PAYWALL_PARTIAL = "deny"
# A 3xx whose Location matches one of these (Python regular expressions, searched in the
# target's host, path and query, and not in the source's host and path) is a login wall.
HEED_LOGIN_PATTERNS = [
    r"(?i)(?<![a-z])(log|sign)[-_]?(in|on)(?![a-z])",
    r"[a-z](Log|Sign)(in|In|on|On)(?![a-z])",
    r"(?i)(?<![a-z])(subscri(be|ption)|paywall|regist(er|ration))",
    r"(?i)(?<![a-z])(o?auth|sso|authenticate|authorize)(?![a-z])",
]

# --- Cluster mode (docs/scale.md; needs the "cluster" extra) -------------------------------
# The class of the per-origin policy document caches; cluster mode sets a Redis-backed one.
HEED_ORIGIN_CACHE = "crawler.origin.cache.OriginCache"
# A Redis URL (redis://host:6379/0) makes this worker one of many sharing a frontier, a
# dupefilter, per-origin policy documents and politeness; None crawls in this process alone.
HEED_REDIS_URL = None
# A worker exits once the whole cluster has had nothing queued or in flight for this long.
HEED_IDLE_CLOSE_S = 10.0
# A worker silent for this long is presumed dead: its in-flight requests go back to the
# frontier and its locks on per-origin documents lapse.
HEED_WORKER_LEASE_S = 60.0
# Requests taken from the shared frontier per round trip (more is faster, less is fairer).
HEED_FRONTIER_BATCH = 8

# --- Rights reservations beyond robots.txt (docs/optouts.md) ------------------------------
# The use whose reservations count: "train-ai" (training AI models: what Heed collects for),
# "ai-use" (input to AI models at run time) or "search". A signal about another use is
# recorded but never denies (search=n alone does not stop a training crawl).
HEED_PURPOSE = "train-ai"
# The conservative option: other crawlers' product tokens whose restrictions bind Heed too,
# e.g. ["GPTBot", "CCBot", "Google-Extended"]: their robots.txt Disallow rules, Content-Usage
# and Content-Signal lines and ai.txt groups, X-Robots-Tag scopes and meta tags. Empty: off.
HEED_ALSO_OBEY_AGENTS: list[str] = []
# Seconds a fetched /.well-known/tdmrep.json or /ai.txt is trusted. Both are fetched with the
# robots.txt timeout and redirect limit; a failed fetch (5xx, network) is retried after
# HEED_ROBOTS_RETRY_AFTER seconds. ai.txt is read up to HEED_ROBOTS_MAX_BYTES, like robots.txt.
HEED_TDMREP_TTL = 86400.0
HEED_AITXT_TTL = 86400.0
# Bytes of tdmrep.json read; a larger file cannot be read whole and denies its origin.
HEED_TDMREP_MAX_BYTES = 1048576
# Seconds a fetched RSL licence document is trusted, and the bytes read of one (at most
# 1,000,000); a licence that is larger, or cannot be fetched or read, denies what it covers.
HEED_RSL_TTL = 86400
HEED_RSL_MAX_BYTES = 1000000

# --- Safe defaults -------------------------------------------------------------------------
# Heed replaces Scrapy's robots middleware with its RFC 9309 gate.
ROBOTSTXT_OBEY = False
# No remote control server and no telnet console unless you ask for them.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
# Cookies only as each site sets them, in one jar: a site's own session, never cleared to
# reset a meter; Heed's access check refuses cookies, jars and credentials of its own making.
COOKIES_ENABLED = True

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    # Heed never sends credentials (http_user/http_pass) to the sites it crawls.
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
    # The request gate runs where Scrapy's robots middleware ran: after offsite filtering,
    # before cookies, cache and the download.
    "crawler.gates.RequestGate": 100,
    # Responses are decoded first (gzip, deflate, br, zstd) so that the response gate reads the
    # real body, as a stream stopped at HEED_PAGE_MAX_BYTES (or a policy document's limit), by
    # Heed's decoder in place of Scrapy's, which holds up to DOWNLOAD_MAXSIZE (1 GiB) first...
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "crawler.body.BodyDecoder": 960,
    # ...and then judged before the HTTP cache, redirects, retries, spiders or pipelines.
    "crawler.gates.ResponseGate": 950,
}
SPIDER_MIDDLEWARES = {
    # Every item a spider yields from a response gets heed_seq and heed_log: its decision record.
    "crawler.items.DecisionLink": 950,
}
# Every scheme is downloaded through the request gate's send-time stage, which decides and
# records as the request leaves the politeness queue (docs/architecture.md).
DOWNLOAD_HANDLERS = {
    scheme: "crawler.send_gate.SendGate" for scheme in _scrapy_defaults.DOWNLOAD_HANDLERS_BASE
}
EXTENSIONS = {
    "crawler.log.recorder.DecisionRecorder": 0,
    # Every fetched policy document, kept as WARC records beside the decision log.
    "crawler.log.archive.PolicyArchive": 0,
    "crawler.gates.RequestDecisions": 0,
    # A graceful stop releases the requests waiting out a politeness delay, unsent.
    "crawler.slots.StopReleasesQueues": 0,
    "crawler.origin.cache.OriginCaches": 0,
    "crawler.origin.robots.RobotsPolicy": 0,
    "crawler.origin.policy_files.PolicyFiles": 0,
    "crawler.crawl_status.CrawlStatus": 0,
    # scrapy shell / scrapy fetch: say where the session's decision log is.
    "crawler.interactive.SessionLogNotice": 0,
    # The cycle collector tuned for a crawl: start-up objects frozen, a larger young generation.
    "crawler.collector.CrawlCollector": 0,
    # Main-content extraction in worker processes (HEED_EXTRACT_WORKERS, HEED_EXTRACT_TIMEOUT).
    "crawler.extraction.workers.ExtractionWorkers": 0,
}

# Measured: fewer concurrent item tasks per response is faster on Scrapy 2.19 (scrapy#5182).
CONCURRENT_ITEMS = 16
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 8
FEED_EXPORT_ENCODING = "utf-8"
