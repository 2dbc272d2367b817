"""The one root of the desk's errors, grouped by what the operator must do.

Every exception the desk raises derives from one of the groups below, beside its
built-in base (`class LedgerUnreadable(ValueError, StopTrading)`), so `except
ValueError` still catches it and `except StopTrading` catches every error that
means the same thing to the operator. This package imports nothing of the desk: it
is the lowest floor (docs/architecture.md), and `tests/unit/test_errors.py` fails on
an exception class that does not derive from `DeskError`.
"""

from __future__ import annotations

__all__ = ["DeskError", "FixConfig", "FixData", "Refused", "RetryLater", "StopTrading"]


class DeskError(Exception):
    """Base of every desk error. Catch a group below, not this, to decide what to do."""


class RetryLater(DeskError):
    """Something the desk needs is not there yet or went away (the broker, a session).

    The operator waits, or brings the missing part up, and runs the same step again;
    nothing needs fixing in the desk's files.
    """


class FixConfig(DeskError):
    """The settings, a shipped file (holidays, gateways) or the installation is wrong.

    The operator corrects the file or the setting the message names and starts the
    step again; retrying unchanged gives the same error.
    """


class FixData(DeskError):
    """Market data, an input file or a message is missing or malformed.

    The operator repairs or re-imports the data the message names (file, row, key,
    symbol) and runs the step again; the settings are fine.
    """


class StopTrading(DeskError):
    """The desk's own books cannot be trusted, or a check of the whole desk failed.

    The operator stops sending orders (no approvals, no hedges by hand on the desk's
    figures), finds the cause in the logs and the message, and reconciles with the
    broker before trading again.
    """


class Refused(DeskError):
    """The desk said no to a request, as designed (a state, a role, a rule).

    Nothing is broken: the operator reads the reason and changes the request or leaves
    it.
    """
