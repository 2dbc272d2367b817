"""Small factories shared by the risk tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from marketdata.calendar import TradingCalendar
from risk.basis import Quote
from risk.contracts import Contract, parse_contract


def contract(symbol: str, calendar: TradingCalendar) -> Contract:
    return parse_contract(symbol, calendar)


def quote(symbol: str, price: str, calendar: TradingCalendar, volume: float = 50_000) -> Quote:
    return Quote(parse_contract(symbol, calendar), Decimal(price), volume, volume * 2)


def d(text: str) -> date:
    return date.fromisoformat(text)
