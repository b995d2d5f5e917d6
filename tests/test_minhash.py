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


def test_fingerprints_of_parts_concatenate_in_order():
    texts = [f"text number {i} with a few more words".split() for i in range(7)]
    whole = minhash.Fingerprints.of(texts)
    parts = minhash.Fingerprints.concat([minhash.Fingerprints.of(texts[:3]), minhash.Fingerprints.of(texts[3:])])
    assert (parts.signatures == whole.signatures).all() and (parts.bands == whole.bands).all()
    assert parts.text_keys == whole.text_keys and parts.word_counts.tolist() == [8] * 7
