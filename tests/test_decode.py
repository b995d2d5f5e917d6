import codecs

import pytest

from site_gen.errors import SiteGenError
from site_gen.ingest.decode import decode


def test_utf8_plain_and_with_bom():
    assert decode("naïve café".encode(), "a.txt")[:2] == ("naïve café", "utf-8")
    text, encoding, _ = decode(codecs.BOM_UTF8 + "naïve".encode(), "a.txt")
    assert (text, encoding) == ("naïve", "utf-8 (BOM)")


def test_utf16_with_bom_and_without():
    text, encoding, _ = decode(codecs.BOM_UTF16_LE + "Привет мир".encode("utf-16-le"), "a.txt")
    assert text == "Привет мир" and encoding.startswith("utf-16-le")
    text, encoding, messages = decode("plain words here".encode("utf-16-le"), "a.txt")
    assert text == "plain words here" and encoding == "utf-16-le"
    assert "byte-order mark" in messages[0].message


def test_short_cp1252_is_not_mistaken_for_cp1250():
    # charset-normalizer alone reads this as cp1250 and shows "naďve"
    text, encoding, messages = decode("A naïve café’s “menu”".encode("cp1252"), "a.txt")
    assert text == "A naïve café’s “menu”"
    assert encoding == "cp1252" and "not UTF-8" in messages[0].message


def test_long_cyrillic_single_byte_is_detected():
    source = "Президент заявил, что правительство продолжит реформы в области образования и здравоохранения. " * 3
    text, encoding, _ = decode(source.encode("cp1251"), "a.txt")
    assert text == source and encoding == "cp1251"


def test_stray_bytes_in_utf8_are_replaced_and_reported_with_line():
    data = "first line “ok”\nsecond\x94 line".encode().replace(b"\xc2\x94", b"\x94")
    text, encoding, messages = decode(data, "a.txt")
    assert encoding == "utf-8" and text == "first line “ok”\nsecond\ufffd line"
    assert messages[0].level == "warning" and messages[0].line == 2


def test_line_endings_become_lf():
    assert decode(b"a\r\nb\rc\n", "a.txt")[0] == "a\nb\nc\n"


@pytest.mark.parametrize(
    "data, what",
    [(b"\x89PNG\r\n\x1a\n....", "PNG image"), (b"%PDF-1.4 ...", "PDF"), (b"abc\x00\x01\x02def\x00", "NUL bytes")],
)
def test_binary_files_raise_a_clear_error(data, what):
    with pytest.raises(SiteGenError) as info:
        decode(data, "x.txt")
    assert what in info.value.message and info.value.path == "x.txt"


def test_utf8_with_more_stray_continuation_bytes_than_valid_characters_stays_utf8():
    # The RT English CSVs: quotes and dashes half replaced, leaving lone 0x9d/0x94/0xa0 bytes
    # that outnumber the intact characters; no single-byte code page must be guessed.
    data = "“Soros” – title\n".encode() + b"body \x9d text \x94 more \xa0 and \x9d again \x9d, \x94\n" * 5
    text, encoding, messages = decode(data, "rt.csv")
    assert encoding == "utf-8" and text.startswith("“Soros” – title\nbody \ufffd text")
    assert "30 byte(s) are not valid utf-8" in messages[0].message


def test_cp1252_with_accented_letters_is_not_taken_for_damaged_utf8():
    source = "Crème brûlée “à la carte” – déjà vu, naïve café, señor, Ærø. " * 3 + "Â© "
    text, encoding, _ = decode(source.encode("cp1252"), "a.txt")
    assert encoding != "utf-8" and "\ufffd" not in text and len(text) == len(source)


def test_encodings_other_than_utf8_are_read_and_flagged():
    # read correctly, but the archive's files are meant to be UTF-8 (and a guess can be wrong): --strict flags them
    _, _, messages = decode(codecs.BOM_UTF16_LE + "Zürich".encode("utf-16-le"), "a.txt")
    assert [m.level for m in messages] == [
        "warning"
    ] and "UTF-16-LE (it starts with a byte-order mark), not UTF-8" in messages[0].message
    _, _, messages = decode("A naïve café".encode("cp1252"), "a.txt")
    assert messages[0].level == "warning" and "a guess" in messages[0].message
    assert decode(codecs.BOM_UTF8 + "naïve".encode(), "a.txt")[2] == []


def test_mixed_line_endings_are_flagged_with_the_line_where_they_change():
    text, _, messages = decode(b"one\r\ntwo\r\nthree\nfour\rfive\n", "a.txt")
    assert text == "one\ntwo\nthree\nfour\nfive\n"
    [message] = messages
    assert message.level == "warning" and message.line == 3
    assert message.message.startswith(
        "mixed line endings (2 CRLF, 1 CR, 2 LF; the first change is at the end of line 3)"
    )
    assert decode(b"windows\r\nfile\r\n", "a.txt")[2] == [] and decode(b"old\rmac\r", "a.txt")[2] == []
