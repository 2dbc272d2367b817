"""The daily NAV series: closing NAV, high-water mark and drawdown, one record per day.

Kept twice, so that losing either copy loses nothing: a Redis hash
(`desk:eod:nav:<account>`, date -> JSON) and `<data_dir>/reports/nav.csv`, rewritten
whole through a temporary file.

One drawdown figure for the whole desk: the mark is the **intraday high-water mark**,
the one the risk daemon keeps (`desk:risk:hwm:<account>`) and the ladder acts on, so
the report's drawdown is the console's and `desk risk status`'s at the close. It is
the highest of the closing NAVs recorded so far and the daemon's mark, when that mark
was set on or before the day recorded (a re-run of a past day cannot use a later
peak). Re-running a day replaces its record; later records are not recomputed.
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import redis

from bus.streams import HWM, PREFIX
from marketdata.clock import EXCHANGE_TZ
from risk.drawdown import HighWaterMark
from risk.nav import NavBreakdown

NAV_SERIES = f"{PREFIX}:eod:nav:{{account}}"  # hash trade date -> JSON NavRecord
COLUMNS = ("day", "account", "nav", "stock_value", "cash", "futures_pnl", "hwm", "drawdown",
           "recorded_at")


@dataclass(frozen=True)
class NavRecord:
    day: date
    account: str
    nav: Decimal
    stock_value: Decimal
    cash: Decimal
    futures_pnl: Decimal
    hwm: Decimal
    drawdown: float  # fraction below the mark
    recorded_at: datetime

    def to_row(self) -> dict[str, str]:
        return {k: (v.isoformat() if isinstance(v, date | datetime) else str(v))
                for k, v in asdict(self).items()}

    @classmethod
    def from_row(cls, row: dict[str, Any], where: str) -> NavRecord:
        try:
            return cls(day=date.fromisoformat(row["day"]), account=row["account"],
                       nav=Decimal(row["nav"]), stock_value=Decimal(row["stock_value"]),
                       cash=Decimal(row["cash"]), futures_pnl=Decimal(row["futures_pnl"]),
                       hwm=Decimal(row["hwm"]), drawdown=float(row["drawdown"]),
                       recorded_at=datetime.fromisoformat(row["recorded_at"]))
        except (KeyError, ValueError, ArithmeticError) as exc:
            raise ValueError(f"{where}: not a NAV record ({exc!r}): {row}") from exc


class NavSeries:
    def __init__(self, client: redis.Redis, account: str, csv_path: Path) -> None:
        self.client, self.account, self.csv_path = client, account, csv_path
        self.key = NAV_SERIES.format(account=account)
        self.errors: list[str] = []  # unreadable Redis entries, of the last read
        self.csv_errors: list[str] = []  # unreadable CSV rows (left out of the next rewrite)

    def records(self) -> list[NavRecord]:
        """Every recorded day, oldest first: Redis, completed from the CSV file. An
        unreadable entry is left out and named in `self.errors` (the report shows it)."""
        self.csv_errors = []
        found = {r.day: r for r in self._from_csv()}
        stored, self.errors = read_stored(self.client, self.account)
        found.update({r.day: r for r in stored})
        return [found[d] for d in sorted(found)]

    def record(self, day: date, nav: NavBreakdown, now: datetime) -> NavRecord:
        """Record `day`'s closing NAV with the mark and drawdown; returns the record."""
        earlier = [r for r in self.records() if r.day < day]
        mark = HighWaterMark(nav.nav, now)
        if earlier:
            mark = HighWaterMark(max(r.hwm for r in earlier), earlier[-1].recorded_at)
        mark = mark.advanced(nav.nav, now)
        intraday = self._intraday_mark(day)
        if intraday is not None and intraday.value > mark.value:
            mark = intraday
        record = NavRecord(day, self.account, nav.nav, nav.stock_value, nav.cash,
                           nav.futures_pnl, mark.value, mark.drawdown(nav.nav), now)
        self.client.hset(self.key, day.isoformat(), json.dumps(record.to_row()))
        self._write_csv([*(r for r in self.records() if r.day != day), record])
        return record

    def _intraday_mark(self, day: date) -> HighWaterMark | None:
        """The risk daemon's mark, if it was set by the end of `day`; an unreadable one
        is left out (the daemon alerts on it) rather than stopping the end of day."""
        raw = self.client.get(HWM.format(account=self.account))
        if not raw:
            return None
        try:
            mark = HighWaterMark.from_json(str(raw), HWM.format(account=self.account))
        except ValueError:
            return None
        return mark if mark.at.astimezone(EXCHANGE_TZ).date() <= day else None

    def _from_csv(self) -> list[NavRecord]:
        if not self.csv_path.exists():
            return []
        with self.csv_path.open(newline="") as handle:
            rows = [(n, row) for n, row in enumerate(csv.DictReader(handle), start=2)
                    if row.get("account") == self.account]
        return _readable([(row, f"{self.csv_path} line {n}") for n, row in rows],
                         self.csv_errors)

    def _write_csv(self, records: list[NavRecord]) -> None:
        """All accounts' rows, this account's replaced; atomically (temp file + rename)."""
        others: list[dict[str, str]] = []
        if self.csv_path.exists():
            with self.csv_path.open(newline="") as handle:
                others = [r for r in csv.DictReader(handle) if r.get("account") != self.account]
        rows = sorted([*others, *(r.to_row() for r in records)],
                      key=lambda r: (r["day"], r["account"]))
        self.csv_path.parent.mkdir(parents=True, exist_ok=True)
        temp = self.csv_path.with_suffix(".csv.tmp")
        with temp.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
            handle.flush()
            os.fsync(handle.fileno())
        temp.replace(self.csv_path)


def stored_records(client: redis.Redis, account: str) -> list[NavRecord]:
    """The readable records in Redis alone, oldest first (the console has no report
    files); `read_stored` also names the unreadable ones."""
    return read_stored(client, account)[0]


def read_stored(client: redis.Redis, account: str) -> tuple[list[NavRecord], list[str]]:
    """The records in Redis, oldest first, and one error line per unreadable entry."""
    key = NAV_SERIES.format(account=account)
    raw: dict[str, str] = client.hgetall(key)  # type: ignore[assignment]
    errors: list[str] = []
    rows = []
    for day, text in raw.items():
        try:
            rows.append((json.loads(text), f"{key} {day}"))
        except json.JSONDecodeError as exc:
            errors.append(f"{key} {day}: not JSON ({exc}): {text[:200]}")
    found = _readable(rows, errors)
    return sorted(found, key=lambda r: r.day), errors


def _readable(rows: list[tuple[Any, str]], errors: list[str]) -> list[NavRecord]:
    found = []
    for row, where in rows:
        try:
            if not isinstance(row, dict):
                raise ValueError(f"{where}: not a NAV record (not an object): {row!r:.200}")
            found.append(NavRecord.from_row(row, where))
        except ValueError as exc:
            errors.append(str(exc))
    return found
