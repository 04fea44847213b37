"""Images a page shows: judged at the gate (their metadata and the page's noai), stored by
Scrapy's ImagesPipeline only when allowed, and never stored when denied."""

from __future__ import annotations

from tests.reservations import assets

PROHIBITED = "http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED"
EVERY_KIND = {"HEED_CONTENT": "html,pdf,epub,image"}


def test_page_images_are_stored_when_allowed_and_never_when_reserved(
    make_server, crawl, tmp_path
) -> None:
    server = make_server()
    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow:\n")
    server.expect_request("/").respond_with_data(
        '<html><body><p>gallery</p><img src="/ok.jpg">'
        '<picture><source srcset="/reserved.jpg 1x, /ok.jpg 2x"></picture></body></html>',
        content_type="text/html",
    )
    server.expect_request("/ok.jpg").respond_with_data(assets.jpeg(), content_type="image/jpeg")
    reserved = assets.jpeg(assets.data_mining(PROHIBITED))
    server.expect_request("/reserved.jpg").respond_with_data(reserved, content_type="image/jpeg")
    store = tmp_path / "store"
    result = crawl([server.url_for("/")], settings={**EVERY_KIND, "IMAGES_STORE": str(store)})
    assert result.returncode == 0, result.stderr
    (page,) = result.items
    assert page["kind"] == "html"
    assert page["image_urls"] == [server.url_for("/ok.jpg"), server.url_for("/reserved.jpg")]
    assert [image["url"] for image in page["images"]] == [server.url_for("/ok.jpg")]
    stored = list(store.rglob("*.jpg"))
    assert len(stored) == 1 and stored[0].read_bytes()  # re-encoded by the pipeline
    denied = result.decision_for(server.url_for("/reserved.jpg"), "response")
    assert denied["reason"] == "iptc.data_mining_prohibited"


def test_a_page_noimageai_binds_the_images_it_shows(make_server, crawl, tmp_path) -> None:
    server = make_server()
    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow:\n")
    server.expect_request("/").respond_with_data(
        '<html><head><meta name="robots" content="noimageai"></head>'
        '<body><p>text</p><img src="/photo.jpg"></body></html>',
        content_type="text/html",
    )
    server.expect_request("/photo.jpg").respond_with_data(assets.jpeg(), content_type="image/jpeg")
    store = tmp_path / "store"
    result = crawl([server.url_for("/")], settings={**EVERY_KIND, "IMAGES_STORE": str(store)})
    assert result.returncode == 0, result.stderr
    (page,) = result.items  # the page itself is text: noimageai does not stop it
    assert page["images"] == []
    record = result.decision_for(server.url_for("/photo.jpg"), "response")
    assert record["reason"] == "noai.noimageai"
    assert not list(store.rglob("*.jpg"))


def test_without_image_in_content_an_image_is_recorded_and_dropped(make_server, crawl) -> None:
    server = make_server()
    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow:\n")
    server.expect_request("/a.png").respond_with_data(assets.png(), content_type="image/png")
    result = crawl([server.url_for("/a.png")])
    assert result.returncode == 0, result.stderr
    assert result.items == []
    record = result.decision_for(server.url_for("/a.png"), "response")
    assert record["reason"] == "content.kind_not_collected"


def test_an_unknown_content_kind_refuses_to_start(crawl, make_server) -> None:
    server = make_server()
    result = crawl([server.url_for("/")], settings={"HEED_CONTENT": "html,videos"})
    assert result.returncode == 2
    assert "HEED_CONTENT: videos is not a content kind" in result.stderr
