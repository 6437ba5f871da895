"""Decoding the bytes of a scraped page into text, whatever the page declares (or fails to)."""

from __future__ import annotations

import codecs
import logging
import re

logger = logging.getLogger(__name__)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# <meta charset="x">, <meta http-equiv="Content-Type" content="text/html; charset=x">, <?xml encoding="x"?>
_DECLARED = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9._:-]+)""",
    re.IGNORECASE,
)

# Labels that browsers map to a wider encoding (WHATWG Encoding Standard): decode as the superset.
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "gb_2312-80": "gb18030",
    "big5": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "utf8": "utf-8",
    "unicode": "utf-8",
}

SNIFF_BYTES = 16384
_CONTROL_BYTES = bytes([*range(0x01, 0x09), *range(0x0E, 0x20)])  # control bytes text does not use


class BinaryContentError(ValueError):
    """The bytes are not text (NUL bytes outside a UTF-16/32 page)."""


def declared_encoding(data: bytes) -> str | None:
    """The encoding a page declares in its first bytes (meta charset, http-equiv or XML prolog)."""
    match = _DECLARED.search(data[:SNIFF_BYTES])
    if not match:
        return None
    label = (match.group(1) or match.group(2)).decode("ascii", "replace").strip().lower()
    return _codec_name(label)


def _codec_name(label: str) -> str | None:
    label = _SUPERSETS.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def looks_binary(data: bytes) -> bool:
    """True when the start of ``data`` holds NUL bytes or too many control characters."""
    head = data[:SNIFF_BYTES]
    if not head:
        return False
    if b"\x00" in head:
        return True
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))  # 5× faster than a regex count
    return controls > len(head) * 0.05


def decode_html(data: bytes) -> tuple[str, str]:
    """Decode page bytes; returns ``(text, encoding_used)``.

    Order: byte-order mark; then the declared encoding if the bytes really decode with it (a page
    that declares one encoding but is valid UTF-8 is read as UTF-8); then UTF-8; then
    charset-normalizer's best guess; finally Windows-1252 with replacement characters.

    Raises:
        BinaryContentError: the bytes are not text.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(name, errors="replace"), name
    if looks_binary(data):
        raise BinaryContentError("binary content (NUL or control bytes), not an HTML page")

    declared = declared_encoding(data)
    utf8_ok = _decodes(data, "utf-8")
    if declared and declared != "utf-8":
        if utf8_ok and not data.isascii():
            logger.debug("page declares %s but is valid UTF-8; reading it as UTF-8", declared)
            return data.decode("utf-8"), "utf-8"
        if _decodes(data, declared):
            return data.decode(declared), declared
    if utf8_ok:
        return data.decode("utf-8"), "utf-8"
    guess = _guess(data)
    if guess:
        return data.decode(guess, errors="replace"), guess
    if declared:
        return data.decode(declared, errors="replace"), declared
    return data.decode("cp1252", errors="replace"), "cp1252"


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _guess(data: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - charset-normalizer is a dependency
        return None
    best = from_bytes(data[:262144]).best()
    if best is None:
        return None
    return _codec_name(best.encoding.lower()) or best.encoding
