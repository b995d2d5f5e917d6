import datetime as dt

import pytest

from site_gen.config import SiteConfig
from site_gen.model import Article, Outlet, Tag
from site_gen.render.keys import ContextHasher, template_keys
from site_gen.render.pages import make_environment


def test_context_keys_are_stable_and_sensitive():
    article = Article("a1", "T", dt.date(2025, 1, 1), None, ["p"], "text", [], "bare", outlet=Outlet("o", "O", None))
    hasher = ContextHasher({"a1": "k1"})
    context = {"items": [article], "tag": Tag("x", "x"), "n": 1, "when": dt.date(2025, 1, 2), "none": None}
    assert hasher.key(context) == hasher.key(dict(reversed(context.items())))
    assert hasher.key(context) != hasher.key({**context, "n": 2})
    assert hasher.key([article]) != ContextHasher({"a1": "k2"}).key([article])
    with pytest.raises(TypeError, match="plain data"):
        hasher.key({"link": lambda rel: rel})


def test_lists_of_articles_or_strings_are_keyed_in_one_go_as_item_by_item():
    one, two = (Article(i, "T", None, None, ["p"], "text", [], "bare") for i in ("a1", "a2"))
    hasher = ContextHasher({"a1": "k1", "a2": "k2"})
    for value in (["ab", "c"], [one, two], ("x", one), ["ok", 3], []):
        item_by_item = ["["]
        for item in value:
            hasher._encode(item, item_by_item)
        made: list[str] = []
        hasher._encode(value, made)
        assert "".join(made) == "".join([*item_by_item, "]"])
    assert hasher.key(["ab", "c"]) != hasher.key(["a", "bc"])


def test_template_keys_follow_extends_and_imports(tmp_path):
    theme = tmp_path / "theme" / "templates"
    theme.mkdir(parents=True)
    config = SiteConfig(root=tmp_path, theme="theme")
    before = template_keys(make_environment(config))
    (theme / "macros.html").write_text(
        "{% macro article_item(a, root) %}changed{% endmacro %}{% macro pager(p, root) %}{% endmacro %}"
    )
    after = template_keys(make_environment(config))
    assert after["list.html"] != before["list.html"]  # imports macros.html
    assert after["404.html"] == before["404.html"] and after["article.html"] == before["article.html"]
