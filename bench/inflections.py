"""Inflected forms find each other: 20 Russian and 20 German nouns of the RT corpora.

    python bench/inflections.py [--corpora ../shared/corpora] [--work DIR] [--json out.json] [--no-browser]

Imports the RT corpora (English, Russian, German) as the README's "Importing the shared corpora"
does, builds them into one site, and for each noun below (its dictionary form as the query, its
case and number forms written out by hand, not by the stemmer) counts the articles whose words
(title and body, as the index tokenizes them) include any form, and how many of those a search for
the dictionary form finds: in `site-gen search` (whoosh) and in search.js in headless Chromium
from file://. Only the forms that occur in the corpus count as "forms present". Prints a Markdown
table for docs/architecture.md; tests/test_search_parity.py runs the same measurement.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from site_gen.build.pipeline import build  # noqa: E402
from site_gen.cli import main as site_gen  # noqa: E402
from site_gen.config import SiteConfig, load_config  # noqa: E402
from site_gen.model import Article  # noqa: E402
from site_gen.search import terms  # noqa: E402
from site_gen.search.index import query  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
NOUNS: dict[str, dict[str, list[str]]] = {
    "ru": {
        "Сорос": ["сорос", "сороса", "соросу", "соросом", "соросе"],
        "Трамп": ["трамп", "трампа", "трампу", "трампом", "трампе"],
        "Россия": ["россия", "россии", "россию", "россией"],
        "организация": [
            "организация",
            "организации",
            "организацию",
            "организацией",
            "организаций",
            "организациям",
            "организациями",
            "организациях",
        ],
        "президент": [
            "президент",
            "президента",
            "президенту",
            "президентом",
            "президенте",
            "президенты",
            "президентов",
            "президентам",
            "президентами",
            "президентах",
        ],
        "страна": ["страна", "страны", "стране", "страну", "страной", "стран", "странам", "странами", "странах"],
        "политика": ["политика", "политики", "политике", "политику", "политикой"],
        "Москва": ["москва", "москвы", "москве", "москву", "москвой"],
        "выборы": ["выборы", "выборов", "выборам", "выборами", "выборах"],
        "территория": [
            "территория",
            "территории",
            "территорию",
            "территорией",
            "территорий",
            "территориям",
            "территориями",
            "территориях",
        ],
        "Украина": ["украина", "украины", "украине", "украину", "украиной"],
        "партия": ["партия", "партии", "партию", "партией", "партий", "партиям", "партиями", "партиях"],
        "демократия": ["демократия", "демократии", "демократию", "демократией"],
        "власть": ["власть", "власти", "властью", "властей", "властям", "властями", "властях"],
        "штат": ["штат", "штата", "штату", "штатом", "штате", "штаты", "штатов", "штатам", "штатами", "штатах"],
        "эксперт": [
            "эксперт",
            "эксперта",
            "эксперту",
            "экспертом",
            "эксперте",
            "эксперты",
            "экспертов",
            "экспертам",
            "экспертами",
            "экспертах",
        ],
        "фонд": ["фонд", "фонда", "фонду", "фондом", "фонде", "фонды", "фондов", "фондам", "фондами", "фондах"],
        "правительство": [
            "правительство",
            "правительства",
            "правительству",
            "правительством",
            "правительстве",
            "правительств",
            "правительствам",
            "правительствами",
            "правительствах",
        ],
        "журналист": [
            "журналист",
            "журналиста",
            "журналисту",
            "журналистом",
            "журналисте",
            "журналисты",
            "журналистов",
            "журналистам",
            "журналистами",
            "журналистах",
        ],
        "санкция": ["санкция", "санкции", "санкцию", "санкцией", "санкций", "санкциям", "санкциями", "санкциях"],
    },
    "de": {
        "Land": ["land", "landes", "lande", "länder", "ländern"],
        "Staat": ["staat", "staates", "staats", "staaten"],
        "Krieg": ["krieg", "krieges", "kriegs", "kriege", "kriegen"],
        "Jahr": ["jahr", "jahres", "jahre", "jahren"],
        "Bericht": ["bericht", "berichtes", "berichts", "berichte", "berichten"],
        "Grund": ["grund", "grundes", "grunde", "gründe", "gründen"],
        "Beweis": ["beweis", "beweises", "beweise", "beweisen"],
        "Tag": ["tag", "tages", "tage", "tagen"],
        "Mann": ["mann", "mannes", "manne", "männer", "männern"],
        "Haus": ["haus", "hauses", "hause", "häuser", "häusern"],
        "Gesetz": ["gesetz", "gesetzes", "gesetze", "gesetzen"],
        "Volk": ["volk", "volkes", "volks", "völker", "völkern"],
        "Geheimdienst": ["geheimdienst", "geheimdienstes", "geheimdiensts", "geheimdienste", "geheimdiensten"],
        "Milliardär": ["milliardär", "milliardärs", "milliardäre", "milliardären"],
        "Vorwurf": ["vorwurf", "vorwurfs", "vorwurfes", "vorwürfe", "vorwürfen"],
        "Kampf": ["kampf", "kampfes", "kampfs", "kämpfe", "kämpfen"],
        "Ziel": ["ziel", "ziels", "zieles", "ziele", "zielen"],
        "Wert": ["wert", "wertes", "werts", "werte", "werten"],
        "Politiker": ["politiker", "politikers", "politikern"],
        "Freund": ["freund", "freundes", "freunde", "freunden"],
    },
}


def import_rt(corpora: Path, root: Path) -> SiteConfig:
    """The RT corpora imported into root/content as the README says, with a site.yaml: the site's config."""
    rt = corpora / "rt-thesis-soros"
    steps = {
        "rt-en": [*sorted(rt.glob("clean-csv-eng/*.csv")), rt / "clinton-duma.csv"],
        "rt-ru": [*sorted(rt.glob("clean-txt-rus/*.txt")), rt / "klinton-nato.txt"],
        "rt-de": sorted(rt.glob("clean-txt-ger/*.txt")),
    }
    for folder, files in steps.items():
        if site_gen(["import", *map(str, files), "-o", str(root / "content" / folder)]) != 0:
            raise SystemExit(f"importing {folder} failed")
    (root / "site.yaml").write_text("title: RT corpora\n", encoding="utf-8")
    return load_config(root / "site.yaml", cwd=root)


