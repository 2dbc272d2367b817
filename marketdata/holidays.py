"""The operator-maintained holiday file (`config/holidays.yaml`).

exchange_calendars knows SSE holidays only up to its last precomputed year. The
operator extends the calendar by listing the closures the exchange announces and by
moving `covered_through` forward; days after it are refused, never guessed.

Two ways to list closures, both read the same way:
- `holidays:` bare dates (hand-listed; no provenance), the original format;
- `years:` one record per year written by `desk calendar add`, with where the list
  came from (`source`), who added it (`by`) and when (`at`). A record with `through`
  is a draft accepted only up to that date: its days are *provisional* until an
  official list for the year (a record without `through`) replaces it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from config.yaml_file import read_yaml_file
from errors import FixConfig


class HolidayFileError(ValueError, FixConfig):
    """The holiday file is missing or malformed; the message names the file and the key."""


class YearRecord(BaseModel):
    """One year's closures as an operator added them, and where they came from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    closures: tuple[date, ...] = ()
    source: str = Field(min_length=1)
    by: str = Field(min_length=1)
    at: datetime
    through: date | None = None  # set: a draft accepted up to here (provisional)

    @field_validator("at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("must be timezone-aware (e.g. 2026-12-01T10:00:00+08:00)")
        return value

    @property
    def provisional(self) -> bool:
        return self.through is not None

    def last_day(self, year: int) -> date:
        return self.through or date(year, 12, 31)


class HolidayFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    covered_through: date | None = None
    holidays: tuple[date, ...] = ()
    years: dict[int, YearRecord] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _records_fit_their_year(self) -> HolidayFile:
        for year, record in self.years.items():
            _check_record(year, record)
        return self

    @model_validator(mode="after")
    def _holidays_within_coverage(self) -> HolidayFile:
        if self.covered_through is None:
            if self.years:
                raise ValueError("years are listed but covered_through is null")
            return self
        late = [d for d in self.closures if d > self.covered_through]
        if late:
            raise ValueError(
                f"holidays {[d.isoformat() for d in late]} fall after covered_through "
                f"{self.covered_through.isoformat()}; move covered_through forward"
            )
        beyond = [y for y, r in self.years.items() if r.last_day(y) > self.covered_through]
        if beyond:
            raise ValueError(f"years {beyond} reach past covered_through "
                             f"{self.covered_through.isoformat()}")
        return self

    @property
    def closures(self) -> tuple[date, ...]:
        """Every closure the file lists, hand-listed or added by year, sorted, once each."""
        days = set(self.holidays)
        for record in self.years.values():
            days.update(record.closures)
        return tuple(sorted(days))

    @property
    def provisional_window(self) -> tuple[date, date] | None:
        """(first, last) day covered only by an accepted draft; None when all is official."""
        windows = [(date(y, 1, 1), r.last_day(y)) for y, r in self.years.items() if r.provisional]
        if not windows:
            return None
        return min(w[0] for w in windows), max(w[1] for w in windows)


def _check_record(year: int, record: YearRecord) -> None:
    where = f"years.{year}"
    outside = [d for d in record.closures if d.year != year]
    if outside:
        raise ValueError(f"{where}: closures {_iso(outside)} are not in {year}")
    weekend = [d for d in record.closures if d.weekday() >= 5]
    if weekend:
        raise ValueError(f"{where}: closures {_iso(weekend)} fall on a weekend "
                         "(weekends never trade; list weekday closures only)")
    if len(set(record.closures)) != len(record.closures):
        raise ValueError(f"{where}: closures list a date twice")
    if record.through is not None:
        if record.through.year != year or record.through == date(year, 12, 31):
            raise ValueError(f"{where}: through {record.through} must be inside {year} "
                             "and before 31 December (a full year is an official list)")
        late = [d for d in record.closures if d > record.through]
        if late:
            raise ValueError(f"{where}: closures {_iso(late)} fall after through {record.through}")


def _iso(days: list[date]) -> list[str]:
    return [d.isoformat() for d in days]


def read_holiday_file(path: Path) -> HolidayFile:
    if not path.is_file():
        raise HolidayFileError(
            f"holiday file {path} not found; create it with 'covered_through:' and "
            "'holidays:' keys (see docs/calendar.md)"
        )
    try:
        raw = read_yaml_file(path) or {}  # strict: a duplicated key or non-UTF-8 text fails
    except yaml.YAMLError as exc:
        raise HolidayFileError(f"holiday file {path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise HolidayFileError(f"holiday file {path}: expected a mapping at the top level")
    try:
        return HolidayFile.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'file'}: {err['msg']}"
            for err in exc.errors()
        )
        raise HolidayFileError(f"holiday file {path}: {problems}") from exc


HEADER = """\
# Operator-maintained SSE/SZSE/BSE/CFFEX holiday file (read by marketdata.calendar).
#
# Written by `desk calendar add` (see deploy/RUNBOOK.md, "A new year"); edit it by hand
# only if that command cannot express the change. Weekends never trade; weekend
# make-up working days (调休) are NOT trading days. Days after `covered_through` are
# refused (CalendarNotCovered), never guessed.
#   holidays:  hand-listed closures (no provenance)
#   years:     closures added per year with source / by / at; `through` marks a draft
#              accepted only up to that date (provisional until the official list)
"""


def dump_holiday_file(content: HolidayFile) -> str:
    """The file's text: the header, then the keys in a fixed order (dates as ISO text)."""
    body: dict[str, Any] = {
        "covered_through": content.covered_through,
        "holidays": list(content.holidays),
    }
    if content.years:
        body["years"] = {year: _record_dict(content.years[year]) for year in sorted(content.years)}
    return HEADER + yaml.dump(body, Dumper=_PlainDumper, sort_keys=False, allow_unicode=True)


class _PlainDumper(yaml.SafeDumper):
    """No `&id001` anchors when two keys hold the same date: the file stays plain to read."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _record_dict(record: YearRecord) -> dict[str, Any]:
    out: dict[str, Any] = {"closures": list(record.closures), "source": record.source,
                           "by": record.by, "at": record.at.isoformat()}
    if record.through is not None:
        out["through"] = record.through
    return out


def next_uncovered_day(content: HolidayFile, library_end: date) -> date:
    """The first day neither the library nor the file covers."""
    end = max(content.covered_through or library_end, library_end)
    return end + timedelta(days=1)
