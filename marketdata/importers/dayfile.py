"""Parsing one day file of stock bars (`daily/YYYY-MM-DD.csv` or `.parquet`)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from marketdata.boards import board_of
from marketdata.errors import DataProblem, Severity
from marketdata.importers.files import duplicate_rows, numeric, require_columns
from marketdata.schema import RiskFlag

REQUIRED = ("symbol", "open", "high", "low", "close", "volume", "amount", "adj_factor",
            "total_shares", "float_shares", "risk_flag", "suspended")
OPTIONAL = ("prev_close", "total_mcap", "float_mcap", "date")
_TRADED = ("open", "high", "low", "close", "volume", "amount")  # may be blank when suspended
_ALWAYS = ("adj_factor", "total_shares", "float_shares")
_TRUE, _FALSE = {"1", "true", "yes", "y", "t"}, {"0", "false", "no", "n", "f"}


def _bad(label: str, i: int, field: str, why: str, frame: pd.DataFrame) -> DataProblem:
    symbol = str(frame["symbol"].iloc[i])
    return DataProblem(Severity.ERROR, "bad_value", why, file=label, row=i + 1, field=field,
                       symbol=symbol)


def _symbols(frame: pd.DataFrame, label: str) -> list[DataProblem]:
    frame["symbol"] = frame["symbol"].astype(str).str.strip()
    out = []
    for i, symbol in enumerate(frame["symbol"]):
        try:
            board_of(symbol)
        except ValueError as exc:
            out.append(_bad(label, int(i), "symbol", str(exc), frame))
    return out[:50]


def _flags(frame: pd.DataFrame, label: str) -> list[DataProblem]:
    text = frame["suspended"].astype(str).str.strip().str.lower()
    halted = text.isin(_TRUE)
    out = [_bad(label, int(i), "suspended", f"expected 0/1, got {frame.at[i, 'suspended']!r}",
                frame)
           for i in frame.index[~(halted | text.isin(_FALSE))][:50]]
    frame["suspended"] = halted.to_numpy()
    flag = pd.to_numeric(frame["risk_flag"], errors="coerce")
    valid = flag.isin([int(f) for f in RiskFlag])
    out += [_bad(label, int(i), "risk_flag",
                 f"expected 0 (normal), 1 (ST), 2 (*ST) or 3 (delisting), got "
                 f"{frame.at[i, 'risk_flag']!r}", frame) for i in frame.index[~valid][:50]]
    frame["risk_flag"] = flag.where(valid, 0).astype(np.int8)
    return out


def _date_column(frame: pd.DataFrame, day: date, label: str) -> list[DataProblem]:
    if "date" not in frame.columns:
        return []
    parsed = pd.to_datetime(frame["date"], errors="coerce", format="mixed")
    wrong = parsed.dt.date != day
    return [_bad(label, int(i), "date", f"date {frame.at[i, 'date']!r} differs from the file's "
                 f"date {day.isoformat()}", frame) for i in frame.index[wrong][:50]]


def parse_day_file(frame: pd.DataFrame, day: date, label: str,
                   ) -> tuple[pd.DataFrame, list[DataProblem]]:
    problems = require_columns(frame, REQUIRED, label)
    if problems:
        return frame, problems
    frame = frame.reset_index(drop=True)
    problems += _symbols(frame, label)
    problems += duplicate_rows(frame, ["symbol"], label)
    problems += _flags(frame, label)
    problems += _date_column(frame, day, label)
    trading = ~frame["suspended"]
    problems += numeric(frame, _TRADED, label, required=trading)
    problems += numeric(frame, _ALWAYS, label)
    problems += numeric(frame, ("prev_close", "total_mcap", "float_mcap"), label,
                        required=pd.Series(False, index=frame.index))
    for name in ("volume", "amount"):
        frame.loc[frame["suspended"] & frame[name].isna(), name] = 0.0
    traded_while_halted = frame["suspended"] & (frame["volume"] > 0)
    problems += [_bad(label, int(i), "volume", "suspended but volume > 0", frame)
                 for i in frame.index[traded_while_halted][:50]]
    return frame.drop(columns=[c for c in ("date",) if c in frame.columns]), problems
