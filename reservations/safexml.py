"""XML from strangers, parsed so that it cannot reach the network, expand entities or go deep.

EPUB packages, XMP packets and RSL licences are all XML that Heed reads from hostile sources;
they share this one parser configuration so that none of them can be the weak one.
"""

from __future__ import annotations

from lxml import etree

# libxml2 refuses deeper trees itself (256 levels without ``huge_tree``); this bounds the bytes.
DEFAULT_MAX_BYTES = 2_000_000


class XmlError(ValueError):
    """The bytes are not a well-formed XML document Heed is willing to read."""


def parse_xml(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> etree._Element:
    """The root element of ``data``; ``XmlError`` when it is too large or not well-formed.

    No external DTD is loaded and no URL or file is fetched: a reference to an external entity
    (XXE) is an undefined entity, so the document is refused. Entities declared in the document
    itself are expanded, so that a declaration written through one still counts, and libxml2
    refuses their "billion laughs" amplification. Comments and processing instructions are
    dropped because nothing Heed reads lives in them.
    """
    if len(data) > max_bytes:
        raise XmlError(f"larger than {max_bytes} bytes")
    parser = etree.XMLParser(
        resolve_entities="internal",  # type: ignore[arg-type]  # lxml >= 5; stubs predate it
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data.lstrip(), parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise XmlError(f"not well-formed XML: {exc}") from exc
    if root is None:
        raise XmlError("no root element")
    return root


def local_name(element: etree._Element) -> str:
    """The tag of ``element`` without its namespace (``""`` for entity references). The HTML
    parser keeps tags no XML name allows (``<html<<<``), so the name is cut here, not parsed."""
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def namespace(element: etree._Element) -> str:
    """The namespace URI of ``element``'s tag, ``""`` when it has none."""
    tag = element.tag
    return (etree.QName(tag).namespace or "") if isinstance(tag, str) else ""


def text_of(element: etree._Element) -> str:
    """All the text inside ``element``, concatenated (XPath ``string()``)."""
    return str(element.xpath("string()"))
