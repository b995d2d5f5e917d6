"""Texts taken out and put in against the last clusters: joins() finds nothing (still_apart) only when a whole dedupe
would leave every cluster as it was, and then leaves the memo as a whole dedupe would."""

import datetime as dt

import numpy as np
import pytest
from test_dedupe import paragraphs

from site_gen.config import DedupeSettings
from site_gen.dedupe import delta, minhash
from site_gen.dedupe.clusters import Memo, find_clusters
from site_gen.model import Article, Outlet, SourceFile

SETTINGS = DedupeSettings()
GAZETTE = Outlet("gazette", "Gazette", "gazette.example")


def article(path: str, body: list[str]) -> Article:
    return Article(
        path, path, dt.date(2025, 1, 1), None, body, "text", [SourceFile(path, "", 0, "utf-8")], "bare", outlet=GAZETTE
    )


def archive(count: int = 12) -> list[Article]:
    """Distinct texts, and one copy (b-00 of a-00) that dedupe joins."""
    items = [article(f"a-{i:02d}.txt", paragraphs(i)) for i in range(count)]
    return [*items, article("b-00.txt", paragraphs(0))]


def still_apart(memo: Memo, removed: list[str], added: list[Article], settings, text_of) -> bool:
    """Whether the delta keeps every cluster as it was (joins() finds nothing); then the memo's rows follow,
    as build/reuse.py has them follow."""
    found = delta.joins(memo, removed, added, settings, text_of)
    if found is None or found.any:
        return False
    delta.splice(memo, removed, added, found.prints)
    return True


def memo_of(articles: list[Article]) -> Memo:
    memo = Memo()
    find_clusters(articles, SETTINGS, memo=memo)
    return memo


def same_rows(memo: Memo, other: Memo) -> None:
    assert memo.paths == other.paths and memo.hashes == other.hashes and memo.joined == other.joined
    assert memo.prints is not None and other.prints is not None
    assert memo.prints.text_keys == other.prints.text_keys
    for name in ("word_counts", "signatures", "bands"):
        assert np.array_equal(getattr(memo.prints, name), getattr(other.prints, name)), name


@pytest.mark.parametrize("sorted_keys", [False, True])
@pytest.mark.parametrize(
    "removed, added",
    [
        (["a-03.txt", "a-07.txt"], ["c.txt", "a-05b.txt", "0.txt"]),  # deleted, and new before and among them
        (["a-07.txt", "a-03.txt"], ["a-03.txt", "a-07.txt"]),  # edited: their rows in place
    ],
)
def test_new_and_removed_texts_that_join_nothing_leave_the_memo_as_a_whole_dedupe(
    monkeypatch, sorted_keys, removed, added
):
    monkeypatch.setattr(delta, "SORT_PAST", 0 if sorted_keys else 99)
    articles = archive()
    memo = memo_of(articles)
    token = memo.token
    new = [article(path, paragraphs(50 + i)) for i, path in enumerate(added)]
    assert still_apart(memo, removed, new, SETTINGS, lambda path: None)
    kept = [a for a in articles if a.sources[0].path not in removed] + new
    same_rows(memo, memo_of(kept))
    assert memo.token != token


@pytest.mark.parametrize(
    "removed, added, why",
    [
        ([], [("c.txt", paragraphs(4))], "the same words as a-04"),
        ([], [("c.txt", [*paragraphs(4)[:5], "One paragraph of its own in this copy."])], "near a-04"),
        ([], [("c.txt", paragraphs(60)), ("d.txt", paragraphs(60)[1:])], "near each other"),
        (["b-00.txt"], [], "a copy joined to a-00"),
        (["a-00.txt"], [], "a-00 has a copy"),
    ],
)
def test_a_text_that_joins_or_leaves_a_cluster_says_no_and_changes_nothing(removed, added, why):
    articles = archive()
    memo = memo_of(articles)
    before = (list(memo.paths), list(memo.hashes), memo.token)
    texts = {a.sources[0].path: a.paragraphs for a in articles}
    assert not still_apart(memo, removed, [article(p, b) for p, b in added], SETTINGS, texts.get), why
    assert (memo.paths, memo.hashes, memo.token) == before


