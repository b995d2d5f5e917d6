"""Rebuilds after a few files were added, deleted, renamed or edited, from the last build's archive.

The everyday step is "a few new files arrived" (or one was fixed, renamed, deleted). Building
the archive again for it means taking every cached entry through boilerplate detection, dedupe,
assemble and keying. Instead, each changed file's old article (if any) is taken out of the last
build's archive and its new one (if any) put in, when every decision the whole pipeline made
between articles still holds:

- boilerplate: the outlets' tallies counted with the delta keep the same recurring paragraphs
  and the same examples (boilerplate.Tally: the new articles are stripped of them);
- dedupe: no LSH bucket or anchor that a text enters or leaves crosses its limit
  (dedupe.delta.joins); the texts put in that are copies of kept ones (or of each other, or of
  the same canonical URL at the same outlet), and the texts taken out that were joined, have
  their groups of copies decided again on their own (_regroup: the groups' files as read, from
  the read cache, with the new ones); the memo's rows follow;
- assemble (render.archive.Claims): no tag changes its spelling or slug, no permalink that a new
  article asks for is taken or was contested, no article taken out held a contested one or an id
  made unique.

The new articles are sorted into the archive's order and the build goes on from rendering
(Changes says what the pages must follow). Anything else (a changed setting or registry, a
crowded bucket, a permalink or id that another page holds, too many files at once) goes through
the whole pipeline. A rebuild with no content change at all (a template or render setting edited)
reuses the archive as it is.

The result is what the whole pipeline gives: tests/test_reuse.py builds both and compares the
sites and reports byte for byte.
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from site_gen.config import SiteConfig
from site_gen.dedupe.clusters import Memo, asked_for, copies_by_id, dedupe, redirects
from site_gen.dedupe.delta import TextOf, chained_apart, crowded, joins, regroup, splice
from site_gen.dedupe.minhash import Fingerprints
from site_gen.ingest.boilerplate import RecurringParagraph, Tally
from site_gen.ingest.read import Skipped, display_path
from site_gen.model import Archive, Article, InputEntry
from site_gen.permalinks import natural_permalink, natural_slug, on_site_pages
from site_gen.render.archive import Claims, canonical_tags, outlets_of, sort_key
from site_gen.render.keys import article_keys
from site_gen.render.relations import merged_count

FORMAT = 10
"""The layout of LastBuild: a kept one of another layout is not used."""
MAX_CHANGES = 64
"""Changed files that always go this way; beyond it, up to MAX_SHARE of the archive's files."""
MAX_SHARE = 0.1


@dataclass(slots=True)
class Changes:
    """How a build's archive differs from the last one's (what render keys again)."""

    edited: list[Article] = field(default_factory=list)
    """New versions that took the old ones' places: the same id, permalink, date, outlet and tags."""
    added: list[Article] = field(default_factory=list)
    """Articles not in place of one of the last archive (new files, and new versions that moved)."""
    removed: list[Article] = field(default_factory=list)
    """The last archive's articles no longer in it (deleted files, and old versions that moved)."""


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
    claims: Claims
    base: str = ""
    """Id of the LastBuild kept in full that this one is made from by changes (cache.py keeps only
    the changes then: see light() and replay())."""
    edited: dict[str, InputEntry] = field(default_factory=dict)
    """Content path -> its entry, for each file whose entry differs from the base's or is not in it."""
    removed: set[str] = field(default_factory=set)
    """Content paths of the base that are gone."""
    page_basis: str = ""
    """render.Renderer.basis of the build: with the same, a page changes only with its context."""
    changes: Changes | None = None
    """Made by apply() from the last one: how its archive differs (not kept)."""

    def light(self) -> LastBuild:
        """This without what replay() takes from the base: a few kilobytes instead of the archive."""
        return dataclasses.replace(
            self, inputs=[], archive=Archive([], self.archive.outlets, self.archive.tags), keys={}, changes=None
        )


