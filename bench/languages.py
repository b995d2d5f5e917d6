"""Language detectors on the shared corpora: accuracy and CPU time per article.

    python bench/languages.py [--corpora ../shared/corpora] [--chars 400]

The truth is each corpus's known language (BBC, RT English, FakeNewsCorpus: en; russian.rt.com:
ru; de.rt.com: de). Each detector reads the title and the first --chars characters of the body,
as site_gen.languages does; '?' (no confident answer) counts as wrong here, while a build then
falls back to the site's default language. py3langid is what site_gen uses; pycld2, langdetect and lingua
(lingua-language-detector) are measured too when installed (pip install them in a scratch venv).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from site_gen.importers.tables import read_table  # noqa: E402


def samples(corpora: Path) -> dict[str, tuple[str, list[str]]]:
    def rows(*globs: str) -> list[str]:
        paths = [p for g in globs for p in sorted((corpora / "rt-thesis-soros").glob(g))]
        return [
            f"{r.values['title']}\n{r.values['content']}"
            for p in paths
            for r in read_table(p).rows
            if r.values.get("title") != "Skipped"
        ]

    bbc = [
        p.read_bytes().decode("utf-8", "replace") for p in sorted((corpora / "bbc-fulltext" / "bbc").glob("*/*.txt"))
    ]
    news = [
        f"{r.values['title']}\n{r.values['content']}"
        for r in read_table(corpora / "fakenewscorpus-sample" / "news_sample.csv").rows
    ]
    return {
        "BBC": ("en", bbc),
        "RT English": ("en", rows("clean-csv-eng/*.csv", "clinton-duma.csv")),
        "RT Russian": ("ru", rows("clean-txt-rus/*.txt", "klinton-nato.txt")),
        "RT German": ("de", rows("clean-txt-ger/*.txt")),
        "FakeNewsCorpus": ("en", news),
    }


def detectors() -> dict[str, Callable[[], Callable[[str], str]]]:
    def py3langid() -> Callable[[str], str]:
        from site_gen.languages import detect

        return lambda t: (lambda found: found.code if found else "?")(detect(t))

    def pycld2() -> Callable[[str], str]:
        import pycld2 as cld

        return lambda t: cld.detect(t)[2][0][1]

    def langdetect() -> Callable[[str], str]:
        from langdetect import DetectorFactory, detect

        DetectorFactory.seed = 0
        return detect

    def lingua() -> Callable[[str], str]:
        from lingua import LanguageDetectorBuilder

        d = LanguageDetectorBuilder.from_all_languages().build()
        return lambda t: (lambda lang: lang.iso_code_639_1.name.lower() if lang else "?")(d.detect_language_of(t))

    return {"py3langid": py3langid, "pycld2": pycld2, "langdetect": langdetect, "lingua": lingua}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    parser.add_argument("--chars", type=int, default=400)
    args = parser.parse_args()
    data = samples(args.corpora)
    print(f"| detector | load s | {' | '.join(data)} | ms/article (CPU) | RSS growth MB |")
    print("| --- | --- |" + " --- |" * len(data) + " --- | --- |")
    for name, make in detectors().items():
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        started = time.process_time()
        try:
            detect = make()
            detect("Warm up the model with a sentence long enough to be detected by every one of them.")
        except ImportError:
            print(f"| {name} | not installed |" + " |" * (len(data) + 2))
            continue
        load = time.process_time() - started
        cells, cpu, count = [], 0.0, 0
        for truth, texts in data.values():
            clipped = [t[: args.chars] for t in texts]
            t0 = time.process_time()
            right = sum(1 for t in clipped if detect(t) == truth)
            cpu += time.process_time() - t0
            count += len(clipped)
            cells.append(f"{right / len(clipped):.2%} of {len(clipped):,}")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024 - rss_before
        print(f"| {name} | {load:.2f} | {' | '.join(cells)} | {1000 * cpu / count:.3f} | {rss} |", flush=True)


if __name__ == "__main__":
    main()
