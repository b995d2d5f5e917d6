"""Bytes to text, whatever the encoding, never a crash.

Order of trust: a byte-order mark; strict UTF-8; mostly-UTF-8 with stray bytes (replaced and
reported); otherwise a single-byte code page detected by charset-normalizer. Short files are
read as cp1252, because the detector mistakes short Western text for cp1250 ("naïve" -> "naďve").
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from site_gen.errors import SiteGenError
from site_gen.model import Message

BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]
MAGIC = [
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or an office document)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x7fELF", "a program"),
]
UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_DECODABLE = re.compile(rb"[\x00-\x7f]+|" + UTF8_MULTIBYTE.pattern)
SHORT_SINGLE_BYTE = 16
CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")
LINE_ENDING = re.compile(r"\r\n|\r|\n")


def decode(data: bytes, path: str) -> tuple[str, str, list[Message]]:
    """Text (line endings LF), the encoding used, and messages about anything replaced or guessed."""
    messages: list[Message] = []
    text, encoding = _decode(data, path, messages)
    if "\r" in text:
        _report_mixed_line_endings(text, messages)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(CONTROL.findall(text[:4096])) > 32:
        raise SiteGenError(
            f"looks like a binary file, not text (many control characters after decoding as {encoding})", path
        )
    return text, encoding, messages


def _decode(data: bytes, path: str, messages: list[Message]) -> tuple[str, str]:
    for bom, encoding in BOMS:
        if data.startswith(bom):
            text = data[len(bom) :].decode(encoding, errors="replace")
            _report_replacements(text, encoding, messages)
            if encoding != "utf-8":
                messages.append(
                    Message(
                        "warning",
                        f"the file is {encoding.upper()} (it starts with a byte-order mark), not UTF-8; it was read "
                        "correctly, but save it as UTF-8 so that other tools read it too",
                    )
                )
            return text, encoding + " (BOM)"
    for magic, what in MAGIC:
        if data.startswith(magic):
            raise SiteGenError(f"this is {what}, not a text article", path)
    if b"\x00" in data:
        return _decode_with_nuls(data, path, messages)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    high = sum(1 for b in data if b > 0x7F)
    valid = sum(len(m) for m in UTF8_MULTIBYTE.findall(data))
    if valid and (valid * 2 >= high or _stray_continuation_bytes(data)):
        text = data.decode("utf-8", errors="replace")
        _report_replacements(text, "utf-8", messages)
        return text, "utf-8"
    return _decode_single_byte(data, high, messages)


def _stray_continuation_bytes(data: bytes) -> bool:
    """UTF-8 damaged by a partial find/replace leaves lone continuation bytes (0x80-0xBF) behind.

    Text in a single-byte code page also has high bytes in the 0xC0-0xFF range (accented
    letters), so when nearly all the undecodable bytes are continuation bytes, it is UTF-8.
    """
    stray = _DECODABLE.sub(b"", data)
    return sum(1 for b in stray if b <= 0xBF) >= 0.95 * len(stray)


def _decode_with_nuls(data: bytes, path: str, messages: list[Message]) -> tuple[str, str]:
    """UTF-16 without a BOM shows as every other byte zero; anything else with NULs is binary."""
    even, odd = data[0::2], data[1::2]
    if len(data) % 2 == 0 and len(data) >= 4:
        for zeros, encoding in ((odd, "utf-16-le"), (even, "utf-16-be")):
            if zeros.count(0) >= 0.9 * len(zeros):
                text = data.decode(encoding, errors="replace")
                _report_replacements(text, encoding, messages)
                messages.append(
                    Message(
                        "warning",
                        f"no byte-order mark; decoded as {encoding}, guessed from the pattern of zero bytes: save "
                        "the file as UTF-8",
                    )
                )
                return text, encoding
    raise SiteGenError(f"contains {data.count(0):,} NUL bytes: a binary file, not a text article", path)


def _decode_single_byte(data: bytes, high: int, messages: list[Message]) -> tuple[str, str]:
    encoding = "cp1252"
    if high >= SHORT_SINGLE_BYTE:
        best = from_bytes(data).best()
        if best is not None:
            encoding = best.encoding
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        encoding = "latin-1"
        text = data.decode(encoding)
    messages.append(
        Message(
            "warning",
            f"not UTF-8; decoded as {encoding} ({high:,} non-ASCII bytes), a guess: check its accented letters and "
            "quotes, or save the file as UTF-8",
        )
    )
    return text, encoding


def _report_mixed_line_endings(text: str, messages: list[Message]) -> None:
    """Every ending is read as a line break, and in the text formats every line is a paragraph;
    a file that mixes conventions was usually pasted together, so its paragraph breaks need a look."""
    first: str | None = None
    line = 1
    for match in LINE_ENDING.finditer(text):
        if first is None:
            first = match.group()
        elif match.group() != first:
            counts = {name: text.count(ending) for ending, name in (("\r\n", "CRLF"), ("\r", "CR"), ("\n", "LF"))}
            counts["CR"] -= counts["CRLF"]
            counts["LF"] -= counts["CRLF"]
            mix = ", ".join(f"{n:,} {name}" for name, n in counts.items() if n)
            messages.append(
                Message(
                    "warning",
                    f"mixed line endings ({mix}; the first change is at the end of line {line}); each was read as a "
                    "line break, so check where paragraphs split",
                    line,
                )
            )
            return
        line += 1


def _report_replacements(text: str, encoding: str, messages: list[Message]) -> None:
    count = text.count("\ufffd")
    if not count:
        return
    line = text.count("\n", 0, text.index("\ufffd")) + 1
    messages.append(
        Message(
            "warning",
            f"{count:,} byte(s) are not valid {encoding} and were replaced with U+FFFD (first on line {line})",
            line,
        )
    )