def replay(base: LastBuild, light: LastBuild) -> LastBuild | None:
    """The LastBuild that light() was taken from, given the base it was made from (None if it was not)."""
    if light.base != base.base or light.stats.keys() != (base.stats.keys() - light.removed) | light.edited.keys():
        return None
    offset = len(base.inputs) - len(base.stats)
    before = dict(zip(base.stats, base.inputs[offset:]))
    inputs = base.inputs[:offset] + [light.edited.get(path) or before[path] for path in light.stats]
    # the base's articles of the files changed or gone: their entries' (the same objects, pickled together)
    out = [e.article for p in light.removed | light.edited.keys() if (e := before.get(p)) and _canonical(e, p)]
    new = [e.article for path, e in light.edited.items() if _canonical(e, path)]
    articles = _sorted_in(base.archive.articles, [a for a in out if a], [a for a in new if a])
    keys = dict(base.keys)
    for article in out:
        assert article is not None  # _canonical
        del keys[article.id]
    keys.update(article_keys(a for a in new if a is not None))
    return dataclasses.replace(
        light, inputs=inputs, archive=Archive(articles, light.archive.outlets, light.archive.tags), keys=keys
    )


def _canonical(entry: InputEntry, path: str) -> bool:
    """Whether the entry's article is its own page (not merged into another, not failed)."""
    return entry.status == "rendered" and entry.article is not None and entry.article.sources[0].path == path


Read = Callable[[list[str]], list[InputEntry]]
"""Reads, normalizes and tags content files (build.read_one on each)."""
Keep = Callable[[Iterable[tuple[str, str, InputEntry]], Iterable[str]], None]
"""Stores entries as read (path, file key, entry) in the read cache, before the stages change them, and
forgets the paths that are gone."""


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
    recall: Read,
) -> LastBuild | None:
    """The last build with the changed files' old articles taken out and their new ones put in;
    None when the changes need the whole pipeline (the files read meanwhile are in the read cache
    then). recall: the entries of unchanged files as read (a group of copies that a new file joins
    is decided again from them). The caller sets the generation and fingerprint."""
    if (
        last is None
        or last.settings != settings
        or last.permalink != config.permalink
        or last.skipped != skipped
        or (config.dedupe.enabled and memo.token != last.memo_token)
    ):
        return None
    changed = [path for path in files if last.stats.get(path) != stats[path]]
    gone = [path for path in last.stats if path not in stats]
    if len(changed) + len(gone) > max(MAX_CHANGES, MAX_SHARE * len(files)):
        return None
    entries = read(changed)
    keep(zip(changed, (stats[p] for p in changed), entries), gone)
    delta = _Delta(last, config, memo, files, dict(zip(changed, entries)), gone, recall)
    return delta.apply(settings, skipped, stats)


