"""`generate_market`: a seeded, reproducible synthetic A-share market (see docs/data.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from marketdata.calendar import TradingCalendar
from marketdata.manifest import Manifest
from marketdata.partitions import DayBlock
from marketdata.schema import RiskFlag
from marketdata.store import MarketStore
from marketdata.synthetic.actions import action_table
from marketdata.synthetic.events import (
    Lifecycle,
    corporate_actions,
    plan_lifecycle,
    risk_flags,
    suspensions,
)
from marketdata.synthetic.financials import financial_reports
from marketdata.synthetic.futures import futures_bars
from marketdata.synthetic.indices import eligible, index_series
from marketdata.synthetic.prices import PriceBook, simulate_prices, stock_returns
from marketdata.synthetic.regimes import (
    Regime,
    RegimePlan,
    factor_paths,
    plan_regimes,
    scenario_regimes,
)
from marketdata.synthetic.universe import INDUSTRIES, Universe, build_universe
from marketdata.writer import set_meta, stage_stock_days, stage_table

DEMO_END_CAP = date(2026, 11, 20)  # demo data never depends on today's date
Matrix = npt.NDArray[np.float64]


@dataclass(frozen=True)
class SyntheticMarket:
    seed: int
    days: list[date]
    instruments: pd.DataFrame  # column symbol + INSTRUMENT_COLUMNS
    stocks: DayBlock
    financials: pd.DataFrame
    index: pd.DataFrame  # date csi1000 csi2000 microcap
    futures: pd.DataFrame
    regimes: list[Regime]
    actions: pd.DataFrame  # CORPORATE_ACTION_COLUMNS


def _shares(uni: Universe, life: Lifecycle, book: PriceBook, ratio: Matrix,
            rng: np.random.Generator) -> tuple[Matrix, Matrix]:
    """(total, float) shares per (day, stock), sized so the last close gives the target cap."""
    n_days = book.close.shape[0]
    last_close = book.close[life.last_row, np.arange(len(uni.symbols))]
    total_end = np.round(uni.target_cap / last_close / 1e4) * 1e4
    later = np.cumprod(ratio[::-1], axis=0)[::-1] / ratio  # bonus ratios after each day
    total = total_end[None, :] / later
    float_share = np.where(life.new_listing, rng.uniform(0.08, 0.25, len(uni.symbols)),
                           rng.uniform(0.35, 1.0, len(uni.symbols)))
    listed = life.listed(n_days)
    return np.where(listed, total, np.nan), np.where(listed, np.round(total * float_share), np.nan)


def _volume(uni: Universe, life: Lifecycle, book: PriceBook, float_shares: Matrix,
            suspended: npt.NDArray[np.bool_], turnover: Matrix, rng: np.random.Generator) -> Matrix:
    n_days = book.close.shape[0]
    since = np.arange(n_days)[:, None] - life.first_row[None, :]
    base = 0.006 + 0.01 * uni.size_exposure
    rate = base[None, :] * turnover[:, None] * rng.lognormal(0, 0.35, book.close.shape)
    rate = rate * (1.0 + 6.0 * np.abs(np.nan_to_num(book.returns)))
    rate = np.where(life.new_listing & (since == 0), 0.6, rate)
    rate = np.where(life.new_listing & (since > 0) & (since < 5), 0.25, rate)
    rate = np.where(book.locked, rate * 0.15, rate)
    lots = np.maximum(np.round(rate * float_shares / 100.0), 1.0)
    return np.where(suspended, 0.0, lots * 100.0)


def _instruments(uni: Universe, life: Lifecycle, flags: npt.NDArray[np.int8]) -> pd.DataFrame:
    last_flag = flags[life.last_row, np.arange(len(uni.symbols))]
    prefix = {RiskFlag.ST: "ST", RiskFlag.STAR_ST: "*ST"}
    names = [
        f"{name}退" if delist is not None
        else prefix.get(RiskFlag(int(flag)), "") + name
        for name, flag, delist in zip(uni.names, last_flag, life.delist_dates, strict=True)
    ]
    return pd.DataFrame({
        "symbol": uni.symbols,
        "name": names,
        "exchange": [s.split(".")[1] for s in uni.symbols],
        "board": uni.boards,
        "industry": uni.industries,
        "list_date": pd.to_datetime(life.list_dates),
        "delist_date": pd.to_datetime(pd.Series(life.delist_dates, dtype="object")),
    })


def generate_window(days: int, end: date | None, calendar: TradingCalendar | None,
                    ) -> list[date]:
    """The market's trade dates: `days` of them, ending at `end` (DEMO_END_CAP if None)."""
    if calendar is None:
        raise TypeError("generate_market needs the trading calendar (calendar=...)")
    last = calendar.last_trading_day_on_or_before(end or DEMO_END_CAP)
    return calendar.trading_days(calendar.shift(last, -(days - 1)), last)


