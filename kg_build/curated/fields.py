"""Typed fields of a curated YAML mapping: a field of the wrong type is an error at its line."""

from __future__ import annotations

import re

from kg_build.errors import MappingError
from kg_build.yaml_source import YamlList, YamlMap


def mapping_field(node: YamlMap, key: str, shown: str) -> YamlMap:
    """Return ``node[key]``, a mapping."""
    value = node[key]
    if not isinstance(value, YamlMap):
        raise MappingError(shown, node.key_lines[key], f"'{key}' must be a mapping")
    return value


def list_field(node: YamlMap, key: str, shown: str) -> YamlList:
    """Return ``node[key]``, a list."""
    value = node[key]
    if not isinstance(value, YamlList):
        raise MappingError(shown, node.key_lines[key], f"'{key}' must be a list")
    return value


def string_field(node: YamlMap, key: str, shown: str) -> str:
    """Return ``node[key]``, a string."""
    value = node[key]
    if not isinstance(value, str):
        raise MappingError(shown, node.key_lines[key], f"'{key}' must be a string")
    return value


def strings_field(node: YamlMap, key: str, shown: str) -> tuple[str, ...]:
    """Return ``node[key]``, a list of strings."""
    values = list_field(node, key, shown)
    if not all(isinstance(v, str) for v in values):
        raise MappingError(shown, values.line, f"'{key}' must be a list of strings")
    return tuple(values)


def string_map_field(node: YamlMap, key: str, shown: str) -> dict[str, str]:
    """Return ``node[key]``, a mapping of strings to strings."""
    mapping = mapping_field(node, key, shown)
    for k, v in mapping.items():
        if not isinstance(v, str):
            raise MappingError(shown, mapping.key_lines[k], f"'{key}.{k}' must be a string")
    return dict(mapping)


def count_field(node: YamlMap, key: str, shown: str) -> int:
    """Return ``node[key]``, a whole number of at least 1."""
    value = node[key]
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise MappingError(shown, node.key_lines[key], f"'{key}' must be a positive whole number")
    return value


def pattern_field(node: YamlMap, key: str, shown: str) -> re.Pattern[str]:
    """Return ``node[key]``, a regular expression, compiled."""
    text = string_field(node, key, shown)
    try:
        return re.compile(text)
    except re.error as e:
        raise MappingError(
            shown, node.key_lines[key], f"'{key}' is not a regular expression ({e})"
        ) from e
