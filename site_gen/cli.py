"""Command line: thin wrappers that parse arguments and call the stages."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Callable
from pathlib import Path

from site_gen import __version__, progress
from site_gen.build.pipeline import build, collect_inputs
from site_gen.config import SiteConfig, find_config, load_config
from site_gen.errors import ConfigError, SiteGenError, located, os_error
from site_gen.importers.commands import add_commands as add_import_commands
from site_gen.scaffold import add_command as add_new_command
from site_gen.search import terminal


def run() -> None:
    """The console entry point: main(), then exit without Python's own teardown. Everything is
    written, closed and flushed by then; freeing the archive's objects one by one took 0.5 s of a
    1.5 s rebuild at 10,000 articles (bench/run.py, one article changed)."""
    code = main(one_off=True)
    if sys.getprofile() or sys.gettrace():  # a profiler or debugger reports at exit: let it
        sys.exit(code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe: nothing more can be said
        code = code or 1
    os._exit(code)


def main(argv: list[str] | None = None, *, one_off: bool = False) -> int:
    """one_off: the process ends with this command (run()): then, but for the preview server, cyclic garbage
    collection stays off after the stages pause it (cycles.py), for the first collection after a build
    would scan every object the build made only for the process to end (0.8 s at 100,000 articles)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    if one_off and args.command != "serve":
        gc.disable()
    try:
        run: Callable[[argparse.Namespace], int] = args.run  # set by each subcommand (set_defaults)
        return run(args)
    except ConfigError as exc:
        print("site-gen: configuration error:", file=sys.stderr)
        for problem in exc.located_problems():
            print(f"  {problem}", file=sys.stderr)
        return 2
    except SiteGenError as exc:
        print(f"site-gen: error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # a disk or permission problem outside the places that name their file
        print(f"site-gen: error: {os_error(exc)}; the previous output was kept", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("site-gen: interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="site-gen", description="Turn a folder of scraped article files into a searchable static archive."
    )
    parser.add_argument("--version", action="version", version=f"site-gen {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = commands.add_parser("build", help="build the static archive")
    _site_arguments(p)
    p.add_argument("--report", type=Path, metavar="FILE", help="write the JSON build report here")
    p.add_argument(
        "--strict", action="store_true", help="fail (keeping the previous output) if any file has an error or warning"
    )
    p.add_argument("--full", action="store_true", help="ignore the build cache: read every file and write every page")
    p.add_argument("-q", "--quiet", action="store_true", help=progress.QUIET_HELP)
    p.set_defaults(run=_build)

    p = commands.add_parser("serve", help="preview the archive with live reload")
    _site_arguments(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    p.add_argument("--open", action="store_true", help="open the site in a browser")
    p.add_argument("--poll", action="store_true", help="watch by polling instead of inotify")
    p.set_defaults(run=_serve)

    add_new_command(commands)
    add_import_commands(commands)

    p = commands.add_parser("dupes", help="list duplicate clusters for review, without building")
    _site_arguments(p)
    p.add_argument("-q", "--quiet", action="store_true", help=progress.QUIET_HELP)
    p.set_defaults(run=_dupes)

    p = commands.add_parser("search", help="search the archive's whoosh index (made by build)")
    p.add_argument(
        "query",
        metavar="QUERY",
        help='whoosh query syntax: words, "phrases", AND/OR/NOT, prefix*, title:word (quote it)',
    )
    p.add_argument("source", nargs="?", type=Path, help="site folder (with site.yaml) or content folder, as for build")
    p.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="site configuration (default: site.yaml in SOURCE or the current folder)",
    )
    p.add_argument("--outlet", metavar="X", help="only this outlet (key or name)")
    p.add_argument("--tag", metavar="T", help="only articles with this tag")
    p.add_argument(
        "--lang",
        metavar="CODE",
        help="only articles in this language (ru, de, ...), the query analyzed in it alone (default: in every "
        "language the archive holds)",
    )
    p.add_argument(
        "--from",
        dest="date_from",
        type=terminal.date_bound(end=False),
        metavar="DATE",
        help="published on or after DATE (YYYY, YYYY-MM or YYYY-MM-DD)",
    )
    p.add_argument(
        "--to", dest="date_to", type=terminal.date_bound(end=True), metavar="DATE", help="published on or before DATE"
    )
    p.add_argument("--limit", type=int, default=10, metavar="N", help="show at most N results (default 10)")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.set_defaults(run=_search, output=None, jobs=None)
    return parser


def _site_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "source",
        nargs="?",
        type=Path,
        help="site folder (with site.yaml) or content folder; default: the config's content_dir",
    )
    p.add_argument(
        "-o", "--output", type=Path, metavar="OUT", help="output folder (default: the config's output_dir, public/)"
    )
    p.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="site configuration (default: site.yaml in SOURCE or the current folder)",
    )
    p.add_argument("-j", "--jobs", type=int, metavar="N", help="worker processes (default: one per core)")


def site_config(args: argparse.Namespace) -> SiteConfig:
    """The configuration the arguments select: --config, else SOURCE/site.yaml, else ./site.yaml."""
    cwd = Path.cwd()
    source: Path | None = args.source
    config_path = args.config
    content: Path | None = None
    if config_path is None and source is not None:
        config_path = find_config(source) if source.is_dir() else None
        content = None if config_path else source
    elif config_path is None:
        config_path = find_config(cwd)
    elif source is not None:
        content = source
    config = load_config(config_path, cwd=cwd)
    if content is not None:
        config.content_dir = (cwd / content).resolve()
    if args.output is not None:
        config.output_dir = (cwd / args.output).resolve()
    if args.jobs is not None:
        config.jobs = max(1, args.jobs)
    return config


def _build(args: argparse.Namespace) -> int:
    config = site_config(args)
    with progress.on_stderr(args.quiet) as shown:
        result = build(config, strict=args.strict, report_path=args.report, full=args.full, progress=shown)
    for entry in result.inputs:
        for message in entry.messages:
            if message.level != "info":
                print(f"{message.level}: {located(entry.path, message.line, message.message)}", file=sys.stderr)
    print(f"site-gen: {result.summary(config.output_dir)}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from site_gen.serve.server import serve

    return serve(lambda: site_config(args), host=args.host, port=args.port, open_browser=args.open, poll=args.poll)


def _dupes(args: argparse.Namespace) -> int:
    from site_gen.dedupe.clusters import dedupe, describe_clusters  # here: the build command starts faster without

    config = site_config(args)
    with progress.on_stderr(args.quiet) as shown:
        with shown.stage("read", "files"):
            inputs = collect_inputs(config)
        with shown.stage("dedupe"):
            clusters = dedupe(inputs, config)
    for line in describe_clusters(clusters):
        print(line)
    return 0


def _search(args: argparse.Namespace) -> int:
    return terminal.run(site_config(args), args)
