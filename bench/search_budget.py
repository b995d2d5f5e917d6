"""The search budget of issue 4 (item 7), measured on deterministic synthetic archives.

    python bench/search_budget.py                       # 10,000 and 100,000 articles
    python bench/search_budget.py -n 10000 --whoosh     # also time the whoosh cold build
    python bench/search_budget.py -n 2000 --json out.json
    python bench/search_budget.py -n 10000 --write-site /dev/shm/syn10k   # files for site-gen build

For each size it generates the articles in memory (one Zipf distribution over English function
words followed by pseudo-words with suffixes the stemmer conflates, about 600 words per article,
30 outlets, 0-3 of 40 tags, dates over ten years), exports the static index into
bench/out/N/ (or --out) and reports:

- export time (analysis + inversion, then coding and writing), wall and CPU seconds;
- file count, total and largest file of the index;
- for sample two-word queries (the commonest words, middling and rare ones): the bytes of search.js and of
  the index files headless Chromium requested to show the first ten results of the search
  page opened with ?q=... in a fresh browser context (caches empty), and the time to results;
- the time from a keystroke to the results shown, once the shards are loaded (search.js
  records it as SiteGenSearch.lastLatency), the largest over the queries.

Budget: <= 300 KB per two-word query at 10,000 articles, <= 600 KB at 100,000, no file over
1 MB, fewer than 5,000 files, export of 10,000 under 10 s, results within 150 ms of a keystroke.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from site_gen.config import load_config  # noqa: E402
from site_gen.model import Article, Outlet, SourceFile  # noqa: E402
from site_gen.output import WorkTree  # noqa: E402
from site_gen.render.archive import assemble  # noqa: E402
from site_gen.render.keys import article_keys  # noqa: E402
from site_gen.render.pages import Renderer  # noqa: E402
from site_gen.search import export, index, layout  # noqa: E402
from site_gen.search.inverted import InvertedField, invert  # noqa: E402
from site_gen.search.terms import FIELDS  # noqa: E402

# English function words, the commonest first: the head of the Zipf distribution, as in real
# text (whoosh drops only 33 of them as stop words; "said", "would", "there" are indexed).
FUNCTION_WORDS = [
    "the",
    "of",
    "and",
    "to",
    "a",
    "in",
    "that",
    "is",
    "was",
    "he",
    "for",
    "it",
    "with",
    "as",
    "his",
    "on",
    "be",
    "at",
    "by",
    "i",
    "this",
    "had",
    "not",
    "are",
    "but",
    "from",
    "or",
    "have",
    "an",
    "they",
    "which",
    "one",
    "you",
    "were",
    "her",
    "all",
    "she",
    "there",
    "would",
    "their",
    "we",
    "him",
    "been",
    "has",
    "when",
    "who",
    "will",
    "more",
    "no",
    "if",
    "out",
    "so",
    "said",
    "what",
    "up",
    "its",
    "about",
    "into",
    "than",
    "them",
    "can",
    "only",
    "other",
    "new",
    "some",
    "could",
    "time",
    "these",
    "two",
    "may",
    "then",
    "do",
    "first",
    "any",
    "my",
    "now",
    "such",
    "like",
    "our",
    "over",
    "me",
    "even",
    "most",
    "made",
    "after",
    "also",
    "did",
    "many",
    "before",
    "must",
    "through",
    "back",
    "years",
    "where",
    "much",
    "your",
    "way",
    "well",
    "down",
    "should",
    "because",
    "each",
    "just",
    "those",
    "people",
    "how",
    "too",
    "little",
    "state",
    "good",
    "very",
    "make",
    "world",
    "still",
    "own",
    "see",
    "men",
    "work",
    "long",
    "get",
    "here",
]
SYLLABLES = [c + v for c in "bcdfghklmnprstvwz" for v in "aeiou"] + ["th", "st", "ch", "sh", "tr"]
SUFFIXES = ["", "", "", "s", "ed", "ing", "er", "ly", "ation", "ment", "ness", "ive"]
# --languages en,ru,de: Russian and German articles of pseudo-words with their languages' endings
# (which their Snowball stemmers conflate), after their commonest words.
LANGUAGES = {
    "en": (FUNCTION_WORDS, SYLLABLES, SUFFIXES),
    "ru": (
        [
            "и",
            "в",
            "не",
            "на",
            "я",
            "что",
            "он",
            "с",
            "как",
            "а",
            "то",
            "все",
            "она",
            "так",
            "его",
            "но",
            "да",
            "ты",
            "к",
            "у",
            "же",
            "вы",
            "за",
            "бы",
            "по",
            "только",
            "её",
            "мне",
            "было",
            "вот",
            "от",
            "меня",
            "ещё",
            "нет",
            "о",
            "из",
            "ему",
            "теперь",
            "когда",
            "даже",
            "ну",
            "вдруг",
            "ли",
            "если",
            "уже",
            "или",
            "быть",
            "был",
            "него",
            "до",
            "вас",
            "нибудь",
            "опять",
            "уж",
            "вам",
            "ведь",
            "там",
            "потом",
            "себя",
            "ничего",
            "ей",
            "может",
            "они",
            "тут",
            "где",
            "есть",
            "надо",
            "ней",
            "для",
            "мы",
            "тебя",
            "их",
            "чем",
            "была",
            "сам",
            "чтоб",
            "без",
            "будто",
            "чего",
            "раз",
            "тоже",
            "себе",
            "под",
            "будет",
            "ж",
            "тогда",
            "кто",
            "этот",
            "говорил",
            "заявил",
            "также",
            "года",
            "россии",
            "сша",
        ],
        [c + v for c in "бвгдзклмнпрстфхчш" for v in "аеиоуя"],
        ["", "", "а", "у", "ом", "е", "ы", "ов", "ами", "ах", "ий", "ого", "ая", "ость", "ение", "ения"],
    ),
    "de": (
        [
            "der",
            "die",
            "und",
            "in",
            "den",
            "von",
            "zu",
            "das",
            "mit",
            "sich",
            "des",
            "auf",
            "für",
            "ist",
            "im",
            "dem",
            "nicht",
            "ein",
            "eine",
            "als",
            "auch",
            "es",
            "an",
            "werden",
            "aus",
            "er",
            "hat",
            "dass",
            "sie",
            "nach",
            "wird",
            "bei",
            "einer",
            "um",
            "am",
            "sind",
            "noch",
            "wie",
            "einem",
            "über",
            "einen",
            "so",
            "zum",
            "war",
            "haben",
            "nur",
            "oder",
            "aber",
            "vor",
            "zur",
            "bis",
            "mehr",
            "durch",
            "man",
            "sein",
            "wurde",
            "sei",
            "habe",
            "jahr",
            "sagte",
            "russland",
        ],
        [c + v for c in "bdfghklmnprstwz" for v in "aeiouäöü"] + ["sch", "ch", "st"],
        ["", "", "en", "e", "es", "er", "ern", "ung", "ungen", "lich", "liche", "keit", "isch", "ischen"],
    ),
}
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def vocabulary(size: int, rng: random.Random, language: str = "en") -> list[str]:
    """Function words, then pseudo-words made of syllables and suffixes the stemmer conflates."""
    function_words, syllables, suffixes = LANGUAGES[language]
    seen: set[str] = set(function_words)
    words = list(function_words)
    while len(words) < size:
        word = "".join(rng.choice(syllables) for _ in range(rng.choice((1, 2, 2, 3, 3, 4)))) + rng.choice(suffixes)
        if len(word) > 2 and word not in seen:
            seen.add(word)
            words.append(word)
    return words


def synthetic_articles(
    n: int, seed: int = 4, languages: tuple[str, ...] = ("en",)
) -> tuple[list[Article], dict[str, list[str]]]:
    """n articles of 450-750 words drawn from one Zipf distribution (s = 1) over a vocabulary
    that grows with the archive (one per language, each article in one of them, at random);
    returns them and each language's vocabulary in rank order."""
    rng = random.Random(seed)
    size = int(60_000 * (n / 10_000) ** 0.5)
    vocabularies = {language: vocabulary(size // len(languages), rng, language) for language in languages}
    drawn = {language: _zipf(words, len(LANGUAGES[language][0])) for language, words in vocabularies.items()}
    outlets = [
        Outlet(key=f"outlet-{i:02d}", name=f"Outlet {i:02d}", domain=f"outlet{i:02d}.example", known=True)
        for i in range(30)
    ]
    outlet_weights = list(itertools.accumulate(1 / (i + 1) ** 0.8 for i in range(30)))
    topics = [f"topic {i}" for i in range(40)]
    start = dt.date(2015, 1, 1)
    articles = []
    for i in range(n):
        language = rng.choice(languages) if len(languages) > 1 else languages[0]
        words, weights, content, title_weights = drawn[language]
        tokens = rng.choices(words, cum_weights=weights, k=rng.randint(450, 750))
        paragraphs = [" ".join(tokens[k : k + 60]).capitalize() + "." for k in range(0, len(tokens), 60)]
        title = " ".join(rng.choices(words[content:], cum_weights=title_weights, k=rng.randint(5, 10))).capitalize()
        outlet = rng.choices(outlets, cum_weights=outlet_weights)[0]
        tags = sorted(set(rng.choices(topics, k=rng.randint(0, 3))))
        path = f"{outlet.key}/{i}.txt"
        articles.append(
            Article(
                id=f"{i:016x}",
                title=title,
                date=start + dt.timedelta(days=rng.randrange(3650)),
                url=f"https://{outlet.domain}/news/{i}",
                paragraphs=paragraphs,
                markup="text",
                sources=[SourceFile(path, "0" * 64, 0, "utf-8")],
                format="header-line",
                language=language,
                outlet=outlet,
                tags=tags,
            )
        )
    return articles, vocabularies


def _zipf(words: list[str], content: int) -> tuple[list[str], list[float], int, list[float]]:
    """A vocabulary, its cumulative Zipf weights, where its content words start, and their weights (titles)."""
    weights = list(itertools.accumulate(1 / rank for rank in range(1, len(words) + 1)))
    title_weights = list(itertools.accumulate(1 / rank for rank in range(1, len(words) - content + 1)))
    return words, weights, content, title_weights


def sample_queries(vocabularies: dict[str, list[str]]) -> dict[str, str]:
    """Two-word queries at fixed Zipf ranks; the commonest indexed words load the biggest postings."""
    queries = {}
    for language, words in vocabularies.items():
        content, rare = len(LANGUAGES[language][0]), min(20_000, len(words) - len(LANGUAGES[language][0]) - 1)
        mark = "" if language == "en" else f"{language}: "
        if language == "en":
            queries["two of the commonest indexed words"] = "said would"
        queries.update(
            {
                f"{mark}common + common": f"{words[content]} {words[content + 1]}",
                f"{mark}common + middling": f"{words[content + 2]} {words[content + 300]}",
                f"{mark}middling + middling": f"{words[content + 500]} {words[content + 1500]}",
                f"{mark}middling + rare": f"{words[content + 1000]} {words[content + rare]}",
            }
        )
    return queries


def cpu_seconds() -> float:
    """This process and its finished children (the worker pools), user and system."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


class Clock:
    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), cpu_seconds()

    def lap(self) -> dict[str, float]:
        wall, cpu = time.perf_counter(), cpu_seconds()
        result = {"wall": round(wall - self.wall, 2), "cpu": round(cpu - self.cpu, 2)}
        self.wall, self.cpu = wall, cpu
        return result


def measure(
    n: int, out: Path, with_whoosh: bool, browser: object | None, languages: tuple[str, ...] = ("en",)
) -> dict[str, object]:
    clock = Clock()
    site = out / "site"
    shutil.rmtree(out, ignore_errors=True)
    site.mkdir(parents=True)
    config = load_config(None, cwd=out)
    articles, vocabularies = synthetic_articles(n, languages=languages)
    archive = assemble(articles, config)
    ordered = layout.order(archive.articles)
    result: dict[str, object] = {"articles": n, "languages": list(languages), "generate": clock.lap()}

    jobs = os.cpu_count() or 1
    fields = invert(ordered, jobs=jobs)
    result["export_analysis"] = clock.lap()
    stats, _ = export.export(ordered, site / "search", fields, jobs)
    result["export_write"] = clock.lap()
    del fields
    result["export_total"] = {
        k: round(result["export_analysis"][k] + result["export_write"][k], 2) for k in ("wall", "cpu")
    }  # type: ignore[index]
    sizes = [p.stat().st_size for p in (site / "search").rglob("*.js")]
    result["files"] = {
        "count": len(sizes),
        "bytes": sum(sizes),
        "largest": max(sizes),
        "term_shards": stats.shards,
        "terms": stats.terms,
    }

    if with_whoosh:
        shared = {name: InvertedField() for name in FIELDS}
        clock.lap()
        index.rebuild(out / "whoosh", ordered, article_keys(ordered), shared, jobs=os.cpu_count() or 1)
        result["whoosh_cold_build"] = clock.lap()
        result["whoosh_bytes"] = sum(p.stat().st_size for p in (out / "whoosh").iterdir())

    renderer = Renderer(config, archive, WorkTree(site, fresh=True), article_keys(archive.articles))
    renderer.write("search/index.html", "search.html", totals=renderer.relations.totals)
    renderer.static()
    if browser is not None:
        result["queries"] = [browse(browser, site, label, q) for label, q in sample_queries(vocabularies).items()]
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    return result


def browse(browser: object, site: Path, label: str, text: str) -> dict[str, object]:
    """Open the search page with ?q= in a fresh context; count what it loaded; time keystrokes."""
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    loaded: list[str] = []
    page.on("requestfinished", lambda r: loaded.append(r.url))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    url = (site / "search" / "index.html").as_uri()
    started = time.perf_counter()
    page.goto(f"{url}?q={text.replace(' ', '+')}")
    wait_until(
        page,
        "document.querySelectorAll('#search-results li').length > 0"
        " || /No results/.test(document.getElementById('search-status').textContent)",
    )
    first = time.perf_counter() - started
    index_files = [
        u
        for u in loaded
        if ("/search/" in u and u.endswith(".js")) or u.endswith("/static/search.js") or "/static/stemmers/" in u
    ]
    size = sum(Path(u[len("file://") :]).stat().st_size for u in index_files)
    # Keystrokes once the shards are loaded: retype the query, then the space that completes it.
    page.fill("#search-q", "")
    latencies = []
    for ch in text + " ":
        page.keyboard.type(ch)
        wait_until(page, "SiteGenSearch.lastLatency !== null")
        latencies.append(page.evaluate("SiteGenSearch.lastLatency"))
        page.evaluate("SiteGenSearch.lastLatency = null")
    shown = page.locator("#search-results li").count()
    status = page.inner_text("#search-status")
    context.close()
    return {
        "label": label,
        "query": text,
        "files_loaded": len(index_files),
        "bytes_loaded": size,
        "first_results_s": round(first, 3),
        "results": status,
        "shown": shown,
        "keystroke_to_results_ms_last": round(latencies[-1], 1),
        "keystroke_to_results_ms_max": round(max(latencies), 1),
        "errors": errors,
    }


def wait_until(page: object, expression: str, timeout: float = 60) -> None:
    """Poll with evaluate(): wait_for_function() compiles a string, which the page's CSP forbids."""
    deadline = time.perf_counter() + timeout
    while not page.evaluate(expression):  # type: ignore[attr-defined]
        if time.perf_counter() > deadline:
            raise TimeoutError(expression)
        time.sleep(0.002)


def write_site(n: int, folder: Path) -> None:
    """The same synthetic articles as files (YAML front matter), for timing a whole build."""
    articles, _ = synthetic_articles(n)
    for article in articles:
        path = folder / "content" / article.sources[0].path.replace(".txt", ".md")
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = {"title": article.title, "date": article.date.isoformat(), "url": article.url, "tags": article.tags}
        if article.language != "en":
            meta["language"] = article.language
        path.write_text(
            "---\n" + json.dumps(meta, ensure_ascii=False) + "\n---\n" + "\n\n".join(article.paragraphs) + "\n",
            encoding="utf-8",
        )
    (folder / "site.yaml").write_text("title: Synthetic archive\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "-n", "--articles", type=int, action="append", help="archive size (repeatable; default 10000 and 100000)"
    )
    parser.add_argument("--whoosh", action="store_true", help="also time a cold whoosh build (both cores)")
    parser.add_argument(
        "--languages",
        default="en",
        help="articles in these languages, each at random (en, ru, de; comma-separated; default en)",
    )
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium measurements")
    parser.add_argument(
        "--out", type=Path, default=None, help="work folder (default: bench/out, or /dev/shm when present)"
    )
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument(
        "--write-site",
        type=Path,
        metavar="DIR",
        help="only write the articles of the first size as a site folder (content/, site.yaml)",
    )
    args = parser.parse_args()
    if args.write_site:
        write_site((args.articles or [10_000])[0], args.write_site)
        return 0
    base = args.out or (
        Path(tempfile.mkdtemp(prefix="search-budget-", dir="/dev/shm"))
        if Path("/dev/shm").is_dir()
        else REPO / "bench" / "out"
    )
    browser, playwright = None, None
    if not args.no_browser:
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    results = []
    try:
        for n in args.articles or [10_000, 100_000]:
            result = measure(n, base / str(n), args.whoosh, browser, tuple(args.languages.split(",")))
            results.append(result)
            print(json.dumps(result, indent=1), flush=True)
    finally:
        if browser is not None:
            browser.close()
            playwright.stop()  # type: ignore[union-attr]
        if args.out is None:
            shutil.rmtree(base, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
