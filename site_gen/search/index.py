"""The whoosh index: schema, cold build and incremental update, and queries for the terminal and server.

The index lives in the cache folder (config.cache_dir / "search" / "whoosh"), never in the
output. Bodies are indexed with positions (phrase queries) but not stored: a result's snippet
is highlighted in its source file, re-read, with the stored summary as the fallback.

A cold build analyzes the articles in worker processes (inverted.py, shared with the export)
and each worker writes its part as segments straight through whoosh's codec (segments.py),
skipping whoosh's token pipeline and posting pool, most of whoosh's cost (docs/architecture.md
has the figures). An update writes the changed articles the same way into a new segment and
deletes their old versions. The manifest beside the index (manifest.py) says what the index
holds; when it is missing or does not match the files, or whoosh cannot read them, the index is
built again (a search that meets an unreadable index forgets the manifest, so the next build does).
"""

from __future__ import annotations

import datetime as dt
import html
import os
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from whoosh import fields as wf
from whoosh import index as windex
from whoosh import query as wq
from whoosh.highlight import ContextFragmenter, Formatter, Highlighter, get_text
from whoosh.qparser import MultifieldParser
from whoosh.scoring import BM25F
from whoosh.writing import MERGE_SMALL

from site_gen import parallel
from site_gen.config import SiteConfig
from site_gen.cycles import paused_gc
from site_gen.errors import SiteGenError
from site_gen.model import Article
from site_gen.render.excerpts import summary
from site_gen.search import terms as analysis
from site_gen.search.inverted import InvertedField, extend, invert, renumber
from site_gen.search.manifest import MAX_DELETED, IndexPlan, Manifest, index_dir, remove_leftovers
from site_gen.search.segments import segment_writer
from site_gen.search.terms import FIELD_BOOSTS, FIELDS, field_text

B, K1 = BM25F().B, BM25F().K1
"""whoosh's BM25F defaults; the export copies them into meta.js for search.js."""
MAX_SEGMENTS = 8
BATCH = 10_000
"""Most articles per segment of a cold build: bounds the memory of an inversion with positions."""
_MARK_START, _MARK_END = "\ue000", "\ue001"


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
        permalink=wf.STORED(),
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


def update(
    folder: Path,
    articles: Sequence[Article],
    digests: dict[str, str],
    todo: IndexPlan,
    share: dict[str, InvertedField] | None = None,
    jobs: int = 1,
) -> bool:
    """Bring the index in folder up to date with articles. On a rebuild every article is analyzed
    and, when share is given, its inversion is appended there for the export: returns True then."""
    if todo.idle:
        return False
    if not todo.rebuild:
        try:
            by_id = {a.id: a for a in articles}
            if _update_in_place(
                folder, articles, [by_id[i] for i in todo.changed], todo.changed + todo.removed, digests
            ):
                return False
        except windex.LockError as exc:
            raise SiteGenError(
                "another site-gen process is updating the search index; try again when it has finished", str(folder)
            ) from exc
        except Exception:  # a corrupt index shows itself as any error from deep inside whoosh: rebuild it
            pass
    rebuild(folder, articles, digests, share, jobs)
    return True


