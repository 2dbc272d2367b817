"""The desk's synthetic market and its model's scores in Qlib's binary data format.

Runs in the desk's venv (it uses the desk's own code for the scores, the limit prices
and the costs); what it writes is read by `qlib_side.py` under Qlib's venv:

    calendars/day.txt                  one trade date a line (plus one day past the end:
                                       Qlib's calendar looks one step ahead of each day)
    instruments/all.txt                code <TAB> first date <TAB> last date
    features/<code>/<field>.day.bin    float32 little-endian; the first value is the
                                       index into day.txt of the second value's date
    scores.npz                         the desk's combined factor score, signal day x code
    meta.json                          the run's dates and the desk's costs as Qlib rates

Prices are written adjusted as Qlib expects (raw price x $factor, volume / $factor), so
Qlib's trade unit of 100 falls on raw shares as the desk's lots do.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from exchange import CommissionConfig
    from marketdata.schema import Panel

FloatArray = npt.NDArray[np.float64]
EXCHANGE_PREFIX = {"SSE": "SH", "SZSE": "SZ", "BSE": "BJ"}
# A locked day needs the low at least at limit-up (or the high at most at limit-down);
# no stock band is narrower than 5%, so days inside +-4% (less a tick) cannot be locked.
SCREEN = 0.04
TICK = 0.01


def write_bin(path: Path, start_index: int, values: npt.ArrayLike) -> None:
    """One Qlib feature file: the start index, then the values, all float32 LE."""
    data = np.asarray(values, dtype="<f4")
    path.parent.mkdir(parents=True, exist_ok=True)
    np.concatenate([np.array([start_index], dtype="<f4"), data]).tofile(path)


def read_bin(path: Path) -> tuple[int, npt.NDArray[np.float32]]:
    """The start index and values of a feature file, as Qlib reads them."""
    raw = np.fromfile(path, dtype="<f4")
    if raw.size == 0:
        raise ValueError(f"{path}: empty feature file (no start index)")
    return int(raw[0]), raw[1:]


def qlib_code(vt_symbol: str) -> str:
    """'600000.SSE' -> 'SH600000', as Qlib's CN data names stocks."""
    code, _, exchange = vt_symbol.partition(".")
    try:
        return EXCHANGE_PREFIX[exchange] + code
    except KeyError:
        raise ValueError(f"{vt_symbol!r}: no Qlib prefix for exchange {exchange!r}") from None


def write_calendar(root: Path, days: list[date]) -> None:
    path = root / "calendars" / "day.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{d.isoformat()}\n" for d in days))


def write_instruments(root: Path, codes: list[str], first: date, last: date) -> None:
    path = root / "instruments" / "all.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{c}\t{first.isoformat()}\t{last.isoformat()}\n" for c in codes))


def next_weekday(day: date) -> date:
    following = day + timedelta(days=1)
    while following.weekday() >= 5:
        following += timedelta(days=1)
    return following


@dataclass(frozen=True)
class QlibCosts:
    """The desk's costs as Qlib's Exchange takes them: rates of the traded value per
    side and a minimum per trade."""

    open_cost: float  # buy: commission + transfer fee + handling fee
    close_cost: float  # sell: the same + stamp duty
    min_cost: float  # the broker's minimum commission (0 when waived)


def qlib_costs(commission: CommissionConfig, on: date) -> QlibCosts:
    """The exchange's dated rates in force `on` plus the desk's commission."""
    from exchange.data import HANDLING_FEE, STAMP_DUTY_SELL, TRANSFER_FEE, in_force

    both = commission.rate + in_force(TRANSFER_FEE, on, "transfer fee") \
        + in_force(HANDLING_FEE, on, "handling fee")
    stamp = in_force(STAMP_DUTY_SELL, on, "stamp duty")
    minimum = 0.0 if commission.minimum_waived else float(commission.minimum)
    return QlibCosts(float(both), float(both + stamp), minimum)


Flags = npt.NDArray[np.bool_]


