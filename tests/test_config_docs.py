"""docs/configuration.md against the code: every setting of site.yaml (config.py) and every field
of sources.yaml (ingest/sources.py) is documented with its real type and default, nothing else is,
and every example loads."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO

from site_gen.config import SiteConfig, load_config
from site_gen.ingest.sources import ENTRY_FIELDS, SourceEntry, load_registry

DOC = REPO / "docs" / "configuration.md"
GROUPS = ("boilerplate", "dedupe")
"""Settings that are mappings of settings of their own."""
TYPES = {
    "str": "string",
    "Path": "path",
    "Path | None": "path",
    "int": "integer",
    "float": "number",
    "bool": "boolean",
    "list[str]": "list of strings",
    "list[PathDefaults]": "list of mappings",
    "BoilerplateSettings": "mapping",
    "DedupeSettings": "mapping",
    "str | None": "string",
    "tuple[str, ...]": "list of strings",
    "tuple[re.Pattern[str], ...]": "list of regular expressions",
    "dict[str, str]": "mapping",
}
"""Annotations in the code -> the type the documentation gives."""


def table(heading: str) -> dict[str, dict[str, str]]:
    """The rows of the table under a heading: name -> {type, default, example, meaning}."""
    section = DOC.read_text(encoding="utf-8").split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    found = {}
    for row in rows:
        name, kind, default, example, meaning = (cell.strip() for cell in row.strip("|").split(" | "))
        found[name.strip("`")] = {"type": kind, "default": default, "example": example, "meaning": meaning}
    return found


def code(cell: str) -> str | None:
    """The first `code` in a cell."""
    match = re.search(r"`([^`]+)`", cell)
    return match[1] if match else None


def settings() -> dict[str, Any]:
    """Every setting's name (nested ones as group.name) -> its dataclass field."""
    found: dict[str, Any] = {}
    for f in dataclasses.fields(SiteConfig):
        if f.name in ("root", "config_path"):
            continue
        found[f.name] = f
        if f.name in GROUPS:
            group = type(getattr(SiteConfig(root=Path(".")), f.name))
            found.update({f"{f.name}.{sub.name}": sub for sub in dataclasses.fields(group)})
    return found


def default_of(name: str) -> Any:
    value: Any = SiteConfig(root=Path("."))
    for part in name.split("."):
        value = getattr(value, part)
    return value


SITE = table("`site.yaml`")
SOURCES = table("`sources.yaml`")


def test_every_setting_is_documented_and_nothing_else():
    assert list(SITE) == list(settings())


@pytest.mark.parametrize("name", list(settings()))
def test_a_setting_has_its_type_and_default(name):
    row = SITE[name]
    assert row["type"] == TYPES[settings()[name].type], name
    default = default_of(name)
    if name in GROUPS:
        assert row["default"] == "(below)"
    elif default is None:
        assert row["default"].startswith("none")
    else:
        documented = yaml.safe_load(code(row["default"]) or "")
        assert documented == (str(default) if isinstance(default, Path) else default), name
    assert row["meaning"]


@pytest.mark.parametrize("name", list(settings()))
def test_a_settings_example_loads_and_sets_it(name, tmp_path):
    example = code(SITE[name]["example"])
    assert example, f"{name} has no example"
    (tmp_path / "site.yaml").write_text(example + "\n", encoding="utf-8")
    config = load_config(tmp_path / "site.yaml", cwd=tmp_path)  # a ConfigError fails the test
    given = yaml.safe_load(example)
    key = name.split(".")[0]
    assert list(given) == [key]
    if key in GROUPS:
        for sub, value in given[key].items():
            assert getattr(getattr(config, key), sub) == value
    elif key == "defaults":
        assert [dataclasses.asdict(d) for d in config.defaults] == given[key]
    elif isinstance(getattr(config, key), Path):
        assert getattr(config, key) == (tmp_path / given[key]).resolve()
    else:
        assert getattr(config, key) == given[key]


def test_every_registry_field_is_documented_and_nothing_else():
    fields = {f.name for f in dataclasses.fields(SourceEntry)} - {"domain"}
    assert fields == ENTRY_FIELDS
    assert list(SOURCES) == [f.name for f in dataclasses.fields(SourceEntry) if f.name != "domain"]


@pytest.mark.parametrize("name", sorted(ENTRY_FIELDS))
def test_a_registry_field_has_its_type_default_and_a_working_example(name, tmp_path):
    row = SOURCES[name]
    field = next(f for f in dataclasses.fields(SourceEntry) if f.name == name)
    assert row["type"] == TYPES[field.type], name
    default = None if field.default is dataclasses.MISSING else field.default
    if field.default_factory is not dataclasses.MISSING:
        default = field.default_factory()
    if code(row["default"]) is not None:
        assert yaml.safe_load(code(row["default"]) or "") == (list(default) if isinstance(default, tuple) else default)
    elif row["default"] == "none":
        assert default is None
    else:  # said in words: computed from the entry (the domain, the name)
        assert default is None
    example = yaml.safe_load(code(row["example"]) or "")
    assert list(example) == [name]
    (tmp_path / "sources.yaml").write_text(yaml.safe_dump({"x.example": {"name": "X", **example}}), encoding="utf-8")
    entry = load_registry(load_config(None, cwd=tmp_path)).entries["x.example"]
    value = getattr(entry, name)
    if name == "boilerplate":
        value = [pattern.pattern for pattern in value]
    assert (list(value) if isinstance(value, tuple) else value) == example[name]


@pytest.mark.parametrize("path", ["site.yaml", "site_gen/data/new/site.yaml", "site_gen/data/new/sources.yaml"])
def test_the_bundled_settings_point_to_the_documentation(path):
    assert "docs/configuration.md" in (REPO / path).read_text(encoding="utf-8")
