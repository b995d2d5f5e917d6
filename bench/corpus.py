"""A deterministic synthetic news corpus for benchmarks, with planted duplicates.

    python bench/corpus.py OUT N [--seed S] [--outlets K] [--copies SHARE]

writes N article files under OUT (OUT/<outlet>/<yyyy>/<file>.txt or .md, about 600 words each,
half header-line and half YAML front matter) across K outlets, plus OUT/manifest.json listing
the planted duplicate groups. From Python:

    from corpus import write_corpus          # with bench/ on sys.path
    manifest = write_corpus(Path("/dev/shm/c"), 10_000)

The same arguments always give the same bytes. About SHARE of the files are copies of another
file, of these kinds (each copy records its kind in the manifest):

- rescrape: same outlet, same URL plus tracking parameters, one sentence changed, and the body
  appended a second time with curly quotes (what scrapers do);
- same-text: same outlet, another URL and headline, the same body;
- copy-edit: same outlet, another URL, a new headline and a few words changed;
- truncated: same outlet, another URL, only the first half of the paragraphs;
- wire: another outlet, its own URL and headline, the same body plus a credit line;
- teaser: the first 10-30% of the words (whole paragraphs, the last one cut with an ellipsis),
  as feeds and aggregators carry them, at the same outlet or at another;
- excerpt: 10-30% of the words from the middle of the article, from a paragraph's start, at the
  same outlet or at another.

Text is random words drawn from a Zipf-like vocabulary of made-up words, in sentences and
paragraphs, so unrelated articles share common words and a few common 3-word runs, as news does.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from itertools import accumulate
from pathlib import Path

SYLLABLES = [
    "ka",
    "ri",
    "to",
    "ma",
    "ne",
    "lo",
    "su",
    "vi",
    "de",
    "ga",
    "po",
    "nu",
    "ter",
    "lan",
    "mor",
    "sel",
    "bri",
    "dan",
    "fol",
    "cre",
    "wis",
    "tham",
    "ound",
    "ex",
]
VOCABULARY = 30_000
WORDS_PER_ARTICLE = 600
COPY_KINDS = ("rescrape", "same-text", "copy-edit", "truncated", "wire", "teaser", "excerpt")
PART_MIN_WORDS = 60
"""Teasers and excerpts have at least this many words: containment counts from 50 (containment_min_words)."""
FIRST_DAY = dt.date(2023, 1, 1)
DAYS = 730


@dataclass(slots=True)
class Outlet:
    key: str
    name: str
    domain: str


@dataclass(slots=True)
class Story:
    """One generated article before it is written as a file."""

    outlet: Outlet
    date: dt.date
    url: str
    title: str
    paragraphs: list[str]


@dataclass(slots=True)
class Copy:
    path: str
    kind: str


@dataclass(slots=True)
class Group:
    """A planted duplicate group: the original file and its copies."""

    original: str
    copies: list[Copy] = field(default_factory=list)


@dataclass(slots=True)
class Manifest:
    files: int
    seed: int
    groups: list[Group]

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=1) + "\n", encoding="utf-8")


def outlets(count: int) -> list[Outlet]:
    return [Outlet(f"outlet{i:02d}", f"Outlet {i:02d} News", f"outlet{i:02d}.example") for i in range(count)]


class _Writer:
    """Draws words, sentences and stories from one seeded random generator."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        words = []
        seen = set()
        while len(words) < VOCABULARY:
            word = "".join(self.rng.choices(SYLLABLES, k=self.rng.choice((1, 2, 2, 3, 3, 4))))
            if word not in seen:
                seen.add(word)
                words.append(word)
        self.words = words
        self.weights = list(accumulate(1 / (rank + 2.7) ** 1.07 for rank in range(VOCABULARY)))

    def sentence(self) -> str:
        chosen = self.rng.choices(self.words, cum_weights=self.weights, k=self.rng.randint(8, 24))
        return " ".join(chosen).capitalize() + "."

    def paragraphs(self, words: int) -> list[str]:
        result, total = [], 0
        while total < words:
            paragraph = " ".join(self.sentence() for _ in range(self.rng.randint(2, 5)))
            result.append(paragraph)
            total += paragraph.count(" ") + 1
        return result

    def title(self) -> str:
        return self.sentence().rstrip(".")

    def story(self, outlet: Outlet, serial: int) -> Story:
        date = FIRST_DAY + dt.timedelta(days=self.rng.randrange(DAYS))
        title = self.title()
        url = f"https://www.{outlet.domain}/{date:%Y/%m/%d}/{serial}-{'-'.join(title.lower().split()[:4])}"
        return Story(
            outlet,
            date,
            url,
            title,
            self.paragraphs(self.rng.randint(WORDS_PER_ARTICLE - 150, WORDS_PER_ARTICLE + 150)),
        )

    def copy(self, story: Story, kind: str, serial: int, others: list[Outlet]) -> Story:
        rng = self.rng
        later = story.date + dt.timedelta(days=rng.randint(0, 2))
        if kind == "rescrape":
            paragraphs = list(story.paragraphs)
            i = rng.randrange(len(paragraphs))
            paragraphs[i] = paragraphs[i].rsplit(". ", 1)[0] + ". " + self.sentence()
            doubled = [p.replace("'", "\u2019") for p in paragraphs]
            return Story(
                story.outlet,
                story.date,
                story.url + "?utm_source=feed&utm_medium=rss",
                story.title,
                paragraphs + doubled,
            )
        if kind == "wire":
            outlet = rng.choice([o for o in others if o.key != story.outlet.key])
            copy = self.story(outlet, serial)
            copy.date, copy.paragraphs = later, [*story.paragraphs, f"(Reporting by {story.outlet.name})"]
            return copy
        if kind in ("teaser", "excerpt"):
            elsewhere = rng.choice([o for o in others if o.key != story.outlet.key])
            copy = self.story(story.outlet if rng.random() < 0.5 else elsewhere, serial)
            copy.date, copy.paragraphs = later, self._part(story.paragraphs, kind == "teaser")
            return copy
        copy = self.story(story.outlet, serial)
        copy.date = later
        if kind == "same-text":
            copy.paragraphs = list(story.paragraphs)
        elif kind == "copy-edit":
            copy.paragraphs = [self._edit(p) if rng.random() < 0.3 else p for p in story.paragraphs]
        elif kind == "truncated":
            copy.paragraphs = story.paragraphs[: max(1, len(story.paragraphs) // 2)]
        return copy

    def _part(self, paragraphs: list[str], first: bool) -> list[str]:
        """10-30% of the words, from the first paragraph or a later one, the last paragraph cut short."""
        total = sum(p.count(" ") + 1 for p in paragraphs)
        start = 0 if first else self.rng.randrange(1, max(2, len(paragraphs) * 2 // 3))
        left = max(PART_MIN_WORDS, round(total * self.rng.uniform(0.1, 0.3)))
        part = []
        for paragraph in paragraphs[start:]:
            words = paragraph.split(" ")
            part.append(paragraph if len(words) <= left else " ".join(words[:left]) + " …")
            left -= len(words)
            if left <= 0:
                break
        return part

    def _edit(self, paragraph: str) -> str:
        words = paragraph.split(" ")
        i = self.rng.randrange(len(words))
        words[i] = self.rng.choice(self.words[:2000])
        return " ".join(words)


def render(story: Story, fmt: str) -> str:
    """The file text of a story in the header-line or YAML front-matter format."""
    if fmt == "yaml":
        head = (
            f"---\ntitle: {json.dumps(story.title)}\ndate: {story.date.isoformat()}\n"
            f"url: {story.url}\nsource: {story.outlet.domain}\n---\n\n"
        )
        return head + "\n\n".join(story.paragraphs) + "\n"
    return f"date {story.date.isoformat()} {story.url}\n{story.title}\n\n" + "\n".join(story.paragraphs) + "\n"


def generate(
    n: int, *, seed: int = 0, outlet_count: int = 30, copy_share: float = 0.1
) -> Iterator[tuple[str, str, Group | None]]:
    """(relative path, file text, the group when the file starts one or is a copy) for n files."""
    writer = _Writer(seed)
    rng = writer.rng
    every = outlets(outlet_count)
    serial = 0
    while serial < n:
        story = writer.story(rng.choice(every), serial)
        path = _path(story, serial)
        copies = []
        if rng.random() < copy_share / (1 - copy_share) / 1.75:  # 1.75 copies per group on average
            copies = [rng.choice(COPY_KINDS) for _ in range(rng.choice((1, 1, 2, 3)))]
        group = Group(path) if copies else None
        yield path, render(story, _format(serial)), group
        serial += 1
        for kind in copies:
            if serial >= n:
                break
            copy = writer.copy(story, kind, serial, every)
            copy_path = _path(copy, serial)
            assert group is not None
            group.copies.append(Copy(copy_path, kind))
            yield copy_path, render(copy, _format(serial)), group
            serial += 1


def _format(serial: int) -> str:
    return "yaml" if serial % 2 else "header-line"


def _path(story: Story, serial: int) -> str:
    ext = ".md" if serial % 2 else ".txt"
    return f"{story.outlet.key}/{story.date.year}/{story.date.isoformat()}-{serial:07d}{ext}"


def write_corpus(root: Path, n: int, *, seed: int = 0, outlet_count: int = 30, copy_share: float = 0.1) -> Manifest:
    """Write n article files under root (which must not hold other articles) and root/manifest.json."""
    groups: dict[int, Group] = {}
    for path, text, group in generate(n, seed=seed, outlet_count=outlet_count, copy_share=copy_share):
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        if group is not None:
            groups[id(group)] = group
    manifest = Manifest(n, seed, [g for g in groups.values() if g.copies])
    manifest.write(root / "manifest.json")
    return manifest


# The "tags" style: a Hugo-style archive (Markdown with YAML front matter, 2-5 tags per article
# from a pool of TAG_POOL with a few popular ones, one category, light Markdown), no planted copies.
TAG_POOL = 200
CATEGORIES = (
    "Politics",
    "Business",
    "World",
    "Sport",
    "Science",
    "Technology",
    "Health",
    "Culture",
    "Opinion",
    "Local",
)


def tag_pool(writer: _Writer) -> list[str]:
    """TAG_POOL tag names of one or two made-up words (from the common ones), in order of popularity."""
    common = writer.words[50:]
    return [" ".join(w.capitalize() for w in common[2 * k : 2 * k + 1 + k % 2]) for k in range(TAG_POOL)]


def tagged_text(writer: _Writer, story: Story, tags: list[str]) -> str:
    """A story as Hugo content: front matter (title, date, source, categories, tags), then Markdown paragraphs
    with an occasional subheading, emphasis and link."""
    rng = writer.rng
    front = (
        f"---\ntitle: {json.dumps(story.title)}\ndate: {story.date.isoformat()}\nsource: {story.outlet.domain}\n"
        f"categories: [{rng.choice(CATEGORIES)}]\ntags: {json.dumps(tags)}\n---\n\n"
    )
    paragraphs = list(story.paragraphs)
    if len(paragraphs) > 3 and rng.random() < 0.5:
        paragraphs.insert(len(paragraphs) // 2, "## " + writer.title())
    for i, paragraph in enumerate(paragraphs):
        words = paragraph.split(" ")
        if len(words) > 6 and rng.random() < 0.3:
            j = rng.randrange(1, len(words) - 1)
            words[j] = f"*{words[j]}*" if rng.random() < 0.7 else f"[{words[j]}]({story.url}#{j})"
            paragraphs[i] = " ".join(words)
    return front + "\n\n".join(paragraphs) + "\n"


def generate_tagged(
    n: int, *, seed: int = 0, outlet_count: int = 30, first: int = 0, day: dt.date | None = None
) -> Iterator[tuple[str, str]]:
    """(relative path, file text) of n tags-style articles numbered from first, dated day if given (the same
    arguments give the same bytes; another first gives other articles with the same words and tags)."""
    writer = _reseeded(seed, first)
    rng = writer.rng
    every, pool = outlets(outlet_count), tag_pool(writer)
    popularity = list(accumulate(1 / (rank + 1) for rank in range(TAG_POOL)))
    for serial in range(first, first + n):
        story = writer.story(rng.choice(every), serial)
        story.date = day or story.date
        tags = list(dict.fromkeys(rng.choices(pool, cum_weights=popularity, k=rng.randint(2, 5))))
        yield _tagged_path(story, serial), tagged_text(writer, story, tags)


def generate_new(style: str, n: int, first: int, *, seed: int = 0, outlet_count: int = 30) -> Iterator[tuple[str, str]]:
    """(relative path, file text) of n more articles of a style ("scraped" or "tags") for a corpus of first files:
    the day's news, dated the day after the corpus's last, numbered from first so no path is taken."""
    day = FIRST_DAY + dt.timedelta(days=DAYS)
    if style == "tags":
        yield from generate_tagged(n, seed=seed, outlet_count=outlet_count, first=first, day=day)
        return
    writer = _reseeded(seed, first)
    every = outlets(outlet_count)
    for serial in range(first, first + n):
        story = writer.story(writer.rng.choice(every), serial)
        story.date = day
        yield _path(story, serial), render(story, _format(serial))


def _reseeded(seed: int, first: int) -> _Writer:
    """The writer of seed (its vocabulary, hence its tags), drawing from a stream of its own for files from first."""
    writer = _Writer(seed)
    if first:
        writer.rng.seed(seed * 1_000_003 + first)
    return writer


def _tagged_path(story: Story, serial: int) -> str:
    return f"{story.outlet.key}/{story.date.year}/{story.date.isoformat()}-{serial:07d}.md"


def write_tagged_corpus(root: Path, n: int, *, seed: int = 0, outlet_count: int = 30) -> Manifest:
    """Write n tags-style article files under root, and root/manifest.json (no planted copies)."""
    for path, text in generate_tagged(n, seed=seed, outlet_count=outlet_count):
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    manifest = Manifest(n, seed, [])
    manifest.write(root / "manifest.json")
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--outlets", type=int, default=30)
    parser.add_argument("--copies", type=float, default=0.1, help="share of files that are copies (default 0.1)")
    args = parser.parse_args()
    manifest = write_corpus(args.out, args.n, seed=args.seed, outlet_count=args.outlets, copy_share=args.copies)
    planted = sum(len(g.copies) for g in manifest.groups)
    print(f"{args.n:,} files in {args.out} ({len(manifest.groups):,} duplicate groups, {planted:,} copies)")


if __name__ == "__main__":
    main()
