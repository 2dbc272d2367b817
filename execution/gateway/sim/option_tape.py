"""MO options on the simulator's tape: their limits and their day's bars.

Limits are the exchange's: the previous settlement +/- 10% of the CSI 1000's previous
close (`exchange.options.option_limit_prices`). Prices come from the synthetic chain's
surface (`marketdata.option_chain.synthetic_quote`) at the day's index levels: the store
holds index closes only, so the open, high and low of the index are taken from the near
IM contract's bar scaled to the index close, and the day's regime stress from that
contract's annualised discount (`implied_stress`). Minute bars are then derived as for
futures (`marketdata.minute.synthesize_minute_bars`), with the option's multiplier.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pandas as pd

from exchange.instruments import contract_multiplier
from exchange.options import MO_TICK, option_limit_prices, parse_option_symbol
from execution.algos.market import to_price
from execution.gateway.sim.tape import SymbolRef
from marketdata.errors import MissingData
from marketdata.minute import synthesize_minute_bars
from marketdata.option_chain import implied_stress, synthetic_quote
from marketdata.store import MarketStore

LOOKBACK_DAYS = 14
DAY_VOLUME = 3000.0  # lots a day per contract in the simulated market
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class OptionDay:
    """The index and the stress of a day and of the trading day before it."""

    day: date
    prev_day: date
    index_prev: Decimal
    stress_prev: float
    index_open: Decimal
    index_high: Decimal
    index_low: Decimal
    index_close: Decimal
    stress: float


def option_ref(symbol: str, day: date, prev_settle: float,
               index_prev_close: float | Decimal) -> SymbolRef | None:
    """The day's reference and limits of an option from its previous settlement."""
    reference = to_price(prev_settle, MO_TICK)
    index = Decimal(repr(float(index_prev_close))).quantize(_CENT)
    if reference is None or index <= 0:
        return None
    up, down = option_limit_prices(symbol, reference, index, day)
    return SymbolRef(reference, up, down, underlying_prev_close=index)


def fix_option_amounts(minutes: pd.DataFrame) -> pd.DataFrame:
    """Minute bars derived with the IM multiplier get the options' (amount = value traded)."""
    symbols = minutes["symbol"].astype(str)
    multipliers = {s: contract_multiplier(s) for s in symbols.unique()
                   if parse_or_none(s) is not None}
    if not multipliers:
        return minutes
    multiplier = symbols.map(multipliers)
    options = multiplier.notna()
    average = (minutes["open"] + minutes["high"] + minutes["low"] + minutes["close"]) / 4.0
    fixed = minutes.copy()
    fixed.loc[options, "amount"] = (minutes["volume"] * multiplier * average)[options]
    return fixed


def parse_or_none(symbol: str) -> object | None:
    try:
        return parse_option_symbol(symbol)
    except ValueError:
        return None


def option_day(store: MarketStore, day: date) -> OptionDay | None:
    """The index levels and stress the day's option prices come from; None without data."""
    start = day - timedelta(days=LOOKBACK_DAYS)
    try:
        index = store.load_index(start, day)["csi1000"].dropna()
        futures = store.load_futures(start, day)
    except MissingData:
        return None
    today = pd.Timestamp(day)
    if today not in index.index or len(index[index.index < today]) == 0:
        return None
    prev_day = index.index[index.index < today][-1]
    near_today, near_prev = _near(futures, today), _near(futures, prev_day)
    if near_today is None:
        return None
    close = float(index.loc[today])
    prev = float(index.loc[prev_day])
    scale = close / float(near_today["close"])
    stress_prev = 0.0 if near_prev is None else _stress(prev, near_prev, prev_day)
    return OptionDay(
        day=day, prev_day=prev_day.date(), index_prev=_level(prev), stress_prev=stress_prev,
        index_open=_level(float(near_today["open"]) * scale),
        index_high=_level(float(near_today["high"]) * scale),
        index_low=_level(float(near_today["low"]) * scale),
        index_close=_level(close), stress=_stress(close, near_today, today),
    )


def option_day_bars(inputs: OptionDay, symbols: list[str]) -> pd.DataFrame:
    """Day bars (index symbol; open high low close volume) of the options still trading."""
    rows = {}
    for symbol in symbols:
        contract = parse_option_symbol(symbol)
        try:
            prices = [float(synthetic_quote(contract, inputs.day, level, inputs.stress).mid)
                      for level in (inputs.index_open, inputs.index_high, inputs.index_low,
                                    inputs.index_close)]
        except ValueError:  # expired
            continue
        rows[symbol] = (prices[0], max(prices), min(prices), prices[-1], DAY_VOLUME)
    frame = pd.DataFrame.from_dict(rows, orient="index",
                                   columns=["open", "high", "low", "close", "volume"])
    frame.index.name = "symbol"
    return frame


def option_minute_bars(inputs: OptionDay, symbols: list[str]) -> pd.DataFrame:
    return fix_option_amounts(synthesize_minute_bars(inputs.day, option_day_bars(inputs,
                                                                                  symbols)))


def option_refs(inputs: OptionDay, symbols: list[str]) -> dict[str, SymbolRef]:
    """Each option's limits from its previous settlement: yesterday's surface price at
    yesterday's index close."""
    out = {}
    for symbol in symbols:
        contract = parse_option_symbol(symbol)
        try:
            settle = synthetic_quote(contract, inputs.prev_day, inputs.index_prev,
                                     inputs.stress_prev)
        except ValueError:
            continue
        ref = option_ref(symbol, inputs.day, float(settle.mid), inputs.index_prev)
        if ref is not None:
            out[symbol] = ref
    return out


def _near(futures: pd.DataFrame, day: pd.Timestamp) -> pd.Series | None:
    rows = futures[futures["date"] == day]
    if rows.empty:
        return None
    if "expiry" in rows and rows["expiry"].notna().any():
        later = rows[rows["expiry"] > day]  # on its last day the front month has no basis
        rows = (later if not later.empty else rows).sort_values("expiry")
    else:
        rows = rows.sort_values("symbol")
    row: pd.Series = rows.iloc[0]
    return row


def _stress(index_close: float, near: pd.Series, day: pd.Timestamp) -> float:
    expiry = near.get("expiry")
    if expiry is None or pd.isna(expiry):
        return 0.0
    days = (pd.Timestamp(expiry) - day).days
    return implied_stress(index_close, float(near["close"]), days)


def _level(value: float) -> Decimal:
    return Decimal(repr(round(value, 2)))
