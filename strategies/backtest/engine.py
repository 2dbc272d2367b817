"""The backtest: the nightly model's own code, day by day, with simulated fills.

Signals (universe, factors, scores) are computed for all days at once; every trade
day then calls `propose_batch` -- the function `build_batch` calls live -- with the
simulated book, and fills the batch as the live algorithm would on daily data
(strategies.backtest.fills). A final delisting freezes the holding (ledger).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Protocol, cast

import numpy as np
import pandas as pd

from marketdata.schema import Panel, RiskFlag
from strategies.backtest.fills import DayMarket, Fill, FillRules, Miss, execute_day
from strategies.backtest.hedge import HedgePolicy
from strategies.backtest.inputs import BacktestInputs, IndexSource, from_panel, from_store
from strategies.backtest.ledger import SimulatedBook
from strategies.backtest.metrics import compute_metrics
from strategies.backtest.result import BacktestResult
from strategies.batch import ModelBatch
from strategies.config import ModelConfig
from strategies.costs import to_price
from strategies.factors import field_is_set, risk_flags
from strategies.nightly import propose_batch
from strategies.portfolio_state import Book
from strategies.signals import Signals, compute_signals
from strategies.universe import field_array

DEFAULT_CASH = Decimal("100000000")


@dataclass(frozen=True)
class _Market:
    """Trade-day arrays the simulation reads besides the signals."""

    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray
    amount: np.ndarray
    prev_close: np.ndarray
    suspended: np.ndarray
    risk_flag: np.ndarray
    delisting_day: np.ndarray
    adj_factor: np.ndarray
    listed: np.ndarray
    column: Mapping[str, int]
    dates: pd.DatetimeIndex

    @classmethod
    def of(cls, panel: Panel, column: Mapping[str, int]) -> _Market:
        listed = field_is_set(panel, "listed") if "listed" in panel.fields \
            else np.isfinite(field_array(panel, "close"))
        flags = _stored_flags(panel)
        return cls(field_array(panel, "open"), field_array(panel, "high"),
                   field_array(panel, "low"), field_array(panel, "close"),
                   field_array(panel, "volume"), field_array(panel, "amount"),
                   field_array(panel, "prev_close"), field_is_set(panel, "suspended"),
                   flags, delisting_days(flags), field_array(panel, "adj_factor"), listed,
                   column, panel.dates)

    def day(self, row: int, adv: np.ndarray) -> DayMarket:
        return DayMarket(self.dates[row].date(), self.column, self.open[row], self.high[row],
                         self.low[row], self.volume[row], self.amount[row],
                         self.prev_close[row], self.suspended[row], self.risk_flag[row],
                         self.delisting_day[row], adv)


def _stored_flags(panel: Panel) -> np.ndarray:
    """The risk flags as the panel holds them (int8, no NaN): the codes the fills
    compare are the same as in `risk_flags`' float64 copy (43 MB at 5,400 x 1,000,
    each page of it touched afresh). A panel of another dtype goes through it."""
    values = panel["risk_flag"].to_numpy()
    if values.dtype == np.int8 and values.shape == (len(panel.dates), len(panel.symbols)):
        return values
    return risk_flags(panel)


def delisting_days(flags: np.ndarray) -> np.ndarray:
    """Day number inside a delisting period (1 = its first day), 0 outside one.

    Counted from the panel's first row, which lies a lookback before the first trade
    day: far longer than any delisting period (15 trading days on SSE and SZSE).
    int32, not int64: the same counts in half the memory (fresh pages cost system time).
    """
    in_period = flags == RiskFlag.DELISTING
    out = np.empty(in_period.shape, dtype=np.int32)
    run = np.zeros(in_period.shape[1], dtype=np.int32)
    for t in range(len(in_period)):
        run += 1
        run *= in_period[t]
        out[t] = run
    return out


class _Day:
    """One simulated trade day: corporate actions, the batch, fills, the close."""

    def __init__(self, market: _Market, signals: Signals, offset: int, ledger: SimulatedBook,
                 config: ModelConfig, rules: FillRules) -> None:
        self.market, self.signals, self.ledger, self.config = market, signals, ledger, config
        self.offset = offset  # panel row of the signals' first row
        self.rules = rules

    def run(self, row: int) -> tuple[Book, ModelBatch, list[Fill], list[Miss], list[str]]:
        self._corporate_actions(row)
        book = self.ledger.book()
        trade_day = self.market.dates[row].date()
        day = self.signals.day(row - 1 - self.offset)
        batch = propose_batch(day, book, trade_day, self.config)
        fills, misses = execute_day(batch.orders, self.market.day(row, day.adv), self.ledger,
                                    self.config.costs, self.rules)
        frozen = self._freeze_delisted(row)
        self.ledger.close_day()
        return book, batch, fills, misses, frozen

    def _corporate_actions(self, row: int) -> None:
        if not self.ledger.positions:
            return
        adj = self.market.adj_factor
        with np.errstate(invalid="ignore", divide="ignore"):  # the same division, one pass
            ratios = adj[row] / adj[row - 1]
        for symbol in list(self.ledger.positions):
            ratio = float(ratios[self.market.column[symbol]])
            if ratio != 1.0:  # most days move no factor: adjust_shares would do nothing
                self.ledger.adjust_shares(symbol, ratio)

    def _freeze_delisted(self, row: int) -> list[str]:
        """Holdings delisted for good today: valued at their last close (the last day of
        the delisting period), untradable from now on, no cash paid."""
        listed = self.market.listed[row]
        gone = [s for s in self.ledger.positions if not listed[self.market.column[s]]]
        for symbol in gone:
            price = float(self.signals.value_price[row - self.offset, self.market.column[symbol]])
            self.ledger.freeze(symbol, to_price(price, f"last close of {symbol}"))
        return gone

    def stock_value(self, row: int) -> Decimal:
        """The tradable holdings at the day's close (frozen delisted ones apart)."""
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
                 keep_batches: bool = False, fills: FillRules = FillRules()) -> BacktestResult:
    """Simulate the model from `start` to `end` (trade dates, inclusive).

    `source`: a MarketStore (panel and benchmark indices are loaded from it) or a Panel
    reaching `config.lookback_days` trade dates before `start` (then `index`, with
    columns such as csi1000 csi2000 microcap, gives the benchmarks). `hedge` overlays
    a futures hedge; `keep_batches` keeps each day's book, batch and fills (parity
    checks); `fills` chooses the fill rule and its participation cap.
    """
    clock = time.perf_counter()
    inputs = _load(source, start, end, config, index)
    loaded = time.perf_counter()
    offset = inputs.first_row - 1
    signals = compute_signals(inputs.panel, config, first_row=offset)
    computed = time.perf_counter()
    ledger = SimulatedBook(initial_cash)
    market = _Market.of(inputs.panel, signals.column)
    runner = _Day(market, signals, offset, ledger, config, fills)
    beta = _BetaOfDay.of(hedge, market, inputs.csi1000)
    rows: list[dict[str, object]] = []
    kept: list[tuple[Book, ModelBatch]] = []
    kept_fills: list[list[Fill]] = []
    missed: dict[str, int] = {}
    settled: list[str] = []
    nav = initial_cash
    for row in _trade_rows(inputs, progress):
        book, batch, filled, misses, gone = runner.run(row)
        stock_value = runner.stock_value(row)
        record = _day_record(inputs.panel.dates[row], ledger, stock_value, nav, filled,
                             misses, batch)
        if beta is not None:
            record["beta"] = beta(row, ledger)
        rows.append(record)
        nav = ledger.cash + stock_value + ledger.delisted_value()
        for miss in misses:
            missed[miss.why] = missed.get(miss.why, 0) + 1
        settled += gone
        if keep_batches:
            kept.append((book, batch))
            kept_fills.append(filled)
    simulated = time.perf_counter()
    timings = {"load": loaded - clock, "signals": computed - loaded,
               "simulate": simulated - computed}
    result = _finish(inputs, config, initial_cash, rows, hedge, missed, settled, kept, timings)
    return replace(result, fills=kept_fills, fill_rules=fills)


