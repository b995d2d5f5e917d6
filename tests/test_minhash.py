import random
import re
import subprocess
import sys

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from site_gen.dedupe import minhash
from site_gen.ingest.normalize import comparison_key

TEXT = st.text(alphabet=st.sampled_from(list("abc XYZ é’'“”—-.,\n\u00a0ﬁ1_İß")), max_size=80)


@given(st.lists(TEXT, max_size=4))
def test_words_fold_exactly_as_the_comparison_key_does(paragraphs):
    assert minhash.words(paragraphs) == re.findall(r"\w+", comparison_key("\n".join(paragraphs)))


def test_punctuation_and_quote_style_do_not_change_the_words():
    assert minhash.words(["Albright’s “NGO” — banned"]) == minhash.words(["albright s NGO banned"])


def _text(rng: random.Random, n: int) -> list[str]:
    vocabulary = [f"w{i}" for i in range(3000)]
    return [rng.choice(vocabulary) for _ in range(n)]


def test_estimates_track_true_jaccard():
    rng = random.Random(1)
    base = _text(rng, 600)
    for keep in (150, 300, 450, 600):
        other = base[:keep] + _text(rng, 600 - keep)
        a, b = minhash.shingles(base), minhash.shingles(other)
        true = len(a & b) / len(a | b)
        estimate = minhash.Fingerprints.of([base, other]).estimates(np.array([[0, 1]]))[0]
        assert abs(estimate - true) < 0.12, (keep, true, estimate)


def test_short_texts_are_densified_not_left_empty():
    sig = minhash.signature(["only", "a", "few", "words", "here"]).tolist()
    assert len(sig) == minhash.BINS and minhash._EMPTY not in sig and len(set(sig)) > 1
    assert minhash.signature(["one"]).tolist() == minhash.signature(["one"]).tolist()


def test_fingerprints_are_the_same_in_another_process():
    """Word and shingle hashes must not depend on the per-process string hash salt."""
    text = "the same words in another process"
    code = (
        f"from site_gen.dedupe import minhash; w = {text!r}.split(); "
        "print(sorted(minhash.shingles(w))[:3], minhash.signature(w)[:3].tolist())"
    )
    outputs = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        for _ in range(2)
    }
    assert len(outputs) == 1
    w = text.split()
    assert outputs.pop().strip() == f"{sorted(minhash.shingles(w))[:3]} {minhash.signature(w)[:3].tolist()}"


def test_candidates_pair_similar_texts_and_not_unrelated_ones():
    rng = random.Random(2)
    texts = [_text(rng, 400) for _ in range(50)]
    texts.append(texts[7][:300] + _text(rng, 100))  # Jaccard about 0.6 with text 7
    prints = minhash.Fingerprints.of(texts)
    pairs = minhash.candidate_pairs(prints.bands, np.ones(len(texts), dtype=bool))
    assert (7, 50) in pairs and len(pairs) < 5
    assert (7, 50) not in minhash.candidate_pairs(prints.bands, np.arange(len(texts)) < 50)


def test_a_crowded_bucket_is_chained_not_squared():
    prints = minhash.Fingerprints.of(
        [["one", "body", "shared", "by", "very", "many", "files"]] * (minhash.MAX_BUCKET + 10)
    )
    pairs = minhash.candidate_pairs(prints.bands, np.ones(minhash.MAX_BUCKET + 10, dtype=bool))
    assert pairs == {(i, i + 1) for i in range(minhash.MAX_BUCKET + 9)}


def _same(a: minhash.Fingerprints, b: minhash.Fingerprints) -> bool:
    return (
        a.text_keys == b.text_keys
        and a.word_counts.tolist() == b.word_counts.tolist()
        and (a.signatures == b.signatures).all()
        and (a.bands == b.bands).all()
        and a.anchors.tolist() == b.anchors.tolist()
        and a.anchor_counts.tolist() == b.anchor_counts.tolist()
    )


