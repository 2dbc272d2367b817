"""Every exception class of the desk derives from `errors.DeskError`, through one group.

The classes are found from the source (an `ast` walk: a class is an exception when a
base is a built-in exception or another exception class of the tree), then imported
to check the real class, so an import alias cannot hide one.
"""

from __future__ import annotations

import ast
import builtins
import importlib
from pathlib import Path

import pytest

import errors
from errors import DeskError, FixConfig, FixData, Refused, RetryLater, StopTrading

ROOT = Path(__file__).resolve().parents[2]
GROUPS = (RetryLater, FixConfig, FixData, StopTrading, Refused)
BUILTIN_EXCEPTIONS = {name for name, value in vars(builtins).items()
                      if isinstance(value, type) and issubclass(value, BaseException)}
# Not errors: signals that must pass `except Exception`, so they stay BaseException.
NOT_ERRORS = {"services.runtime.StopNow"}


def packages() -> list[str]:
    return sorted(p.parent.name for p in ROOT.glob("*/__init__.py"))


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def exception_classes() -> list[tuple[str, str]]:
    """(module, class name) of every exception class defined in the source tree."""
    defined: list[tuple[str, str, list[str]]] = []
    for package in packages():
        if package == "tests":
            continue
        for path in sorted(p for p in (ROOT / package).rglob("*.py") if ".venv" not in p.parts):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef):
                    bases = [ast.unparse(b).split(".")[-1] for b in node.bases]
                    defined.append((module_name(path), node.name, bases))
    known = set(BUILTIN_EXCEPTIONS) | {"DeskError", *(g.__name__ for g in GROUPS)}
    found: dict[tuple[str, str], None] = {}
    grew = True
    while grew:  # a subclass of a desk exception is one too, wherever it is defined
        grew = False
        for module, name, bases in defined:
            if (module, name) not in found and known & set(bases):
                found[(module, name)] = None
                known.add(name)
                grew = True
    return sorted(key for key in found if key[0] != "errors")


def test_the_walk_finds_the_desk_exceptions() -> None:
    found = {f"{m}.{n}" for m, n in exception_classes()}
    assert len(found) >= 30
    assert {"services.settings_loader.ConfigError", "marketdata.errors.MissingData",
            "risk.ledger_view.LedgerUnreadable", "services.runtime.StopNow"} <= found


@pytest.mark.parametrize(("module", "name"), exception_classes())
def test_every_exception_derives_from_desk_error(module: str, name: str) -> None:
    cls = getattr(importlib.import_module(module), name, None)
    assert isinstance(cls, type), f"{module}.{name}: define exceptions at module level"
    if f"{module}.{name}" in NOT_ERRORS:
        assert not issubclass(cls, Exception), f"{module}.{name} is a signal, not an error"
        return
    assert issubclass(cls, DeskError), (
        f"{module}.{name} does not derive from errors.DeskError: add the group that says "
        "what the operator does (RetryLater, FixConfig, FixData, StopTrading, Refused) "
        "as an extra base, after its built-in one")
    groups = [g.__name__ for g in GROUPS if issubclass(cls, g)]
    assert len(groups) == 1, f"{module}.{name} is in {groups}: one group per error"


def test_groups_say_what_the_operator_does() -> None:
    for group in GROUPS:
        assert group.__bases__ == (DeskError,)
        assert group.__doc__ and "operator" in group.__doc__, group.__name__
    assert set(errors.__all__) == {"DeskError", *(g.__name__ for g in GROUPS)}


def test_built_in_bases_still_catch() -> None:
    """`except ValueError` keeps catching what it caught before the groups."""
    from marketdata.errors import MissingData
    from risk.ledger_view import LedgerUnreadable
    from risk.nav import MissingPrice

    with pytest.raises(ValueError, match="ledger"):
        raise LedgerUnreadable("ledger: not JSON")
    with pytest.raises(LookupError):
        raise MissingData("no bars")
    with pytest.raises(KeyError) as caught:
        raise MissingPrice("no price for 600000.SSE")
    assert str(caught.value) == "no price for 600000.SSE"
    assert isinstance(caught.value, FixData)
