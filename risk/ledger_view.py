"""The ledger JSON (written by the execution service) read defensively into a `Book`.

Shape: `{"account", "cash", "positions": {symbol: {"quantity", "sellable",
"avg_cost"}}, "futures": {symbol: {"short", "avg_price"}}, "options": {symbol: {"long",
"avg_price"}}, "receivables": {symbol|ex-date: net cash}, "at"}`, numbers as strings
("options" is optional: long MO lots, e.g. "MO2403-P-5000.CFFEX"; "receivables" too:
dividends entitled to and not yet paid, negative when the tax on bonus shares exceeds the
cash; "corporate_day" too: the day whose corporate statement the ledger took).
Anything malformed raises `LedgerUnreadable` naming the key and the field, so the
daemon can alert instead of valuing a half-read book.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from errors import StopTrading
from risk.nav import Book, FuturesShort, OptionLong


class LedgerUnreadable(ValueError, StopTrading):
    """The ledger is missing or malformed; the message says where."""


def book_from_ledger(raw: str | None, key: str, account: str) -> Book:
    if raw is None:
        raise LedgerUnreadable(f"{key}: no ledger for account {account!r} yet")
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise LedgerUnreadable(f"{key}: not JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise LedgerUnreadable(f"{key}: expected a JSON object, got {type(data).__name__}")
    positions = {
        symbol: _int(entry, "quantity", f"{key} positions.{symbol}")
        for symbol, entry in _mapping(data, "positions", key).items()
    }
    futures = {s: FuturesShort(s, n, price) for s, n, price in _legs(
        data, key, "futures", "short", "a long futures position; the risk daemon only "
        "models short hedges")}
    options = {s: OptionLong(s, n, price) for s, n, price in _legs(
        data, key, "options", "long", "a short option position; the risk daemon only "
        "models bought puts")}
    due = _mapping(data, "receivables", key)
    receivable = sum((_decimal(due, name, f"{key} receivables") for name in due), Decimal(0))
    return Book(account=account, cash=_decimal(data, "cash", key), positions=positions,
                futures=futures, options=options, receivable=receivable,
                corporate_day=_day(data.get("corporate_day"), f"{key} corporate_day"))


def _day(raw: Any, where: str) -> date | None:
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except (TypeError, ValueError) as exc:
        raise LedgerUnreadable(f"{where}: {raw!r} is not a date") from exc


def _legs(data: dict[str, Any], key: str, section: str, side: str,
          refused: str) -> list[tuple[str, int, Decimal]]:
    """(symbol, lots, average price) of a derivatives section; negative lots refused."""
    legs = []
    for symbol, entry in _mapping(data, section, key).items():
        where = f"{key} {section}.{symbol}"
        lots = _int(entry, side, where)
        if lots < 0:
            raise LedgerUnreadable(f"{where}: {side} {lots} is {refused}")
        legs.append((symbol, lots, _decimal(entry, "avg_price", where)))
    return legs


def _mapping(data: dict[str, Any], name: str, key: str) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise LedgerUnreadable(f"{key}: {name!r} must be an object")
    return value


def _decimal(entry: Any, field: str, where: str) -> Decimal:
    try:
        value = Decimal(str(entry[field]))
    except (KeyError, TypeError, InvalidOperation) as exc:
        raise LedgerUnreadable(f"{where}: {field!r} missing or not a number") from exc
    if not value.is_finite():
        raise LedgerUnreadable(f"{where}: {field!r} is {value}")
    return value


def _int(entry: Any, field: str, where: str) -> int:
    value = _decimal(entry, field, where)
    if value != value.to_integral_value():
        raise LedgerUnreadable(f"{where}: {field!r} {value} is not a whole number")
    return int(value)
