"""Stock partitions: one Parquet file per calendar month, dense and sorted.

Each file is a long table (date, symbol, one column per daily field) holding every
(date, symbol) pair of the month in date-major order, so a column is a (days x symbols)
matrix laid out flat and loads with a reshape, no pivot. The file's key-value metadata
lists its dates and symbols.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq

from marketdata.errors import StoreCorrupt
from marketdata.schema import DAILY_FIELDS, STOCK_FIELDS

Matrix = npt.NDArray[Any]  # float64, int8 or bool by field (schema.STOCK_FIELDS)
_META_DATES = b"smallcap.dates"
_META_SYMBOLS = b"smallcap.symbols"


def fill_value(name: str) -> float | bool | int:
    """What a field holds where a stock has no row (not listed)."""
    dtype = STOCK_FIELDS[name].dtype
    return {"float64": np.nan, "bool": False, "int8": 0}[dtype]


def empty_matrix(name: str, n_dates: int, n_symbols: int) -> Matrix:
    dtype = np.dtype(STOCK_FIELDS[name].dtype)
    return np.full((n_dates, n_symbols), fill_value(name), dtype=dtype)


@dataclass(frozen=True)
class DayBlock:
    """Daily stock fields for some trade dates, wide: values[field][date_i, symbol_i]."""

    dates: list[date]
    symbols: list[str]
    values: dict[str, Matrix]

    def __post_init__(self) -> None:
        missing = set(DAILY_FIELDS) - set(self.values)
        if missing:
            raise ValueError(f"DayBlock lacks fields {sorted(missing)}")
        shape = (len(self.dates), len(self.symbols))
        for name, matrix in self.values.items():
            if matrix.shape != shape:
                raise ValueError(f"DayBlock field {name!r} has shape {matrix.shape}, want {shape}")

    def rows(self, keep: npt.NDArray[np.bool_]) -> DayBlock:
        return DayBlock(
            dates=[d for d, k in zip(self.dates, keep, strict=True) if k],
            symbols=self.symbols,
            values={k: v[keep] for k, v in self.values.items()},
        )

    def by_month(self) -> dict[str, DayBlock]:
        keys = np.array([d.strftime("%Y-%m") for d in self.dates])
        return {str(k): self.rows(keys == k) for k in np.unique(keys)}


def merge_blocks(old: DayBlock, new: DayBlock) -> DayBlock:
    """`old` with `new`'s dates added or replaced; symbols are the union of both."""
    symbols = sorted(set(old.symbols) | set(new.symbols))
    replaced = set(new.dates)
    dates = sorted({d for d in old.dates if d not in replaced} | replaced)
    row_of = {d: i for i, d in enumerate(dates)}
    old_keep = np.array([d not in replaced for d in old.dates], dtype=bool)
    old_rows = np.array([row_of[d] for d in old.dates], dtype=np.int64)[old_keep]
    new_rows = np.array([row_of[d] for d in new.dates], dtype=np.int64)
    old_cols = np.searchsorted(symbols, old.symbols)
    new_cols = np.searchsorted(symbols, new.symbols)
    values = {}
    for name in DAILY_FIELDS:
        out = empty_matrix(name, len(dates), len(symbols))
        out[np.ix_(old_rows, old_cols)] = old.values[name][old_keep]
        out[np.ix_(new_rows, new_cols)] = new.values[name]
        values[name] = out
    return DayBlock(dates, symbols, values)


def block_to_table(block: DayBlock) -> pa.Table:
    n_dates, n_symbols = len(block.dates), len(block.symbols)
    day_numbers = np.array(block.dates, dtype="datetime64[D]")
    columns: dict[str, pa.Array] = {
        "date": pa.array(np.repeat(day_numbers, n_symbols), type=pa.date32()),
        "symbol": pa.DictionaryArray.from_arrays(
            pa.array(np.tile(np.arange(n_symbols, dtype=np.int32), n_dates)),
            pa.array(block.symbols, type=pa.string()),
        ),
    }
    for name in DAILY_FIELDS:
        columns[name] = pa.array(np.ascontiguousarray(block.values[name]).ravel())
    meta = {
        _META_DATES: json.dumps([d.isoformat() for d in block.dates]).encode(),
        _META_SYMBOLS: json.dumps(block.symbols).encode(),
    }
    return pa.table(columns).replace_schema_metadata(meta)


class PartitionFile:
    """One partition file opened for reading: its dates and symbols, then one field at
    a time (a field's decoded buffer is freed before the next is decoded, so reading a
    panel reuses one column's memory instead of touching a whole month's afresh)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._file = pq.ParquetFile(path, memory_map=True)
        except (OSError, pa.ArrowInvalid) as exc:
            raise StoreCorrupt(f"stock partition {path} unreadable: {exc}") from exc
        meta = self._file.schema_arrow.metadata or {}
        if _META_DATES not in meta or _META_SYMBOLS not in meta:
            raise StoreCorrupt(f"stock partition {path} lacks its dates/symbols metadata")
        self.dates = [date.fromisoformat(d) for d in json.loads(meta[_META_DATES])]
        self.symbols: list[str] = json.loads(meta[_META_SYMBOLS])

    def field(self, name: str) -> Matrix:
        """One field as a (dates x symbols) matrix (read-only: arrow's buffer)."""
        try:  # one thread: the columns are small, and the machine's cores are shared
            column = self._file.read(columns=[name], use_threads=False).column(0)
        except (OSError, KeyError, pa.ArrowInvalid) as exc:
            raise StoreCorrupt(f"stock partition {self.path} unreadable: {exc}") from exc
        flat = column.to_numpy()
        shape = (len(self.dates), len(self.symbols))
        if flat.size != shape[0] * shape[1]:
            raise StoreCorrupt(f"stock partition {self.path}: column {name!r} is not dense")
        return flat.reshape(shape)


def read_partition_fields(
    path: Path, fields: list[str] | tuple[str, ...]
) -> tuple[list[date], list[str], dict[str, Matrix]]:
    """(dates, symbols, field -> matrix) of one partition file, for the requested fields."""
    part = PartitionFile(path)
    return part.dates, part.symbols, {name: part.field(name) for name in fields}


def read_block(path: Path) -> DayBlock:
    dates, symbols, values = read_partition_fields(path, DAILY_FIELDS)
    return DayBlock(dates, symbols, {k: np.array(v) for k, v in values.items()})
