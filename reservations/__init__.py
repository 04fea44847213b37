"""Pure decision library: parse and evaluate opt-out and access signals.

Nothing here imports Scrapy or Twisted, touches the network or writes files:
every function takes bytes, strings and mappings and returns small frozen values.
"""
