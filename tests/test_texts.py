import io
import pickle

import pytest

from site_gen.build import texts
from site_gen.model import Article, SourceFile
from site_gen.render.keys import article_keys


def article(i: int, paragraphs: list[str]) -> Article:
    return Article(
        f"id{i}", f"Title {i}", None, None, paragraphs, "text", [SourceFile(f"{i}.txt", "", 0, "utf-8")], "bare"
    )


BODIES = [["First paragraph.", "Second, with “quotes” and a lone \udcff byte."], [], ["Один абзац."]]


def kept(tmp_path, articles):
    """The articles pickled as cache.py keeps them (spans of a texts file), and loaded back."""
    path = tmp_path / "texts.bin"
    with open(path, "wb") as handle, texts.writing(articles, handle):
        size = handle.tell()
        data = pickle.dumps(articles, protocol=5)
    with texts.reading(path, size):
        return pickle.loads(data)


def test_paragraphs_read_from_the_texts_file_behave_as_the_list_and_are_put_back_after_writing(tmp_path):
    articles = [article(i, list(body)) for i, body in enumerate(BODIES)]
    loaded = kept(tmp_path, articles)
    assert [a.paragraphs for a in articles] == BODIES  # put back
    lazy = loaded[0].paragraphs
    assert isinstance(lazy, texts.Paragraphs) and lazy._list is None  # not read until used
    assert list(lazy) == BODIES[0] and lazy[1] == BODIES[0][1] and lazy[:1] == BODIES[0][:1] and len(lazy) == 2
    assert "\n\n".join(lazy) == loaded[0].text == articles[0].text
    assert loaded == articles and [a.paragraphs for a in loaded] == BODIES
    assert pickle.loads(pickle.dumps(lazy)) == BODIES[0] and type(pickle.loads(pickle.dumps(lazy))) is list


def test_an_article_read_lazily_has_the_key_of_the_same_article_read_afresh(tmp_path):
    articles = [article(i, list(body)) for i, body in enumerate(BODIES)]
    assert article_keys(kept(tmp_path, articles)) == article_keys(articles)


def test_a_new_texts_file_copies_the_spans_of_articles_never_read(tmp_path):
    (tmp_path / "first").mkdir()
    first = kept(tmp_path / "first", [article(0, list(BODIES[0]))])
    again = kept(tmp_path, first)  # the span is copied as it was: the paragraphs were never unmarshalled
    assert first[0].paragraphs._list is None and again[0].paragraphs == BODIES[0]


def test_the_paragraphs_are_put_back_when_pickling_fails(tmp_path):
    articles = [article(0, list(BODIES[0]))]
    with pytest.raises(RuntimeError), texts.writing(articles, io.BytesIO()):
        raise RuntimeError("disk full")
    assert articles[0].paragraphs == BODIES[0]


def test_a_texts_file_of_another_size_is_refused(tmp_path):
    (tmp_path / "t.bin").write_bytes(b"abc")
    with pytest.raises(OSError, match="3 bytes, not 4"), texts.reading(tmp_path / "t.bin", 4):
        pass
