"""The backtest: the nightly model's own code, day by day, with simulated fills.

Signals (universe, factors, scores) are computed for all days at once; every trade
day then calls `propose_batch` -- the function `build_batch` calls live -- with the
simulated book, and fills the batch at the open (strategies.backtest.fills).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd
from tqdm import tqdm

from marketdata.schema import Panel
from strategies.backtest.fills import Fill, Miss, OpenMarket, execute_open
from strategies.backtest.hedge import HedgePolicy
from strategies.backtest.inputs import BacktestInputs, IndexSource, from_panel, from_store
from strategies.backtest.ledger import SimulatedBook
from strategies.backtest.metrics import compute_metrics
from strategies.backtest.result import BacktestResult
from strategies.batch import ModelBatch
from strategies.config import ModelConfig
from strategies.costs import to_price
from strategies.nightly import propose_batch
from strategies.portfolio_state import Book
from strategies.signals import Signals, compute_signals
from strategies.universe import field_array

DEFAULT_CASH = Decimal("100000000")


@dataclass(frozen=True)
class _Market:
    """Trade-day arrays the simulation reads besides the signals."""

    open: np.ndarray
    prev_close: np.ndarray
    suspended: np.ndarray
    risk_flag: np.ndarray
    adj_factor: np.ndarray
    listed: np.ndarray
    column: Mapping[str, int]
    dates: pd.DatetimeIndex

    @classmethod
    def of(cls, panel: Panel, column: Mapping[str, int]) -> _Market:
        listed = field_array(panel, "listed") > 0 if "listed" in panel.fields \
            else np.isfinite(field_array(panel, "close"))
        return cls(field_array(panel, "open"), field_array(panel, "prev_close"),
                   field_array(panel, "suspended") > 0,
                   np.nan_to_num(field_array(panel, "risk_flag"), nan=0.0),
                   field_array(panel, "adj_factor"), listed, column, panel.dates)


class _Day:
    """One simulated trade day: corporate actions, the batch, fills, the close."""

    def __init__(self, market: _Market, signals: Signals, offset: int, ledger: SimulatedBook,
                 config: ModelConfig) -> None:
        self.market, self.signals, self.ledger, self.config = market, signals, ledger, config
        self.offset = offset  # panel row of the signals' first row

    def run(self, row: int) -> tuple[Book, ModelBatch, list[Fill], list[Miss], list[str]]:
        self._corporate_actions(row)
        book = self.ledger.book()
        trade_day = self.market.dates[row].date()
        day = self.signals.day(row - 1 - self.offset)
        batch = propose_batch(day, book, trade_day, self.config)
        opening = OpenMarket(trade_day, self.market.column, self.market.open[row],
                             self.market.prev_close[row], self.market.suspended[row],
                             self.market.risk_flag[row], day.adv)
        fills, misses = execute_open(batch.orders, opening, self.ledger, self.config.costs)
        settled = self._settle_delisted(row)
        self.ledger.close_day()
        return book, batch, fills, misses, settled

    def _corporate_actions(self, row: int) -> None:
        adj = self.market.adj_factor
        for symbol in list(self.ledger.positions):
            col = self.market.column[symbol]
            self.ledger.adjust_shares(symbol, float(adj[row, col] / adj[row - 1, col]))

    def _settle_delisted(self, row: int) -> list[str]:
        listed = self.market.listed[row]
        gone = [s for s in self.ledger.positions if not listed[self.market.column[s]]]
        for symbol in gone:
            price = float(self.signals.value_price[row - self.offset, self.market.column[symbol]])
            self.ledger.settle(symbol, to_price(price, f"last close of {symbol}"))
        return gone

    def stock_value(self, row: int) -> Decimal:
        prices = self.signals.value_price[row - self.offset]
        return sum((to_price(float(prices[self.market.column[s]]), f"close of {s}") * p.quantity
                    for s, p in self.ledger.positions.items()), Decimal(0))


def _load(source: IndexSource | Panel, start: date, end: date, config: ModelConfig,
          index: pd.DataFrame | None) -> BacktestInputs:
    if isinstance(source, Panel):
        return from_panel(source, start, end, config.lookback_days, index)
    return from_store(source, start, end, config.lookback_days)


def run_backtest(source: IndexSource | Panel, start: date, end: date, config: ModelConfig, *,
                 initial_cash: Decimal = DEFAULT_CASH, hedge: HedgePolicy | None = None,
                 index: pd.DataFrame | None = None, progress: bool = False,
                 keep_batches: bool = False) -> BacktestResult:
    """Simulate the model from `start` to `end` (trade dates, inclusive).

    `source`: a MarketStore (panel and benchmark indices are loaded from it) or a Panel
    reaching `config.lookback_days` trade dates before `start` (then `index`, with
    columns such as csi1000 csi2000 microcap, gives the benchmarks). `hedge` overlays
    a futures hedge; `keep_batches` keeps each day's book and batch (parity checks).
    """
    clock = time.perf_counter()
    inputs = _load(source, start, end, config, index)
    loaded = time.perf_counter()
    offset = inputs.first_row - 1
    signals = compute_signals(inputs.panel, config, first_row=offset)
    computed = time.perf_counter()
    ledger = SimulatedBook(initial_cash)
    runner = _Day(_Market.of(inputs.panel, signals.column), signals, offset, ledger, config)
    rows: list[dict[str, object]] = []
    kept: list[tuple[Book, ModelBatch]] = []
    missed: dict[str, int] = {}
    settled: list[str] = []
    nav = initial_cash
    for row in tqdm(range(inputs.first_row, inputs.last_row + 1), disable=not progress,
                    desc="backtest", unit="day"):
        book, batch, fills, misses, gone = runner.run(row)
        stock_value = runner.stock_value(row)
        traded = sum((f.price * f.quantity for f in fills), Decimal(0))
        rows.append({
            "date": inputs.panel.dates[row], "nav": float(ledger.cash + stock_value),
            "cash": float(ledger.cash), "stock_value": float(stock_value),
            "holdings": len(ledger.positions), "turnover": float(traded / nav) / 2.0,
            "cost": float(sum((f.fees for f in fills), Decimal(0))),
            "buys": sum(f.side == "buy" for f in fills),
            "sells": sum(f.side == "sell" for f in fills), "missed": len(misses),
        })
        nav = ledger.cash + stock_value
        for miss in misses:
            missed[miss.why] = missed.get(miss.why, 0) + 1
        settled += gone
        if keep_batches:
            kept.append((book, batch))
    simulated = time.perf_counter()
    timings = {"load": loaded - clock, "signals": computed - loaded,
               "simulate": simulated - computed}
    return _finish(inputs, config, initial_cash, rows, hedge, missed, settled, kept, timings)


def _finish(inputs: BacktestInputs, config: ModelConfig, initial_cash: Decimal,
            rows: list[dict[str, object]], hedge: HedgePolicy | None, missed: dict[str, int],
            settled: list[str], kept: list[tuple[Book, ModelBatch]],
            timings: dict[str, float]) -> BacktestResult:
    daily = pd.DataFrame(rows).set_index("date")
    daily["exposure"] = daily["stock_value"] / daily["nav"]
    bench = inputs.benchmarks
    unhedged = compute_metrics(daily["nav"], float(initial_cash), daily["turnover"],
                               daily["cost"], daily["holdings"], bench)
    metrics, notes, plain = unhedged, [], None
    if hedge is not None:
        if bench is None or "csi1000" not in bench.columns:
            raise ValueError("backtest hedge: needs the csi1000 index series")
        overlay = hedge.overlay(daily, bench["csi1000"].iloc[1:])
        daily["hedged_nav"] = overlay.hedged_nav
        daily["ladder_ratio"] = overlay.ladder_ratio
        daily["hedged_share"] = overlay.hedged_share
        plain, notes = unhedged, overlay.notes
        metrics = compute_metrics(daily["hedged_nav"], float(initial_cash), daily["turnover"],
                                  daily["cost"], daily["holdings"], bench)
    return BacktestResult(
        start=daily.index[0].date(), end=daily.index[-1].date(), config=config,
        initial_cash=initial_cash, daily=daily, benchmarks=bench, metrics=metrics,
        unhedged_metrics=plain, hedge_notes=notes, missed_by_reason=missed, settled=settled,
        batches=kept, timings=timings,
    )