def rebuild(
    folder: Path,
    articles: Sequence[Article],
    digests: dict[str, str],
    share: dict[str, InvertedField] | None = None,
    jobs: int = 1,
) -> None:
    """Build a fresh index beside the old one, then swap it in. Each worker analyzes a part of
    the articles and writes it as segments of at most BATCH articles (as whoosh's MpWriter does)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(folder)
    fresh = folder.with_name(f"{folder.name}.new-{os.getpid()}")
    fresh.mkdir()
    try:
        ix = windex.create_in(str(fresh), schema())
        parts = [
            list(reversed(done))
            for done in parallel.run(_index_part, range(len(articles)), (str(fresh), articles), jobs, chunks=jobs)
        ]
        segments = []
        for done in parts:
            while done:  # popped, so that each part's postings are freed once appended
                segment, analyzed = done.pop()
                segments.append(segment)
                if share is not None:
                    extend(share, analyzed)
                del analyzed
        writer = ix.writer()
        writer._close_segment()
        writer._commit_toc(segments)
        writer._finish()
        old = folder.with_name(f"{folder.name}.old-{os.getpid()}")
        if folder.exists():
            os.rename(folder, old)
        os.rename(fresh, folder)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    Manifest(dict(digests), _outlets(articles)).save(folder)


def _index_part(
    state: tuple[str, Sequence[Article]], part: Sequence[int]
) -> list[tuple[Any, dict[str, InvertedField]]]:
    """Segments for articles[part] (inherited through fork, not pickled), with their inversion minus positions."""
    assert isinstance(part, range)  # parallel.run slices the range it is given
    folder, articles = state
    with paused_gc():
        return _write_part(windex.open_dir(folder), articles, part)


def _write_part(
    ix: windex.Index, articles: Sequence[Article], part: range
) -> list[tuple[Any, dict[str, InvertedField]]]:
    done = []
    for start in range(part.start, part.stop, BATCH):
        batch = articles[start : min(start + BATCH, part.stop)]
        analyzed = invert(batch, positions=True)
        writer = segment_writer(ix, [document(a) for a in batch], analyzed, lock=False)
        segment = (
            writer._finalize_segment()
        )  # no _finish(): the temporary folder is shared; the committing writer removes it
        renumber(analyzed, start)  # here, in parallel, so that the parent only appends
        done.append((segment, analyzed))
    return done


def _update_in_place(
    folder: Path, articles: Sequence[Article], changed: list[Article], deletions: list[str], digests: dict[str, str]
) -> bool:
    """Delete old versions and add changed articles as a new segment; False when a rebuild is better."""
    ix = windex.open_dir(str(folder))
    with ix.reader() as reader:
        total, live = reader.doc_count_all(), reader.doc_count()
    if total - live + len(deletions) > MAX_DELETED * max(total, 1):
        return False
    segment_writer(ix, [document(a) for a in changed], invert(changed, positions=True), deletions=deletions).commit(
        merge=False
    )
    if len(ix._segments()) > MAX_SEGMENTS:
        ix.writer().commit(mergetype=MERGE_SMALL)
    Manifest(dict(digests), _outlets(articles)).save(folder)
    return True


def _outlets(articles: Iterable[Article]) -> dict[str, str]:
    return {a.outlet.key: a.outlet.name for a in articles if a.outlet}


# Querying


def open_index(config: SiteConfig) -> windex.Index:
    folder = index_dir(config)
    if not windex.exists_in(str(folder)):
        raise SiteGenError(f"there is no search index yet in {folder}; run site-gen build first")
    try:
        return windex.open_dir(str(folder))
    except Exception as exc:  # an unreadable index raises whatever whoosh met first
        Manifest.forget(folder)
        raise SiteGenError(
            f"the search index in {folder} cannot be read ({exc.__class__.__name__}: {exc}); run site-gen build to "
            "rebuild it"
        ) from exc


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
    try:
        with ix.searcher(weighting=BM25F()) as searcher:
            # limit=None: whoosh's top-N collector drops documents (on the BBC corpus "box office"
            # loses its 10th hit, econom* most of its top 10); collecting every match is exact and fast.
            hits = searcher.search(parse(ix, text), filter=wq.And(filters) if filters else None, limit=None)[
                : max(1, limit)
            ]
            highlighter = Highlighter(fragmenter=ContextFragmenter(maxchars=160, surround=60), formatter=_Marker())
            texts = _source_texts(config, [hit.get("source") for hit in hits]) if snippets else {}
            return [_result(rank, hit, highlighter, texts) for rank, hit in enumerate(hits, 1)]
    except SiteGenError:
        raise
    except Exception as exc:  # a damaged file shows itself in the middle of a search
        Manifest.forget(index_dir(config))
        raise SiteGenError(
            f"the search index in {index_dir(config)} is damaged ({exc.__class__.__name__}: {exc}); run site-gen "
            "build to rebuild it"
        ) from exc


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
    # imported here: only a search that shows snippets reads files again (the build's search process never does)
    from site_gen.ingest.sources import load_registry
    from site_gen.ingest.stage import read_one

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
        marked = highlighter.highlight_hit(
            hit, "body", text=text.replace(_MARK_START, "").replace(_MARK_END, ""), top=2
        )
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
    }


class _Marker(Formatter):  # type: ignore[misc]  # whoosh is untyped: Formatter is Any
    """Matched words between two private-use characters, turned into HTML, ANSI or plain text later."""

    between = " … "

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        marked: str = get_text(text, token, replace)
        return _MARK_START + marked + _MARK_END
