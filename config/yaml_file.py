"""The one way the desk reads a YAML file: safe tags only, UTF-8 only, no duplicate keys.

PyYAML's own loaders let a repeated key silently win (`mode: paper` ... `mode:
production`), which in a settings file is a trap. Every YAML reader of the desk (the
settings, the holiday file) goes through `read_yaml_file`, and every problem comes back
as one `YamlFileError` sentence; the caller adds the file name ("FILE: not valid YAML:
duplicate key 'mode' at line 3 (first at line 1)").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node

from errors import FixConfig


class YamlFileError(yaml.YAMLError, FixConfig):
    """A YAML file cannot be read; the message is one sentence without the file name."""


class StrictSafeLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key repeated within one mapping."""

    def construct_mapping(self, node: Node, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, MappingNode):
            _refuse_duplicates(self, node)
        return super().construct_mapping(node, deep=deep)  # type: ignore[arg-type]


def _refuse_duplicates(loader: StrictSafeLoader, node: MappingNode) -> None:
    first_line: dict[Any, int] = {}
    for key_node, _value in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=True)  # type: ignore[no-untyped-call]
        try:
            hash(key)
        except TypeError:
            continue  # SafeLoader itself reports an unhashable key
        line = key_node.start_mark.line + 1
        if key in first_line:
            raise YamlFileError(f"duplicate key {key!r} at line {line} "
                                f"(first at line {first_line[key]})")
        first_line[key] = line


def parse_yaml(text: str) -> Any:
    """Parse YAML text strictly; raise YamlFileError with a one-line reason."""
    try:
        return yaml.load(text, Loader=StrictSafeLoader)  # noqa: S506 - a SafeLoader subclass
    except YamlFileError:
        raise
    except yaml.MarkedYAMLError as exc:
        raise YamlFileError(_describe(exc)) from None
    except yaml.YAMLError as exc:
        raise YamlFileError(" ".join(str(exc).split())) from None


def read_yaml_file(path: Path) -> Any:
    """The parsed content of `path` (None for an empty file)."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = exc.object[exc.start : exc.start + 1].hex()
        raise YamlFileError(f"not UTF-8 text (byte 0x{bad} at offset {exc.start})") from None
    return parse_yaml(text)


def _describe(exc: yaml.MarkedYAMLError) -> str:
    mark = exc.problem_mark or exc.context_mark
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    what = " ".join(str(exc.problem or exc.context or "unreadable").split())
    if isinstance(exc, ConstructorError):
        return f"{what} (only plain YAML values are allowed){where}"
    return f"{what}{where}"
