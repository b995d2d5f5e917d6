"""Rebuilds after edits that change only article bodies, from the last build's archive.

The common edit (a typo fixed, a paragraph added) changes one article's text and nothing else
it carries. Building the archive again for it means taking every cached entry through
boilerplate detection, dedupe, assemble and keying (0.8 s at 10,000 articles). Instead, when
every changed file

- was read before without error and is read now without error, with the same id, title, date,
  URL, outlet, tags, language, format, slug and extra fields (so the same permalink, the same
  place in every listing, the same tags);
- was joined to no other article by dedupe, and its new text joins none (dedupe.still_alone);
- moves no paragraph of its outlet into or out of recurring boilerplate, nor changes the report's
  examples of it (boilerplate.Tally.replace),

the last build's archive is taken with the new articles in place of the old ones, and the build
goes on from rendering. Anything else (a new, deleted or renamed file, a changed setting or
registry, an edit of metadata, a new duplicate) goes through the whole pipeline. A rebuild with
no content change at all (a template or render setting edited) reuses the archive as it is.

The result is what the whole pipeline gives: tests/test_reuse.py builds both and compares the
sites and reports byte for byte.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

from site_gen.config import SiteConfig
from site_gen.dedupe.clusters import Memo, still_alone
from site_gen.ingest.boilerplate import RecurringParagraph, Tally
from site_gen.ingest.read import Skipped
from site_gen.model import Archive, Article, InputEntry
from site_gen.permalinks import natural_permalink, natural_slug
from site_gen.render.keys import article_keys

FORMAT = 7
"""The layout of LastBuild: a kept one of another layout is not used."""
MAX_EDITS = 16
"""Changed files beyond which the whole pipeline runs (each edit is checked one by one)."""
SAME = ("id", "title", "date", "url", "markup", "format", "language", "outlet", "tags", "extra", "requested_slug")
"""Article fields an edit must leave as they were (the body, its removals and messages may change)."""


@dataclass(slots=True)
class LastBuild:
    """What a build made of its inputs, kept for the next one (in memory in the preview server,
    in the cache otherwise)."""

    generation: int
    """The site generation it was made for."""
    fingerprint: str
    """build._fingerprint() of everything that build read. Kept before the build is committed (a
    failed build's is never used: its generation or its fingerprint differs from the state's)."""
    settings: str
    """cache.settings_key() it was read under."""
    permalink: str
    """The permalink pattern it was assembled with (a render setting for the read cache, not here)."""
    skipped: list[Skipped]
    stats: dict[str, str]
    """Content path -> keys.file_key() of every file read."""
    inputs: list[InputEntry]
    """Every input's entry as the build left it (skipped ones first, then the files in order)."""
    archive: Archive
    keys: dict[str, str]
    """keys.article_keys() of the archive."""
    recurring: list[RecurringParagraph]
    tallies: dict[str, Tally]
    memo_token: str
    """The dedupe memo's token when it described these articles (dedupe.Memo)."""
    base: str = ""
    """Id of the LastBuild kept in full that this one is made from by edits (cache.py keeps only
    the edits then: see light() and replay())."""
    edited: dict[str, InputEntry] = field(default_factory=dict)
    """Content path -> its entry, for each file whose entry differs from the base's."""
    page_basis: str = ""
    """render.Renderer.basis of the build: with the same, a page changes only with its context."""
    reused: bool = False
    """Made by apply() from the last one (its archive's articles in the same order, edited ones replaced)."""

    def light(self) -> LastBuild:
        """This without what replay() takes from the base: a few kilobytes instead of the archive."""
        return dataclasses.replace(self, inputs=[], archive=Archive([], {}, {}), keys={}, recurring=[])


def replay(base: LastBuild, light: LastBuild) -> LastBuild | None:
    """The LastBuild that light() was taken from, given the base it was made from (None if it was not)."""
    if light.base != base.base or light.stats.keys() != base.stats.keys():
        return None
    offset = len(base.inputs) - len(base.stats)
    position = {path: offset + i for i, path in enumerate(base.stats)}
    where = {a.id: i for i, a in enumerate(base.archive.articles)}
    inputs, articles = list(base.inputs), list(base.archive.articles)
    for path, entry in light.edited.items():
        assert entry.article is not None
        inputs[position[path]] = entry
        articles[where[entry.article.id]] = entry.article
    keys = dict(base.keys)
    keys.update(article_keys(e.article for e in light.edited.values() if e.article is not None))
    return dataclasses.replace(
        light,
        inputs=inputs,
        archive=Archive(articles, base.archive.outlets, base.archive.tags),
        keys=keys,
        recurring=base.recurring,
    )


