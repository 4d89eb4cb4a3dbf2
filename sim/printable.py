"""A user's text made safe where it is shown: one printable line for a terminal, a comment line
for YAML, bytes an XML reader accepts. Names, paths and values come from scenarios, logs and
clients: an escape sequence or a line separator in them must not act on what shows them."""
from __future__ import annotations

import re

__all__ = ["escaped", "one_line", "xml_safe"]

#: Control characters XML 1.0 does not allow (ElementTree and matplotlib's SVG write them as they are).
_XML_ILLEGAL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def escaped(text: str) -> str:
    """`text` with every character a terminal would not print as itself (a control character,
    U+2028, a C1 control) written as its escape (`\\x1b`, `\\u2028`, `\\U000e0041`)."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else _escape(ch) for ch in text)


def one_line(text: str) -> str:
    """A message on one line of printable characters: line breaks in a value quoted in it are
    joined by spaces, any other unprintable character is `escaped`."""
    if "\n" in text or "\r" in text:
        text = " ".join(text.split())
    return escaped(text)


def xml_safe(data: bytes) -> bytes:
    """UTF-8 XML with the control characters XML 1.0 does not allow written as their escapes."""
    return _XML_ILLEGAL.sub(lambda match: b"\\x%02x" % match.group()[0], data)


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
