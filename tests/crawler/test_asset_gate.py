"""Reservations inside the asset, through one real crawl: images, PDFs and EPUBs served locally."""

from __future__ import annotations

import pytest

from tests.crawler.optout_site import Site, crawl_sites, page
from tests.reservations import assets
from tests.reservations.c2pa_assets import generated_signer, mining, sign_jpeg
from tests.reservations.test_epub import build as epub
from tests.reservations.test_epub import package
from tests.reservations.test_pdf import build as pdf
from tests.reservations.test_pdf import xmp

PROHIBITED = "http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-AIMLTRAINING"
TDM_META = '<meta property="tdm:reservation">1</meta>'
TDM_PREFIX = "tdm: http://www.w3.org/ns/tdmrep#"
SIGNER = generated_signer()
ROUTES = {
    "/c2pa-denied.jpg": (
        sign_jpeg(SIGNER, [mining({"cawg.ai_training": {"use": "notAllowed"}})]),
        {},
        "image/jpeg",
    ),
    "/c2pa-allowed.jpg": (
        sign_jpeg(SIGNER, [mining({"cawg.ai_training": {"use": "allowed"}})]),
        {},
        "image/jpeg",
    ),
    "/iptc.jpg": (assets.jpeg(assets.data_mining(PROHIBITED)), {}, "image/jpeg"),
    "/allowed.png": (assets.png(assets.data_mining("DMI-ALLOWED")), {}, "image/png"),
    "/plain.webp": (assets.webp(), {}, "image/webp"),
    # An image served with no image type: known by its bytes, its metadata read all the same.
    "/untyped": (assets.jpeg(assets.data_mining(PROHIBITED)), {}, "application/octet-stream"),
    "/truncated.jpg": (assets.jpeg(assets.data_mining(PROHIBITED))[:60], {}, "image/jpeg"),
    "/tdm.pdf": (pdf(metadata=xmp('tdm:reservation="1"')), {}, "application/pdf"),
    "/free.pdf": (pdf(), {}, "application/pdf"),
    # A PDF served as text is still a PDF.
    "/as-text": (pdf(metadata=xmp(f'plus:DataMining="{PROHIBITED}"')), {}, "text/plain"),
    "/garbage.pdf": (b"%PDF-1.7\n\x00\xff not a pdf", {}, "application/pdf"),
    "/tdm.epub": (epub(package(TDM_META, TDM_PREFIX)), {}, "application/epub+zip"),
    "/free.epub": (epub(), {}, "application/epub+zip"),
    "/p": page(),
}
SEEDS = [path for path in ROUTES if path != "/p"] + ["/p"]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    sites = {"assets": Site(ROUTES, SEEDS)}
    every_kind = {"HEED_CONTENT": ["html", "pdf", "epub", "image"]}
    with crawl_sites(tmp_path_factory.mktemp("assets"), sites, every_kind) as crawl:
        yield crawl


@pytest.mark.parametrize(
    ("path", "check", "reason"),
    [
        ("/iptc.jpg", "iptc", "iptc.data_mining_prohibited"),
        ("/c2pa-denied.jpg", "c2pa", "c2pa.training_not_allowed"),
        ("/untyped", "iptc", "iptc.data_mining_prohibited"),
        ("/truncated.jpg", "iptc", "iptc.unreadable"),
        ("/tdm.pdf", "tdmrep_xmp", "tdmrep_xmp.reserved"),
        ("/as-text", "iptc", "iptc.data_mining_prohibited"),
        ("/garbage.pdf", "iptc", "iptc.unreadable"),
        ("/tdm.epub", "tdmrep_epub", "tdmrep_epub.reserved"),
    ],
)
def test_a_reservation_inside_the_asset_denies_it_and_nothing_keeps_it(
    crawled, path, check, reason
) -> None:
    record = crawled.decision("assets", path, stage="response")
    assert record["decision"] == "deny"
    assert record["findings"][check]["reason"] == reason
    assert not crawled.kept("assets", path)


@pytest.mark.parametrize(
    ("path", "findings"),
    [
        ("/allowed.png", {"iptc": "iptc.data_mining_permitted", "c2pa": "c2pa.none"}),
        ("/c2pa-allowed.jpg", {"c2pa": "c2pa.training_allowed"}),
        ("/plain.webp", {"iptc": "iptc.none", "tdmrep_xmp": "tdmrep_xmp.none"}),
        ("/free.pdf", {"iptc": "iptc.none", "tdmrep_xmp": "tdmrep_xmp.none"}),
        ("/free.epub", {"tdmrep_epub": "tdmrep_epub.none"}),
        ("/p", {"iptc": "iptc.not_an_asset", "c2pa": "c2pa.not_an_asset"}),
    ],
)
def test_an_asset_without_a_reservation_is_recorded_with_each_finding(
    crawled, path, findings
) -> None:
    # An image seed is judged twice: as the seed, and when the images pipeline stores it.
    records = crawled.result.decisions("response", crawled.url("assets", path))
    assert records
    for record in records:
        assert record["decision"] == "allow", record
        for check, reason in findings.items():
            assert record["findings"][check]["reason"] == reason


def test_items_say_their_kind_and_documents_carry_their_text(crawled) -> None:
    items = {item["url"]: item for item in crawled.result.items}
    pdf_item = items[crawled.url("assets", "/free.pdf")]
    assert pdf_item["kind"] == "pdf" and "Hello page one" in pdf_item["text"]
    epub_item = items[crawled.url("assets", "/free.epub")]
    assert epub_item["kind"] == "epub" and "First paragraph." in epub_item["text"]
    assert epub_item["language"] == "fr"
    png = items[crawled.url("assets", "/allowed.png")]
    assert png["kind"] == "image" and png["images"][0]["checksum"]
