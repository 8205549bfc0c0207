"""The loaded ontology, rules and shapes kept between builds (kg_build/rdf/cache.py)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from msgspec.structs import replace
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS

import kg_build.build.config
from kg_build.build.config import Config, Loaded, load_config, load_config_shapes
from kg_build.defaults import ONTOLOGY, SHAPES
from kg_build.errors import OntologyError
from kg_build.rdf.cache import KEEP, OFF_VARIABLE, cache_folder

TP = "https://w3id.org/team-pursuit/ontology#"


def _same(one: Loaded, other: Loaded) -> bool:
    """Tell whether two loads are alike (the ontology is there as sorted N-Triples)."""
    return one == other


@pytest.fixture()
def made(monkeypatch: pytest.MonkeyPatch) -> list[Config]:
    """Count the loads made (not read back from the cache): each config read from its files."""
    calls: list[Config] = []
    original = kg_build.build.config._load_config

    def counted(config: Config) -> Loaded:
        calls.append(config)
        return original(config)

    monkeypatch.setattr(kg_build.build.config, "_load_config", counted)
    return calls


@pytest.fixture()
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Config:
    """Return a copy of the packaged ontology and shapes, and a cache folder of its own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv(OFF_VARIABLE, raising=False)
    shutil.copy(ONTOLOGY, tmp_path / "tp.ttl")
    shutil.copytree(SHAPES, tmp_path / "shapes", ignore=shutil.ignore_patterns("__pycache__"))
    return Config(ontology=tmp_path / "tp.ttl", shapes=tmp_path / "shapes")


def test_a_kept_result_is_the_result(config: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = load_config(config)
    shapes = load_config_shapes(config, loaded)
    names = sorted(p.name for p in cache_folder().iterdir())
    assert [re.sub(r"-[0-9a-f]{16}\.", "-KEY.", n) for n in names] == [
        "config-KEY.pickle",
        "shapes-KEY.pickle",
    ]
    kept = load_config(config)
    kept_shapes = load_config_shapes(config, kept)
    assert kept is not loaded and kept == loaded  # read back: an equal copy
    assert isomorphic(kept_shapes, shapes)
    assert sorted(kept_shapes.namespaces()) == sorted(shapes.namespaces())
    monkeypatch.setenv(OFF_VARIABLE, "off")
    assert _same(load_config(config), loaded)


def test_an_edited_ontology_or_shapes_file_is_read_again(config: Config) -> None:
    loaded = load_config(config)
    load_config_shapes(config, loaded)
    with config.ontology.open("a", encoding="utf-8") as out:
        out.write('\ntp:Velodrome a owl:Class ; rdfs:label "velodrome"@en .\n')
    loaded = load_config(config)
    assert TP + "Velodrome" in loaded.vocab.classes
    with (config.shapes / "event.ttl").open("a", encoding="utf-8") as out:
        out.write(
            "\ntps:VelodromeShape a sh:NodeShape ; sh:targetClass tp:Velodrome ;\n"
            '    rdfs:comment "new" .\n'
        )
    shapes = load_config_shapes(config, loaded)
    velodrome = URIRef("https://w3id.org/team-pursuit/shapes#VelodromeShape")
    assert (velodrome, RDFS.comment, Literal("new")) in shapes


def test_data_with_an_error_is_refused_at_every_load(config: Config) -> None:
    loaded = load_config(config)
    with (config.shapes / "event.ttl").open("a", encoding="utf-8") as out:
        out.write("\ntps:TypoShape a sh:NodeShape ; sh:targetClass tp:Velodrom .\n")
    for _ in range(2):
        with pytest.raises(OntologyError, match="unknown class tp:Velodrom"):
            load_config_shapes(config, loaded)


@pytest.mark.parametrize("damage", ["garbage", "payload", "truncated", "empty"])
def test_a_damaged_cache_file_is_ignored_and_written_again(
    config: Config, damage: str, made: list[Config]
) -> None:
    loaded = load_config(config)
    (kept,) = cache_folder().glob("config-*.pickle")
    good = kept.read_bytes()
    bad = {
        "garbage": b"not a cache file at all",
        "payload": good[:-10] + bytes(b ^ 0xFF for b in good[-10:]),
        "truncated": good[: len(good) // 2],
        "empty": b"",
    }[damage]
    kept.write_bytes(bad)
    again = load_config(config)
    assert _same(again, loaded) and len(made) == 2  # made again
    assert load_config(config) == again and len(made) == 2  # and kept again


def test_a_cache_folder_that_cannot_be_written_is_no_error(
    config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "a-file"))
    assert _same(load_config(config), load_config(config))


def test_two_configs_used_in_turn_keep_their_own_files(config: Config, made: list[Config]) -> None:
    """A project and the packaged data (or two checkouts) no longer push each other out."""
    other = replace(config, base="https://example.org/other/")
    first, second = load_config(config), load_config(other)
    assert load_config(config) == first and load_config(other) == second
    assert made == [config, other]  # read back, not made again


def test_only_the_files_used_last_are_kept(config: Config) -> None:
    made = [load_config(replace(config, base=f"https://example.org/{n}/")) for n in range(KEEP + 2)]
    kept = sorted(cache_folder().glob("config-*.pickle"), key=lambda p: p.stat().st_mtime_ns)
    assert len(kept) == KEEP
    # The first ones went; using one marks it: it outlives the next file written.
    assert load_config(replace(config, base="https://example.org/2/")) == made[2]
    os.utime(kept[0], ns=(0, 0))  # as if used long ago, whatever the clock's resolution
    earlier = cache_folder() / "config.pickle"  # the one file an earlier version kept
    earlier.write_bytes(b"kg-cache 1\n")
    load_config(replace(config, base="https://example.org/new/"))
    assert not kept[0].exists() and len(list(cache_folder().glob("config-*.pickle"))) == KEEP
    assert not earlier.exists()
