"""Crafted panels for the model's tests: small, deterministic, every field present."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd

from marketdata.schema import Panel
from strategies.config import ModelConfig
from strategies.portfolio_state import Book, Holding

_PREFIXES = [("600", "SSE", "main"), ("000", "SZSE", "main"), ("300", "SZSE", "chinext"),
             ("688", "SSE", "star"), ("002", "SZSE", "main")]
INDUSTRIES = ["machinery", "chemicals", "software", "pharma", "retail", "metals"]


def symbols_for(n: int) -> list[str]:
    out = []
    for i in range(n):
        prefix, exchange, _ = _PREFIXES[i % len(_PREFIXES)]
        out.append(f"{prefix}{100 + i:03d}.{exchange}")
    return sorted(out)


def board_of(symbol: str) -> str:
    for prefix, _, board in _PREFIXES:
        if symbol.startswith(prefix):
            return board
    raise ValueError(symbol)


def make_panel(n_stocks: int = 60, n_days: int = 300, seed: int = 0,
               start: str = "2023-01-02") -> Panel:
    """Random-walk prices (daily moves within +/-8%), turnover around 2%, all listed."""
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range(start, periods=n_days, name="date")
    symbols = pd.Index(symbols_for(n_stocks), name="symbol")
    returns = np.clip(rng.normal(0.0, 0.02, (n_days, n_stocks)), -0.08, 0.08)
    first = rng.uniform(3.0, 40.0, n_stocks)
    close = np.round(first * np.exp(np.cumsum(np.log1p(returns), axis=0)), 2)
    close = np.maximum(close, 1.5)
    prev_close = np.vstack([close[:1], close[:-1]])
    open_ = np.round(prev_close * (1 + np.clip(rng.normal(0, 0.005, close.shape), -0.02, 0.02)),
                     2)
    shares = rng.uniform(1e8, 2e9, n_stocks)
    float_shares = shares * 0.7
    turnover = rng.lognormal(np.log(0.02), 0.4, close.shape)
    float_mcap = close * float_shares
    amount = turnover * float_mcap
    fields = {
        "open": open_, "high": np.maximum(open_, close) * 1.01,
        "low": np.minimum(open_, close) * 0.99, "close": close, "prev_close": prev_close,
        "volume": amount / close, "amount": amount, "adj_factor": np.ones(close.shape),
        "total_mcap": close * shares, "float_mcap": float_mcap,
        "total_shares": np.tile(shares, (n_days, 1)),
        "float_shares": np.tile(float_shares, (n_days, 1)),
        "risk_flag": np.zeros(close.shape, dtype=np.int8),
        "suspended": np.zeros(close.shape, dtype=bool),
        "listed": np.ones(close.shape, dtype=bool),
        "net_profit_ttm": np.full(close.shape, 1e8), "equity": np.full(close.shape, 1e9),
        "revenue_growth": np.full(close.shape, 0.1), "roe": np.full(close.shape, 0.08),
    }
    frames = {k: pd.DataFrame(v, index=dates, columns=symbols) for k, v in fields.items()}
    instruments = pd.DataFrame({
        "name": [f"Stock {s[:6]}" for s in symbols],
        "exchange": [s.split(".")[1] for s in symbols],
        "board": [board_of(s) for s in symbols],
        "industry": [INDUSTRIES[i % len(INDUSTRIES)] for i in range(n_stocks)],
        "list_date": [date(2015, 1, 5)] * n_stocks,
        "delist_date": [None] * n_stocks,
    }, index=symbols)
    return Panel(dates=dates, symbols=symbols, fields=frames, instruments=instruments)


def with_values(panel: Panel, name: str, symbol: str, rows: slice | int, value: object) -> Panel:
    """A copy of `panel` with field `name` of `symbol` set to `value` on `rows`."""
    fields = dict(panel.fields)
    frame = fields[name].copy()
    frame.iloc[rows, frame.columns.get_loc(symbol)] = value
    fields[name] = frame
    return Panel(panel.dates, panel.symbols, fields, panel.instruments)


def with_instrument(panel: Panel, symbol: str, column: str, value: object) -> Panel:
    instruments = panel.instruments.copy()
    instruments.loc[symbol, column] = value
    return Panel(panel.dates, panel.symbols, panel.fields, instruments)


def small_config(**rotation: int) -> ModelConfig:
    """A model for ~60 stocks: 20 names, buffer 30, short lookback."""
    return ModelConfig.model_validate({
        "universe": {"min_listing_days": 20, "max_mcap_cny": None},
        "rotation": {"holdings": 20, "buffer_rank": 30, **rotation},
        "constraints": {"max_weight": 0.05, "industry_cap": 0.5, "max_adv_share": 0.5},
        # Books of one or two names: the sell guard (test_sell_guard.py) would refuse them.
        "guard": {"max_sell_share": 1.0},
        "lookback_days": 150,
    })


def book_of(cash: str, **positions: int) -> Book:
    """A book; positions as SYMBOL_EXCHANGE=quantity, e.g. book_of('1e6', **{'600100.SSE': 500})."""
    return Book(cash=Decimal(cash), holdings={
        s: Holding(symbol=s, quantity=q, sellable=q, holding_days=10) for s, q in positions.items()
    })
