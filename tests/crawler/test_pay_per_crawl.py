"""A priced 402 (pay-per-crawl) is refused as it is: its terms kept as evidence, never paid."""

from __future__ import annotations


def test_a_priced_402_is_denied_with_its_price_and_error_and_nothing_is_offered(
    make_server, crawl
) -> None:
    server = make_server()
    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow:\n")
    server.expect_request("/article").respond_with_data(
        "payment required",
        status=402,
        headers={"crawler-price": "USD 0.01", "crawler-error": "payment required"},
    )
    result = crawl([server.url_for("/article")])
    assert result.returncode == 0, result.stderr
    record = result.decision_for(server.url_for("/article"), "response")
    assert record["decision"] == "deny" and record["reason"] == "access.http_402"
    assert record["evidence"]["access"]["header"] == {
        "crawler-price": "USD 0.01",
        "crawler-error": "payment required",
    }
    assert result.items == []
    (request, _) = [entry for entry in server.log if entry[0].path == "/article"][0]
    offered = {name.lower() for name, _ in request.headers.items()}
    assert not offered & {"crawler-exact-price", "crawler-max-price", "signature-agent"}
    assert "text/markdown" not in request.headers.get("Accept", "")