def containing(articles: Iterable[Article], forms: Iterable[str]) -> set[str]:
    """Permalinks of the articles whose title or body has one of the forms as a word."""
    wanted = set(forms)
    return {
        a.permalink
        for a in articles
        if wanted & {w for name in terms.FIELDS for w in terms.words(terms.field_text(a, name))}
    }


def present(articles: Iterable[Article], forms: Iterable[str]) -> list[str]:
    """The forms that occur in the articles."""
    seen = {w for a in articles for name in terms.FIELDS for w in terms.words(terms.field_text(a, name))}
    return [f for f in forms if f in seen]


def whoosh_found(config: SiteConfig, text: str, language: str | None = None) -> set[str]:
    return {r["permalink"] for r in query(config, text, language=language, limit=1_000_000, snippets=False)}


def browser_found(page: Any, text: str) -> set[str]:
    """Permalinks of every match of search.js on the open search page."""
    return set(
        page.evaluate(
            """q => SiteGenSearch.query(q, {}).then(r => SiteGenSearch.documents(r.matches.map(m => m.doc)))
                  .then(docs => docs.map(d => d.permalink))""",
            text,
        )
    )


def measure(config: SiteConfig, articles: list[Article], page: Any | None) -> list[dict[str, Any]]:
    rows = []
    for language, nouns in NOUNS.items():
        mine = [a for a in articles if terms.analysis_key(a.language) == language]
        for word, forms in nouns.items():
            want = containing(mine, forms)
            row: dict[str, Any] = {
                "language": language,
                "query": word,
                "forms": present(mine, forms),
                "articles": len(want),
                "typed": len(containing(mine, [word.lower()])),
                "whoosh": len(want & whoosh_found(config, word)),
            }
            if page is not None:
                row["browser"] = len(want & browser_found(page, word))
            rows.append(row)
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| language | query | forms present | articles with a form | ... with the form typed | found: site-gen search "
        "| found: browser |"
    ]
    lines.append("| --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        lines.append(
            f"| {r['language']} | {r['query']} | {len(r['forms'])} | {r['articles']} | {r['typed']} | {r['whoosh']} "
            f"| {r.get('browser', '-')} |"
        )
    for language in NOUNS:
        mine = [r for r in rows if r["language"] == language]
        total = sum(r["articles"] for r in mine)
        for where in ("typed", "whoosh", "browser"):
            if all(where in r for r in mine):
                lines.append(
                    f"{language} {where}: {sum(r[where] for r in mine)} of {total} "
                    f"({sum(r[where] for r in mine) / total:.1%}); lowest noun "
                    f"{min(r[where] / r['articles'] for r in mine if r['articles']):.1%}"
                )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", type=Path, default=REPO.parent / "shared" / "corpora")
    parser.add_argument("--work", type=Path, help="site folder to import into (default: a temporary folder)")
    parser.add_argument("--json", type=Path, help="write the rows here")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium measurement")
    args = parser.parse_args()
    root = args.work or Path(tempfile.mkdtemp(prefix="inflections-"))
    config = import_rt(args.corpora, root)
    archive = build(config, cwd=root, full=True).archive
    assert archive is not None  # a full build always assembles the archive
    page, playwright = None, None
    if not args.no_browser:
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        page = browser.new_page()
        page.goto((config.output_dir / "search" / "index.html").as_uri())
    try:
        rows = measure(config, archive.articles, page)
    finally:
        if playwright is not None:
            playwright.stop()
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
