import json
import re

import pytest

from site_gen.config import BoilerplateSettings, SiteConfig
from site_gen.errors import ConfigError
from site_gen.ingest.boilerplate import paragraph_keys, strip_patterns, strip_recurring
from site_gen.ingest.sources import load_registry
from site_gen.model import Article, Outlet, SourceFile

FOOTER = re.compile(r"(?:©\s*)?Автономная некоммерческая организация\W*ТВ-Новости\b.*", re.DOTALL)
NEWS = Outlet("news", "News", "news.example")


def make(id, paragraphs, outlet=NEWS):
    return Article(
        id,
        "T",
        None,
        None,
        list(paragraphs),
        "text",
        [SourceFile(f"{id}.txt", "", 0, "utf-8")],
        "header-line",
        outlet=outlet,
    )


def test_pattern_removes_a_footer_inside_a_paragraph_and_records_it():
    a = make(
        "a",
        [
            "Текст статьи. © Автономная некоммерческая организация «ТВ-Новости», 2005—2021 гг. Все права защищены.",
            "Конец.",
        ],
    )
    strip_patterns(a, [FOOTER])
    assert a.paragraphs == ["Текст статьи.", "Конец."]
    [removal] = a.removed
    assert removal.kind == "boilerplate" and removal.count == 1 and removal.samples[0].startswith("© Автономная")


def test_pattern_drops_a_paragraph_left_without_words_but_never_empties_a_body():
    a = make("a", ["Body.", "© Автономная некоммерческая организация «ТВ-Новости», 2005"])
    strip_patterns(a, [FOOTER])
    assert a.paragraphs == ["Body."]
    only = make("b", ["© Автономная некоммерческая организация «ТВ-Новости», 2005"])
    strip_patterns(only, [FOOTER])
    assert only.paragraphs == ["© Автономная некоммерческая организация «ТВ-Новости», 2005"] and not only.removed
    assert "only of boilerplate" in only.messages[0].message


def test_recurring_paragraphs_are_removed_per_outlet_above_the_thresholds():
    articles = [
        make(
            str(i),
            [
                f"Story {i} text.",
                "Share this article!" if i < 6 else f"Other {i}.",
                "Once only." if i == 0 else f"Tail {i}.",
            ],
        )
        for i in range(10)
    ]
    other = make("x", ["Share this article!", "Own text."], Outlet("other", "Other", "other.example"))
    found = strip_recurring(*_with_keys([*articles, other]), BoilerplateSettings(min_share=0.5, min_articles=3))
    assert [(f.outlet, f.text, f.articles, f.outlet_articles) for f in found] == [
        ("news", "Share this article!", 6, 10)
    ]
    assert all("Share this article!" not in a.paragraphs for a in articles)
    assert articles[0].removed[0].kind == "boilerplate" and articles[0].removed[0].samples == ["Share this article!"]
    assert other.paragraphs == ["Share this article!", "Own text."]  # another outlet: untouched


def test_a_paragraph_seen_once_or_below_the_share_is_never_boilerplate():
    articles = [make(str(i), [f"Story {i}.", "Rare line." if i < 2 else f"x{i}"]) for i in range(10)]
    assert strip_recurring(*_with_keys(articles), BoilerplateSettings(min_share=0.3, min_articles=2)) == []
    assert articles[0].paragraphs == ["Story 0.", "Rare line."] and not articles[0].removed
    assert (
        strip_recurring(*_with_keys([make("a", ["Only one."])]), BoilerplateSettings(min_share=0.01, min_articles=2))
        == []
    )


def test_copies_of_one_article_count_once():
    # Five files of the same URL (one id) must not make their text "recurring".
    copies = [make("same", ["A story told five times.", f"v{i}"]) for i in range(5)]
    others = [make(str(i), [f"Story {i}."]) for i in range(5)]
    assert strip_recurring(*_with_keys(copies + others), BoilerplateSettings(min_share=0.3, min_articles=2)) == []
    assert copies[0].paragraphs[0] == "A story told five times."