Read = Callable[[str], InputEntry]
"""Reads, normalizes and tags one content file (build.read_one)."""
Keep = Callable[[str, str, InputEntry], None]
"""Stores an entry as read (path, file key, entry) in the read cache, before the stages change it."""


def apply(
    last: LastBuild | None,
    config: SiteConfig,
    memo: Memo,
    settings: str,
    files: list[str],
    stats: dict[str, str],
    skipped: list[Skipped],
    read: Read,
    keep: Keep,
) -> LastBuild | None:
    """The last build with the changed files' new articles in place; None when the edits need
    the whole pipeline (the files read meanwhile are in the read cache then). The caller sets
    the generation and fingerprint."""
    if (
        last is None
        or last.settings != settings
        or last.permalink != config.permalink
        or last.skipped != skipped
        or list(last.stats) != files
    ):
        return None
    if config.dedupe.enabled and memo.token != last.memo_token:
        return None
    changed = [path for path in files if stats[path] != last.stats[path]]
    if len(changed) > MAX_EDITS:
        return None
    offset = len(last.inputs) - len(files)
    position = {path: offset + i for i, path in enumerate(files)} if changed else {}
    tallies = (
        {outlet: dataclasses.replace(tally, counts=dict(tally.counts)) for outlet, tally in last.tallies.items()}
        if changed
        else last.tallies
    )
    bodies = _Bodies(last.archive.articles)
    inputs, replaced, edited = list(last.inputs), {}, dict(last.edited)
    for path in changed:
        entry = read(path)
        keep(path, stats[path], entry)
        old = inputs[position[path]]
        new = _in_place_of(old, entry, config, tallies, memo, bodies)
        if new is None:
            return None
        inputs[position[path]] = edited[path] = entry
        replaced[id(old.article)] = new
        bodies.put(new)  # the memo has its new text now: a later edit is measured against that
    articles = [replaced.get(id(a), a) for a in last.archive.articles]
    keys = dict(last.keys)
    keys.update(article_keys(replaced.values()))
    archive = Archive(articles, last.archive.outlets, last.archive.tags)
    return LastBuild(
        0,
        "",
        settings,
        config.permalink,
        skipped,
        dict(stats),
        inputs,
        archive,
        keys,
        last.recurring,
        tallies,
        memo.token,
        last.base,
        edited,
        reused=True,
    )


def _in_place_of(
    old: InputEntry, new: InputEntry, config: SiteConfig, tallies: dict[str, Tally], memo: Memo, bodies: _Bodies
) -> Article | None:
    """The new entry's article made ready to take the old one's place, or None."""
    before, after = old.article, new.article
    if old.status != "rendered" or new.status != "rendered" or before is None or after is None or before.duplicates:
        return None
    if (
        any(getattr(before, name) != getattr(after, name) for name in SAME)
        or before.sources[0].path != after.sources[0].path
    ):
        return None
    if natural_slug(after) != before.slug or natural_permalink(after, config.permalink) != before.permalink:
        return None  # a clash gave it a suffix: assemble decides again
    assert after.outlet is not None
    if config.boilerplate.detect:
        tally = tallies[after.outlet.key]
        if not tally.replace(after.id, old.paragraph_keys, new.paragraph_keys):
            return None
        tally.strip(after, new.paragraph_keys, tally.recurring)
    if config.dedupe.enabled and not still_alone(memo, after, config.dedupe, bodies.paragraphs):
        return None
    after.slug, after.permalink = before.slug, before.permalink
    return after


class _Bodies:
    """Other articles' paragraphs by source path, for measuring a new text against them."""

    def __init__(self, articles: list[Article]) -> None:
        self.articles = articles
        self._by_path: dict[str, Article] | None = None

    def paragraphs(self, path: str) -> list[str] | None:
        article = self._index().get(path)
        return article.paragraphs if article is not None else None

    def put(self, article: Article) -> None:
        self._index()[article.sources[0].path] = article

    def _index(self) -> dict[str, Article]:
        if self._by_path is None:
            self._by_path = {a.sources[0].path: a for a in self.articles}
        return self._by_path
