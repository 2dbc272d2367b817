"""A synthetic MO put chain for replay tests: Black-76 (risk.option_pricing) on each listed
IM contract as the forward, volatility from the index's own recent moves plus a skew, so
it spikes in a crash; written as the replay's chain file (docs/risk.md)."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pandas as pd

from risk.option_pricing import black76_price

TICK = 0.2


def implied_vols(index: pd.Series, floor: float = 0.20, scale: float = 1.2) -> pd.Series:
    """At-the-money volatility: 20-day realised x `scale`, at least `floor`."""
    realised = np.log(index).diff().rolling(20, min_periods=5).std() * math.sqrt(244)
    return (realised.fillna(floor) * scale).clip(lower=floor)


def put_chain_rows(index: pd.Series, futures: pd.DataFrame, rate: float = 0.02,
                   skew: float = 0.8, step: int = 100) -> list[dict[str, object]]:
    """Puts struck every `step` points from 80% to 105% of the index on each IM month."""
    vols = implied_vols(index)
    rows: list[dict[str, object]] = []
    for stamp, day_rows in futures.groupby(pd.DatetimeIndex(futures["date"])):
        level = float(index.loc[stamp])
        atm = float(vols.loc[stamp])
        for fut in day_rows.itertuples(index=False):
            days = (pd.Timestamp(fut.expiry) - stamp).days
            t = max(days, 1) / 365
            code = str(fut.symbol).split(".")[0]  # IM2403
            low, high = int(level * 0.80 // step * step), int(level * 1.05 // step * step)
            for strike in range(low, high + step, step):
                vol = atm + skew * max(0.0, 1 - strike / level) * atm
                price = black76_price(float(fut.close), float(strike), t, rate, vol, "P")
                settle = max(TICK, round(price / TICK) * TICK)
                rows.append({"date": stamp.date().isoformat(),
                             "symbol": f"MO{code[2:]}-P-{strike}.CFFEX",
                             "bid": f"{max(0.0, settle - 2 * TICK):.1f}",
                             "ask": f"{settle + 2 * TICK:.1f}", "settle": f"{settle:.1f}"})
    return rows


def write_chain(path: Path, rows: list[dict[str, object]], iv: bool = False) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["date", "symbol", "bid", "ask", "settle"])
        writer.writeheader()
        writer.writerows(rows)
    return path


def surface_chain_rows(index: pd.Series, futures: pd.DataFrame,
                       calendar: object) -> list[dict[str, object]]:
    """The desk's own synthetic surface (`marketdata.option_chain.synthetic_chain`): each
    day at the stress the nearest IM contract's discount implies, the month's IM price as
    the forward; puts only."""
    from decimal import Decimal

    from marketdata.option_chain import implied_stress, synthetic_chain

    rows: list[dict[str, object]] = []
    for stamp, day_rows in futures.groupby(pd.DatetimeIndex(futures["date"])):
        level = float(index.loc[stamp])
        near = day_rows.sort_values("expiry").iloc[0]
        stress = implied_stress(level, float(near["close"]),
                                (pd.Timestamp(near["expiry"]) - stamp).days)
        forwards = {(int("20" + str(s)[2:4]), int(str(s)[4:6])): Decimal(f"{c:.1f}")
                    for s, c in zip(day_rows["symbol"], day_rows["close"], strict=True)}
        for quote in synthetic_chain(stamp.date(), Decimal(f"{level:.2f}"), stress,
                                     calendar, forwards):  # type: ignore[arg-type]
            if quote.contract.is_call:
                continue
            rows.append({"date": stamp.date().isoformat(), "symbol": quote.vt_symbol,
                         "bid": str(quote.bid), "ask": str(quote.ask), "settle": str(quote.mid)})
    return rows
