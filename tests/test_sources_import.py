from site_gen.cli import main
from site_gen.config import SiteConfig
from site_gen.importers.labels import BEGIN, END, import_labels
from site_gen.ingest.sources import load_registry

WEBSITES = (
    ",url,type,2nd_type,3rd_type,active\n"
    "0,100percentfedup.com,bias,,,\n"
    "1,Acting-Man.com,unreliable,conspiracy,,\n"
    "2,actforamerica.org/news,hate,,,\n"
    "3,handwritten.example,fake,,,\n"
    "4,www.beforeitsnews.com,fake,conspiracy,,\n"
    "5,,fake,,,\n"
    "6,nolabel.example,,,,N\n"
)
HAND = "# My outlets. Keep this comment.\nhandwritten.example:\n  name: Hand Written\n  tags: [local]\n"


def test_labels_go_into_a_generated_block_and_hand_written_entries_stay(tmp_path):
    table = tmp_path / "websites.csv"
    table.write_text(WEBSITES, encoding="utf-8")
    registry = tmp_path / "sources.yaml"
    registry.write_text(HAND, encoding="utf-8")
    result = import_labels(table, registry)
    text = registry.read_text(encoding="utf-8")
    assert text.startswith(HAND) and BEGIN in text and text.endswith(END + "\n")
    statuses = {r.domain: (r.status, r.message) for r in result.rows}
    assert statuses["acting-man.com"][0] == "added" and statuses["handwritten.example"][0] == "hand-written"
    assert "labels not added: fake" in statuses["handwritten.example"][1]
    assert "section of a site" in statuses["actforamerica.org/news"][1]
    assert statuses[""] == ("skipped", "no domain in this row") and statuses["nolabel.example"] == (
        "skipped",
        "no labels in this row",
    )
    assert len(result.rows) == 7

    config = SiteConfig(root=tmp_path, sources=registry)
    reg = load_registry(config)
    assert reg.outlet_for_url("https://acting-man.com/x").tags == ("unreliable", "conspiracy")
    hand = reg.outlet_for_url("https://handwritten.example/x")
    assert (hand.name, hand.tags) == ("Hand Written", ("local",))
    bundled = reg.outlet_for_url("https://beforeitsnews.com/x")
    assert (bundled.name, bundled.tags) == ("Before It's News", ("fake", "conspiracy"))  # bundled fields kept


def test_importing_again_changes_nothing_and_new_labels_are_merged(tmp_path):
    table = tmp_path / "websites.csv"
    table.write_text(WEBSITES, encoding="utf-8")
    registry = tmp_path / "sources.yaml"
    import_labels(table, registry)
    before = registry.read_bytes()
    again = import_labels(table, registry)
    assert not again.changed and registry.read_bytes() == before
    assert {r.status for r in again.rows} == {"unchanged", "skipped"}
    (tmp_path / "more.csv").write_text("url,type\nacting-man.com,satire\nnew.example,rumor\n", encoding="utf-8")
    more = import_labels(tmp_path / "more.csv", registry)
    assert [r.status for r in more.rows] == ["updated", "added"]
    reg = load_registry(SiteConfig(root=tmp_path, sources=registry))
    assert reg.outlet_for_url("https://acting-man.com/").tags == ("unreliable", "conspiracy", "satire")
    assert registry.read_text(encoding="utf-8").count(BEGIN) == 1


def test_cli_updates_the_registry_beside_site_yaml(tmp_path, monkeypatch, capsys):
    (tmp_path / "site.yaml").write_text("title: T\n", encoding="utf-8")
    (tmp_path / "websites.csv").write_text(WEBSITES, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["sources", "import", "websites.csv"]) == 0
    out, err = capsys.readouterr()
    assert "7 rows: 4 added, 0 updated, 0 unchanged, 0 hand-written, 3 skipped" in out
    assert "section of a site" in err
    assert BEGIN in (tmp_path / "sources.yaml").read_text(encoding="utf-8")
