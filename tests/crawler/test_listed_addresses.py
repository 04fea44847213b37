"""A listed IP address is never contacted, whatever name leads there: real crawls against a
server on 127.0.0.1, reached as 0.0.0.0, 0, localhost and a made-up name resolving to it."""

from __future__ import annotations

from tests.crawler.checks.test_blocklist_gate import serve, settings, write_list

MADE_UP = {"TWISTED_DNS_RESOLVER": "tests.crawler.resolvers.MadeUpNames"}


def test_every_name_reaching_a_listed_address_is_denied_and_never_contacted(
    make_server, crawl, tmp_path
) -> None:
    server = make_server()
    serve(server, {"/": []})
    lists = write_list(tmp_path / "list.yaml", "127.0.0.1")
    hosts = {"0.0.0.0": "0.0.0.0", "0": "0.0.0.0", "localhost": "127.0.0.1"}
    hosts["made-up.test"] = "127.0.0.1"
    urls = {f"http://{host}:{server.port}/": host for host in hosts}
    result = crawl(list(urls), settings=settings(lists, **MADE_UP))
    assert result.returncode == 0, result.stderr
    assert server.log == []  # not a page, not a robots.txt
    for url, host in urls.items():
        deny = result.decision_for(url)
        assert (deny["decision"], deny["reason"]) == ("deny", "blocklist.listed_address")
        evidence = deny["evidence"]["blocklist"]
        assert (evidence["host"], evidence["address"]) == (host, hosts[host])
        assert evidence["entry"]["domain"] == "127.0.0.1"
        assert evidence["entry"]["file"] == str(lists)


def test_a_name_resolving_to_an_unlisted_address_is_fetched_with_its_address_on_record(
    make_server, crawl, tmp_path
) -> None:
    server = make_server()
    serve(server, {"/": []})
    lists = write_list(tmp_path / "list.yaml", "127.0.0.2")
    url = f"http://made-up.test:{server.port}/"
    result = crawl([url], settings=settings(lists, **MADE_UP))
    assert result.returncode == 0, result.stderr
    assert result.item_urls == {url}
    evidence = result.decision_for(url)["evidence"]["blocklist"]
    assert (evidence["host"], evidence["addresses"]) == ("made-up.test", ["127.0.0.1"])


def test_a_name_that_does_not_resolve_is_denied_while_addresses_are_listed(crawl, tmp_path) -> None:
    lists = write_list(tmp_path / "list.yaml", "127.0.0.2")
    url = "http://no-such-name.invalid/"
    result = crawl([url], settings=settings(lists, **MADE_UP))
    assert result.returncode == 0, result.stderr
    assert result.decision_for(url)["reason"] == "blocklist.unresolved"
