"""`site-gen new DIR`: a site folder to start from, as `hugo new site` and `mkdocs new` make one.

The files are data of the package (site_gen/data/new/), copied as they are: a commented
site.yaml, an example sources.yaml, one example article in each input format, a .gitignore
(shipped as `gitignore`: a dot file is easily left behind on the way into a wheel).
"""

from __future__ import annotations

import argparse
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from site_gen.errors import SiteGenError

RENAMED = {"gitignore": ".gitignore"}


def new_site(target: Path) -> list[Path]:
    """Write a new site into target (made if missing) and return the files written. Refuses a
    target that is a file or a folder with anything in it: nothing of the user's is overwritten."""
    if target.exists() and not target.is_dir():
        raise SiteGenError("is a file; site-gen new makes a new site in a new or empty folder", str(target))
    held = sorted(p.name for p in target.iterdir()) if target.is_dir() else []
    if held:
        shown = ", ".join(held[:3]) + (f" and {len(held) - 3} more" if len(held) > 3 else "")
        raise SiteGenError(
            f"is not empty (it holds {shown}); site-gen new writes only into a new or empty folder, so that "
            "nothing in it is overwritten: name a new folder, or empty this one",
            str(target),
        )
    written = []
    for source, parts in _files(resources.files("site_gen").joinpath("data", "new"), ()):
        path = target.joinpath(*parts[:-1], RENAMED.get(parts[-1], parts[-1]))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(source.read_bytes())
        written.append(path)
    return written


def _files(folder: Traversable, parts: tuple[str, ...]) -> list[tuple[Traversable, tuple[str, ...]]]:
    """Every file under folder with its path parts, in a stable order."""
    found = []
    for item in sorted(folder.iterdir(), key=lambda item: item.name):
        if item.is_dir():
            found += _files(item, (*parts, item.name))
        elif item.name != "__pycache__":
            found.append((item, (*parts, item.name)))
    return found


def add_command(commands: Any) -> None:
    """Add `new` to the site-gen subcommands."""
    p = commands.add_parser(
        "new",
        help="start a site: a commented site.yaml, a sources.yaml and an example article in each input format",
    )
    p.add_argument("dir", type=Path, metavar="DIR", help="the folder to make (new or empty)")
    p.set_defaults(run=_new)


def _new(args: argparse.Namespace) -> int:
    target: Path = args.dir
    written = new_site(target)
    articles = sum(1 for p in written if p.suffix in (".txt", ".md") and p.name != "README.md")
    print(f"site-gen new: {target}: site.yaml, sources.yaml, .gitignore and {articles} example articles in content/")
    print(f"Next: cd {target} && site-gen serve (a preview that follows your edits), or site-gen build")
    return 0
