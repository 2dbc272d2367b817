"""The replay's option chain file (`desk risk replay --options FILE`), read as hostile input.

CSV, UTF-8, a header line, one row per contract and day:

| column | required | what |
|---|---|---|
| `date` | yes | trade date, YYYY-MM-DD |
| `symbol` | yes | MO option, `MO2403-P-5000.CFFEX` or `MO2403-P-5000` |
| `bid`, `ask` | yes | the day's closing quotes, index points, 0 <= bid <= ask, ask > 0 |
| `settle` | yes | the settlement price, index points, > 0 (marks held puts) |
| `iv` | no | implied volatility as a fraction (0.25); else implied from `settle` |

Calls are read and checked but not used (the hedge buys puts). Anything else is refused
with the file, the line and the column: a missing column, a date or number that does not
parse, a negative or non-finite price, bid above ask, a symbol that is not an MO option,
the same contract twice on a day, a line longer than 1,000 characters, more than
2,000,000 rows.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from exchange.options import InvalidOptionSymbol, OptionContract, parse_option_symbol
from risk.replay_io import ReplayInputError

REQUIRED = ("date", "symbol", "bid", "ask", "settle")
MAX_ROWS = 2_000_000
MAX_LINE = 1_000


@dataclass(frozen=True)
class ChainRow:
    day: date
    contract: OptionContract
    bid: Decimal
    ask: Decimal
    settle: Decimal
    iv: float | None
    line: int  # in the file, for messages later on

    @property
    def symbol(self) -> str:
        return self.contract.vt_symbol


def read_chain(path: Path) -> list[ChainRow]:
    if not path.exists():
        raise ReplayInputError(f"{path}: no such file")
    if path.suffix.lower() not in (".csv", ".txt"):
        raise ReplayInputError(f"{path}: the option chain must be a .csv file")
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return _rows(path, handle)
    except UnicodeDecodeError as exc:
        raise ReplayInputError(f"{path}: not UTF-8 text ({exc.reason} at byte "
                               f"{exc.start})") from None
    except csv.Error as exc:
        raise ReplayInputError(f"{path}: not CSV ({exc})") from None


def _rows(path: Path, handle: object) -> list[ChainRow]:
    reader = csv.reader(handle)  # type: ignore[arg-type]
    header = next(reader, None)
    if header is None:
        raise ReplayInputError(f"{path}: empty file; expected a header {','.join(REQUIRED)}[,iv]")
    names = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise ReplayInputError(f"{path}:1: missing column(s) {missing}; have {names[:12]}")
    where = {name: names.index(name) for name in (*REQUIRED, "iv") if name in names}
    rows: list[ChainRow] = []
    seen: dict[tuple[date, str], int] = {}
    for fields in reader:
        line = reader.line_num
        if len(rows) >= MAX_ROWS:
            raise ReplayInputError(f"{path}:{line}: more than {MAX_ROWS:,} rows")
        if not fields or all(not f.strip() for f in fields):
            continue
        if sum(len(f) for f in fields) > MAX_LINE:
            raise ReplayInputError(f"{path}:{line}: line longer than {MAX_LINE} characters")
        if len(fields) != len(names):
            raise ReplayInputError(f"{path}:{line}: {len(fields)} fields, the header has "
                                   f"{len(names)}")
        row = _row(path, line, fields, where)
        key = (row.day, row.symbol)
        if key in seen:
            raise ReplayInputError(f"{path}:{line}: column 'symbol': {row.symbol} on {row.day} "
                                   f"again (first on line {seen[key]})")
        seen[key] = line
        rows.append(row)
    if not rows:
        raise ReplayInputError(f"{path}: no rows after the header")
    return rows


def _row(path: Path, line: int, fields: list[str], where: dict[str, int]) -> ChainRow:
    def bad(column: str, why: str) -> ReplayInputError:
        shown = fields[where[column]][:40]
        return ReplayInputError(f"{path}:{line}: column {column!r}: {why} (got {shown!r})")

    text = {column: fields[i].strip() for column, i in where.items()}
    try:
        day = date.fromisoformat(text["date"])
    except ValueError:
        raise bad("date", "expected a date YYYY-MM-DD") from None
    try:
        contract = parse_option_symbol(text["symbol"])
    except InvalidOptionSymbol as exc:
        raise bad("symbol", str(exc)) from None
    prices = {}
    for column in ("bid", "ask", "settle"):
        try:
            value = Decimal(text[column])
        except InvalidOperation:
            raise bad(column, "expected a number") from None
        if not value.is_finite() or value < 0 or value > 100_000:
            raise bad(column, "expected a price from 0 to 100,000 index points")
        prices[column] = value
    if prices["ask"] <= 0:
        raise bad("ask", "must be positive")
    if prices["settle"] <= 0:
        raise bad("settle", "must be positive")
    if prices["bid"] > prices["ask"]:
        raise bad("bid", f"above the ask {prices['ask']}")
    return ChainRow(day, contract, prices["bid"], prices["ask"], prices["settle"],
                    _iv(text.get("iv", ""), bad), line)


def _iv(raw: str, bad: object) -> float | None:
    if raw == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        raise bad("iv", "expected a number") from None  # type: ignore[operator]
    if not math.isfinite(value) or not 0 < value <= 5:
        raise bad("iv", "expected a volatility from 0 to 5 (a fraction: 0.25 = 25%)")  # type: ignore[operator]
    return value
