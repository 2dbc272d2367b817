"""Reading one CSV or Parquet file of the import layout, with errors that name it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa

from marketdata.errors import DataProblem, Severity

SUFFIXES = (".csv", ".parquet")


def read_frame(path: Path, label: str) -> tuple[pd.DataFrame | None, list[DataProblem]]:
    """The file as a DataFrame (text columns as str), or the reason it cannot be read."""
    try:
        if path.suffix == ".csv":
            frame = pd.read_csv(path, dtype={"symbol": str}, skipinitialspace=True)
        else:
            frame = pd.read_parquet(path)
    except (OSError, ValueError, pa.ArrowInvalid, pd.errors.ParserError) as exc:
        return None, [DataProblem(Severity.ERROR, "unreadable_file", f"cannot read: {exc}",
                                  file=label)]
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame, []


def require_columns(frame: pd.DataFrame, columns: tuple[str, ...], label: str,
                    ) -> list[DataProblem]:
    missing = [c for c in columns if c not in frame.columns]
    if not missing:
        return []
    return [DataProblem(Severity.ERROR, "missing_column",
                        f"missing column(s) {missing}; found {list(frame.columns)}",
                        file=label, field=missing[0])]


def duplicate_rows(frame: pd.DataFrame, keys: list[str], label: str) -> list[DataProblem]:
    dup = frame.duplicated(keys, keep="first")
    out = []
    for i in frame.index[dup][:50]:
        key = ", ".join(f"{k}={frame.at[i, k]!s}" for k in keys)
        first = frame.index[(frame[keys] == frame.loc[i, keys]).all(axis=1)][0]
        out.append(DataProblem(Severity.ERROR, "duplicate_row",
                               f"duplicate of row {int(first) + 1} ({key})",
                               file=label, row=int(i) + 1, field=keys[-1]))
    return out


def _symbol(frame: pd.DataFrame, i: int) -> str | None:
    return str(frame["symbol"].iloc[i]) if "symbol" in frame.columns else None


def numeric(frame: pd.DataFrame, columns: tuple[str, ...], label: str,
            required: pd.Series | None = None) -> list[DataProblem]:
    """Convert `columns` to float in place; a blank where `required` is True is an error."""
    out = []
    for name in columns:
        if name not in frame.columns:
            continue
        values = pd.to_numeric(frame[name], errors="coerce")
        unparsable = values.isna() & frame[name].notna()
        blank = values.isna() & (required if required is not None else True)
        for i in frame.index[unparsable | blank][:50]:
            raw = frame[name].iloc[int(i)]
            why = f"not a number: {raw!r}" if bool(unparsable.iloc[int(i)]) else "missing value"
            out.append(DataProblem(Severity.ERROR, "bad_value", why, file=label,
                                   row=int(i) + 1, field=name, symbol=_symbol(frame, int(i))))
        frame[name] = values.astype("float64")
    return out


def dates_column(frame: pd.DataFrame, name: str, label: str, required: bool = True,
                 ) -> list[DataProblem]:
    """Parse `name` as dates (YYYY-MM-DD) in place."""
    if name not in frame.columns:
        return []
    parsed = pd.to_datetime(frame[name], errors="coerce", format="mixed")
    bad = parsed.isna() & (frame[name].notna() | required)
    out = [DataProblem(Severity.ERROR, "bad_date", f"not a date: {frame.at[i, name]!r}",
                       file=label, row=int(i) + 1, field=name) for i in frame.index[bad][:50]]
    frame[name] = parsed.dt.normalize()
    return out
