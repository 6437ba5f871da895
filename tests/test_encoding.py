"""Decoding page bytes whatever they declare: BOMs, meta charset, http-equiv, wrong declarations."""

from __future__ import annotations

import codecs

import pytest

from indexer.encoding import BinaryContentError, declared_encoding, decode_html

ZH = "月经期间注意保暖，多喝温水，避免生冷食物。"
JA = "妊娠中の食事について、医師に相談してください。"
TW = "孕期營養要均衡，多吃蔬菜水果。"
FR = "Café, crème brûlée et œufs — à déguster après l'accouchement."


def page(text: str, head: str = "") -> str:
    return f"<html><head>{head}<title>t</title></head><body><p>{text}</p></body></html>"


@pytest.mark.parametrize(
    ("head", "codec", "text"),
    [
        ('<meta charset="gbk">', "gbk", ZH),
        ('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">', "gb2312", ZH),
        ('<meta charset="GB18030">', "gb18030", ZH + "𠀀"),
        ('<meta charset="big5">', "big5", TW),
        ('<meta http-equiv="content-type" content="text/html;charset=Shift_JIS">', "shift_jis", JA),
        ('<meta charset="windows-1252">', "cp1252", FR),
        ('<meta charset="iso-8859-1">', "cp1252", FR + " “quoted”"),
    ],
)
def test_declared_encodings(head: str, codec: str, text: str) -> None:
    data = page(text, head).encode(codec)
    decoded, _ = decode_html(data)
    assert text in decoded


@pytest.mark.parametrize(("bom_codec", "bom"), [("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE)])
def test_byte_order_mark_wins_over_declaration(bom_codec: str, bom: bytes) -> None:
    data = bom + page(ZH, '<meta charset="iso-8859-1">').encode(bom_codec)
    decoded, used = decode_html(data)
    assert ZH in decoded
    assert not decoded.startswith("\ufeff")
    assert used == bom_codec


def test_page_declaring_gbk_but_really_utf8() -> None:
    decoded, used = decode_html(page(ZH, '<meta charset="gbk">').encode("utf-8"))
    assert ZH in decoded
    assert used == "utf-8"


def test_page_declaring_latin1_but_really_utf8() -> None:
    decoded, _ = decode_html(page(FR, '<meta charset="iso-8859-1">').encode("utf-8"))
    assert FR in decoded


def test_undeclared_gbk_is_detected() -> None:
    data = page(ZH * 20).encode("gbk")
    assert declared_encoding(data) is None
    decoded, _ = decode_html(data)
    assert ZH in decoded


def test_undeclared_shift_jis_is_detected() -> None:
    text = JA + "食べ物と運動はとても大切です。毎日少しずつ歩きましょう。"
    decoded, _ = decode_html(page(text).encode("shift_jis"))
    assert text in decoded


def test_xml_prolog_declaration() -> None:
    data = ('<?xml version="1.0" encoding="big5"?>' + page(TW)).encode("big5")
    assert declared_encoding(data) == codecs.lookup("big5hkscs").name
    assert TW in decode_html(data)[0]


def test_binary_bytes_are_refused() -> None:
    with pytest.raises(BinaryContentError):
        decode_html(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)


def test_control_bytes_without_nul_are_refused_past_five_percent() -> None:
    """No NUL byte: the share of control bytes (\\x01-\\x08, \\x0e-\\x1f; not tab, newlines, form feed) decides."""
    text = b"<p>" + b"plain text " * 90 + b"</p>"
    controls = bytes([*range(1, 9), *range(14, 32)])
    just_under = text + (controls * 3)[: len(text) // 20 - 2]
    over = text + controls * 3
    assert decode_html(just_under)[0].startswith("<p>plain")
    assert decode_html(text + b"\t\n\r\x0c" * 100)[0].startswith("<p>plain")
    with pytest.raises(BinaryContentError):
        decode_html(over)
