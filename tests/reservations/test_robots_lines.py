"""The product-token rule of RFC 9309 §2.2.1, the one Heed's own and also-obeyed tokens keep."""

from __future__ import annotations

import pytest

from reservations.robots_lines import is_product_token, product_name


@pytest.mark.parametrize("token", ["HeedBot", "GPTBot", "Google-Extended", "my_bot", "-"])
def test_letters_hyphen_and_underscore_make_a_product_token(token: str) -> None:
    assert is_product_token(token)


@pytest.mark.parametrize(
    "token", ["", "360Spider", "Mail.RU_Bot", "GPTBot/1.0", "Heed Bot", "Bot\u00e9", "*"]
)
def test_digits_dots_spaces_and_non_ascii_letters_are_no_product_token(token: str) -> None:
    assert not is_product_token(token)


def test_a_group_named_with_digits_is_read_whole_not_as_a_shorter_token() -> None:
    assert product_name("360Spider") == "360spider"
    assert product_name("Mail.RU_Bot/2.0") == "mail.ru_bot"
