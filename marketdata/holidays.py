"""The operator-maintained holiday file (`config/holidays.yaml`).

exchange_calendars knows SSE holidays only up to its last precomputed year. The
operator extends the calendar by listing the closures the exchange announces and by
moving `covered_through` forward; days after it are refused, never guessed.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator


class HolidayFileError(ValueError):
    """The holiday file is missing or malformed; the message names the file and the key."""


class HolidayFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    covered_through: date | None = None
    holidays: tuple[date, ...] = ()

    @model_validator(mode="after")
    def _holidays_within_coverage(self) -> HolidayFile:
        if self.covered_through is None:
            return self
        late = [d for d in self.holidays if d > self.covered_through]
        if late:
            raise ValueError(
                f"holidays {[d.isoformat() for d in late]} fall after covered_through "
                f"{self.covered_through.isoformat()}; move covered_through forward"
            )
        return self


def read_holiday_file(path: Path) -> HolidayFile:
    if not path.is_file():
        raise HolidayFileError(
            f"holiday file {path} not found; create it with 'covered_through:' and "
            "'holidays:' keys (see docs/calendar.md)"
        )
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
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