def generate_market(stocks: int, days: int, seed: int, end: date | None = None,
                    calendar: TradingCalendar | None = None,
                    regimes: RegimePlan | list[Regime] | None = None) -> SyntheticMarket:
    """`regimes`: where the episodes fall, as fractions (`RegimePlan`) or placed
    (`scenario_regimes`)."""
    if calendar is None:
        raise TypeError("generate_market needs the trading calendar (calendar=...)")
    if stocks < 50 or days < 10:
        raise ValueError(
            f"synthetic market needs >= 50 stocks and >= 10 days (got {stocks}, {days})")
    window = generate_window(days, end, calendar)
    last = window[-1]
    rng = np.random.default_rng(seed)
    uni = build_universe(rng, stocks)
    life = plan_lifecycle(rng, uni, window, calendar)
    flags = risk_flags(rng, life, days)
    halted = suspensions(rng, life, flags, days)
    dividend, ratio = corporate_actions(rng, window, life)
    plan = regimes if isinstance(regimes, list) else plan_regimes(days, regimes or RegimePlan())
    factors = factor_paths(rng, days, len(INDUSTRIES), plan)
    returns = stock_returns(rng, uni, life, factors)
    book = simulate_prices(rng, uni, life, flags, halted, dividend, ratio, returns, window)
    total_shares, float_shares = _shares(uni, life, book, ratio, rng)
    volume = _volume(uni, life, book, float_shares, halted, factors.turnover, rng)
    listed = life.listed(days)
    prev_close_raw = np.vstack([book.close[:1], book.close[:-1]])
    step = np.where(listed & np.isfinite(prev_close_raw), prev_close_raw / book.prev_close, 1.0)
    adj_factor = np.where(listed, np.cumprod(np.nan_to_num(step, nan=1.0), axis=0), np.nan)
    values = {
        "open": book.open, "high": book.high, "low": book.low, "close": book.close,
        "prev_close": book.prev_close, "volume": np.where(listed, volume, np.nan),
        "amount": np.where(listed, volume * (book.open + book.high + book.low + book.close) / 4,
                           np.nan),
        "adj_factor": adj_factor,
        "total_mcap": book.close * total_shares, "float_mcap": book.close * float_shares,
        "total_shares": total_shares, "float_shares": float_shares,
        "risk_flag": flags, "suspended": halted & listed, "listed": listed,
    }
    index = index_series(window, book.returns, values["total_mcap"], values["float_mcap"],
                         eligible(listed, flags, life.first_row))
    futures = futures_bars(rng, window, index["csi1000"].to_numpy(), factors.discount_shock,
                           factors.turnover, calendar)
    return SyntheticMarket(
        seed=seed, days=window, instruments=_instruments(uni, life, flags),
        stocks=DayBlock(window, uni.symbols, values),
        financials=financial_reports(rng, uni, window[0], last),
        index=index, futures=futures, regimes=plan,
        actions=action_table(seed, window, uni.symbols, book.cash, ratio, listed),
    )


def regime_summary(market: SyntheticMarket) -> str:
    """e.g. 'micro_cap_crash@2025-08-25+24' (name @ first day + length in trading days)."""
    return ";".join(f"{r.name}@{market.days[r.start].isoformat()}+{r.length}"
                    for r in market.regimes)


def write_market(store: MarketStore, market: SyntheticMarket, through: date | None = None,
                 ) -> None:
    """Replace the store's content with `market` (its trade dates up to `through`)."""
    keep = np.array([through is None or d <= through for d in market.days])
    cut = pd.Timestamp(market.days[int(np.flatnonzero(keep)[-1])])
    with store.transaction() as tx:
        tx.manifest = Manifest()
        stage_table(tx, "instruments", market.instruments)
        stage_table(tx, "financials", market.financials[market.financials["report_date"] <= cut])
        stage_table(tx, "index", market.index[market.index["date"] <= cut])
        stage_table(tx, "futures", market.futures[market.futures["date"] <= cut])
        # An action is announced by its record date: the evening's data has tomorrow's
        # ex-date, so the risk daemon's reference that morning is the ex-rights price.
        stage_table(tx, "corporate_actions",
                    market.actions[market.actions["record_date"] <= cut])
        stage_stock_days(tx, market.stocks.rows(keep))
        set_meta(tx, [("source", "synthetic"), ("seed", str(market.seed)),
                      ("stocks", str(len(market.stocks.symbols))),
                      ("regimes", regime_summary(market))])


def write_demo_store(root: Path, stocks: int, days: int, seed: int, end: date | None = None,
                     calendar: TradingCalendar | None = None, scenario: str | None = None,
                     run_days: int = 20) -> MarketStore:
    """Replace everything in the store at `root` with a freshly generated synthetic market;
    `scenario` (one of `SCENARIOS`) places its episodes in the last `run_days` days."""
    market = demo_market(stocks, days, seed, end, calendar, scenario, run_days)
    store = MarketStore(root)
    write_market(store, market)
    return store


def demo_market(stocks: int, days: int, seed: int, end: date | None = None,
                calendar: TradingCalendar | None = None, scenario: str | None = None,
                run_days: int = 20) -> SyntheticMarket:
    """The seeded synthetic market, with `scenario`'s episodes in its last `run_days`."""
    if scenario is None:
        return generate_market(stocks, days, seed, end, calendar)
    window = generate_window(days, end, calendar)
    plan = scenario_regimes(scenario, window, run_days)
    return generate_market(stocks, days, seed, end, calendar, plan)
