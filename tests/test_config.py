import pytest
import yaml

from site_gen.config import find_config, load_config
from site_gen.errors import ConfigError


def test_defaults_without_a_file(tmp_path):
    config = load_config(None, cwd=tmp_path)
    assert config.content_dir == tmp_path / "content" and config.output_dir == tmp_path / "public"
    assert config.permalink.endswith("{slug}/") and config.workers >= 1


def test_paths_resolve_beside_the_config(tmp_path):
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "site.yaml").write_text("content_dir: articles\noutput_dir: ../out\ntitle: T\n")
    (tmp_path / "s" / "sources.yaml").write_text("{}\n")
    config = load_config(tmp_path / "s" / "site.yaml", cwd=tmp_path)
    assert config.content_dir == tmp_path / "s" / "articles" and config.output_dir == tmp_path / "out"
    assert config.sources == tmp_path / "s" / "sources.yaml" and config.title == "T"
    assert find_config(tmp_path / "s") == tmp_path / "s" / "site.yaml" and find_config(tmp_path) is None


def test_every_problem_is_collected_before_failing(tmp_path):
    (tmp_path / "site.yaml").write_text(
        "titel: x\npaginate: 0\njobs: yes\nrepeated_paragraphs: 3\npermalink: /abs/{nope}\n"
    )
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "site.yaml", cwd=tmp_path)
    problems = info.value.problems
    assert any("unknown setting 'titel' (did you mean 'title'?)" in p for p in problems)
    assert any("'paginate' must be at least 1" in p for p in problems)
    assert any("'jobs' must be a whole number" in p for p in problems)
    assert any("'repeated_paragraphs' must be bool" in p for p in problems)
    assert sum("'permalink'" in p for p in problems) == 4  # ending, absolute, unknown field, no slug


def test_yaml_errors_name_the_line(tmp_path):
    (tmp_path / "site.yaml").write_text("title: ok\n  bad: indent\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "site.yaml", cwd=tmp_path)
    assert info.value.line == 2 and str(info.value).startswith(f"{tmp_path / 'site.yaml'}:2: invalid YAML: ")


def test_boilerplate_and_language_settings(tmp_path):
    path = tmp_path / "site.yaml"
    path.write_text(
        "detect_language: false\nboilerplate: {min_share: 0.4, min_articles: 3, detect: true}\n", encoding="utf-8"
    )
    config = load_config(path)
    assert config.detect_language is False
    assert (config.boilerplate.min_share, config.boilerplate.min_articles, config.boilerplate.detect) == (0.4, 3, True)


def test_boilerplate_settings_problems_are_all_reported(tmp_path):
    path = tmp_path / "site.yaml"
    path.write_text("boilerplate: {min_share: 1.5, min_articles: 1, detect: maybe, share: 2}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    problems = " | ".join(info.value.problems)
    assert len(info.value.problems) == 4
    assert (
        "between 0 and 1" in problems
        and "at least 2" in problems
        and "boilerplate.detect" in problems
        and "boilerplate.share" in problems
    )


def test_dedupe_settings_are_typed_and_checked(tmp_path):
    (tmp_path / "site.yaml").write_text("dedupe: {jaccard: 0.9, containment: 0.85, min_words: 20}\n")
    settings = load_config(tmp_path / "site.yaml", cwd=tmp_path).dedupe
    assert (
        settings.enabled,
        settings.jaccard,
        settings.containment,
        settings.min_words,
        settings.containment_min_words,
    ) == (True, 0.9, 0.85, 20, 50)
    (tmp_path / "site.yaml").write_text("dedupe: {jacard: 0.9, containment: 2, min_words: ten, enabled: 1}\nfoo: 1\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "site.yaml", cwd=tmp_path)
    problems = info.value.problems
    assert any("unknown setting 'dedupe.jacard' (did you mean 'dedupe.jaccard'?)" in p for p in problems)
    assert any("'dedupe.containment' must be a number above 0 and at most 1, not 2" in p for p in problems)
    assert any("'dedupe.min_words' must be int" in p for p in problems)
    assert any("'dedupe.enabled' must be bool" in p for p in problems)
    assert any("unknown setting 'foo'" in p for p in problems)


@pytest.mark.parametrize(
    "pattern, problem",
    [
        ("articles/{month:.>2}/{slug}/", "no format spec or conversion"),  # '..' for undated articles
        ("articles/{slug!r}/", "no format spec or conversion"),
        ("a\\..\\{slug}/", "relative path inside the site"),
        ("a/./{slug}/", "relative path inside the site"),
        ("a/{}/{slug}/", "unknown field(s) ['']"),
        ("a/{slug/", "cannot be read"),
        ("a/{outlet.__class__}/{slug}/", "unknown field(s) ['outlet.__class__']"),
    ],
)
def test_odd_permalinks_are_refused(tmp_path, pattern, problem):
    (tmp_path / "site.yaml").write_text(yaml.safe_dump({"permalink": pattern}))
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "site.yaml", cwd=tmp_path)
    assert any(problem in p for p in info.value.problems), info.value.problems


def test_the_site_language_must_be_a_language_tag(tmp_path):
    (tmp_path / "site.yaml").write_text("language: Klingon\n")
    with pytest.raises(ConfigError, match="'language' must be a language tag"):
        load_config(tmp_path / "site.yaml", cwd=tmp_path)
