import langcodes
import pytest
from whoosh.lang import languages as whoosh_languages

from site_gen.config import SiteConfig
from site_gen.ingest.sources import load_registry, tag
from site_gen.languages import STEMMED, UNSPACED, analyzer_language, detect, is_valid, normalize_code, search_language
from site_gen.model import Article
from site_gen.search.stemmers import SNOWBALL

RU = "Власти Порт-Эллери объявили о строительстве нового пассажирского терминала в порту. Работы начнутся весной."
DE = "Die Bundesregierung hat am Mittwoch neue Regeln für den Hafen beschlossen. Die Arbeiten beginnen im Frühjahr."
EN = "The harbour authority announced on Wednesday that a new passenger terminal will be built next spring."


@pytest.mark.parametrize(
    "given, code",
    [
        ("en", "en"),
        ("EN_us", "en-US"),
        ("English", "en"),
        ("rus", "ru"),
        ("de-at", "de-AT"),
        ("zh-hant-tw", "zh-Hant-TW"),
        ("not a code!", "not a code!"),
    ],
)
def test_codes_are_normalized(given, code):
    assert normalize_code(given) == code


def test_the_languages_the_index_knows_are_valid_tags_without_a_look_up():
    assert all(langcodes.tag_is_valid(code) and is_valid(code) for code in STEMMED | UNSPACED)
    assert not any(is_valid(code) for code in ("klingon", "xx", "en-EN", ""))
    assert is_valid("uk") and is_valid("zh-Hant-TW")


def test_stemmer_only_for_languages_the_index_can_stem():
    assert [analyzer_language(c) for c in ("en", "ru", "de-AT", "Russian", "tr", "ar")] == [
        "en",
        "ru",
        "de",
        "ru",
        "tr",
        "ar",
    ]
    assert analyzer_language("uk") is None and analyzer_language("zh") is None and analyzer_language("") is None
    # the index stems every language of whoosh.lang (Turkish too, by Snowball) and the stemmers module has them all
    assert STEMMED == set(whoosh_languages) == set(SNOWBALL) | {"en"}
    assert [search_language(c) for c in ("en-GB", "zh-Hant", "rus", "")] == ["en", "zh", "ru", "und"]


def test_detects_russian_german_english_offline():
    assert [detect(t).code for t in (RU, DE, EN)] == ["ru", "de", "en"]
    assert detect(EN).confidence > 0.9


def test_too_little_text_is_not_detected():
    assert detect("OK 2019") is None and detect("") is None


def article(url, title, body, language=""):
    return Article("id", title, None, url, [body], "text", [], "header-line", language=language)


def test_precedence_file_then_host_then_outlet_then_detection_then_default(tmp_path):
    config = SiteConfig(root=tmp_path)
    registry = load_registry(config)
    cases = [
        (article("https://russian.rt.com/a", "T", EN, language="fr"), "fr"),  # the file says
        (article("https://russian.rt.com/a", "T", EN), "ru"),  # the host of a multilingual outlet
        (article("https://de.rt.com/a", "T", EN), "de"),
        (article("https://www.rt.com/a", "T", RU), "en"),  # the outlet
        (article("https://unknown.example/a", "Заголовок", RU), "ru"),  # detected
        (article("https://unknown.example/a", "T", "Too short."), "en"),  # the site's default
    ]
    for a, expected in cases:
        tag(a, registry, config)
        assert a.language == expected, a.url
    detected = cases[4][0]
    assert any("detected from the text: ru" in m.message for m in detected.messages)


def test_detection_can_be_turned_off(tmp_path):
    config = SiteConfig(root=tmp_path, detect_language=False, language="de")
    a = article("https://unknown.example/a", "Заголовок", RU)
    tag(a, load_registry(config), config)
    assert a.language == "de"


def test_a_language_that_is_no_tag_falls_back_with_a_warning(tmp_path):
    # a lang attribute must hold a registered tag: the Nu Html Checker refuses 'klingon', 'xx' and 'en-EN'
    config = SiteConfig(root=tmp_path)
    for given in ("klingon", "xx", "en-EN", 'en" onmouseover="x'):
        article = Article("id", "T", None, None, [EN], "text", [], "yaml", language=given)
        tag(article, load_registry(config), config)
        warnings = [m.message for m in article.messages if m.level == "warning"]
        assert (
            article.language == "en"
            and len(warnings) == 1
            and f"language {given!r} is not a language tag" in warnings[0]
        )
    article = Article("id", "T", None, None, [EN], "text", [], "yaml", language="pt_br")
    tag(article, load_registry(config), config)
    assert article.language == "pt-BR" and [m for m in article.messages if m.level == "warning"] == []
