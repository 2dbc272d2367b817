"""Which accounts a console page shows: one fund product, or every one (docs/accounts.md).

The choice comes from `?account=NAME` (or `?account=all`) and is remembered in a cookie
while the trader moves between pages. An unknown name in the query or a form is the
trader's mistake, said back as a 400 naming it; a remembered name that the settings no
longer hold is simply forgotten.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from errors import Refused
from risk.config import RiskConfig

if TYPE_CHECKING:
    from services.settings import DeskSettings

ALL = "all"
COOKIE = "desk_account"
FIELD = "account"


class UnknownAccount(ValueError, Refused):
    """A query parameter or a form named an account the desk does not have."""

    def __init__(self, name: str, known: Sequence[str]) -> None:
        shown = name[:40] + ("…" if len(name) > 40 else "")
        super().__init__(f"unknown account {shown!r}: the desk has {', '.join(known)}"
                         f" (or {ALL!r} for every account)")
        self.name = name


@dataclass(frozen=True)
class AccountSpec:
    """One account as the console needs it: its name and its own risk settings (ladder)."""

    name: str
    risk: RiskConfig


def account_specs(settings: DeskSettings) -> tuple[AccountSpec, ...]:
    """Every account of the desk, the default first, each with its own risk settings."""
    from services.accounts import account_names

    return tuple(AccountSpec(n, settings.for_account(n).risk) for n in account_names(settings))


def pick(given: str | None, remembered: str | None, names: Sequence[str]) -> str:
    """The account asked for (`ALL` or a name): the query's, else the remembered one,
    else every account (the only one on a single-account desk)."""
    if given is not None and given != "":
        return checked(given, names, allow_all=True)
    if remembered and (remembered in names or remembered == ALL):
        return remembered
    return ALL if len(names) > 1 else names[0]


def checked(name: str, names: Sequence[str], *, allow_all: bool = False) -> str:
    """`name` if the desk has it, else UnknownAccount."""
    if name in names or (allow_all and name == ALL):
        return name
    raise UnknownAccount(name, names)


def shown(choice: str, names: Sequence[str]) -> list[str]:
    """The accounts a page with this choice shows, in the settings' order."""
    return list(names) if choice == ALL else [choice]
