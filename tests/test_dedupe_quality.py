"""The labelled duplicate pairs (tests/data/dedupe_pairs.json.xz, built from ../shared/corpora by
tests/data/build_dedupe_pairs.py) meet the targets: precision >= 0.99 and recall >= 0.95."""

import dedupe_pairs
import pytest

from site_gen.config import DedupeSettings


@pytest.fixture(scope="module")
def data():
    return dedupe_pairs.load()


def test_the_labelled_set_is_modest_and_holds_hard_cases(data):
    assert dedupe_pairs.DATA.stat().st_size < 500_000
    kinds = {(p["kind"], p["duplicate"]) for p in data["pairs"]}
    assert {
        ("same-title-other-story", False),
        ("same-topic", False),
        ("same-day", False),
        ("same-outlet-same-day", False),
    } <= kinds
    assert {
        ("byte-identical", True),
        ("same-body-other-headline", True),
        ("copy-edited", True),
        ("same-url", True),
        ("same-body-other-url", True),
    } <= kinds
    assert {p["source"] for p in data["pairs"]} == {"bbc", "rt", "fakenews"}
    assert sum(p["duplicate"] for p in data["pairs"]) > 150 and sum(not p["duplicate"] for p in data["pairs"]) > 150


@pytest.mark.parametrize("urls", [True, False], ids=["with-urls", "text-only"])
def test_pair_decisions_meet_the_targets(data, urls):
    score = dedupe_pairs.evaluate(data, DedupeSettings(), urls=urls)
    assert score.precision >= 0.99 and score.recall >= 0.95, f"{score}; errors: {score.errors}"


def test_the_targets_fail_when_the_thresholds_are_wrong(data):
    """The set has teeth: a loose containment threshold merges different stories."""
    loose = dedupe_pairs.evaluate(data, DedupeSettings(containment=0.6), urls=False)
    strict = dedupe_pairs.evaluate(data, DedupeSettings(jaccard=0.95, containment=0.97), urls=False)
    assert loose.precision < 0.99 and strict.recall < 0.95
