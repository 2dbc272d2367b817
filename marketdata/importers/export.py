"""Write stored days out in the import layout (for round trips, tests and benchmarks)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from marketdata.errors import MissingData
from marketdata.panel_io import read_daily_fields
from marketdata.schema import DAILY_FIELDS
from marketdata.store import MarketStore

_EXPORTED = [f for f in DAILY_FIELDS if f != "listed"]


def _write(frame: pd.DataFrame, path: Path, fmt: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        frame.to_csv(path.with_suffix(".csv"), index=False, date_format="%Y-%m-%d")
    else:
        frame.to_parquet(path.with_suffix(".parquet"), index=False)


def day_frame(store: MarketStore, day: date) -> pd.DataFrame:
    """One stored trade date as the rows of a day file (listed stocks only)."""
    if day not in set(store.trade_dates()):
        raise MissingData(f"store {store.root} has no stock bars for {day.isoformat()}")
    symbols = pd.Index(sorted(store.instruments().index))
    values = read_daily_fields(store.root, store.manifest(), [day], symbols,
                               [*_EXPORTED, "listed"])
    listed = values.pop("listed")[0]
    frame = pd.DataFrame({k: v[0] for k, v in values.items()}, index=symbols)[listed]
    frame["suspended"] = frame["suspended"].astype(int)
    return frame.rename_axis("symbol").reset_index()


def export_folder(store: MarketStore, folder: Path, days: list[date], fmt: str = "csv",
                  with_tables: bool = True) -> None:
    """Write `days` of `store` (and, if asked, the other tables up to the last day) to `folder`."""
    for day in days:
        _write(day_frame(store, day), folder / "daily" / day.isoformat(), fmt)
    if not with_tables:
        return
    first, last = pd.Timestamp(min(days)), pd.Timestamp(max(days))
    _write(store.instruments().reset_index(), folder / "instruments", fmt)
    index = store.load_index(min(days), max(days)).reset_index()
    _write(index, folder / "index", fmt)
    _write(store.load_futures(min(days), max(days)), folder / "futures", fmt)
    fin = store.financials()
    _write(fin[(fin["report_date"] <= last) & (fin["report_date"] >= first)], folder / "financials",
           fmt)
