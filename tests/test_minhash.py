import random
import re
import subprocess
import sys

from hypothesis import given
from hypothesis import strategies as st

from site_gen import minhash
from site_gen.normalize import comparison_key

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
        prints = minhash.Fingerprints.empty()
        prints.add(base)
        prints.add(other)
        assert abs(prints.estimate(0, 1) - true) < 0.12, (keep, true, prints.estimate(0, 1))


def test_short_texts_are_densified_not_left_empty():
    sig = minhash.signature(minhash.shingles("only a few words here".split()))
    assert len(sig) == minhash.BINS and 0 not in sig and len(set(sig)) > 1


def test_fingerprints_are_the_same_in_another_process():
    """Word and shingle hashes must not depend on the per-process string hash salt."""
    code = "from site_gen import minhash; print(sorted(minhash.shingles('the same words in another process'.split()))[:3])"
    outputs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout for _ in range(2)}
    assert len(outputs) == 1
    assert outputs.pop().strip() == str(sorted(minhash.shingles("the same words in another process".split()))[:3])


def test_candidates_pair_similar_texts_and_not_unrelated_ones():
    rng = random.Random(2)
    texts = [_text(rng, 400) for _ in range(50)]
    texts.append(texts[7][:300] + _text(rng, 100))  # Jaccard about 0.6 with text 7
    prints = minhash.Fingerprints.empty()
    for t in texts:
        prints.add(t)
    pairs = minhash.candidate_pairs(prints.bands, [True] * len(texts))
    assert (7, 50) in pairs and len(pairs) < 5
    assert (7, 50) not in minhash.candidate_pairs(prints.bands, [True] * 50 + [False])


def test_a_crowded_bucket_is_chained_not_squared():
    prints = minhash.Fingerprints.empty()
    for _ in range(minhash.MAX_BUCKET + 10):
        prints.add("one body shared by very many files".split())
    pairs = minhash.candidate_pairs(prints.bands, [True] * (minhash.MAX_BUCKET + 10))
    assert pairs == {(i, i + 1) for i in range(minhash.MAX_BUCKET + 9)}