def test_a_new_text_in_a_chained_bucket_is_paired_with_its_neighbours_only(monkeypatch):
    """Texts sharing a band key past MAX_BUCKET are chained (each paired with the next, in path order): a new
    text there is a candidate of its two neighbours, and the pair it comes between must not have been copies
    joined by that link alone."""
    articles = archive()
    texts = {a.sources[0].path: a.paragraphs for a in articles}
    memo = memo_of(articles)
    assert memo.prints is not None
    monkeypatch.setattr(delta, "MAX_BUCKET", 1)
    for path, apart in [("c.txt", True), ("a-50.txt", False)]:
        new = article(path, paragraphs(70))
        [print_] = [minhash.Fingerprints.of([minhash.words(new.paragraphs)])]
        kept = memo_of(articles)
        assert kept.prints is not None
        # a-00 and its copy b-00 share this bucket: a-50 comes between them, c after both
        kept.prints.bands[[0, 12], 0] = print_.bands[0, 0]
        found = delta.joins(kept, [], [new], SETTINGS, texts.get)
        assert (found is not None and not found.any) == apart, path
        if apart:  # nothing in that bucket joins it, and the pair it leaves alone stays joined
            assert still_apart(kept, [], [new], SETTINGS, texts.get)


@pytest.mark.parametrize("sorted_keys", [False, True])
def test_new_copies_name_the_rows_they_join_and_their_groups_end_as_a_whole_dedupe_leaves_them(
    monkeypatch, sorted_keys
):
    """joins() gives the kept rows that new texts are copies of (reuse.py decides those groups again);
    splice() and regroup() then leave the memo's rows and groups as a whole dedupe of everything does."""
    monkeypatch.setattr(delta, "SORT_PAST", 0 if sorted_keys else 99)
    articles = archive()
    memo = memo_of(articles)
    texts = {a.sources[0].path: a.paragraphs for a in articles}
    new = [article("c.txt", paragraphs(5)), article("a-00c.txt", [*paragraphs(0)[:5], "A paragraph of its own."])]
    found = delta.joins(memo, [], new, SETTINGS, texts.get)
    assert found is not None and not found.among_new
    assert sorted(memo.paths[row] for row in found.rows) == ["a-00.txt", "a-05.txt", "b-00.txt"]
    assert [memo.paths[row] for row in memo.groups_of([memo.paths.index("a-00.txt"), 5])] == [
        "a-00.txt",
        "a-05.txt",
        "b-00.txt",
    ]
    delta.splice(memo, [], new, found.prints)
    delta.regroup(memo, [["a-00.txt", "a-00c.txt", "b-00.txt"], ["a-05.txt", "c.txt"]], ["c.txt", "a-00c.txt"])
    same_rows(memo, memo_of([*articles, *new]))


def test_new_copies_of_each_other_say_so():
    memo = memo_of(archive())
    found = delta.joins(
        memo, [], [article("c.txt", paragraphs(60)), article("d.txt", paragraphs(60))], SETTINGS, dict().get
    )
    assert found is not None and found.among_new and not found.rows


def test_a_group_with_a_crowded_bucket_is_not_decided_on_its_own(monkeypatch):
    """A kept text in a bucket past MAX_BUCKET was chained by the whole dedupe: its group cannot be decided
    from its members alone."""
    memo = memo_of(archive())
    assert memo.prints is not None
    memo.prints.bands[:5, 0] = memo.prints.bands[0, 0]  # a-00 to a-04, and b-00 (a-00's text): six
    monkeypatch.setattr(delta, "MAX_BUCKET", 5)
    assert delta.crowded(memo, [0], SETTINGS) and not delta.crowded(memo, [8], SETTINGS)
    monkeypatch.setattr(delta, "MAX_BUCKET", 6)
    assert not delta.crowded(memo, [0], SETTINGS)


def test_joined_texts_taken_out_are_named():
    """Their groups are decided again (reuse.py), not the whole archive's."""
    memo = memo_of(archive())
    found = delta.joins(memo, ["b-00.txt", "a-03.txt"], [], SETTINGS, dict().get)
    assert found is not None and [memo.paths[row] for row in found.left] == ["b-00.txt"] and found.any