def test_detection_can_be_turned_off():
    articles = [make(str(i), [f"Story {i}.", "Share!"]) for i in range(10)]
    assert strip_recurring(*_with_keys(articles), BoilerplateSettings(detect=False)) == []


def test_registry_patterns_are_checked(tmp_path):
    (tmp_path / "sources.yaml").write_text(
        "a.example:\n  boilerplate: ['(unclosed']\nb.example:\n  boilerplate: ['x*']\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError) as info:
        load_registry(SiteConfig(root=tmp_path, sources=tmp_path / "sources.yaml"))
    assert len(info.value.problems) == 2
    assert "not a valid regular expression" in info.value.problems[0] and "matches empty text" in info.value.problems[1]


def test_bundled_rt_patterns_cover_the_english_russian_and_german_footers(tmp_path):
    registry = load_registry(SiteConfig(root=tmp_path))
    rt = registry.outlet_for_url("https://de.rt.com/x")
    texts = [
        (
            "Text RT News App \ufffd Autonomous Nonprofit Organization TV Novosti \ufffd, 2005 2021"
            " All rights reserved This website uses cookies"
        ),
        "Text © Autonomous Nonprofit Organization “TV Novosti”, 2005–2021 All rights reserved",
        "Текст. © Автономная некоммерческая организация «ТВ-Новости», 2005—2021 гг. Все права защищены.",
        "Text Subscribeto RT newsletter to get stories the mainstream media won t tell you",
        "Text. Sie erhalten eine E-Mail, in der Sie Ihre Anmeldung bestätigen müssen.",
    ]
    for text in texts:
        a = make("a", [text], rt)
        strip_patterns(a, registry.boilerplate(rt))
        assert a.paragraphs in (["Text"], ["Текст."], ["Text."]), text


def test_build_reports_boilerplate_on_the_page_and_in_the_report(site):
    site.configure(boilerplate={"min_share": 0.5, "min_articles": 3})
    (site.root / "sources.yaml").write_text(
        "news.example:\n  name: News\n  boilerplate: ['Read more at News\\.example.*']\n", encoding="utf-8"
    )
    for i in range(4):
        site.write(
            f"a{i}.txt",
            (
                f"date 2024-01-0{i + 1} https://news.example/{i}\nStory {i}\n\n"
                f"First line {i}. Read more at News.example today\nFollow us on Telegram\n"
            ),
        )
    site.build(report_path=site.root / "report.json")
    report = json.loads((site.root / "report.json").read_text())
    kinds = [[(r["kind"], r["count"]) for r in a["removed"]] for a in report["articles"]]
    assert all(k == [("boilerplate", 1), ("boilerplate", 1)] for k in kinds)
    assert report["stats"]["boilerplate"] == [
        {"outlet": "news", "text": "Follow us on Telegram", "articles": 4, "outlet_articles": 4}
    ]
    page = site.page(report["articles"][0]["permalink"])
    assert "boilerplate" in page and "Follow us on Telegram" in page.split("Provenance")[1]
    assert "Follow us on Telegram" not in page.split("Provenance")[0]


def _with_keys(articles):
    return articles, [paragraph_keys(a) for a in articles]


def test_a_tally_counted_with_a_delta_reports_what_a_recount_does():
    """Articles counted in and out (build/reuse.py): the recurring paragraphs and their report match a
    fresh count of the same articles."""

    def outlet(numbers):
        return [make(str(i), [f"Story {i}.", "Share this article!" if i % 2 else f"Own {i}."]) for i in numbers]

    settings = BoilerplateSettings(min_share=0.3, min_articles=2)
    tallies = {}
    strip_recurring(*_with_keys(outlet(range(10))), settings, tallies)
    tally = tallies["news"]
    recurring = tally.recurring
    [gone] = outlet([4])
    for article in outlet([10, 11]):
        tally.add(paragraph_keys(article))
    tally.remove(paragraph_keys(gone))
    fresh = strip_recurring(*_with_keys(outlet([*range(4), *range(5, 12)])), settings)
    assert tally.recurring == recurring and tally.report("news") == fresh
    assert (fresh[0].articles, fresh[0].outlet_articles) == (6, 11)
