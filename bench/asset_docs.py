"""PDF metadata checks: what reading TDMRep and plus:DataMining from a 2 MB PDF costs.

The file is built here with pypdf: pages of uncompressed text up to about 2 MB, and a
document-level XMP packet with TDMRep and PLUS properties. Each row is the median of several
runs of one step; text extraction is left out, since the checks need only the metadata.

    .venv/bin/python bench/asset_docs.py            # prints the medians
    .venv/bin/python bench/asset_docs.py --quick    # fewer runs
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO)]

from pypdf import PdfReader, PdfWriter  # noqa: E402
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject  # noqa: E402

from bench.report import machine, median  # noqa: E402
from reservations.pdf import catalog_xmp, read_pdf, xmp_values  # noqa: E402

TARGET_BYTES = 2_000_000
XMP = b"""<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
 <rdf:Description rdf:about="" xmlns:tdm="http://www.w3.org/ns/tdmrep#"
   xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/"
   tdm:reservation="1" tdm:policy="https://example.com/policy.json">
  <plus:DataMining rdf:resource="http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED"/>
 </rdf:Description></rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>"""


def two_megabyte_pdf() -> bytes:
    """Pages of about 8 KB of text operators each, as many as reach ``TARGET_BYTES``."""
    writer = PdfWriter()
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    line = "(The quick brown fox jumps over the lazy dog, page {n}.) Tj 0 -14 Td\n"
    pages = TARGET_BYTES // 8_000
    for n in range(pages):
        page = writer.add_blank_page(612, 792)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        )
        stream = DecodedStreamObject()
        body = "".join(line.format(n=n) for _ in range(8_000 // len(line)))
        stream.set_data(f"BT /F1 10 Tf 72 760 Td\n{body}ET".encode())
        page[NameObject("/Contents")] = writer._add_object(stream)
    writer.xmp_metadata = XMP
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def timed(step: Callable[[], object], runs: int) -> float:
    """Median milliseconds of ``runs`` calls of ``step``."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1000)
    return median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs")
    runs = 5 if parser.parse_args().quick else 31
    data = two_megabyte_pdf()
    document = read_pdf(data, text=False)
    assert document.tdm_reservation is True and document.data_mining, document
    xmp = catalog_xmp(PdfReader(io.BytesIO(data)))
    assert xmp is not None
    pages = len(PdfReader(io.BytesIO(data)).pages)
    names = ("reservation", "policy", "DataMining")
    rows = [
        (
            "read_pdf(text=False): open, catalog XMP, TDMRep + DataMining",
            timed(lambda: read_pdf(data, text=False), runs),
        ),
        ("xmp_values on the XMP packet alone", timed(lambda: xmp_values(xmp, names), runs)),
    ]
    print(f"{machine()}; PDF of {len(data) / 1e6:.2f} MB, {pages} pages; {runs} runs")
    for label, ms in rows:
        print(f"  {label}: median {ms:.2f} ms")


if __name__ == "__main__":
    main()
