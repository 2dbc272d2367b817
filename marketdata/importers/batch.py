"""An import batch: parsed files, validated as a whole against the store, committed at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from marketdata.calendar import CalendarNotCovered, TradingCalendar
from marketdata.errors import DataProblem, ImportRejected, MissingData, Severity, errors_in
from marketdata.importers.tables import check_tables
from marketdata.manifest import StoreTransaction
from marketdata.panel_io import read_daily_fields
from marketdata.partitions import DayBlock, empty_matrix
from marketdata.schema import DAILY_FIELDS
from marketdata.store import MarketStore
from marketdata.validate import bar_problems, missing_trading_days
from marketdata.writer import set_meta, stage_stock_days, stage_table


@dataclass(frozen=True)
class DayFile:
    day: date
    label: str  # where it came from, e.g. "daily/2024-01-02.csv"
    rows: pd.DataFrame  # symbol + daily fields; row i is data row i + 1 of the file


@dataclass
class ImportBatch:
    source: str
    days: list[DayFile] = field(default_factory=list)
    instruments: pd.DataFrame | None = None  # index symbol, INSTRUMENT_COLUMNS
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # index, futures, financials
    problems: list[DataProblem] = field(default_factory=list)  # found while parsing


@dataclass(frozen=True)
class ImportReport:
    source: str
    days: list[date]
    stocks: int
    tables: list[str]
    warnings: list[DataProblem]


def _merged_instruments(store: MarketStore, batch: ImportBatch) -> pd.DataFrame:
    try:
        known = store.instruments()
    except MissingData:
        known = None
    frames = [f for f in (known, batch.instruments) if f is not None]
    if not frames:
        return pd.DataFrame(columns=["name", "exchange", "board", "industry", "list_date",
                                     "delist_date"]).rename_axis("symbol")
    merged = pd.concat(frames)
    return merged[~merged.index.duplicated(keep="last")].sort_index()


def _calendar_problems(batch: ImportBatch, calendar: TradingCalendar) -> list[DataProblem]:
    out: list[DataProblem] = []
    seen: dict[date, str] = {}
    for f in batch.days:
        if f.day in seen:
            out.append(DataProblem(Severity.ERROR, "duplicate_day",
                                   f"same trade date as {seen[f.day]}", file=f.label, day=f.day))
        seen[f.day] = f.label
        try:
            if not calendar.is_trading_day(f.day):
                out.append(DataProblem(Severity.ERROR, "not_a_trading_day",
                                       "the exchange is closed on this date", file=f.label,
                                       day=f.day))
        except CalendarNotCovered as exc:
            out.append(DataProblem(Severity.ERROR, "calendar_not_covered", str(exc),
                                   file=f.label, day=f.day))
    return out


def _unknown_symbols(batch: ImportBatch, instruments: pd.DataFrame) -> list[DataProblem]:
    out = []
    for f in batch.days:
        unknown = ~f.rows["symbol"].isin(instruments.index)
        out += [DataProblem(Severity.ERROR, "unknown_symbol",
                            "not in the instruments table (add it to instruments.csv)",
                            file=f.label, row=int(i) + 1, field="symbol",
                            symbol=str(f.rows.at[i, "symbol"]), day=f.day)
                for i in f.rows.index[unknown][:50]]
    return out


def _prior(store: MarketStore, tx: StoreTransaction, calendar: TradingCalendar, first: date,
           symbols: pd.Index) -> dict[str, np.ndarray]:
    """close, adj_factor and risk_flag of the trade date before `first`, if stored."""
    stored = set(tx.manifest.stock_dates())
    before = calendar.previous_trading_day(first)
    names = ["close", "adj_factor", "risk_flag"]
    if before not in stored:
        return {n: empty_matrix(n, 1, len(symbols))[0] for n in names}
    values = read_daily_fields(store.root, tx.manifest, [before], symbols, names)
    return {n: v[0] for n, v in values.items()}


def _to_block(files: list[DayFile], symbols: pd.Index, prior: dict[str, np.ndarray]) -> DayBlock:
    """Wide block of the batch; derives prev_close, market caps and suspended prices."""
    values = {n: empty_matrix(n, len(files), len(symbols)) for n in DAILY_FIELDS}
    for t, f in enumerate(files):
        cols = symbols.get_indexer(pd.Index(f.rows["symbol"]))
        for name in DAILY_FIELDS:
            if name in f.rows.columns:
                values[name][t, cols] = f.rows[name].to_numpy()
        values["listed"][t, cols] = True
    v = values
    last_close, last_adj = prior["close"], prior["adj_factor"]
    for t in range(len(files)):
        derived = last_close * last_adj / v["adj_factor"][t]
        ref = np.where(np.isnan(v["prev_close"][t]), np.round(derived, 2), v["prev_close"][t])
        v["prev_close"][t] = np.where(v["listed"][t], ref, np.nan)
        for name in ("open", "high", "low", "close"):
            halted = v["suspended"][t] & np.isnan(v[name][t])
            v[name][t] = np.where(halted, ref, v[name][t])
        for cap, shares in (("total_mcap", "total_shares"), ("float_mcap", "float_shares")):
            v[cap][t] = np.where(np.isnan(v[cap][t]), v["close"][t] * v[shares][t], v[cap][t])
        last_close = np.where(v["listed"][t], v["close"][t], last_close)
        last_adj = np.where(v["listed"][t], v["adj_factor"][t], last_adj)
    return DayBlock([f.day for f in files], list(symbols), values)


def validate_batch(store: MarketStore, tx: StoreTransaction, calendar: TradingCalendar,
                   batch: ImportBatch) -> tuple[list[DataProblem], DayBlock | None, pd.DataFrame]:
    """All findings for the batch, the stock block to write and the merged instruments."""
    instruments = _merged_instruments(store, batch)
    problems = [*batch.problems, *_calendar_problems(batch, calendar)]
    problems += _unknown_symbols(batch, instruments)
    problems += check_tables(batch.tables, instruments)
    if errors_in(problems) or not batch.days:
        return problems, None, instruments
    files = sorted(batch.days, key=lambda f: f.day)
    days = [f.day for f in files]
    alive = (instruments["list_date"] <= pd.Timestamp(days[-1])) & (
        instruments["delist_date"].isna() | (instruments["delist_date"] > pd.Timestamp(days[0])))
    symbols = pd.Index(sorted(set(instruments.index[alive]) | set().union(
        *(set(f.rows["symbol"]) for f in files))))
    prior = _prior(store, tx, calendar, days[0], symbols)
    block = _to_block(files, symbols, prior)
    where = {f.day: (f.label, pd.Series(f.rows.index + 1, index=f.rows["symbol"])) for f in files}

    def locate(day: date, symbol: str) -> tuple[str | None, int | None]:
        label, rows = where[day]
        return label, int(rows[symbol]) if symbol in rows.index else None

    problems += bar_problems(block, instruments, calendar, prior, locate)
    all_days = sorted(set(tx.manifest.stock_dates()) | set(days))
    problems += missing_trading_days(calendar, all_days, f"the store plus {batch.source}")
    return problems, block, instruments


def commit_batch(store: MarketStore, calendar: TradingCalendar, batch: ImportBatch,
                 ) -> ImportReport:
    """Validate `batch` and write it in one transaction, or raise ImportRejected."""
    with store.transaction() as tx:
        problems, block, instruments = validate_batch(store, tx, calendar, batch)
        if errors_in(problems):
            raise ImportRejected(batch.source, problems)
        if batch.instruments is not None:
            stage_table(tx, "instruments", instruments.reset_index())
        for name, frame in batch.tables.items():
            stage_table(tx, name, frame)
        if block is not None:
            stage_stock_days(tx, block)
        set_meta(tx, [("source", "import"), ("last_import", batch.source)])
    return ImportReport(batch.source, [] if block is None else block.dates,
                        0 if block is None else len(block.symbols), sorted(batch.tables),
                        [p for p in problems if p.severity is Severity.WARNING])
