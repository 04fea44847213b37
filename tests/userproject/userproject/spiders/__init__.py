"""The team's spiders: one of each kind Scrapy offers."""


def seeds(urls: str) -> list[str]:
    return [url for url in urls.split(",") if url]
