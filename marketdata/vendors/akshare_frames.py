"""Checks on an AKShare answer before anything is mapped: every one names the function,
the row's code and the column, so a bad vendor frame is a clear error, not a bad import.

AKShare scrapes web pages; a page that changed shape, a blank cell or a unit that moved
(成交量 in shares instead of hands) must stop the day, never reach the store.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from marketdata.vendors.akshare_calls import COLUMNS
from marketdata.vendors.errors import VendorError


class BadVendorFrame(VendorError):
    """An AKShare answer that is not in its documented shape, or holds impossible values."""


def documented(function: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The answer with its documented columns (an empty answer: an empty frame of them)."""
    wanted = list(COLUMNS[function])
    if frame.empty and not len(frame.columns):
        return pd.DataFrame(columns=wanted)
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise BadVendorFrame(f"akshare {function}: columns {missing} missing from the "
                             "answer (not the documented shape)")
    return frame


def numbers(function: str, frame: pd.DataFrame, columns: Iterable[str], key: str
            ) -> pd.DataFrame:
    """`columns` as floats; a blank or non-numeric cell is an error naming the row."""
    out = frame.copy()
    for column in columns:
        values = pd.to_numeric(out[column], errors="coerce").astype(float)
        bad = values.isna()
        if bad.any():
            where = out.loc[bad, key].astype(str).tolist()[:5]
            raise BadVendorFrame(f"akshare {function}: {column} is blank or not a number "
                                 f"for {where}")
        out[column] = values
    return out


def not_negative(function: str, frame: pd.DataFrame, columns: Iterable[str], key: str
                 ) -> None:
    for column in columns:
        bad = frame[column] < 0
        if bad.any():
            where = frame.loc[bad, key].astype(str).tolist()[:5]
            raise BadVendorFrame(f"akshare {function}: negative {column} for {where}")


def dates(values: pd.Series) -> pd.Series:
    """Dates as AKShare returns them (date objects, 'YYYY-MM-DD' or 'YYYYMMDD') as
    Timestamps; blank stays NaT."""
    text = values.astype("string").str.strip().str.replace("-", "", regex=False)
    return pd.to_datetime(text.str[:8], format="%Y%m%d", errors="coerce")
