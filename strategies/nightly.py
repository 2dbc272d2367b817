"""The nightly model run: panel + book -> the batch of orders for the next trade day.

`build_batch` is what the scheduler calls; `propose_batch` is the per-day step the
backtest calls with the same `DaySignals` (that shared step is what makes the
backtest's orders equal the live ones).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from marketdata.schema import Panel
from strategies.batch import ModelBatch
from strategies.config import ModelConfig
from strategies.follow import follow_batch
from strategies.holdings import classify_holdings, rank_members, value_book
from strategies.orders import batch_from_plan
from strategies.portfolio_state import Book
from strategies.rotation import plan_rotation
from strategies.sell_guard import LargeSellRefused, guard_sells
from strategies.signals import DaySignals, compute_signals


def build_batch(panel: Panel, book: Book, trade_date: date, config: ModelConfig,
                allow_large_turnover: bool = False) -> ModelBatch:
    """Orders for `trade_date` from a panel ending at the signal date (the trading day
    before `trade_date`) that holds at least `config.lookback_days` days.

    Raises LargeSellRefused when the batch would sell too much of the book
    (`strategies.sell_guard`)."""
    if len(panel.dates) < config.lookback_days:
        raise ValueError(f"build_batch: the panel holds {len(panel.dates)} trade dates, the "
                         f"model needs a lookback of {config.lookback_days}")
    signals = compute_signals(panel, config, first_row=len(panel.dates) - 1)
    batch = propose_batch(signals.day(0), book, trade_date, config)
    return guard_sells(batch, book, config, allow_large_turnover)


def build_batches(panel: Panel, books: Mapping[str, Book], trade_date: date,
                  config: ModelConfig, allow_large_turnover: bool = False) -> dict[str, ModelBatch]:
    """Each account's batch, the factors computed once: the first account's from the
    model (`build_batch`), every other one following its target weights
    (`strategies.follow`). One account: exactly `build_batch`."""
    if len(panel.dates) < config.lookback_days:
        raise ValueError(f"build_batches: the panel holds {len(panel.dates)} trade dates, the "
                         f"model needs a lookback of {config.lookback_days}")
    (lead_name, lead_book), *others = books.items()
    day = compute_signals(panel, config, first_row=len(panel.dates) - 1).day(0)
    lead = guard_sells(propose_batch(day, lead_book, trade_date, config), lead_book, config,
                       allow_large_turnover)
    batches = {lead_name: lead}
    for name, book in others:
        follower = follow_batch(day, lead, lead_book, book, trade_date, config)
        try:
            batches[name] = guard_sells(follower, book, config, allow_large_turnover)
        except LargeSellRefused as exc:  # which product would sell too much
            raise LargeSellRefused(f"account {name}: {exc}") from None
    return batches


def propose_batch(day: DaySignals, book: Book, trade_date: date,
                  config: ModelConfig) -> ModelBatch:
    """Universe, ranks, rotation, constraints and orders for one signal day."""
    if trade_date <= day.signal_date:
        raise ValueError(f"trade date {trade_date} must come after the signal date "
                         f"{day.signal_date} (the panel's last day)")
    ranks = rank_members(day)
    positions, nav = value_book(day, book, ranks)
    classified = classify_holdings(day, positions, config)
    plan = plan_rotation(day, classified, ranks, float(nav), config)
    return batch_from_plan(day, plan, book.cash, nav, ranks, trade_date, config)
