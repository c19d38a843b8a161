"""XML parsing with no DTD, no entity expansion and no network access."""

from __future__ import annotations

from lxml import etree

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, dtd_validation=False, load_dtd=False,
                          huge_tree=False, remove_blank_text=True)


class UnsafeXml(ValueError):
    pass


def parse(data: bytes) -> etree._Element:
    """Parse a document; a DOCTYPE (and so any entity declaration) is refused outright."""
    try:
        root = etree.fromstring(data, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"Malformed XML: {exc}") from exc
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise UnsafeXml("XML with a DOCTYPE is not accepted")
    return root


def local_name(element: etree._Element) -> str:
    return etree.QName(element).localname
