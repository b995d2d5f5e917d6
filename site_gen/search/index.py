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
from functools import lru_cache
from pathlib import Path
from typing import Any

from whoosh import fields as wf
from whoosh import index as windex
from whoosh import query as wq
from whoosh.highlight import ContextFragmenter, Formatter, Highlighter, get_text, set_matched_filter, top_fragments
from whoosh.qparser import MultifieldParser
from whoosh.scoring import BM25F
from whoosh.writing import MERGE_SMALL

from site_gen import parallel
from site_gen.config import SiteConfig
from site_gen.cycles import paused_gc
from site_gen.errors import SiteGenError
from site_gen.languages import search_language
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


def schema(key: str = "en") -> wf.Schema:
    """The index's fields. Title and body are never analyzed by whoosh (terms.py and segments.py
    write their postings, in each article's language): key names the analysis the query parser
    applies to them (see parse)."""
    ana = analysis.analyzer(key)
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
        "language": search_language(article.language),
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
    # Parts of at most BATCH articles: no part's inversion comes back to this process whole (memory), and
    # every segment holds about BATCH articles, so that whoosh's MERGE_SMALL, when updates in place have
    # added segments, merges only theirs (parts of a quarter of a job's share left segments of 2,500 at
    # 100,000 articles, and an update merged nearly all of them: 465 s).
    pieces = max(jobs, -(-len(articles) // BATCH))
    try:
        ix = windex.create_in(str(fresh), schema())
        parts = [
            list(reversed(done))
            for done in parallel.run(_index_part, range(len(articles)), (str(fresh), articles), jobs, chunks=pieces)
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


def parse(text: str, languages: Iterable[str]) -> dict[str, wq.Query]:
    """whoosh query syntax over title and body, analyzed in each of the languages (search_language
    codes): the query each language's articles must match (none where the text is only stop words
    in that language)."""
    parts = {}
    for language in languages:
        parsed = _parser(analysis.analysis_key(language)).parse(text)
        if parsed is not wq.NullQuery:
            parts[language] = parsed
    return parts


def expand(q: wq.Query, reader: Any) -> wq.Query:
    """Prefixes and wildcards as the terms they expand to, each scored like a word (whoosh's default
    gives them all one constant score, and drops the field's boost when a pattern expands to one term)."""
    if isinstance(q, wq.PatternQuery):
        found = [wq.Term(q.fieldname, text.decode("utf-8"), boost=q.boost) for text in q._btexts(reader)]
        return wq.Or(found) if found else q
    return q.apply(lambda sub: expand(sub, reader))


def combine(parts: dict[str, wq.Query]) -> wq.Query:
    """One query of the languages' queries: an article matches only its own language's (Require on
    the language field, which adds nothing to the score), so its score is the one its language gives."""
    return wq.Or([wq.Require(q, wq.Term("language", language)) for language, q in parts.items()])


@lru_cache(maxsize=32)
def _parser(key: str) -> MultifieldParser:
    return MultifieldParser(list(FIELDS), schema(key), fieldboosts=FIELD_BOOSTS)


def languages(searcher: Any) -> list[str]:
    """The languages of the indexed articles (search_language codes)."""
    return [term.decode("utf-8") for term in searcher.lexicon("language")]


def query(
    config: SiteConfig,
    text: str,
    *,
    outlet: str | None = None,
    tag: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    language: str | None = None,
    limit: int = 10,
    snippets: bool = True,
) -> list[dict[str, Any]]:
    """Ranked results for the terminal and the preview server's /_search (JSON-ready dicts). The query
    is analyzed in every language the archive holds, or only in `language` (and finds only its articles)."""
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
            parts = {
                code: expand(q, searcher.reader())
                for code, q in parse(text, _chosen(languages(searcher), language)).items()
            }
            # limit=None: whoosh's top-N collector drops documents (on the BBC corpus "box office"
            # loses its 10th hit, econom* most of its top 10); collecting every match is exact and fast.
            hits = searcher.search(combine(parts), filter=wq.And(filters) if filters else None, limit=None)[
                : max(1, limit)
            ]
            texts = _source_texts(config, [hit.get("source") for hit in hits]) if snippets else {}
            marker = _Snippets(searcher, parts)
            return [_result(rank, hit, marker, texts) for rank, hit in enumerate(hits, 1)]
    except SiteGenError:
        raise
    except Exception as exc:  # a damaged file shows itself in the middle of a search
        Manifest.forget(index_dir(config))
        raise SiteGenError(
            f"the search index in {index_dir(config)} is damaged ({exc.__class__.__name__}: {exc}); run site-gen "
            "build to rebuild it"
        ) from exc


def _chosen(held: list[str], wanted: str | None) -> list[str]:
    """The languages to analyze a query in: all the archive holds, or the one asked for (which it must hold)."""
    if wanted is None:
        return held
    language = search_language(wanted)
    if language not in held:
        raise SiteGenError(
            f"no article is in language {wanted!r}; the archive's languages are {', '.join(held) or 'none'}"
        )
    return [language]


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


class _Snippets:
    """Matched words marked in a result's text, found as its language's analysis finds them (what
    whoosh's Highlighter does with the schema's one analyzer)."""

    def __init__(self, searcher: Any, parts: dict[str, wq.Query]) -> None:
        self.highlighter = Highlighter(fragmenter=ContextFragmenter(maxchars=160, surround=60), formatter=_Marker())
        reader = searcher.reader()
        self.words = {
            # fieldname given, or whoosh's loop variable of that name skips every leaf after the first field's
            language: frozenset(
                text.decode("utf-8")
                for _, text in q.existing_terms(reader, phrases=True, expand=True, fieldname="body")
            )
            for language, q in parts.items()
        }

    def mark(self, language: str, text: str, top: int) -> str:
        h = self.highlighter
        tokens = analysis.analyzer(analysis.analysis_key(language))(
            text, positions=True, chars=True, mode="index", removestops=False
        )
        tokens = h._merge_matched_tokens(set_matched_filter(tokens, self.words.get(language, frozenset())))
        fragments = top_fragments(h.fragmenter.fragment_tokens(text, tokens), top, h.scorer, h.order, minscore=1)
        marked: str = h.formatter.format(fragments)
        return marked


def _result(rank: int, hit: Any, snippets: _Snippets, texts: dict[str, str]) -> dict[str, Any]:
    date = hit.get("date")
    fallback = hit.get("summary", "")
    language = hit.get("language", "")
    marked = ""
    text = texts.get(hit.get("source") or "")
    if text:
        marked = snippets.mark(language, text.replace(_MARK_START, "").replace(_MARK_END, ""), top=2)
    if not marked:
        marked = snippets.mark(language, fallback, top=1) or fallback
    marked = " ".join(marked.split())
    return {
        "rank": rank,
        "score": hit.score,
        "id": hit["id"],
        "title": hit["title"],
        "date": date.date().isoformat() if date else None,
        "outlet": hit.get("outlet"),
        "outlet_name": hit.get("outlet_name"),
        "language": hit.get("language"),
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
