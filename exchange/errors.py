"""Errors of the rules package. Each message names the input and why it is refused."""

from __future__ import annotations

from errors import FixData


class RulesError(ValueError, FixData):
    """Base class: the caller passed something the rules cannot answer for."""


class UnknownSecurity(RulesError):
    """The code matches no prefix the desk knows (or is malformed)."""


class UnsupportedSecurity(RulesError):
    """A known kind of security that the desk does not trade (e.g. B-shares)."""


class RuleNotModelled(RulesError):
    """No rule in the dated tables covers this case (e.g. a date before a table starts)."""
