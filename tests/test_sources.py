import pytest

from site_gen.config import SiteConfig
from site_gen.errors import ConfigError
from site_gen.ingest.sources import load_registry, registrable_domain, tag
from site_gen.model import Article


def registry(tmp_path, text=None):
    config = SiteConfig(root=tmp_path)
    if text is not None:
        (tmp_path / "sources.yaml").write_text(text, encoding="utf-8")
        config.sources = tmp_path / "sources.yaml"
    return config, load_registry(config)


@pytest.mark.parametrize(
    "host, domain",
    [
        ("www.sputnikglobe.com", "sputnikglobe.com"),
        ("news.bbc.co.uk", "bbc.co.uk"),
        ("de.rt.com", "rt.com"),
        ("127.0.0.1", "127.0.0.1"),
        ("localhost", "localhost"),
    ],
)
def test_registrable_domain_offline(host, domain):
    assert registrable_domain(host) == domain


def test_bundled_registry_knows_sputnik(tmp_path):
    _, reg = registry(tmp_path)
    outlet = reg.outlet_for_url("https://sputnikglobe.com/20250531/x.html")
    assert (outlet.name, outlet.country, outlet.key, outlet.known) == ("Sputnik", "RU", "sputnik", True)
    assert reg.outlet_for_url("https://www.bbc.com/news").name == "BBC News"  # alias


def test_unknown_domain_becomes_an_outlet_named_after_it(tmp_path):
    _, reg = registry(tmp_path)
    outlet = reg.outlet_for_url("https://blog.ellery-tides.example/post")
    assert (outlet.name, outlet.domain, outlet.key, outlet.known) == (
        "ellery-tides.example",
        "ellery-tides.example",
        "ellery-tides-example",
        False,
    )


def test_site_registry_overrides_field_by_field(tmp_path):
    _, reg = registry(tmp_path, "sputnikglobe.com:\n  country: XX\nnew.example:\n  name: New Outlet\n  tags: [local]\n")
    sputnik = reg.outlet_for_url("https://sputnikglobe.com/a")
    assert (sputnik.name, sputnik.country) == ("Sputnik", "XX")
    assert reg.outlet_for_url("https://www.new.example/x").tags == ("local",)


def test_registry_errors_are_collected_with_the_file(tmp_path):
    with pytest.raises(ConfigError) as info:
        registry(tmp_path, "a.example: just a string\nb.example:\n  name: B\n  colour: red\n")
    assert len(info.value.problems) == 2 and str(tmp_path / "sources.yaml") == info.value.path


def test_tag_sets_outlet_language_and_tags(tmp_path):
    config, reg = registry(tmp_path, "new.example:\n  name: New\n  language: de\n  tags: [local, Politics]\n")
    article = Article("id", "T", None, "https://new.example/a", [], "text", [], "yaml", tags=["politics", "x"])
    tag(article, reg, config)
    assert article.outlet.name == "New" and article.language == "de"
    assert article.tags == ["politics", "x", "local"]
    named = Article("id2", "T", None, None, [], "text", [], "yaml")
    tag(named, reg, config, "New")
    assert named.outlet.name == "New"
    nothing = Article("id3", "T", None, None, [], "text", [], "bare")
    tag(nothing, reg, config)
    assert nothing.outlet.key == "unknown-source" and nothing.language == "en"


def test_outlet_keys_and_languages_must_be_usable_in_pages(tmp_path):
    # the key is a folder of the output (outlets/KEY/), the language a lang attribute
    with pytest.raises(ConfigError) as info:
        registry(
            tmp_path,
            "a.example: {name: A, key: ../x}\nb.example: {name: B, key: x/y}\nc.example: {name: C, language: klingon}\n"
            "d.example: {name: D, host_languages: {de.d.example: Deutsch, xx.d.example: xx}}\n",
        )
    problems = info.value.problems
    assert "'a.example': key '../x' must be a URL slug (lower-case letters, digits and '-'), such as 'x'" in problems
    assert any("'b.example': key 'x/y'" in p for p in problems) and any(
        "'c.example': language 'klingon'" in p for p in problems
    )
    assert [p for p in problems if "host_languages" in p] == [
        (
            "'d.example': host_languages gives xx.d.example the language 'xx',"
            " which is not a language tag (such as en, de or pt-BR)"
        )
    ]
    _, reg = registry(tmp_path, "a.example: {name: A, key: the-a}\n")
    assert reg.outlet_for_url("https://a.example/x").key == "the-a"
