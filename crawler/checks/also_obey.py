"""Adapter: ``HEED_ALSO_OBEY_AGENTS`` at the request gate, the conservative option.

A site that shuts out GPTBot, CCBot or Google-Extended in robots.txt, but not Heed by name, has
still said what it thinks of AI training crawlers. With this setting, the robots.txt rules for
each listed token bind Heed too: a Disallow for any of them denies (``also-obey.disallow``).
The robots.txt is the robots check's cached file. Off (``NotConfigured``) when the list is empty.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import NotConfigured

from crawler.checks.policy import also_obeyed, record_policy
from crawler.checks.robots_lines import SharedRobots
from reservations.agents import verdict_for_agents
from reservations.verdict import Verdict

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

CHECK = "also-obey"


class AlsoObeyCheck:
    """The Allow/Disallow rules of robots.txt for every also-obeyed product token."""

    name = CHECK
    # Its request answer follows from the URL and the policy documents it reads (crawler.gates).
    reads_only_policy_documents = True

    def __init__(self, crawler: Crawler) -> None:
        self.tokens = also_obeyed(crawler.settings)
        if not self.tokens:
            raise NotConfigured("HEED_ALSO_OBEY_AGENTS is empty")
        self.robots = SharedRobots(crawler, CHECK)
        record_policy(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AlsoObeyCheck:
        return cls(crawler)

    async def check_request(self, request: Request) -> Verdict:
        state = await self.robots.state(request)
        return verdict_for_agents(state, request.url, self.tokens, CHECK)
