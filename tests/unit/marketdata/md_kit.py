"""Test kit for the market-data tests: small synthetic markets, stores and import folders."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pandas as pd

from marketdata.calendar import TradingCalendar
from marketdata.importers.export import export_folder
from marketdata.store import MarketStore
from marketdata.synthetic import SyntheticMarket
from marketdata.synthetic.market import write_market

HOLIDAYS = Path(__file__).resolve().parents[3] / "config" / "holidays.yaml"


def store_through(root: Path, market: SyntheticMarket, through: date | None = None) -> MarketStore:
    store = MarketStore(root)
    write_market(store, market, through)
    return store


def snapshot(store: MarketStore) -> dict[str, str]:
    """Every file of the store with a hash of its bytes: equal snapshots, identical stores."""
    return {
        str(p.relative_to(store.root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(store.root.rglob("*")) if p.is_file() and p.name != ".write.lock"
    }


def day_folder(source: MarketStore, folder: Path, days: list[date], fmt: str = "csv",
               with_tables: bool = False) -> Path:
    export_folder(source, folder, days, fmt, with_tables)
    return folder


def edit_day(folder: Path, day: date, edit: object) -> pd.DataFrame:
    """Apply `edit(frame)` to the day file of `day` (CSV) and write it back."""
    path = folder / "daily" / f"{day.isoformat()}.csv"
    frame = pd.read_csv(path, dtype={"symbol": str})
    frame = edit(frame)  # type: ignore[operator]
    frame.to_csv(path, index=False)
    return frame


def row_of(frame: pd.DataFrame, symbol: str) -> int:
    """1-based data row of `symbol` in a day file."""
    return int(frame.index[frame["symbol"] == symbol][0]) + 1


def trading(calendar: TradingCalendar, start: date, end: date) -> list[date]:
    return calendar.trading_days(start, end)
