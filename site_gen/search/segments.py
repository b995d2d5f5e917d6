"""whoosh segments written through its codec: the files SegmentWriter.add_document and its
posting pool would make, without their per-token and per-posting Python calls.

The title and body arrive analyzed (inverted.py, with positions); the other fields go through
whoosh's own field.index(). Each posting list is handed to the postings writer whole, in
blocks of whoosh's size; tests/test_search_index.py compares the result with add_document's.
"""

from __future__ import annotations

import itertools
import operator
from array import array
from collections.abc import Iterable, Sequence
from typing import Any

from whoosh import index as windex
from whoosh.codec.whoosh3 import W3Codec, W3PostingsWriter
from whoosh.util.numeric import byte_to_length, length_to_byte

from site_gen.search.inverted import InvertedField, documents, frequencies

_Lists = tuple[list[int], list[float], list[bytes]]


def segment_writer(
    ix: windex.Index,
    values: Sequence[dict[str, Any]],
    analyzed: dict[str, InvertedField],
    *,
    deletions: Iterable[str] = (),
    lock: bool = True,
) -> Any:
    """A SegmentWriter whose new segment holds these documents (the field values of each, and the
    analyzed fields numbered from 0), ready to commit() or to _finalize_segment() for a parent."""
    # zlib on posting blocks costs a third of the write time, for a cache; one compound file
    # would be mapped whole into memory by every reader.
    writer = ix.writer(codec=W3Codec(compression=0), compound=False, _lk=lock)
    try:
        for article_id in deletions:
            writer.delete_by_term("id", article_id)
        others = _add_documents(writer, values, analyzed)
        _write_postings(writer, analyzed, others)
    except BaseException:
        writer.cancel()
        raise
    return writer


def _add_documents(
    writer: Any, docs: Sequence[dict[str, Any]], analyzed: dict[str, InvertedField]
) -> dict[str, dict[bytes, _Lists]]:
    """Stored fields and field lengths of every document; returns the postings of the fields not in analyzed."""
    schema, pdw = writer.schema, writer.perdocwriter
    postings: dict[str, dict[bytes, _Lists]] = {}
    terms: dict[tuple[str, Any], list[tuple[bytes, int, float, bytes]]] = {}  # dates, outlets, tags repeat
    for docnum, values in enumerate(docs):
        pdw.start_doc(docnum)
        for name in sorted(set(values) | set(analyzed)):
            fieldobj = schema[name]
            length = analyzed[name].lengths[docnum] if name in analyzed else 0
            if name not in analyzed and fieldobj.indexed:
                found = terms.get((name, values[name]))
                if found is None:
                    found = terms[name, values[name]] = list(fieldobj.index(values[name]))
                for tbytes, _, weight, vbytes in found:
                    lists = postings.setdefault(name, {}).setdefault(tbytes, ([], [], []))
                    lists[0].append(docnum)
                    lists[1].append(weight)
                    if vbytes:
                        lists[2].append(vbytes)
            pdw.add_field(name, fieldobj, values.get(name) if fieldobj.stored else None, length)
        pdw.finish_doc()
    writer.docnum = len(docs)
    writer._added = bool(docs)
    return postings


def _write_postings(writer: Any, analyzed: dict[str, InvertedField], others: dict[str, dict[bytes, _Lists]]) -> None:
    """Every field's terms in byte order, each posting list handed over whole."""
    fieldwriter, schema, codec = writer.fieldwriter, writer.schema, writer.codec
    for name in sorted(set(analyzed) | set(others)):
        fieldobj = schema[name]
        fieldwriter.start_field(name, fieldobj)
        postwriter = fieldwriter._postwriter = _BulkPostingsWriter(
            fieldwriter._postfile, codec._blocklimit, compression=codec._compression, inlinelimit=codec._inlinelimit
        )
        if name in analyzed:
            column = [byte_to_length(length_to_byte(n)) for n in analyzed[name].lengths]  # what readers see
            boost = fieldobj.format.field_boost
            positions = analyzed[name].positions or {}
            for term, packed in sorted(analyzed[name].postings.items()):
                ids, tfs = documents(packed), frequencies(packed)
                weights = array("f", tfs) if boost == 1 else array("f", (tf * boost for tf in tfs))
                fieldwriter.start_term(term.encode("utf-8"))
                postwriter.add_list(ids, weights, positions[term], list(map(column.__getitem__, ids)))
                fieldwriter.finish_term()
        else:
            for tbytes, (docs, doc_weights, values) in sorted(others[name].items()):
                fieldwriter.start_term(tbytes)
                postwriter.add_list(array("I", docs), array("f", doc_weights), values, None)
                fieldwriter.finish_term()
        fieldwriter.finish_field()


class _BulkPostingsWriter(W3PostingsWriter):  # type: ignore[misc]  # whoosh is untyped: W3PostingsWriter is Any
    """whoosh's postings writer given a whole list at once; it writes the same blocks as add_posting."""

    _ids: Sequence[int]  # an array, or a list when whoosh stores ids as bytes
    _weights: array[float]

    def add_list(self, ids: array[int], weights: array[float], values: list[bytes], lengths: list[int] | None) -> None:
        limit = self._blocklimit
        for start in range(0, len(ids), limit):
            if self._ids:
                self._write_block()
            end = start + limit
            self._ids = ids[start:end]
            self._weights = weights[start:end]
            self._values = values[start:end]
            self._maxweight = max(self._weights)
            if lengths is None:
                self._minlength, self._maxlength = None, 0
            else:
                self._minlength, self._maxlength = min(lengths[start:end]), max(lengths[start:end])

    def _mini_ids(self) -> tuple[int, ...]:
        ids = self._ids
        return tuple(map(operator.sub, ids, itertools.chain((0,), ids)))

    def _mini_weights(self) -> float | tuple[float, ...] | None:
        weights, n = self._weights, len(self._weights)
        if weights.count(1.0) == n:
            return None
        if weights.count(weights[0]) == n:
            return weights[0]
        return tuple(weights)