def blocked_flags(panel: Panel, rows: range) -> tuple[Flags, Flags, Flags]:
    """(untradable, locked limit-up, locked limit-down) per row x symbol, by the desk
    backtest's own window rule (strategies.backtest.fills.blocked): untradable when
    suspended, without an open or without volume; locked when the low is at limit-up
    (no buy) or the high at limit-down (no sell) all day. Limits come from the desk's
    day_limits on the days that could be locked (the rest cannot be: SCREEN)."""
    from strategies.backtest.engine import delisting_days
    from strategies.backtest.fills import DayMarket, day_limits
    from strategies.costs import to_price
    from strategies.universe import field_array

    f = {k: field_array(panel, k)[rows.start:rows.stop] for k in
         ("open", "high", "low", "volume", "amount", "prev_close")}
    suspended = field_array(panel, "suspended")[rows.start:rows.stop] > 0
    flags_all = np.nan_to_num(field_array(panel, "risk_flag"), nan=0.0)
    delisting = delisting_days(flags_all)[rows.start:rows.stop]
    flags = flags_all[rows.start:rows.stop]
    with np.errstate(invalid="ignore"):
        untradable = suspended | ~(f["open"] > 0) | ~(f["volume"] > 0)
        maybe_up = f["low"] >= f["prev_close"] * (1 + SCREEN) - TICK
        maybe_down = f["high"] <= f["prev_close"] * (1 - SCREEN) + TICK
    up_locked, down_locked = np.zeros_like(untradable), np.zeros_like(untradable)
    symbols = list(panel.symbols)
    column = {s: i for i, s in enumerate(symbols)}
    for i, row in enumerate(rows):
        candidates = np.flatnonzero((maybe_up[i] | maybe_down[i]) & ~untradable[i])
        if candidates.size == 0:
            continue
        market = DayMarket(panel.dates[row].date(), column, f["open"][i], f["high"][i],
                           f["low"][i], f["volume"][i], f["amount"][i], f["prev_close"][i],
                           suspended[i], flags[i], delisting[i], np.zeros(len(symbols)))
        for col in candidates:
            up, down = day_limits(symbols[col], market, int(col))
            if up is not None and maybe_up[i, col] and to_price(f["low"][i, col], "low") >= up:
                up_locked[i, col] = True
            if down is not None and maybe_down[i, col] and \
                    to_price(f["high"][i, col], "high") <= down:
                down_locked[i, col] = True
    return untradable, up_locked, down_locked


def adjusted_fields(panel: Panel, rows: range) -> dict[str, FloatArray]:
    """Qlib's fields (adjusted prices) over `rows`: the deal price is the day's VWAP kept
    inside the day's range, as the desk's window fill takes it."""
    from strategies.universe import field_array

    raw = {k: field_array(panel, k)[rows.start:rows.stop] for k in
           ("open", "high", "low", "close", "volume", "amount", "prev_close", "adj_factor")}
    factor = raw["adj_factor"]
    with np.errstate(invalid="ignore", divide="ignore"):
        vwap = np.clip(raw["amount"] / raw["volume"], raw["low"], raw["high"])
        change = raw["close"] / raw["prev_close"] - 1.0
        out = {name: raw[name] * factor for name in ("open", "high", "low", "close")}
        out.update(vwap=vwap * factor, volume=raw["volume"] / factor, amount=raw["amount"],
                   factor=factor, change=change)
    return out


def export(store_dir: Path, days: int, out: Path) -> dict[str, object]:
    """Write the Qlib dataset of the last `days` trade days of the store (and the signal
    day before them), the desk's scores and meta.json; returns the meta."""
    from marketdata.store import MarketStore
    from services.settings_loader import load_settings
    from strategies.backtest.engine import DEFAULT_CASH
    from strategies.backtest.inputs import from_store
    from strategies.signals import compute_signals

    config = load_settings().model  # what `desk backtest` runs with
    store = MarketStore(store_dir)
    dates = store.trade_dates()
    start, end = dates[-days], dates[-1]
    inputs = from_store(store, start, end, config.lookback_days)
    panel, offset = inputs.panel, inputs.first_row - 1
    signals = compute_signals(panel, config, first_row=offset)  # as run_backtest does
    rows = range(offset, inputs.last_row + 1)
    calendar = [d.date() for d in panel.dates[offset:inputs.last_row + 1]]
    codes = [qlib_code(s) for s in panel.symbols]
    write_calendar(out, [*calendar, next_weekday(calendar[-1])])
    write_instruments(out, codes, calendar[0], calendar[-1])
    fields = adjusted_fields(panel, rows)
    untradable, up_locked, down_locked = blocked_flags(panel, rows)
    buy, sell = untradable | up_locked, untradable | down_locked
    fields.update(limit_buy=buy.astype(np.float64), limit_sell=sell.astype(np.float64))
    for name, values in fields.items():
        for col, code in enumerate(codes):
            write_bin(out / "features" / code.lower() / f"{name}.day.bin", 0, values[:, col])
    np.savez(out / "scores.npz", score=signals.score.astype(np.float32),
             dates=np.array([d.isoformat() for d in calendar]), codes=np.array(codes))
    first_costs = qlib_costs(config.costs.commission, start)
    costs = qlib_costs(config.costs.commission, end)
    meta: dict[str, object] = {
        "start": start.isoformat(), "end": end.isoformat(), "days": days,
        "stocks": len(codes), "costs": costs.__dict__,
        "costs_change_inside_run": first_costs != costs,
        # stock-days the desk's rule blocks (suspended, no open or volume; locked at a limit)
        "untradable": int(untradable.sum()), "locked_limit_up": int(up_locked.sum()),
        "locked_limit_down": int(down_locked.sum()),
        "scored": int(np.isfinite(signals.score).sum()),
        "initial_cash": int(DEFAULT_CASH), "nan_close": int((~np.isfinite(fields["close"])).sum()),
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=1))
    return meta
