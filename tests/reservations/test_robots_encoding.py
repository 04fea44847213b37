"""robots.txt bytes to text: UTF-8, unless a byte order mark names another Unicode encoding."""

from __future__ import annotations

import pytest

from reservations.robots import MAX_PARSE_BYTES, parse_robots

RULES = "User-agent: *\nDisallow: /private/\n"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_file_with_a_byte_order_mark_keeps_its_rules(encoding: str) -> None:
    body = RULES.encode(encoding)
    if encoding != "utf-16":  # Python writes the mark only for plain "utf-16"
        body = "\ufeff".encode(encoding) + body
    robots = parse_robots(body)
    assert not robots.evaluate("/private/x", "HeedBot").allowed
    assert robots.evaluate("/open", "HeedBot").allowed


def test_utf16_without_a_mark_is_read_as_utf8_and_finds_no_rule() -> None:
    robots = parse_robots(RULES.encode("utf-16-le"))
    assert robots.evaluate("/private/x", "HeedBot").rule is None


def test_truncated_utf16_file_is_cut_at_a_whole_line() -> None:
    line = "Disallow: /private/abcdef\n"
    body = "\ufeffUser-agent: *\n".encode("utf-16-le")
    body += (line * (MAX_PARSE_BYTES // len(line.encode("utf-16-le")) + 10)).encode("utf-16-le")
    robots = parse_robots(body)
    assert robots.truncated
    assert not robots.evaluate("/private/abcdef", "HeedBot").allowed
    assert robots.evaluate("/private/abc", "HeedBot").allowed
