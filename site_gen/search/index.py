"""The whoosh index: schema, cold build and incremental update, and queries for the terminal and server.

The index lives in the cache folder (config.cache_dir / "search" / "whoosh"), never in the
output. Bodies are indexed with positions (phrase queries) but not stored: a result's snippet
is highlighted in its source file, re-read, with the stored summary as the fallback.

A cold build writes one segment straight through whoosh's codec from terms.py's analysis,
skipping whoosh's token pipeline and posting pool, which are most of its cost (measured in
bench/search_budget.py and docs/architecture.md). The incremental update writes the changed
articles the same way into a new segment and deletes their old versions. A manifest beside
the index (article id -> digest, and the whoosh generation it describes) says what the index
holds; when it is missing, stale or the index cannot be read, the index is built again.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import fields as wf
from whoosh import index as windex
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3Codec
from whoosh.highlight import ContextFragmenter, Formatter, Highlighter, get_text
from whoosh.qparser import MultifieldParser
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import MERGE_SMALL

from ..config import SiteConfig
from ..errors import SiteGenError
from ..model import Article
from ..render import summary
from . import terms as analysis
from .terms import FIELD_BOOSTS, FIELDS, field_text

SCHEMA_VERSION = 1
B, K1 = BM25F().B, BM25F().K1
"""whoosh's BM25F defaults; the export copies them into meta.js for search.js."""
MAX_SEGMENTS = 8
MAX_DELETED = 0.1
"""Share of deleted documents above which the index is rebuilt: whoosh counts them in idf until merged."""
_MARK_START, _MARK_END = "\ue000", "\ue001"


def index_dir(config: SiteConfig) -> Path:
    return config.cache_dir / "search" / "whoosh"


def schema() -> wf.Schema:
    ana = analysis.analyzer()
    return wf.Schema(
        id=wf.ID(stored=True, unique=True),
        title=wf.TEXT(analyzer=ana, stored=True),
        body=wf.TEXT(analyzer=ana),
        outlet=wf.KEYWORD(stored=True),
        outlet_name=wf.STORED(),
        tags=wf.KEYWORD(stored=True, commas=True, lowercase=True),
        language=wf.KEYWORD(stored=True),
        date=wf.DATETIME(stored=True),
        permalink=wf.ID(stored=True),
        summary=wf.STORED(),
        source=wf.STORED(),
    )


def document(article: Article) -> dict[str, Any]:
    """The whoosh fields of an article other than the analyzed title and body text."""
    outlet = article.outlet
    values: dict[str, Any] = {
        "id": article.id,
        "title": article.title,
        "outlet": outlet.key if outlet else None,
        "outlet_name": outlet.name if outlet else None,
        "tags": ",".join(t.replace(",", " ") for t in article.tags) or None,
        "language": article.language or None,
        "date": dt.datetime.combine(article.date, dt.time()) if article.date else None,
        "permalink": article.permalink,
        "summary": summary(article),
        "source": article.sources[0].path if article.sources else None,
    }
    return {k: v for k, v in values.items() if v is not None}


# Writing


