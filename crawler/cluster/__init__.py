"""Cluster mode: many workers, one crawl, on Redis and scrapy-redis (``HEED_REDIS_URL``).

The workers share the frontier and dupefilter (scrapy-redis's keys and request encoding),
each origin's policy documents, and each download slot's delay; each writes its own chained
decision log. Nothing here is imported, and Redis is not needed, unless the URL is set.
See docs/scale.md.
"""
