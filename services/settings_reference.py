"""Write docs/config.md from the settings models, so the reference cannot drift.

`python -m services.settings_reference > docs/config.md`; a test checks the file is current.
"""

from __future__ import annotations

import functools
import inspect
import re
import sys
import types
import typing
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from services.settings import DeskSettings

FIELD_LINE = re.compile(r"^([a-z_][a-z0-9_]*)\s*:[^#]*(?:#\s*(.*))?$")

HEADER = """# Configuration reference

Generated from the settings models by `python -m services.settings_reference` (a test fails when
this page is out of date). Settings load once at start-up from one YAML file
(`config/paper.yaml` by default; `desk --config FILE` or `DESK_CONFIG`). Unknown keys,
wrong types and missing values stop start-up with the file, the key and what was
expected; so do a key written twice (no silent last-wins), text that is not UTF-8,
negative money, a malformed `redis.url` and a gateway name the gateway factory does not
know (`sim`, `XtpGateway`, `CtpGateway`). Every YAML file of the desk (this one, the
holiday file) is read by `config/yaml_file.py`. Environment overrides: `DESK_DATA_DIR`,
`DESK_REDIS_URL`. Secrets are never in the file: keys ending in `_env` name the
environment variable that holds them.

| key | type | default | meaning |
|---|---|---|---|
"""


def rows(model: type[BaseModel], prefix: str = "") -> Iterator[str]:
    comments = field_comments(model)
    for name, info in model.model_fields.items():
        key = f"{prefix}{name}"
        nested = _model_of(info.annotation)
        note = comments.get(name, "")
        if nested is not None:
            yield f"| `{key}` | section | | {_doc(info, nested, note)} |"
            yield from rows(nested, key + ".")
            continue
        yield (f"| `{key}` | {_type(info.annotation)} | {_default(info)} "
               f"| {_doc(info, None, note)} |")


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _type(annotation: Any) -> str:
    text = str(annotation) if not isinstance(annotation, type) else annotation.__name__
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is not None:
        text = str(annotation)
    for noise in ("typing.", "datetime.", "decimal.", "pathlib.", "pydantic.networks.",
                  "config.", "risk.config.", "strategies.config.", "exchange.config."):
        text = text.replace(noise, "")
    return text.replace("|", "or")


def _default(info: FieldInfo) -> str:
    if info.default is PydanticUndefined and info.default_factory is None:
        return "**required**"
    value = info.default if info.default_factory is None else info.default_factory()  # type: ignore[call-arg]
    if isinstance(value, BaseModel):
        return "(see below)"
    text = repr(value) if not isinstance(value, str) else f"`{value}`"
    text = text.replace("|", "\\|")
    return text if len(text) <= 60 else text[:57] + "..."


def _doc(info: FieldInfo, nested: type[BaseModel] | None, comment: str = "") -> str:
    text = info.description or comment or (nested.__doc__ if nested is not None else "") or ""
    return " ".join(text.split()).replace("|", "\\|")


@functools.cache
def field_comments(model: type[BaseModel]) -> dict[str, str]:
    """The comments written beside or above each field in the model's source."""
    try:
        lines = inspect.getsource(model).splitlines()
    except (OSError, TypeError):
        return {}
    found: dict[str, str] = {}
    above: list[str] = []
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("#"):
            above.append(stripped.lstrip("# "))
            continue
        match = FIELD_LINE.match(stripped)
        if match:
            trailing = match.group(2) or ""
            found[match.group(1)] = " ".join([*above, trailing.strip()]).strip()
        above = []
    return found


def render() -> str:
    return HEADER + "\n".join(rows(DeskSettings)) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
