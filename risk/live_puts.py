"""The MO puts the live daemon can price: every put in the last-prices hash, and those held.

A put's last price stands for its bid and ask (the hash holds one price per symbol), so
the premium shown is at the last price; delta comes from the volatility implied by it
(`risk.replay_options.put_quotes`, Black-76 with the same-month IM price as forward).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation

from exchange.options import InvalidOptionSymbol, OptionRight, parse_option_symbol
from risk.basis import Quote
from risk.contracts import ExpiryCalendar, ExpiryUnknown, parse_contract
from risk.replay_options import ChainDay, put_quotes
from risk.replay_options_io import ChainRow
from risk.sizing import on_tick

MO_TICK = Decimal("0.2")


def option_prices(raw: Mapping[str, str]) -> dict[str, Decimal]:
    """MO symbols of the last-prices hash with a positive price."""
    out = {}
    for symbol, text in raw.items():
        if "-" not in symbol:
            continue
        try:
            parse_option_symbol(symbol)
            price = Decimal(str(text))
        except (InvalidOptionSymbol, InvalidOperation):
            continue
        if price.is_finite() and price > 0:
            out[symbol] = price
    return out


def live_put_quotes(raw: Mapping[str, str], futures: Sequence[Quote], index: float, day: date,
                    calendar: ExpiryCalendar, rate: float) -> ChainDay:
    rows = []
    for symbol, price in sorted(option_prices(raw).items()):
        contract = parse_option_symbol(symbol)
        if contract.right is not OptionRight.PUT:
            continue
        price = on_tick(price, MO_TICK)
        rows.append(ChainRow(day, contract, price, price, price, None, 0))
    return put_quotes(rows, day, calendar, futures, index, rate, {}, set())


def past_expiry(symbol: str, day: date, calendar: ExpiryCalendar) -> bool:
    """Whether an MO contract's last trading day (its IM month's) is before `day`: the
    exchange has settled it, there is nothing left to trade."""
    contract = parse_option_symbol(symbol)
    try:
        expiry = parse_contract(f"IM{contract.year % 100:02d}{contract.month:02d}.CFFEX",
                                calendar).expiry
    except ExpiryUnknown:
        return False
    return expiry < day