class _Delta:
    """One rebuild's changes applied to the last build, stage by stage; each stage says whether its
    decisions hold (False: the whole pipeline runs)."""

    def __init__(
        self,
        last: LastBuild,
        config: SiteConfig,
        memo: Memo,
        files: list[str],
        entries: dict[str, InputEntry],
        gone: list[str],
        recall: Read,
    ) -> None:
        self.last, self.config, self.memo, self.files, self.entries, self.gone, self.recall = (
            last,
            config,
            memo,
            files,
            entries,
            gone,
            recall,
        )
        offset = len(last.inputs) - len(last.stats)
        self.before = dict(zip(last.stats, last.inputs[offset:]))
        self.out: list[tuple[str, InputEntry]] = [(p, self.before[p]) for p in [*entries, *gone] if p in self.before]
        self.put = [(p, e) for p, e in entries.items() if _canonical(e, p)]
        self.claims = dataclasses.replace(
            last.claims, respelled=dict(last.claims.respelled), copies=dict(last.claims.copies)
        )
        self.tallies = dict(last.tallies)
        self.tags = last.archive.tags
        self.same_url: dict[str, list[str]] = {}
        """Id of a new article -> the kept files of its outlet with the same id (a re-scrape: dedupe joins them)."""
        self.new_same_url = False
        """Whether two new articles share an id (of one outlet: dedupe joins them)."""
        self.counted: list[tuple[str, InputEntry]] = []
        """The changed files' old entries that boilerplate detection counted (merged copies too)."""
        self.regrouped: list[Article] = []
        """The articles of the groups of copies decided again (see _regroup)."""
        self.groups: list[list[str]] = []
        """Their groups (source paths), as a whole dedupe would leave them in the memo."""
        self._paths_by_id: dict[str, str] | None = None

    def apply(self, settings: str, skipped: list[Skipped], stats: dict[str, str]) -> LastBuild | None:
        if not (self._taken_out() and self._same_urls() and self._boilerplate() and self._dedupe()):
            return None
        if not (self._ids() and self._tags() and self._permalinks() and self._redirects()):
            return None
        return self._made(settings, skipped, stats)

    def _taken_out(self) -> bool:
        """The old pages of the changed files leave (copies merged into other pages leave with their group,
        decided again: _dedupe), unless one had an id made unique. A file name that is not UTF-8 is shown
        otherwise in the archive (read.display_path) than in the file list: the whole pipeline runs."""
        if any(display_path(p) != p for p in [*self.entries, *self.gone]):
            return False
        self.counted = [(p, e) for p, e in self.out if e.article is not None and e.status in ("rendered", "merged")]
        self.out = [(path, entry) for path, entry in self.out if _canonical(entry, path)]
        return all(e.article and e.article.id not in self.claims.suffixed_ids for _, e in self.out)

    def _same_urls(self) -> bool:
        """The kept files that a new article shares its id (its canonical URL) with: of its outlet, dedupe
        joins them (same-url); of another, or with dedupe off, assemble would make both ids unique."""
        leaving = {e.article.id for _, e in self.out if e.article}
        mine: dict[str, str] = {}
        for _, entry in self.put:
            assert entry.article is not None
            article_id, outlet = entry.article.id, _outlet(entry)
            if article_id in self.claims.shared_ids or mine.setdefault(article_id, outlet) != outlet:
                return False
            kept = self._with_id(article_id, leaving)
            if any(p not in self.before for p in kept):
                return False  # a name that is not UTF-8 (see _taken_out)
            if kept and (not self.config.dedupe.enabled or any(_outlet(self.before[p]) != outlet for p in kept)):
                return False
            if kept:
                self.same_url[article_id] = kept
        self.new_same_url = len(mine) < len(self.put)
        return self.config.dedupe.enabled or not self.new_same_url

    def _with_id(self, article_id: str, leaving: set[str]) -> list[str]:
        """The kept files whose article has this id as read: an article's own file, or copies merged into one
        (not the changed files')."""
        found = [p for p in self.claims.copies.get(article_id, []) if p not in self.entries and p not in self.gone]
        if article_id in self.last.keys and article_id not in leaving:
            found.append(self._by_id()[article_id])
        return found

    def _id_as_read(self, path: str, entry: InputEntry) -> str | None:
        """The id a kept file's article had as read (a merged copy's entry holds the page it was merged into)."""
        assert entry.article is not None
        if entry.status != "merged":
            return entry.article.id
        return next((i for i, paths in self.claims.copies.items() if path in paths), None)

    def _by_id(self) -> dict[str, str]:
        """Id -> source path of the last archive's articles (made when first asked for)."""
        if self._paths_by_id is None:
            self._paths_by_id = {a.id: a.sources[0].path for a in self.last.archive.articles}
        return self._paths_by_id

    def _ids(self) -> bool:
        """No new article shares its id with another page's: assemble would make both unique."""
        leaving = {e.article.id for _, e in self.out if e.article}
        ids = [e.article.id for _, e in self.put if e.article]
        taken = self.last.keys
        return len(set(ids)) == len(ids) and not any(
            (i in taken and i not in leaving) or i in self.claims.shared_ids for i in ids
        )

    def _boilerplate(self) -> bool:
        """The outlets' recurring paragraphs and their examples stay; the new articles lose them too."""
        if not self.config.boilerplate.detect:
            return True
        position: dict[str, int] = {}  # of each file, made when a new article carries a recurring paragraph
        before: dict[str, set[int]] = {}
        carried: dict[str, set[int]] = {}  # id -> paragraph keys its files carry, for ids of several files
        leaving = {e.article.id for _, e in self.out if e.article}
        for path, entry, sign in [*((p, e, -1) for p, e in self.counted), *((p, e, 1) for p, e in self.put)]:
            tally = self._tally(_outlet(entry), before)
            if sign < 0:
                if any(path == example for example, _ in tally.examples.values()):
                    return False
                article_id = self._id_as_read(path, entry)
                if article_id is None:
                    return False  # not known: the whole pipeline counts it
                staying = self._with_id(article_id, leaving)
                if any(p not in self.before for p in staying):
                    return False  # a name that is not UTF-8 (see _taken_out)
                kept_keys = {k for p in staying for k in self.before[p].paragraph_keys} if staying else None
                tally.remove(entry.paragraph_keys, kept_keys)
            else:
                shown = [tally.examples.get(k) for k in set(entry.paragraph_keys) & before[_outlet(entry)]]
                if shown and not position:
                    position.update((file, i) for i, file in enumerate(self.files))
                if any(position[path] < position.get(example[0], -1) for example in shown if example):
                    return False  # it would be the report's example
                tally.add(entry.paragraph_keys, self._carried(entry, carried))
        if any(self.tallies[outlet].recurring != recurring for outlet, recurring in before.items()):
            return False
        for _, entry in self.put:
            assert entry.article is not None
            tally = self.tallies[_outlet(entry)]
            tally.strip(entry.article, entry.paragraph_keys, before[_outlet(entry)])
        self.tallies = {outlet: tally for outlet, tally in self.tallies.items() if tally.total}
        return True

    def _carried(self, entry: InputEntry, carried: dict[str, set[int]]) -> set[int] | None:
        """The paragraph keys that the files of this new article's id counted before it carry (None: the id is
        new), and notes its own: an outlet counts the articles of one id once (boilerplate.Tally)."""
        assert entry.article is not None
        article_id = entry.article.id
        known = carried.get(article_id)
        if known is None and article_id in self.same_url:
            known = {k for p in self.same_url[article_id] for k in self.before[p].paragraph_keys}
        carried[article_id] = (known or set()) | set(entry.paragraph_keys)
        return known

    def _tally(self, outlet: str, before: dict[str, set[int]]) -> Tally:
        """The outlet's tally, copied before its first change (its recurring keys noted in before)."""
        if outlet not in before:
            old = self.tallies.get(outlet) or Tally(self.config.boilerplate, 0, {})
            before[outlet] = old.recurring
            self.tallies[outlet] = dataclasses.replace(old, counts=dict(old.counts), examples=dict(old.examples))
        return self.tallies[outlet]

    def _dedupe(self) -> bool:
        if not self.config.dedupe.enabled:
            return True
        paths = {path for path, _ in self.counted}
        by_path: dict[str, Article] = {}

        def text_of(path: str) -> list[str] | None:  # only for a candidate: most builds have none
            if not by_path:
                by_path.update((a.sources[0].path, a) for a in self.last.archive.articles)
            article = by_path.get(path) if path not in paths else None
            return article.paragraphs if article is not None else None

        added = [e.article for _, e in self.put if e.article]
        removed = [p for p, _ in self.counted]  # every changed file whose text dedupe saw
        same = [p for paths in self.same_url.values() for p in paths]
        found = joins(self.memo, removed, added, self.config.dedupe, text_of, same)
        if found is None:
            return False
        if not (found.any or self.new_same_url):
            splice(self.memo, removed, added, found.prints)
            return True
        changing = {*self.entries, *self.gone}
        group = [r for r in self.memo.groups_of(found.rows | found.left) if self.memo.paths[r] not in changing]
        if not self._regroup(group, removed, added, found.prints, text_of):
            return False
        splice(self.memo, removed, added, found.prints)
        regroup(self.memo, self.groups, list(self.entries))
        return True

    def _regroup(
        self, rows: list[int], removed: list[str], added: list[Article], prints: Fingerprints, text_of: TextOf
    ) -> bool:
        """Decide again the groups of copies that the new texts join (these memo rows: whole groups of the
        last build), from their files' entries as read, with the new articles: dedupe as the whole pipeline
        runs it, on them only (a group's decisions depend on its members alone). Their old pages leave, the
        pages decided now come in."""
        paths = [self.memo.paths[row] for row in rows]
        settings = self.config.dedupe
        if any(p not in self.before for p in paths):
            return False  # a name that is not UTF-8 (see _taken_out)
        if crowded(self.memo, rows, settings, bands=False) or not chained_apart(
            self.memo, rows, removed, added, prints, settings, text_of
        ):
            return False
        old = [(p, self.before[p]) for p in paths]
        if any(_canonical(e, p) and e.article and e.article.id in self.claims.suffixed_ids for p, e in old):
            return False
        fresh = self.recall(paths)
        for entry in fresh:
            if entry.article is not None and entry.status == "rendered" and self.config.boilerplate.detect:
                tally = self.tallies[_outlet(entry)]
                tally.strip(entry.article, entry.paragraph_keys, tally.recurring)
        members = [*zip(paths, fresh), *((p, e) for p, e in self.entries.items() if _canonical(e, p))]
        scratch = Memo()
        clusters = dedupe([e for _, e in members], self.config, scratch)
        self.groups = [[scratch.paths[row] for row in group] for group in scratch.groups()]
        forget = {*paths, *self.entries, *self.gone}
        copies = {i: [p for p in copy_paths if p not in forget] for i, copy_paths in self.claims.copies.items()}
        for article_id, copy_paths in copies_by_id(clusters).items():
            copies.setdefault(article_id, []).extend(copy_paths)
        self.claims.copies = {i: sorted(p) for i, p in copies.items() if p}
        self.out.extend((p, e) for p, e in old if _canonical(e, p))
        self.entries.update(zip(paths, fresh))
        self.put = [(p, e) for p, e in members if _canonical(e, p)]
        self.regrouped = [e.article for _, e in self.put if e.article is not None]
        return True

    def _tags(self) -> bool:
        """No tag changes its spelling or slug; the new articles' tags take the archive's spelling."""
        claims = self.claims
        spellings = dict(claims.spellings)
        for sign, pairs in ((-1, self.out), (1, self.put)):
            for path, entry in pairs:
                assert entry.article is not None
                for name in claims.respelled.pop(path, entry.article.tags) if sign < 0 else entry.article.tags:
                    folded = name.casefold()
                    counts = spellings[folded] = Counter(spellings.get(folded, ()))
                    counts[name] += sign
                    if counts[name] <= 0:
                        del counts[name]
        spellings = {folded: counts for folded, counts in spellings.items() if counts}
        tags = canonical_tags(spellings)
        old = {tag.name.casefold(): tag for tag in self.last.archive.tags.values()}
        if any(old[folded] != tag for folded, tag in tags.items() if folded in old):
            return False
        for path, entry in self.put:
            assert entry.article is not None
            named = [tags[name.casefold()].name for name in entry.article.tags]
            if named != entry.article.tags:
                claims.respelled[path] = entry.article.tags
            entry.article.tags = named
        claims.spellings = spellings
        self.tags = {tag.name: tag for tag in tags.values()}
        return True

    def _permalinks(self) -> bool:
        """Each new article gets the permalink it asks for, which no page holds or contested."""
        contested = self.claims.contested
        leaving = {e.article.permalink for _, e in self.out if e.article}
        if leaving & contested:
            return False
        taken = {a.permalink for a in self.last.archive.articles} - leaving
        for _, entry in self.put:
            article = entry.article
            assert article is not None
            permalink = natural_permalink(article, self.config.permalink)
            if permalink in taken or permalink in contested or on_site_pages(permalink):
                return False
            taken.add(permalink)
            article.slug, article.permalink = natural_slug(article), permalink
        return True

    def _redirects(self) -> bool:
        """The regrouped articles' records as link_copies() leaves them: a cross-outlet record points at the
        other page; a merged copy's redirect has the permalink it asks for, which no page holds and no other
        redirect asks for or holds (else who gets it depends on the order of the whole archive)."""
        if not self.regrouped:
            return True
        pages = {a.sources[0].path: a.permalink for a in self.regrouped}
        leaving = {id(e.article) for _, e in self.out}
        kept = [a for a in self.last.archive.articles if id(a) not in leaving]
        taken = {a.permalink for a in kept} | set(pages.values())
        claimed = {p for a in kept if a.duplicates for d in redirects(a) for p in (d.permalink, asked_for(d))}
        mine: set[str] = set()
        for article in self.regrouped:
            for record in article.duplicates:
                if record.reason == "cross-outlet-copy":
                    record.permalink = pages.get(record.path)
                elif record.permalink and record.permalink != article.permalink:
                    wanted = record.permalink
                    if wanted in taken or wanted in claimed or wanted in mine or on_site_pages(wanted):
                        return False
                    mine.add(wanted)
        self.claims.contested |= mine
        return True

    def _made(self, settings: str, skipped: list[Skipped], stats: dict[str, str]) -> LastBuild:
        last = self.last
        new = [e.article for _, e in self.put if e.article is not None]
        articles = _sorted_in(last.archive.articles, [e.article for _, e in self.out if e.article], new)
        keys = dict(last.keys)
        for _, entry in self.out:
            assert entry.article is not None
            del keys[entry.article.id]
        keys.update(article_keys(new))
        offset = len(last.inputs) - len(last.stats)
        inputs = last.inputs[:offset] + [self.entries.get(path) or self.before[path] for path in self.files]
        edited = {path: entry for path, entry in last.edited.items() if path in stats}
        edited.update(self.entries)
        recurring = [r for outlet in sorted(self.tallies) for r in self.tallies[outlet].report(outlet)]
        return LastBuild(
            0,
            "",
            settings,
            self.config.permalink,
            skipped,
            dict(stats),
            inputs,
            Archive(articles, outlets_of(articles), self.tags),
            keys,
            recurring,
            self.tallies,
            self.memo.token,
            self.claims,
            last.base,
            edited,
            (last.removed | set(self.gone)) - self.entries.keys(),
            changes=self._changes(),
        )

    def _changes(self) -> Changes:
        """Old and new articles paired by path: in place when every listing keeps it where it was."""
        changes = Changes()
        old = {path: entry.article for path, entry in self.out}
        for path, entry in self.put:
            before, after = old.pop(path, None), entry.article
            assert after is not None
            if before is not None and _in_place(before, after):
                changes.edited.append(after)
            else:
                changes.added.append(after)
                if before is not None:
                    changes.removed.append(before)
        changes.removed.extend(a for a in old.values() if a is not None)
        return changes


def _sorted_in(articles: list[Article], out: list[Article], put: list[Article]) -> list[Article]:
    """Articles (in archive order) without out and with put, in archive order: a few found by
    binary search (at 100,000 articles, sorting them all again took 0.2 s), many by sorting."""
    if len(out) + len(put) > MAX_CHANGES:
        leaving = {id(a) for a in out}
        kept = [a for a in articles if id(a) not in leaving]
        return sorted([*kept, *put], key=sort_key)
    articles = list(articles)
    for article in out:
        del articles[bisect_left(articles, sort_key(article), key=sort_key)]
    for article in put:
        insort(articles, article, key=sort_key)
    return articles


def _in_place(before: Article, after: Article) -> bool:
    """Whether after stands where before stood in every listing and chain (same page, order and
    groups), and leaves the archive's totals as they were (its language, files and merged copies are
    counted there)."""
    return _place(before) == _place(after)


def _place(article: Article) -> tuple[object, ...]:
    assert article.outlet is not None
    files = (len(article.sources), merged_count(article))
    return (article.id, article.permalink, article.date, article.outlet.key, article.tags, article.language, files)


def _outlet(entry: InputEntry) -> str:
    return entry.article.outlet.key if entry.article and entry.article.outlet else ""
