"""How every ONVIF answer is read. zeep (through onvif-zeep-async) parses
what a camera sends with lxml; the plugin itself parses no XML (zeep hands
it objects), so these are the rules for every byte of XML an ONVIF camera
sends: a DTD, an entity declaration or an external reference is refused
outright (the protections defusedxml gives the standard library's parsers,
which zeep names the same), and libxml2's own limits stay on (no "huge
tree": onvif-zeep-async turns it on, which lets a camera send a text node
of a gigabyte or a tree thousands deep)."""

from __future__ import annotations

from onvif.settings import DEFAULT_SETTINGS


def apply() -> None:
    """Set the rules on the settings onvif-zeep-async gives every zeep
    client it makes (and its WSDL loader, whose files have no DTD)."""
    DEFAULT_SETTINGS.forbid_dtd = True
    DEFAULT_SETTINGS.forbid_entities = True
    DEFAULT_SETTINGS.forbid_external = True
    DEFAULT_SETTINGS.xml_huge_tree = False
