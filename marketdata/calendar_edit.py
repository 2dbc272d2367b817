"""`desk calendar add`: check a year's closures and write them into the holiday file atomically.

Nothing is written unless every check passes; the file is replaced in one `os.replace`
so a reader sees the old file or the new one, never half of either.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from errors import FixConfig
from marketdata.clock import require_aware
from marketdata.holidays import (
    HolidayFile,
    YearRecord,
    dump_holiday_file,
    next_uncovered_day,
    read_holiday_file,
)

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class CalendarEditError(ValueError, FixConfig):
    """The closures or the request are not acceptable; the message names the input and why."""


@dataclass(frozen=True)
class AddRequest:
    year: int
    closures: tuple[date, ...]
    source: str
    by: str
    at: datetime
    through: date | None = None
    replace: bool = False


@dataclass(frozen=True)
class AddResult:
    content: HolidayFile
    replaced: YearRecord | None


def parse_dates(tokens: Iterable[tuple[str, str]]) -> list[date]:
    """(where, text) pairs to dates; a bad one names where it came from."""
    days = []
    for where, text in tokens:
        if not _DATE.match(text):
            raise CalendarEditError(f"{where}: {text!r} is not a date (expected YYYY-MM-DD)")
        try:
            days.append(date.fromisoformat(text))
        except ValueError as exc:
            raise CalendarEditError(f"{where}: {text!r} is not a date: {exc}") from None
    return days


def read_closures(spec: str) -> list[date]:
    """`spec` is a file (one date first on each line; '#' comments, e.g. a saved draft)
    or dates separated by commas or spaces."""
    path = Path(spec)
    if path.is_file():
        return parse_dates(_file_tokens(path))
    if "/" in spec or spec.endswith((".txt", ".yaml", ".yml", ".csv")):
        raise CalendarEditError(f"closures file {spec} not found")
    parts = [p for p in re.split(r"[,\s]+", spec.strip()) if p]
    return parse_dates((f"--closures item {i}", p) for i, p in enumerate(parts, start=1))


def _file_tokens(path: Path) -> list[tuple[str, str]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise CalendarEditError(f"closures file {path}: cannot read it: {exc}") from None
    tokens = []
    for number, line in enumerate(lines, start=1):
        text = line.split("#", 1)[0].strip().lstrip("- ").strip()
        if text:
            tokens.append((f"{path}:{number}", text.split()[0].rstrip(",")))
    return tokens


def check_closures(request: AddRequest, library_end: date, stored: Collection[date]) -> None:
    """Every reason the closures cannot be a closure list for the year, at once."""
    year, days = request.year, request.closures
    problems = []
    if year <= library_end.year:
        problems.append(f"{year} is covered by exchange_calendars (through {library_end}); "
                        "only later years can be added")
    problems += [f"{d} is not in {year}" for d in days if d.year != year]
    problems += [f"{d} is a {d:%A} (weekends never trade; list weekday closures only)"
                 for d in days if d.weekday() >= 5]
    problems += [f"{d} is listed twice" for d in sorted({d for d in days if days.count(d) > 1})]
    problems += [f"{d} is on or before the library's end {library_end}"
                 for d in days if d.year == year and d <= library_end]
    problems += [f"{d}: the market store holds trading data for it" for d in days if d in stored]
    if request.through is not None:
        problems += _through_problems(request)
    elif not days:
        problems.append("an official list needs at least one closure")
    if problems:
        raise CalendarEditError(f"closures for {year} refused, nothing written: "
                                + "; ".join(problems))


def _through_problems(request: AddRequest) -> list[str]:
    through, year = request.through, request.year
    assert through is not None
    if through.year != year or through == date(year, 12, 31):
        return [f"--through {through} must be inside {year} and before 31 December "
                "(for the whole year, add the official list without --through)"]
    return [f"{d} is after --through {through}" for d in request.closures if d > through]


def apply_add(current: HolidayFile, request: AddRequest, library_end: date) -> AddResult:
    """The file content once `request` is added (checks coverage continuity and replacement)."""
    year, through = request.year, request.through
    first_gap = next_uncovered_day(current, library_end)
    if date(year, 1, 1) > first_gap:
        raise CalendarEditError(f"the calendar ends {first_gap - timedelta(days=1)}: cover "
                                f"{first_gap} to {date(year - 1, 12, 31)} first (add "
                                f"{first_gap.year}); a year cannot be added past a gap")
    old = current.years.get(year)
    _check_replacement(old, request, current, library_end)
    at = require_aware(request.at, "calendar add time").replace(microsecond=0)
    record = YearRecord(closures=tuple(sorted(request.closures)), source=request.source,
                        by=request.by, at=at, through=through)
    end = date(year, 12, 31) if through is None else through
    covered = max(current.covered_through or library_end, end) if through is None else end
    content = HolidayFile(covered_through=covered, holidays=current.holidays,
                          years={**current.years, year: record})
    return AddResult(content, old)


def _check_replacement(old: YearRecord | None, request: AddRequest, current: HolidayFile,
                       library_end: date) -> None:
    year, through = request.year, request.through
    covered = current.covered_through or library_end
    if through is not None:
        if old is not None and not old.provisional:
            raise CalendarEditError(f"{year} already has an official list (added by {old.by} "
                                    f"at {old.at}); a draft cannot replace it")
        if covered > through:
            raise CalendarEditError(f"--through {through} would shrink the calendar, which "
                                    f"covers through {covered}")
        return
    if old is not None and not old.provisional and not request.replace:
        raise CalendarEditError(f"{year} already has an official list (added by {old.by} at "
                                f"{old.at}, source {old.source!r}); pass --replace to correct it")
    if covered > date(year, 12, 31) and old is None:
        raise CalendarEditError(f"{year} is already covered (through {covered})")


def write_atomically(path: Path, text: str) -> None:
    """Temp file in the same directory, fsync, os.replace, fsync the directory."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def add_year(path: Path, request: AddRequest, library_end: date,
             stored: Collection[date]) -> AddResult:
    """Check `request` against the file at `path` and the store, then write the new file."""
    check_closures(request, library_end, stored)
    result = apply_add(read_holiday_file(path), request, library_end)
    text = dump_holiday_file(result.content)
    _parses_back(text, result.content)
    write_atomically(path, text)
    return result


def _parses_back(text: str, content: HolidayFile) -> None:
    """The text reads back as `content` (a serialisation bug must never reach the desk)."""
    import yaml

    if HolidayFile.model_validate(yaml.safe_load(text)) != content:
        raise CalendarEditError("internal error: the holiday file would not read back as "
                                "written; nothing written")
