"""YAML that remembers where each mapping and list came from, for file:line errors."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg_build.errors import MappingError

if TYPE_CHECKING:  # imported when a file is read: a build whose config is kept reads none
    import yaml


class YamlMap(dict[str, Any]):
    """A YAML mapping with the 1-based line of itself and of each key."""

    line: int
    key_lines: dict[str, int]


class YamlList(list[Any]):
    """A YAML sequence with its 1-based line."""

    line: int


def _construct_map(loader: yaml.SafeLoader, node: yaml.MappingNode) -> YamlMap:
    result = YamlMap()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool) or key is None:
            raise MappingError(
                loader.name, key_node.start_mark.line + 1, f"key {key!r} is not a plain value"
            )
        text = str(key)
        if text in result:
            raise MappingError(
                loader.name, key_node.start_mark.line + 1, f"key '{text}' appears twice"
            )
        result[text] = loader.construct_object(value_node, deep=True)
        result.key_lines[text] = key_node.start_mark.line + 1
    return result


def _construct_list(loader: yaml.SafeLoader, node: yaml.SequenceNode) -> YamlList:
    result = YamlList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    return result


@functools.cache
def _line_loader() -> type[yaml.SafeLoader]:
    """Return a safe loader whose mappings and sequences carry their lines (cf. LinkML)."""
    import yaml

    # libyaml's parser where PyYAML was built with it: several times faster, same marks.
    base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader: type[yaml.SafeLoader] = type("_LineLoader", (base,), {})
    loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
    loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_list)
    return loader


def load_yaml(path: Path, shown: str) -> YamlMap:
    """Load a YAML file whose top level is a mapping; errors name ``shown`` and the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise MappingError(shown, None, "no such file") from e
    except (OSError, UnicodeDecodeError) as e:
        raise MappingError(shown, None, f"cannot read the file ({e})") from e
    import yaml

    loader = _line_loader()(text)
    loader.name = shown
    try:
        document = loader.get_single_data()
    except yaml.MarkedYAMLError as e:
        index = problem_index(e)
        line = None if index is None else index + 1
        raise MappingError(shown, line, f"not valid YAML ({e.problem})") from e
    except yaml.YAMLError as e:
        raise MappingError(shown, None, f"not valid YAML ({e})") from e
    finally:
        loader.dispose()
    if not isinstance(document, YamlMap):
        raise MappingError(shown, 1, "expected a mapping at the top level")
    return document


def problem_index(error: yaml.MarkedYAMLError) -> int | None:
    """Return the 0-based line of the text where PyYAML found the problem, if it says."""
    mark = error.problem_mark or error.context_mark
    return None if mark is None else int(mark.line)


def check_keys(
    node: YamlMap, shown: str, required: set[str], optional: frozenset[str] = frozenset()
) -> None:
    """Reject unknown keys and report missing ones, with the line of the mapping."""
    for key in node:
        if key not in required | optional:
            allowed = ", ".join(sorted(required | optional))
            raise MappingError(
                shown, node.key_lines[key], f"unknown key '{key}' (expected one of: {allowed})"
            )
    for key in sorted(required - node.keys()):
        raise MappingError(shown, node.line, f"missing key '{key}'")
