"""The blocklist check, through real crawls against servers on 127.0.0.1.

Two names reach the same test server: ``127.0.0.1`` (never listed) and ``localhost``
(listed when a test needs a listed host that would answer if it were contacted).
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

from werkzeug import Request, Response

HTML = "text/html; charset=utf-8"
ALLOW_ALL = "User-agent: *\nAllow: /\n"


def entry(domain: str, match: str = "subdomains") -> str:
    return (
        f"  - domain: {domain}\n    match: {match}\n    reason: test listing\n"
        "    source: Test court, order 1\n    added: 2026-01-15\n"
    )


def write_list(path: Path, *domains: str, version: str = "1") -> Path:
    path.write_text(
        f"id: test-list\nversion: '{version}'\nentries:\n" + "".join(map(entry, domains)),
        encoding="utf-8",
    )
    return path


def serve(server, links: dict[str, list[str]]) -> None:
    server.expect_request("/robots.txt").respond_with_data(ALLOW_ALL, content_type="text/plain")
    for path, targets in links.items():
        body = "".join(f'<a href="{t}">{t}</a>' for t in targets)
        server.expect_request(path).respond_with_data(f"<p>{path}</p>{body}", content_type=HTML)


def paths_requested(server) -> list[str]:
    return [req.path for req, _ in server.log]


def hosts_requested(server) -> set[str]:
    return {req.host.split(":")[0] for req, _ in server.log}


def settings(blocklist: Path, **more) -> dict:
    return {"HEED_BLOCKLISTS": [str(blocklist)], **more}


def test_listed_host_is_never_contacted_not_even_for_robots_txt(
    make_server, crawl, tmp_path
) -> None:
    server = make_server()
    serve(server, {"/page": []})
    lists = write_list(tmp_path / "list.yaml", "localhost")
    url = f"http://localhost:{server.port}/page"
    result = crawl([url], settings=settings(lists))
    assert result.returncode == 0, result.stderr
    assert server.log == [] and result.items == []
    deny = result.decision_for(url)
    assert (deny["decision"], deny["check"], deny["reason"]) == (
        "deny",
        "blocklist",
        "blocklist.listed",
    )
    evidence = deny["evidence"]["blocklist"]
    assert evidence["host"] == "localhost"
    assert evidence["entry"]["domain"] == "localhost"
    assert evidence["entry"]["match"] == "subdomains"
    assert evidence["entry"]["source"] == "Test court, order 1"
    assert evidence["entry"]["file"] == str(lists)
    assert evidence["entry"]["file_sha256"] == hashlib.sha256(lists.read_bytes()).hexdigest()
    assert [r["url"] for r in result.decisions()] == [url]  # robots.txt was never asked for


def test_every_spelling_of_a_listed_ip_is_denied(make_server, crawl, tmp_path) -> None:
    server = make_server()
    serve(server, {"/": []})
    lists = write_list(tmp_path / "list.yaml", "127.0.0.2")
    urls = [f"http://{host}:{server.port}/" for host in ("127.0.0.2", "0x7f000002", "127.2")]
    result = crawl(urls, settings=settings(lists))
    assert result.returncode == 0, result.stderr
    reasons = {r["url"]: r["reason"] for r in result.decisions("request")}
    assert set(reasons.values()) == {"blocklist.listed"} and len(reasons) == 3


def test_unlisted_host_passes_with_the_lists_in_force_as_evidence(
    make_server, crawl, tmp_path
) -> None:
    server = make_server()
    serve(server, {"/": []})
    lists = write_list(tmp_path / "list.yaml", "localhost")
    result = crawl([server.url_for("/")], settings=settings(lists))
    assert result.returncode == 0, result.stderr
    assert result.item_urls == {server.url_for("/")}
    evidence = result.decision_for(server.url_for("/"))["evidence"]["blocklist"]
    header = result.records[0]
    assert header["stage"] == "run"
    assert evidence == {"host": "127.0.0.1", "lists_sha256": header["blocklists"]["sha256"]}
    (listed,) = header["blocklists"]["lists"]
    assert listed == {
        "id": "test-list",
        "version": "1",
        "file": str(lists),
        "sha256": hashlib.sha256(lists.read_bytes()).hexdigest(),
    }


def test_redirect_into_a_listed_host_is_denied(make_server, crawl, tmp_path) -> None:
    server = make_server()
    serve(server, {"/target": []})
    target = f"http://localhost:{server.port}/target"
    server.expect_request("/go").respond_with_data("", status=302, headers={"Location": target})
    lists = write_list(tmp_path / "list.yaml", "localhost")
    result = crawl([server.url_for("/go")], settings=settings(lists))
    assert result.returncode == 0, result.stderr
    assert "/target" not in paths_requested(server)
    assert hosts_requested(server) == {"127.0.0.1"}
    assert result.decision_for(target)["reason"] == "blocklist.listed"


def test_robots_txt_redirect_into_a_listed_host_is_denied(make_server, crawl, tmp_path) -> None:
    server = make_server()
    listed_robots = f"http://localhost:{server.port}/robots.txt"
    server.expect_request("/robots.txt").respond_with_handler(
        lambda request: Response(
            ALLOW_ALL if request.host.startswith("localhost") else "",
            status=200 if request.host.startswith("localhost") else 301,
            headers={} if request.host.startswith("localhost") else {"Location": listed_robots},
        )
    )
    server.expect_request("/").respond_with_data("<p>home</p>", content_type=HTML)
    lists = write_list(tmp_path / "list.yaml", "localhost")
    result = crawl([server.url_for("/")], settings=settings(lists))
    assert result.returncode == 0, result.stderr
    assert hosts_requested(server) == {"127.0.0.1"}
    assert result.decision_for(listed_robots)["check"] == "blocklist"


def test_invalid_list_stops_the_crawl_before_any_fetch(make_server, crawl, tmp_path) -> None:
    server = make_server()
    serve(server, {"/": []})
    good = write_list(tmp_path / "good.yaml", "blocked.test")
    bad = tmp_path / "bad.yaml"
    bad.write_text(entry("bad name").replace("2026-01-15", "soon"), encoding="utf-8")
    bad.write_text("entries:\n" + bad.read_text(), encoding="utf-8")
    result = crawl([server.url_for("/")], settings={"HEED_BLOCKLISTS": [str(tmp_path)]})
    assert result.returncode != 0
    assert server.log == [] and result.items == []
    assert f"{bad}:2: domain: 'bad name' has an invalid label" in result.stderr
    assert f"{bad}:6: added: 'soon' is not a date" in result.stderr
    assert str(good) not in result.stderr


def test_edited_list_is_picked_up_during_the_crawl(make_server, crawl, tmp_path) -> None:
    server = make_server()
    lists = write_list(tmp_path / "list.yaml", "blocked.test")
    after = f"http://localhost:{server.port}/after"

    def edit(request: Request) -> Response:
        write_list(lists, "blocked.test", "localhost", version="2")
        time.sleep(0.5)  # longer than HEED_BLOCKLIST_RELOAD_S: the next request re-reads
        return Response(f'<a href="{after}">after</a>', content_type=HTML)

    serve(server, {"/after": []})
    server.expect_request("/edit").respond_with_handler(edit)
    seed = f"http://localhost:{server.port}/edit"
    result = crawl([seed], settings=settings(lists, HEED_BLOCKLIST_RELOAD_S=0.2))
    assert result.returncode == 0, result.stderr
    assert "/edit" in paths_requested(server) and "/after" not in paths_requested(server)
    deny = result.decision_for(after)
    assert deny["reason"] == "blocklist.listed"
    assert deny["evidence"]["blocklist"]["entry"]["list_version"] == "2"
    assert "Heed blocklists reloaded" in result.stderr


def test_bad_edit_keeps_the_last_valid_list_in_force(make_server, crawl, tmp_path) -> None:
    server = make_server()
    lists = write_list(tmp_path / "list.yaml", "localhost")
    target = f"http://localhost:{server.port}/target"

    def break_the_list(request: Request) -> Response:
        lists.write_text("entries:\n  - domain: [unclosed\n", encoding="utf-8")
        time.sleep(0.5)
        return Response("", status=302, headers={"Location": target})

    serve(server, {"/target": []})
    server.expect_request("/edit").respond_with_handler(break_the_list)
    result = crawl([server.url_for("/edit")], settings=settings(lists, HEED_BLOCKLIST_RELOAD_S=0.2))
    assert result.returncode == 0, result.stderr
    assert "/target" not in paths_requested(server)
    assert result.decision_for(target)["reason"] == "blocklist.listed"
    assert "last valid version stays in force" in result.stderr
    assert f"{lists}:3: yaml: " in result.stderr
    assert json.loads(json.dumps(result.records[0]["blocklists"]))["entries"] == 1
