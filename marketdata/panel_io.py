"""Assemble a `Panel` from monthly stock partitions and the financial reports."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from marketdata.manifest import Manifest
from marketdata.partitions import Matrix, PartitionFile, fill_value
from marketdata.pointintime import point_in_time
from marketdata.schema import DAILY_FIELDS, FINANCIAL_FIELDS, STOCK_FIELDS, Panel


def check_fields(fields: list[str] | None) -> list[str]:
    if fields is None:
        return list(STOCK_FIELDS)
    unknown = [f for f in fields if f not in STOCK_FIELDS]
    if unknown:
        raise KeyError(f"unknown stock fields {unknown}; known fields: {list(STOCK_FIELDS)}")
    return list(dict.fromkeys(fields))


def alive_symbols(instruments: pd.DataFrame, first: date, last: date) -> pd.Index:
    """Symbols listed at some point between `first` and `last`, sorted."""
    listed = instruments["list_date"] <= pd.Timestamp(last)
    delist = instruments["delist_date"]
    not_gone = delist.isna() | (delist >= pd.Timestamp(first))
    return pd.Index(sorted(instruments.index[listed & not_gone]), name="symbol")


def read_daily_fields(
    root: Path, manifest: Manifest, days: list[date], symbols: pd.Index, fields: list[str]
) -> dict[str, Matrix]:
    """Daily fields for `days` x `symbols`, filled where a partition has no value.

    One allocation per field, written once: rows a partition covers whole are copied
    straight in, and only the cells no partition holds are filled.
    """
    out = {name: _uninitialised(name, len(days), len(symbols)) for name in fields}
    if not fields:
        return out
    row_of = {d: i for i, d in enumerate(days)}
    listed = list(symbols)
    written = np.zeros(len(days), dtype=bool)
    for key in sorted({d.strftime("%Y-%m") for d in days}):
        part = PartitionFile(root / manifest.partition_file(key))
        inside = [i for i, d in enumerate(part.dates) if d in row_of]  # contiguous
        src = slice(inside[0], inside[-1] + 1)
        dst = slice(row_of[part.dates[inside[0]]], row_of[part.dates[inside[-1]]] + 1)
        written[dst] = True
        same = part.symbols == listed  # the usual case: the same symbols in the same order
        cols = None if same else symbols.get_indexer(pd.Index(part.symbols))
        for name in fields:  # one field's buffer at a time, dropped once copied
            _place(out[name], dst, part.field(name)[src], cols, name)
    for name in fields:  # days no partition holds (none in a consistent store)
        out[name][~written] = fill_value(name)
    return out


def _place(target: Matrix, dst: slice, block: Matrix, cols: np.ndarray | None,
           name: str) -> None:
    """Write a partition's rows into the panel's rows `dst`; `cols` maps the partition's
    symbols to the panel's (-1: not in the panel), None when they are the same."""
    if cols is None:
        target[dst] = block
        return
    src_cols = np.flatnonzero(cols >= 0)
    if len(src_cols) == target.shape[1]:  # covers all: cols[src_cols] is then 0..n-1 in order
        np.take(block, src_cols, axis=1, out=target[dst], mode="clip")
    else:
        target[dst] = fill_value(name)
        target[dst, cols[src_cols]] = block[:, src_cols]


def _uninitialised(name: str, n_dates: int, n_symbols: int) -> Matrix:
    return np.empty((n_dates, n_symbols), dtype=np.dtype(STOCK_FIELDS[name].dtype))


def assemble_panel(
    root: Path,
    manifest: Manifest,
    days: list[date],
    instruments: pd.DataFrame,
    reports: pd.DataFrame | None,
    fields: list[str],
) -> Panel:
    symbols = alive_symbols(instruments, days[0], days[-1])
    daily = [f for f in fields if f in DAILY_FIELDS]
    matrices = read_daily_fields(root, manifest, days, symbols, daily)
    dates = pd.DatetimeIndex(pd.to_datetime(days), name="date")
    financial = tuple(f for f in fields if f in FINANCIAL_FIELDS)
    if reports is not None and financial:
        matrices.update(point_in_time(reports, dates, symbols, financial))
    frames = {
        name: pd.DataFrame(matrices[name], index=dates, columns=symbols, copy=False)
        for name in fields
    }
    return Panel(dates=dates, symbols=symbols, fields=frames, instruments=instruments.loc[symbols])