def test_fingerprints_of_parts_concatenate_in_order():
    rng = random.Random(4)
    texts = [f"text number {i} with a few more words".split() for i in range(7)] + [_text(rng, 300) for _ in range(3)]
    whole = minhash.Fingerprints.of(texts)
    parts = minhash.Fingerprints.concat([minhash.Fingerprints.of(texts[:3]), minhash.Fingerprints.of(texts[3:])])
    assert _same(parts, whole) and parts.word_counts.tolist() == [8] * 7 + [300] * 3
    assert whole.anchor_counts.tolist()[:7] == [0] * 7 and min(whole.anchor_counts[7:]) > 3


def test_selected_and_replaced_rows_keep_their_anchors():
    rng = random.Random(5)
    texts = [_text(rng, rng.randrange(40, 400)) for _ in range(9)]
    whole = minhash.Fingerprints.of(texts)
    rows = np.array([8, 0, 3, 3], dtype=np.intp)
    assert _same(whole.select(rows), minhash.Fingerprints.of([texts[i] for i in rows.tolist()]))
    edited = [_text(rng, 500), texts[0][:20]]
    whole.replace(np.array([2, 6], dtype=np.intp), minhash.Fingerprints.of(edited))
    texts[2], texts[6] = edited
    assert _same(whole, minhash.Fingerprints.of(texts))


def _shared(a: list[str], b: list[str]) -> set[int]:
    prints = minhash.Fingerprints.of([a, b])
    first = int(prints.anchor_counts[0])
    return set(prints.anchors[:first].tolist()) & set(prints.anchors[first:].tolist())


def test_a_run_of_sure_run_words_always_gives_a_shared_anchor_wherever_it_starts():
    rng = random.Random(6)
    for trial in range(40):
        run = _text(rng, minhash.SURE_RUN)
        a = _text(rng, rng.randrange(0, 300)) + run + _text(rng, rng.randrange(0, 300))
        b = _text(rng, rng.randrange(0, 300)) + run + _text(rng, rng.randrange(0, 300))
        assert _shared(a, b), trial
    source = _text(rng, 1000)
    teaser, excerpt = source[:100], source[437:537]
    teaser_anchors = minhash.Fingerprints.of([teaser]).anchors.tolist()
    assert set(teaser_anchors) == _shared(teaser, source)  # a text inside another shares all its anchors
    assert _shared(excerpt, source) and not _shared(_text(rng, 1000), source)
    assert minhash.Fingerprints.of([source[: minhash.SURE_RUN - 1]]).anchor_counts.tolist() == [0]


def test_anchor_pairs_pair_a_teaser_with_its_source_and_count_what_they_share():
    rng = random.Random(7)
    texts = [_text(rng, 800) for _ in range(30)]
    texts.append(texts[4][:80])  # a teaser: Jaccard 0.1, not an LSH candidate
    prints = minhash.Fingerprints.of(texts)
    every = np.ones(len(texts), dtype=bool)
    assert (4, 30) not in minhash.candidate_pairs(prints.bands, every)
    pairs, shared = minhash.anchor_pairs(prints, every)
    found = dict(zip(map(tuple, pairs.tolist()), shared.tolist()))
    assert found[4, 30] == prints.anchor_counts[30] > 0
    assert all(count < 3 for pair, count in found.items() if pair != (4, 30))
    assert (4, 30) not in set(map(tuple, minhash.anchor_pairs(prints, np.arange(len(texts)) < 30)[0].tolist()))


def test_a_crowded_anchor_is_chained_not_squared():
    texts = [_text(random.Random(8), 60)] * (minhash.MAX_BUCKET + 5)  # a body shared by very many files
    prints = minhash.Fingerprints.of(texts)
    pairs, _ = minhash.anchor_pairs(prints, np.ones(len(texts), dtype=bool))
    assert set(map(tuple, pairs.tolist())) == {(i, i + 1) for i in range(len(texts) - 1)}
