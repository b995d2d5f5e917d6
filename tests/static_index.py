"""The static search index read back, independently of search.js: its files, its postings, and a view
of it that does not depend on how documents are numbered (what search.js's results and scores
follow from), to compare an index patched by incremental builds with one made in full."""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from pathlib import Path
from typing import Any

from site_gen.search import export
from site_gen.search.layout import term_order

B64 = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}
REGISTER = re.compile(r'\ASiteGenSearch\.register\(("[^"]+"),(.*)\);\n\Z', re.S)


class Bits:
    """A reading of the bit stream independent of search.js, to check what export.py wrote."""

    def __init__(self, chars: str, at: int = 0):
        self.bits = "".join(format(B64[c], "06b") for c in chars[at:])
        self.i = 0

    def bit(self) -> int:
        self.i += 1
        return int(self.bits[self.i - 1]) if self.i <= len(self.bits) else 0

    def read(self, k: int) -> int:
        return int("".join(str(self.bit()) for _ in range(k)) or "0", 2)

    def rice(self, k: int) -> int:
        q = 0
        while self.bit():
            q += 1
        return (q << k) + self.read(k)

    def gamma(self) -> int:
        zeros = 0
        while not self.bit():
            zeros += 1
        return (1 << zeros) + self.read(zeros)


def load(folder: Path) -> dict[str, Any]:
    """Each index file's registered data by name (each file registers under its own name)."""
    files = {}
    for path in folder.rglob("*.js"):
        text = path.read_text(encoding="utf-8")
        match = REGISTER.match(text)
        assert match, path
        name = json.loads(match.group(1))
        assert name == path.relative_to(folder).as_posix()[: -len(".js")]
        files[name] = json.loads(match.group(2))
    return files


def decode_postings(meta: dict[str, Any], shard_data: list[Any]) -> dict[str, list[list[tuple[int, int, int]]]]:
    """term -> [per field: [(doc, tf, length byte)]]"""
    terms, numbers, chars = shard_data
    n, out, at = meta["coded"], {}, 0
    for i, word in enumerate(terms):
        lists = []
        for f, field in enumerate(meta["fields"]):
            df, size = numbers[(i * 2 + f) * 2], numbers[(i * 2 + f) * 2 + 1]
            bits, prev, postings = Bits(chars, at), -1, []
            for _ in range(df):
                prev = prev + 1 + bits.rice(export.rice_parameter(n, df))
                tf = bits.gamma()
                z = bits.rice(field["flk"])
                postings.append((prev, tf, field["flcenter"] + (-(z + 1) // 2 if z % 2 else z // 2)))
            lists.append(postings)
            at += size
        out[word] = lists
    return out


def tag_documents(meta: dict[str, Any], chars: str, total: int) -> list[int]:
    bits, prev, docs = Bits(chars), -1, []
    for _ in range(total):
        prev = prev + 1 + bits.rice(export.rice_parameter(meta["coded"], total))
        docs.append(prev)
    return docs


def view(folder: Path) -> dict[str, Any]:
    """What the index says, by permalink instead of document number: statistics, each term's postings
    per field (in the shard meta.js points to), each document's row and facets, each tag's documents."""
    files = load(folder)
    meta = files["meta"]
    facets = [(meta["outlets"][o][0] if o >= 0 else None, y) for count, o, y in meta["runs"] for _ in range(count)]
    assert len(facets) == meta["slots"]
    rows = [row for number in range(len(facets) // meta["chunk"] + 1) for row in files.get(f"d/{number}", [])]
    assert len(rows) == len(facets)
    documents = {row[1]: (row, facets[d]) for d, row in enumerate(rows) if row is not None}
    assert [d for d, row in enumerate(rows) if row is None] == [d for d, (o, _) in enumerate(facets) if o is None]
    assert len(documents) == meta["docs"]
    permalink = [row[1] if row else None for row in rows]
    postings = {}
    for number in range(len(meta["shards"])):
        for term, lists in decode_postings(meta, files[f"t/{number}"]).items():
            assert max(bisect_right(meta["shards"], term_order(term), key=term_order) - 1, 0) == number, (
                term
            )  # where search.js looks for it
            postings[term] = [sorted((permalink[d], tf, b) for d, tf, b in field) for field in lists]
    tags = {
        name: sorted(permalink[d] for d in tag_documents(meta, chars, total))
        for (name, total), chars in zip(meta["tags"], files["tags"])
    }
    stats = {key: meta[key] for key in ("format", "docs", "K1", "B", "lengths", "stop", "minsize", "outlets")}
    stats["fields"] = [(f["name"], f["boost"], f["avgfl"]) for f in meta["fields"]]
    return {"stats": stats, "postings": postings, "documents": documents, "tags": tags}
