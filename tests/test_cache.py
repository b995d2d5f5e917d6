import pickle
from pathlib import Path

from site_gen.build.cache import BuildCache, BuildState, settings_key
from site_gen.config import SiteConfig
from site_gen.dedupe.clusters import Memo
from site_gen.model import Article, InputEntry, Message
from site_gen.output import Delta


def entry(path: str, title: str) -> InputEntry:
    return InputEntry(
        path,
        "rendered",
        [Message("info", "x")],
        Article("id-" + path, title, None, None, ["p"], "text", [], "bare"),
        [1, 2],
    )


def test_render_only_settings_do_not_invalidate_what_was_read(tmp_path):
    base = SiteConfig(root=tmp_path)
    assert settings_key(base, "r") == settings_key(
        SiteConfig(root=tmp_path, title="Other", paginate=7, base_url="https://x/"), "r"
    )
    assert settings_key(base, "r") != settings_key(SiteConfig(root=tmp_path, language="de"), "r")
    assert settings_key(base, "r") != settings_key(base, "registry changed")


def test_inputs_round_trip_and_stay_in_memory_for_the_next_build(tmp_path):
    cache = BuildCache(SiteConfig(root=tmp_path, cache_dir=tmp_path / "cache"), keep_in_memory=True)
    assert cache.load_inputs("s1") == {}
    cache.save_inputs("s1", [("a.txt", "1:1", entry("a.txt", "A")), ("b.txt", "2:2", entry("b.txt", "B"))], [])
    loaded = cache.load_inputs("s1")
    assert {p: (stat, e.article.title, e.paragraph_keys) for p, (stat, e) in loaded.items()} == {
        "a.txt": ("1:1", "A", [1, 2]),
        "b.txt": ("2:2", "B", [1, 2]),
    }
    assert (
        cache.load_inputs("s1")["a.txt"][1] is not loaded["a.txt"][1]
    )  # fresh objects every time: stages may change them
    cache.save_inputs("s1", [], ["b.txt"])
    assert set(BuildCache(SiteConfig(root=tmp_path, cache_dir=tmp_path / "cache")).load_inputs("s1")) == {"a.txt"}
    assert BuildCache(SiteConfig(root=tmp_path, cache_dir=tmp_path / "cache")).load_inputs("s2") == {}


def test_state_round_trips_and_a_damaged_one_is_reported(tmp_path):
    config = SiteConfig(root=tmp_path, cache_dir=tmp_path / "cache")
    cache = BuildCache(config)
    assert cache.load_state() is None and cache.problems == []
    cache.save_state(BuildState("fp", 3, {"index.html": "k"}, Delta(["index.html"], []), {"stats": {}}))
    state = BuildCache(config).load_state()
    assert (state.fingerprint, state.generation, state.manifest, state.delta.written) == (
        "fp",
        3,
        {"index.html": "k"},
        ["index.html"],
    )
    assert state.report == {} and BuildCache(config).load_state_report(state) and state.report == {"stats": {}}
    Path(config.cache_dir / "state.bin").write_bytes(b"\x80\x05garbage")
    damaged = BuildCache(config)
    assert damaged.load_state() is None and "unreadable build state" in damaged.problems[0]
    cache.save_state(BuildState("fp", 4, {}, Delta([], []), {"stats": {"n": 4}}))
    other = BuildState("fp", 3, {}, Delta([], []))
    assert not cache.load_state_report(other) and other.report == {}  # another build's report is not taken


def test_a_build_whose_state_report_is_lost_builds_again(site):
    site.write("a.txt", "date 2024-01-02 https://example.org/a\nStory A\nAbout a walrus.\n")
    first = site.build()
    (site.config().cache_dir / "state-report.bin").unlink()
    again = site.build()
    assert "unchanged" not in again.report["stats"] and again.report["inputs"] == first.report["inputs"]
    assert site.build().report["stats"]["unchanged"] is True


def test_dedupe_memo_survives_and_a_damaged_one_is_reported(tmp_path):
    config = SiteConfig(root=tmp_path, cache_dir=tmp_path / "cache")
    cache = BuildCache(config)
    cache.dedupe_memo().measured[(b"a", b"b")] = (0.9, 1.0)
    cache.save_dedupe_memo()
    assert BuildCache(config).dedupe_memo().measured == {(b"a", b"b"): (0.9, 1.0)}
    (config.cache_dir / "dedupe.pickle").write_bytes(b"not a pickle")
    damaged = BuildCache(config)
    assert damaged.dedupe_memo().measured == {} and "unreadable dedupe memo" in damaged.problems[0]


def test_a_dedupe_memo_of_another_layout_is_not_used(tmp_path):
    """A memo kept before fingerprints held anchors (saved bare, or with another format) starts afresh."""
    config = SiteConfig(root=tmp_path, cache_dir=tmp_path / "cache")
    cache = BuildCache(config)
    cache.dedupe_memo().measured[(b"a", b"b")] = (0.9, 1.0)
    cache.save_dedupe_memo()
    path = config.cache_dir / "dedupe.pickle"
    kept = pickle.loads(path.read_bytes())
    for old in (kept[1], (Memo.FORMAT - 1, kept[1])):
        path.write_bytes(pickle.dumps(old))
        fresh = BuildCache(config)
        assert fresh.dedupe_memo().measured == {} and fresh.problems == []