def _trade_rows(inputs: BacktestInputs, progress: bool) -> Iterable[int]:
    """The panel rows of the trade days, with a progress bar when asked (tqdm is
    imported only then: `--json` and the bench need none)."""
    rows = range(inputs.first_row, inputs.last_row + 1)
    if not progress:
        return rows
    from tqdm import tqdm

    return tqdm(rows, desc="backtest", unit="day")


def _day_record(stamp: pd.Timestamp, ledger: SimulatedBook, stock_value: Decimal,
                previous_nav: Decimal, fills: list[Fill], misses: list[Miss],
                batch: ModelBatch) -> dict[str, object]:
    """One row of `result.daily`: money exact until it is written as a float."""
    traded = sum((f.price * f.quantity for f in fills), Decimal(0))
    delisted = ledger.delisted_value()
    return {
        "date": stamp, "nav": float(ledger.cash + stock_value + delisted),
        "cash": float(ledger.cash), "stock_value": float(stock_value),
        "delisted_value": float(delisted),
        "holdings": len(ledger.positions), "turnover": float(traded / previous_nav) / 2.0,
        "cost": float(sum((f.fees for f in fills), Decimal(0))),
        "buys": sum(f.side == "buy" for f in fills),
        "sells": sum(f.side == "sell" for f in fills), "missed": len(misses),
        "ordered": sum(o.quantity for o in batch.orders),
        "filled": sum(f.quantity for f in fills),
    }


class _BetaSource(Protocol):
    beta_rows: int

    def day_beta(self, quantities: pd.Series, closes: pd.DataFrame, adj_factor: pd.DataFrame,
                 index: pd.Series) -> float: ...


@dataclass(frozen=True)
class _BetaOfDay:
    """The beta the risk daemon would compute at a day's close, for a hedge that sizes
    by it (`LadderHedge`): the book's holdings over the rows the daemon loads."""

    source: _BetaSource
    market: _Market
    csi1000: pd.Series

    @classmethod
    def of(cls, hedge: object, market: _Market, csi1000: pd.Series | None) -> _BetaOfDay | None:
        if hedge is None or csi1000 is None or not hasattr(hedge, "day_beta"):
            return None
        return cls(cast(_BetaSource, hedge), market, csi1000)

    def __call__(self, row: int, ledger: SimulatedBook) -> float:
        rows = slice(max(0, row - self.source.beta_rows + 1), row + 1)
        symbols = sorted(ledger.positions)
        cols = [self.market.column[s] for s in symbols]
        dates = self.market.dates[rows]
        closes = pd.DataFrame(self.market.close[rows][:, cols], index=dates, columns=symbols)
        adj = pd.DataFrame(self.market.adj_factor[rows][:, cols], index=dates, columns=symbols)
        quantities = pd.Series({s: float(ledger.positions[s].quantity) for s in symbols},
                               dtype=float)
        return self.source.day_beta(quantities, closes, adj, self.csi1000.iloc[rows])


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
