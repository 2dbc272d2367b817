"""The book each nightly run started from, kept per signal date for the parity check.

`desk parity` re-runs the model offline on the same data and this same book and must
get the batch the desk published; any difference is a defect (docs/backtest.md).
Kept in Redis (`desk:scheduler:books`, signal date -> JSON), bounded like the end of
day's day hashes: each write keeps the newest `RETAIN_DAYS` signal dates.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import redis

from bus.streams import PREFIX
from errors import FixData
from strategies.portfolio_state import Book, Holding

BOOKS = f"{PREFIX}:scheduler:books"  # hash signal date -> JSON RecordedBook
RETAIN_DAYS = 1250  # about five years of trading days, as the end of day keeps
MAX_HOLDINGS = 20_000  # more than any market has stocks: a larger entry is not ours


class RecordedBookUnreadable(ValueError, FixData):
    """A recorded book entry that is not one; the message names it and why."""


@dataclass(frozen=True)
class RecordedBook:
    signal_date: date
    trade_date: date
    book: Book

    def to_json(self) -> str:
        holdings = {s: {"quantity": h.quantity, "sellable": h.sellable,
                        "holding_days": h.holding_days}
                    for s, h in sorted(self.book.holdings.items())}
        return json.dumps({"signal_date": self.signal_date.isoformat(),
                           "trade_date": self.trade_date.isoformat(),
                           "cash": str(self.book.cash), "holdings": holdings})

    @classmethod
    def from_json(cls, text: str, where: str) -> RecordedBook:
        try:
            row = json.loads(text)
            if not isinstance(row, dict):
                raise TypeError("not an object")
            holdings = row["holdings"]
            if not isinstance(holdings, dict) or len(holdings) > MAX_HOLDINGS:
                raise TypeError("holdings: not an object of at most "
                                f"{MAX_HOLDINGS} positions")
            book = Book(cash=_cash(row["cash"]),
                        holdings={str(s): _holding(str(s), h) for s, h in holdings.items()})
            return cls(date.fromisoformat(row["signal_date"]),
                       date.fromisoformat(row["trade_date"]), book)
        except (KeyError, ValueError, TypeError, InvalidOperation) as exc:
            raise RecordedBookUnreadable(
                f"{where}: not a recorded book ({exc!r}): {text[:200]}") from exc


def _cash(value: Any) -> Decimal:
    if not isinstance(value, str):
        raise TypeError(f"cash {value!r}: expected a decimal string")
    cash = Decimal(value)
    if not cash.is_finite():
        raise ValueError(f"cash {value!r}: not a finite amount")
    return cash


def _count(value: Any, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} {value!r}: expected a whole number")
    return value


def _holding(symbol: str, raw: Any) -> Holding:
    if not isinstance(raw, dict):
        raise TypeError(f"holding {symbol}: not an object")
    return Holding(symbol=symbol, quantity=_count(raw["quantity"], f"{symbol} quantity"),
                   sellable=_count(raw["sellable"], f"{symbol} sellable"),
                   holding_days=_count(raw["holding_days"], f"{symbol} holding_days"))


def record_book(client: redis.Redis, signal_date: date, trade_date: date, book: Book) -> None:
    """Store (or replace) the book of `signal_date`, then keep the newest RETAIN_DAYS."""
    entry = RecordedBook(signal_date, trade_date, book)
    client.hset(BOOKS, signal_date.isoformat(), entry.to_json())
    fields = sorted(_text(f) for f in client.hkeys(BOOKS))  # type: ignore[union-attr]
    if len(fields) > RETAIN_DAYS:
        client.hdel(BOOKS, *fields[:-RETAIN_DAYS])


def read_books(client: redis.Redis, start: date | None = None,
               end: date | None = None) -> tuple[dict[date, RecordedBook], list[str]]:
    """The readable books by signal date (within [start, end] when given), and one
    line per unreadable entry: it is named and left out, never a crash."""
    raw: dict[Any, Any] = client.hgetall(BOOKS)  # type: ignore[assignment]
    found: dict[date, RecordedBook] = {}
    errors: list[str] = []
    for field in sorted(_text(f) for f in raw):
        text = _text(raw.get(field, raw.get(field.encode())))
        try:
            entry = RecordedBook.from_json(text, f"{BOOKS} {field[:40]}")
        except RecordedBookUnreadable as exc:
            errors.append(str(exc))
            continue
        if entry.signal_date.isoformat() != field:
            errors.append(f"{BOOKS} {field[:40]}: holds the book of {entry.signal_date}")
            continue
        if (start is None or entry.signal_date >= start) and \
                (end is None or entry.signal_date <= end):
            found[entry.signal_date] = entry
    return found, errors


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return "" if value is None else str(value)
