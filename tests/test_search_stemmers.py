"""The Snowball stemmers: Python's (snowballstemmer 2.2.0) and the JavaScript ones the search page
vendors stem every word alike, and the vendored files are what scripts/vendor_stemmers.js makes
from the pinned npm package. (The RT corpora's whole vocabulary is compared in Chromium by
tests/test_search_parity.py.)"""

import json
import random
import shutil
import subprocess

import pytest
from conftest import REPO, require
from whoosh.analysis.filters import STOP_WORDS

from site_gen.search.stemmers import SNOWBALL, Snowball, stop_words

STEMMERS = REPO / "themes" / "default" / "static" / "stemmers"
LETTERS = {
    "ar": "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأؤإئةى",
    "da": "abcdefghijklmnoprstuvyæøå",
    "de": "abcdefghiklmnoprstuvwzäöüß",
    "es": "abcdefghijlmnopqrstuvyzáéíóúñü",
    "fi": "adeghijklmnoprstuvyäö",
    "fr": "abcdefghijlmnopqrstuvxyzàâçèéêëîïôùûü",
    "hu": "abcdefghijklmnoprstuvyzáéíóöőúüű",
    "it": "abcdefghilmnopqrstuvzàèéìòù",
    "nl": "abcdefghijklmnoprstuvwzëï",
    "no": "abdefghijklmnoprstuvyæøå",
    "pt": "abcdefghijlmnopqrstuvxzáâãàçéêíóôõú",
    "ro": "abcdefghijlmnoprstuvzăâîșțşţ",
    "ru": "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    "sv": "abdefghijklmnoprstuvyåäö",
    "tr": "abcçdefgğhıijklmnoöprsştuüvyz",
}
RUN = r"""
const vm = require("vm"), fs = require("fs"), path = require("path");
const [folder, words] = JSON.parse(fs.readFileSync(0, "utf8"));
const sandbox = {}; sandbox.self = sandbox;
vm.createContext(sandbox);
const out = {};
for (const lang of Object.keys(words)) {
  vm.runInContext(fs.readFileSync(path.join(folder, lang + ".js"), "utf8"), sandbox);
  out[lang] = words[lang].map(sandbox.SiteGenStemmers[lang]);
}
process.stdout.write(JSON.stringify([Object.keys(sandbox).sort(), out]));
"""


def words(language: str, rng: random.Random) -> list[str]:
    """The language's stop words, and made-up words of its letters (every suffix rule gets its turn)."""
    made = ["".join(rng.choices(LETTERS[language], k=rng.randint(2, 14))) for _ in range(3000)]
    return sorted(stop_words(language)) + made


def test_every_vendored_stemmer_stems_as_python():
    require(shutil.which("node") is not None, "node is not installed")
    rng = random.Random(18)
    wanted = {language: words(language, rng) for language in sorted(SNOWBALL)}
    done = subprocess.run(
        ["node", "-e", RUN],
        input=json.dumps([str(STEMMERS), wanted]),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    names, got = json.loads(done.stdout)
    assert names == ["SiteGenStemmers", "self"]  # plain scripts: they define nothing else
    for language, given in wanted.items():
        stem = Snowball(language)
        assert got[language] == [stem(w) for w in given], language
    assert sorted(p.stem for p in STEMMERS.glob("*.js")) == sorted(SNOWBALL)


def test_the_vendored_files_are_the_npm_package_wrapped():
    require((REPO / "node_modules" / "@orama" / "stemmers").is_dir(), "npm ci has not installed @orama/stemmers")
    done = subprocess.run(
        ["node", str(REPO / "scripts" / "vendor_stemmers.js"), "--check"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "Apache License" in (STEMMERS / "LICENSE-orama.txt").read_text(encoding="utf-8")
    assert "Snowball" in (STEMMERS / "LICENSE-snowball.txt").read_text(encoding="utf-8")


def test_python_stemmers_are_snowball_2_2_and_english_keeps_whoosh_stop_words():
    # Snowball 2.2.0's stems
    assert [Snowball("nl")("lichamelijk"), Snowball("ru")("ёлками"), Snowball("de")("Länder".lower())] == [
        "licham",
        "елк",
        "land",
    ]
    assert stop_words("en") == STOP_WORDS and "und" in stop_words("de") and stop_words("ro") == frozenset()
    with pytest.raises(KeyError):
        Snowball("xx")("word")
