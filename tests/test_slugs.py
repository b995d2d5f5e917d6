from site_gen.slugs import short_hash, slugify


def test_slugs_are_readable_ascii_and_transliterated():
    assert slugify("NATO Staff Prepared Ukrainian Invasion") == "nato-staff-prepared-ukrainian-invasion"
    assert slugify("В порту построят новый терминал") == "v-portu-postroiat-novyi-terminal"
    assert slugify("Über die Straße") == "uber-die-strasse"


def test_slugs_are_safe_path_segments():
    assert slugify("../../etc/passwd") == "etc-passwd"
    assert slugify("CON") == "con-1" and slugify("lpt1") == "lpt1-1"
    assert slugify("😀 ‮", fallback="article-1") == "article-1"
    assert len(slugify("word " * 100)) <= 80


def test_short_hash_is_stable():
    assert short_hash("x") == short_hash("x") and len(short_hash("x")) == 6 and short_hash("x") != short_hash("y")
