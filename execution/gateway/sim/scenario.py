"""A synthetic trading day for the simulator: for tests, the benchmark and drills.

Day bars are given (or drawn from a seed), and minute bars are derived from them with
the market store's own deterministic method, so a scenario is the same on every run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd

from exchange import classify
from execution.gateway.sim.option_tape import fix_option_amounts, option_ref
from execution.gateway.sim.source import FrameSource, future_ref, stock_ref
from execution.gateway.sim.tape import SymbolRef
from marketdata.minute import synthesize_minute_bars


@dataclass(frozen=True)
class DayBar:
    prev_close: float
    open: float
    high: float
    low: float
    close: float
    volume: float
    index_prev_close: float | None = None  # options: the CSI 1000's previous close


def scenario(day: date, bars: dict[str, DayBar],
             index_settlement: float | None = None) -> FrameSource:
    """A tape of `day` for the given symbols (futures and options included, e.g.
    IM2612.CFFEX, MO2612-P-6000.CFFEX; an option's `prev_close` is its previous settlement
    and its `index_prev_close` is required). `index_settlement`: the CSI 1000 price the
    options expiring on `day` settle at (none: they are not settled)."""
    frame = pd.DataFrame(
        {k: [getattr(b, k) for b in bars.values()] for k in ("open", "high", "low", "close",
                                                           "volume")},
        index=pd.Index(list(bars), name="symbol"),
    )
    minutes = fix_option_amounts(synthesize_minute_bars(day, frame))
    refs = {}
    for symbol, bar in bars.items():
        ref = _ref(symbol, day, bar)
        if ref is not None:
            refs[symbol] = ref
    settlements = {} if index_settlement is None else {
        day: Decimal(repr(index_settlement)).quantize(Decimal("0.01"))}
    return FrameSource(minutes, refs, settlements)


def _ref(symbol: str, day: date, bar: DayBar) -> SymbolRef | None:
    info = classify(symbol)
    if info.is_option:
        if bar.index_prev_close is None:
            raise ValueError(f"{symbol}: an option's scenario needs index_prev_close")
        return option_ref(symbol, day, bar.prev_close, bar.index_prev_close)
    if info.is_future:
        return future_ref(symbol, day, bar.prev_close)
    return stock_ref(symbol, day, bar.prev_close, st=False, listed=None)


def random_day(day: date, symbols: list[str], seed: int = 7) -> dict[str, DayBar]:
    """Plausible small-cap day bars: prices 3-30 CNY, moves within +/-6%."""
    rng = np.random.default_rng(seed)
    out = {}
    for symbol in symbols:
        prev = round(float(rng.uniform(3, 30)), 2)
        open_ = round(prev * (1 + rng.normal(0, 0.01)), 2)
        close = round(prev * (1 + float(np.clip(rng.normal(0, 0.025), -0.06, 0.06))), 2)
        high = round(max(open_, close) * (1 + abs(rng.normal(0, 0.01))), 2)
        low = round(min(open_, close) * (1 - abs(rng.normal(0, 0.01))), 2)
        volume = float(int(rng.uniform(2e6, 2e7)) // 100 * 100)
        out[symbol] = DayBar(prev, open_, high, low, close, volume)
    return out
