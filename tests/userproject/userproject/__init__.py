"""A data team's own Scrapy project with Heed switched on by its add-on (README)."""
