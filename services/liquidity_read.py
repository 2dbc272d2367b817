"""The liquidity profile's inputs: holdings from the ledger, averages from the store.

Here the desk's definitions meet: ADV is the nightly model's (`strategies.adv`, the
model's `adv_days`, suspended days zero), the participation cap is the execution
service's `execution.algo.max_participation`, the "smallest names" rank on the model's
`universe.mcap_field`. The analytics themselves are pure (`risk.liquidity`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np

from bus import streams
from exchange import contract_multiplier
from marketdata.store import MarketStore
from risk.ledger_view import book_from_ledger
from risk.liquidity import ExitBasis, Holding, LiquidityProfile, liquidity_profile
from risk.market_inputs import positive_price
from risk.nav import Book
from services.settings import DeskSettings
from strategies.adv import average_daily, zero_when_suspended

FIELDS = ["close", "volume", "amount", "suspended", "float_shares"]


@dataclass(frozen=True)
class StoreDay:
    """The store's figures per symbol on its last day (averages over the ADV window)."""

    day: date
    close: dict[str, float]
    adv_volume: dict[str, float]
    adv_amount: dict[str, float]
    volume: dict[str, float]  # that day's volume (for the desk's share of it)
    mcap: dict[str, float]
    float_shares: dict[str, float]
    names: dict[str, str]


def exit_basis(settings: DeskSettings) -> ExitBasis:
    c = settings.model.constraints
    return ExitBasis(participation=float(settings.execution.algo.max_participation),
                     adv_days=c.adv_days, max_adv_share=c.max_adv_share)


def store_day(store: MarketStore, end: date, settings: DeskSettings) -> StoreDay:
    """Averages over the model's ADV window ending at the store's last day on or before `end`."""
    days = [d for d in store.trade_dates() if d <= end]
    if not days:
        raise ValueError(f"store {store.root} holds no trade date on or before {end}")
    window = settings.model.constraints.adv_days
    mcap_field = settings.model.universe.mcap_field
    panel = store.load_panel(days[-1], min(window, len(days)), [*FIELDS, mcap_field])
    halted = panel["suspended"].to_numpy(dtype=np.float64, na_value=np.nan)
    symbols = [str(s) for s in panel.symbols]

    def last(name: str) -> dict[str, float]:
        return dict(zip(symbols, panel[name].ffill().iloc[-1].astype(float), strict=True))

    def mean(name: str) -> dict[str, float]:
        values = zero_when_suspended(panel[name].to_numpy(dtype=np.float64, na_value=np.nan),
                                     halted)
        avg = average_daily(values, window, f"{name} (millions)")[-1] if len(days) >= window \
            else np.full(len(symbols), np.nan)  # a window the store cannot fill: unknown
        return dict(zip(symbols, avg.astype(float), strict=True))

    names = panel.instruments["name"]
    return StoreDay(days[-1], last("close"), mean("volume"), mean("amount"),
                    dict(zip(symbols, panel["volume"].iloc[-1].astype(float), strict=True)),
                    last(mcap_field), last("float_shares"),
                    {s: str(names.get(s, "")) for s in symbols})


def read_book(client: Any, account: str) -> Book:
    """The execution ledger as the risk daemon reads it (`LedgerUnreadable` names the field)."""
    key = streams.LEDGER.format(account=account)
    raw = client.get(key)
    return book_from_ledger(None if raw is None else str(raw), key, account)


def holdings(book: Book, sd: StoreDay) -> list[Holding]:
    out = []
    for symbol, qty in sorted(book.positions.items()):
        if qty <= 0:
            continue
        out.append(Holding(symbol, sd.names.get(symbol, ""), qty, sd.close.get(symbol, math.nan),
                           sd.adv_volume.get(symbol, math.nan), sd.adv_amount.get(symbol, math.nan),
                           sd.mcap.get(symbol, math.nan), sd.float_shares.get(symbol, math.nan)))
    return out


def book_nav(book: Book, held: list[Holding], last_prices: Mapping[str, str]) -> float:
    """Cash + stocks at the store's close + futures P&L and options at their last price.

    A contract without a last price counts at its average price (no P&L): the profile
    is about the stocks, a missing futures quote must not hide it.
    """
    nav = float(book.cash) + sum(h.value for h in held if math.isfinite(h.price))
    for f in book.futures.values():
        price = positive_price(last_prices.get(f.symbol)) or f.avg_price
        nav += float((f.avg_price - price) * f.lots * contract_multiplier(f.symbol))
    for o in book.options.values():
        mark = positive_price(last_prices.get(o.symbol)) or Decimal(0)
        nav += float(mark * o.lots * contract_multiplier(o.symbol))
    return nav


def read_profile(client: Any, store: MarketStore, settings: DeskSettings,
                 end: date) -> tuple[LiquidityProfile, StoreDay]:
    """The profile of the ledger's holdings now, on the store's averages up to `end`."""
    account = settings.risk.account
    book = read_book(client, account)
    sd = store_day(store, end, settings)
    held = holdings(book, sd)
    missing = [h.symbol for h in held if not math.isfinite(h.price)]
    if missing:
        raise ValueError(f"no close in the store for held {', '.join(missing)} up to {sd.day}")
    last: dict[str, str] = client.hgetall(streams.LAST_PRICES) or {}
    nav = book_nav(book, held, last)
    return liquidity_profile(sd.day, account, held, nav, exit_basis(settings),
                             settings.risk.liquidity), sd