@dataclass(slots=True)
class Manifest:
    """What the index holds: article id -> digest, valid for one whoosh generation; outlet names by key."""

    generation: int
    docs: dict[str, str]
    outlets: dict[str, str]

    @staticmethod
    def path(folder: Path) -> Path:
        return folder.parent / "whoosh.json"

    @classmethod
    def load(cls, folder: Path) -> "Manifest | None":
        try:
            data = json.loads(cls.path(folder).read_text(encoding="utf-8"))
            if data.get("schema") != SCHEMA_VERSION:
                return None
            return cls(int(data["generation"]), dict(data["docs"]), dict(data["outlets"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save(self, folder: Path) -> None:
        path = self.path(folder)
        tmp = path.with_name(path.name + f".tmp-{os.getpid()}")
        tmp.write_text(json.dumps({"schema": SCHEMA_VERSION, "generation": self.generation, "docs": self.docs, "outlets": self.outlets}), encoding="utf-8")
        os.replace(tmp, path)


@dataclass(slots=True)
class IndexPlan:
    """What update() will do: nothing, add/replace some articles and delete others, or rebuild."""

    rebuild: bool
    changed: list[str]
    removed: list[str]

    @property
    def idle(self) -> bool:
        return not (self.rebuild or self.changed or self.removed)


def plan(folder: Path, digests: dict[str, str]) -> IndexPlan:
    """Compare the manifest with the current articles' digests, without opening whoosh."""
    manifest = Manifest.load(folder)
    if manifest is None or not folder.is_dir():
        return IndexPlan(True, list(digests), [])
    changed = [i for i, d in digests.items() if manifest.docs.get(i) != d]
    removed = [i for i in manifest.docs if i not in digests]
    if len(changed) + len(removed) > MAX_DELETED * max(len(manifest.docs), 1) and len(changed) + len(removed) > 50:
        return IndexPlan(True, list(digests), [])
    return IndexPlan(False, changed, removed)


def update(folder: Path, articles: Sequence[Article], digests: dict[str, str], todo: IndexPlan) -> str:
    """Bring the index in folder up to date with articles; returns what was done, for the report."""
    if todo.idle:
        return "unchanged"
    if not todo.rebuild:
        try:
            by_id = {a.id: a for a in articles}
            if _update_in_place(folder, articles, [by_id[i] for i in todo.changed], todo.changed + todo.removed, digests):
                return f"updated {len(todo.changed)}, removed {len(todo.removed)}"
        except Exception as exc:  # a corrupt index shows itself as any error from deep inside whoosh
            if isinstance(exc, windex.LockError):
                raise SiteGenError("another site-gen process is updating the search index; try again when it has finished", str(folder)) from exc
    rebuild(folder, articles, digests)
    return f"rebuilt ({len(articles)} articles)"


def rebuild(folder: Path, articles: Sequence[Article], digests: dict[str, str]) -> None:
    """Build a fresh index beside the old one, then swap it in."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    fresh = folder.with_name(f"{folder.name}.new-{os.getpid()}")
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir()
    try:
        ix = windex.create_in(str(fresh), schema())
        _write_segment(ix, articles, ())
        generation = ix.latest_generation()
        old = folder.with_name(f"{folder.name}.old-{os.getpid()}")
        if folder.exists():
            os.rename(folder, old)
        os.rename(fresh, folder)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    Manifest(generation, dict(digests), _outlets(articles)).save(folder)


def _update_in_place(folder: Path, articles: Sequence[Article], changed: list[Article], deletions: list[str], digests: dict[str, str]) -> bool:
    """Delete old versions and add changed articles as a new segment; False when a rebuild is better."""
    manifest = Manifest.load(folder)
    ix = windex.open_dir(str(folder))
    if manifest is None or ix.latest_generation() != manifest.generation:
        return False
    with ix.reader() as reader:
        total, live = reader.doc_count_all(), reader.doc_count()
    if total - live + len(deletions) > MAX_DELETED * max(total, 1):
        return False
    _write_segment(ix, changed, deletions)
    if len(ix._segments()) > MAX_SEGMENTS:
        ix.writer().commit(mergetype=MERGE_SMALL)
    Manifest(ix.latest_generation(), dict(digests), _outlets(articles)).save(folder)
    return True


def _outlets(articles: Iterable[Article]) -> dict[str, str]:
    return {a.outlet.key: a.outlet.name for a in articles if a.outlet}


def _write_segment(ix: windex.Index, articles: Sequence[Article], deletions: Iterable[str]) -> None:
    """Add articles as one new segment, written through the codec (what add_document and the
    posting pool would write, without their per-token overhead); delete the ids in deletions."""
    writer = ix.writer(codec=W3Codec(compression=0))  # zlib on posting blocks: a third of the write time, for a cache
    try:
        for article_id in deletions:
            writer.delete_by_term("id", article_id)
        postings: dict[str, dict[bytes, list[tuple[int, float, bytes]]]] = {}
        lengths: dict[str, list[int]] = {name: [] for name in writer.schema.scorable_names()}
        for article in articles:
            _add_document(writer, article, postings, lengths)
        _write_postings(writer, postings, lengths)
    except BaseException:
        writer.cancel()
        raise
    writer.commit(merge=False)


def _add_document(writer: Any, article: Article, postings: dict[str, dict[bytes, list]], lengths: dict[str, list[int]]) -> None:
    """SegmentWriter.add_document for one article, its title and body already analyzed."""
    schema, pdw, docnum = writer.schema, writer.perdocwriter, writer.docnum
    values = document(article)
    analyzed = {name: _positions(field_text(article, name)) for name in FIELDS}
    pdw.start_doc(docnum)
    for name in sorted(set(values) | set(FIELDS)):
        fieldobj = schema[name]
        length = 0
        if fieldobj.indexed:
            items = _term_items(fieldobj, analyzed[name]) if name in analyzed else fieldobj.index(values[name])
            target = postings.setdefault(name, {})
            for tbytes, freq, weight, vbytes in items:
                length += freq
                target.setdefault(tbytes, []).append((docnum, weight, vbytes))
        if fieldobj.scorable:
            # what a reader will see: the one-byte approximation, decoded
            lengths[name].append(byte_to_length(length_to_byte(length)))
        pdw.add_field(name, fieldobj, values.get(name) if fieldobj.stored else None, length if fieldobj.scorable else 0)
    pdw.finish_doc()
    writer.docnum += 1
    writer._added = True


def _positions(text: str) -> dict[str, list[int]]:
    positions: dict[str, list[int]] = {}
    for pos, term in enumerate(analysis.terms(text)):
        positions.setdefault(term, []).append(pos)
    return positions


def _term_items(fieldobj: wf.FieldType, positions: dict[str, list[int]]) -> Iterable[tuple[bytes, int, float, bytes]]:
    """What fieldobj.index(text) yields for an analyzed text: (term, frequency, weight, encoded positions)."""
    encode = fieldobj.format.encode
    boost = fieldobj.format.field_boost
    for term, poslist in positions.items():
        if len(poslist) == 1:  # most postings: their encodings repeat
            vbytes = _SINGLE.get(poslist[0])
            if vbytes is None:
                vbytes = _SINGLE[poslist[0]] = encode(poslist)
        else:
            vbytes = encode(poslist)
        yield term.encode("utf-8"), len(poslist), float(len(poslist)) * boost, vbytes


_SINGLE: dict[int, bytes] = {}


def _write_postings(writer: Any, postings: dict[str, dict[bytes, list]], lengths: dict[str, list[int]]) -> None:
    """Postings in the order whoosh's pool would yield them: field, then term bytes, then document."""
    fieldwriter, schema, base = writer.fieldwriter, writer.schema, writer.docbase
    for name in sorted(postings):
        fieldobj = schema[name]
        column = lengths.get(name)
        fieldwriter.start_field(name, fieldobj)
        for tbytes in sorted(postings[name]):
            fieldwriter.start_term(tbytes)
            for docnum, weight, vbytes in postings[name][tbytes]:
                fieldwriter.add(docnum, weight, vbytes, column[docnum - base] if column is not None else 0)
            fieldwriter.finish_term()
        fieldwriter.finish_field()

# Querying


def open_index(config: SiteConfig) -> windex.Index:
    folder = index_dir(config)
    if not windex.exists_in(str(folder)):
        raise SiteGenError(f"there is no search index yet in {folder}; run site-gen build first")
    try:
        return windex.open_dir(str(folder))
    except Exception as exc:  # an unreadable index raises whatever whoosh met first
        raise SiteGenError(f"the search index in {folder} cannot be read ({exc.__class__.__name__}: {exc}); run site-gen build to rebuild it") from exc


def parse(ix: windex.Index, text: str) -> wq.Query:
    """whoosh query syntax over title and body; prefixes scored like the words they expand to."""
    parsed = MultifieldParser(list(FIELDS), ix.schema, fieldboosts=FIELD_BOOSTS).parse(text)
    for node in parsed.leaves():
        if isinstance(node, wq.PatternQuery):
            node.constantscore = False
    return parsed


def query(
    config: SiteConfig,
    text: str,
    *,
    outlet: str | None = None,
    tag: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    limit: int = 10,
    snippets: bool = True,
) -> list[dict[str, Any]]:
    """Ranked results for the terminal and the preview server's /_search (JSON-ready dicts)."""
    ix = open_index(config)
    filters: list[wq.Query] = []
    if outlet:
        filters.append(wq.Term("outlet", _outlet_key(config, outlet)))
    if tag:
        filters.append(wq.Term("tags", tag.replace(",", " ").strip().lower()))
    if date_from or date_to:
        start = dt.datetime.combine(date_from, dt.time()) if date_from else None
        end = dt.datetime.combine(date_to, dt.time.max) if date_to else None
        filters.append(wq.DateRange("date", start, end))
    with ix.searcher(weighting=BM25F()) as searcher:
        # limit=None: whoosh's top-N collector drops documents (on the BBC corpus "box office"
        # loses its 10th hit, econom* most of its top 10); collecting every match is exact and fast.
        hits = searcher.search(parse(ix, text), filter=wq.And(filters) if filters else None, limit=None)[: max(1, limit)]
        highlighter = Highlighter(fragmenter=ContextFragmenter(maxchars=160, surround=60), formatter=_Marker())
        texts = _source_texts(config, [hit.get("source") for hit in hits]) if snippets else {}
        return [_result(rank, hit, highlighter, texts) for rank, hit in enumerate(hits, 1)]


def _outlet_key(config: SiteConfig, wanted: str) -> str:
    """An outlet given by key or by name, in any case."""
    manifest = Manifest.load(index_dir(config))
    outlets = manifest.outlets if manifest else {}
    folded = wanted.casefold()
    for key, name in outlets.items():
        if folded in (key.casefold(), name.casefold()):
            return key
    return wanted


def _source_texts(config: SiteConfig, sources: list[str | None]) -> dict[str, str]:
    """Body text of each result's source file, read again (whoosh does not store bodies)."""
    from ..build import read_one
    from ..sources import load_registry

    registry = load_registry(config)
    texts = {}
    for source in filter(None, sources):
        entry = read_one(config, registry, source)
        if entry.article is not None:
            texts[source] = field_text(entry.article, "body")
    return texts


def _result(rank: int, hit: Any, highlighter: Highlighter, texts: dict[str, str]) -> dict[str, Any]:
    date = hit.get("date")
    fallback = hit.get("summary", "")
    marked = ""
    text = texts.get(hit.get("source") or "")
    if text:
        marked = highlighter.highlight_hit(hit, "body", text=text.replace(_MARK_START, "").replace(_MARK_END, ""), top=2)
    if not marked:
        marked = highlighter.highlight_hit(hit, "body", text=fallback, top=1) or fallback
    marked = " ".join(marked.split())
    return {
        "rank": rank,
        "score": hit.score,
        "id": hit["id"],
        "title": hit["title"],
        "date": date.date().isoformat() if date else None,
        "outlet": hit.get("outlet"),
        "outlet_name": hit.get("outlet_name"),
        "tags": [t for t in (hit.get("tags") or "").split(",") if t],
        "permalink": hit["permalink"],
        "snippet": marked.replace(_MARK_START, "").replace(_MARK_END, ""),
        "snippet_html": html.escape(marked).replace(_MARK_START, "<mark>").replace(_MARK_END, "</mark>"),
        "marked": marked,
    }


class _Marker(Formatter):
    """Matched words between two private-use characters, turned into HTML, ANSI or plain text later."""

    between = " … "

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return _MARK_START + get_text(text, token, replace) + _MARK_END


def render_marked(marked: str, start: str, end: str) -> str:
    """A snippet with its matched words between start and end (e.g. ANSI bold on and off)."""
    return marked.replace(_MARK_START, start).replace(_MARK_END, end)

