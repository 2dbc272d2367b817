"""Errors and findings of the market-data layer; each names the input and why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from errors import FixData


class MarketDataError(FixData):
    """Base class of the errors raised by `marketdata`."""


class MissingData(MarketDataError, LookupError):
    """The store does not hold what was asked for; the message says what is missing."""


class StoreCorrupt(MarketDataError):
    """A store file is missing or unreadable; the message names the file."""


class Severity(StrEnum):
    ERROR = "error"  # the data is not fit to trade on
    WARNING = "warning"  # worth a look; trading can go on


@dataclass(frozen=True)
class DataProblem:
    """One finding of an import validation or a store check."""

    severity: Severity
    kind: str  # short machine-readable name, e.g. "duplicate_row"
    message: str
    file: str | None = None
    row: int | None = None  # 1-based data row in `file` (the header is row 0)
    field: str | None = None
    symbol: str | None = None
    day: date | None = None

    def __str__(self) -> str:
        row = None if self.row is None else f"row {self.row}"
        where = ":".join(p for p in (self.file, row) if p)
        what = ", ".join(
            p for p in (
                self.day.isoformat() if self.day else None,
                self.symbol,
                f"field {self.field!r}" if self.field else None,
            ) if p
        )
        location = " ".join(p for p in (where, f"({what})" if what else "") if p)
        return f"{self.severity.value} [{self.kind}] {location}: {self.message}".replace(" :", ":")


class ImportRejected(MarketDataError):
    """An import found errors; nothing was written to the store."""

    def __init__(self, source: str, problems: list[DataProblem]) -> None:
        self.source = source
        self.problems = problems
        errors = [p for p in problems if p.severity is Severity.ERROR]
        shown = "\n  ".join(str(p) for p in errors[:20])
        more = f"\n  ... and {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(
            f"import of {source} rejected, store left unchanged; {len(errors)} error(s):\n  "
            f"{shown}{more}"
        )


def errors_in(problems: list[DataProblem]) -> list[DataProblem]:
    return [p for p in problems if p.severity is Severity.ERROR]
