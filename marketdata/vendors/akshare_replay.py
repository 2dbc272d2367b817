"""Recorded AKShare answers: one CSV per function, in the function's documented columns.

`RecordedAkshare.query(function, **params)` stands in for `akshare.<function>(**params)`.
AKShare's answers mostly do not repeat their parameters (stock_zh_a_daily has no symbol
column), so a recording carries them as `@name` columns: a call keeps the rows whose
`@symbol`, `@date`, ... equal its arguments and gets them without those columns;
start_date / end_date bound the function's trading-date column (`DATE_COLUMN`). A
function with no recording is an error, as the library's failure would be.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from marketdata.vendors.akshare_calls import DATE_COLUMN, TEXT_COLUMNS
from marketdata.vendors.errors import VendorError


class RecordedAkshare:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._frames: dict[str, pd.DataFrame] = {}  # read once: thousands of calls a day

    def query(self, function: str, **params: Any) -> pd.DataFrame:
        self.calls.append((function, dict(params)))
        frame = self._recording(function)
        for key, value in params.items():
            if f"@{key}" in frame.columns:
                frame = frame[frame[f"@{key}"] == str(value)]
        column = DATE_COLUMN.get(function)
        if column is not None and column in frame.columns:
            when = pd.to_datetime(frame[column], errors="coerce")
            if "start_date" in params:
                frame = frame[when >= pd.Timestamp(str(params["start_date"]))]
            if "end_date" in params:
                frame = frame[when <= pd.Timestamp(str(params["end_date"]))]
        keep = [c for c in frame.columns if not c.startswith("@")]
        return frame[keep].reset_index(drop=True)

    def _recording(self, function: str) -> pd.DataFrame:
        if function not in self._frames:
            path = self.folder / f"{function}.csv"
            if not path.is_file():
                raise VendorError(f"no recording of {function} in {self.folder}")
            try:
                frame = pd.read_csv(path, dtype=str)
            except pd.errors.EmptyDataError:  # what a failed scrape returns: no columns
                frame = pd.DataFrame()
            self._frames[function] = _typed(frame)
        return self._frames[function]


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Numbers as the library returns them (floats); codes and dates stay text."""
    out = frame.copy()
    for column in out.columns:
        if column.startswith("@"):  # a parameter: a blank cell is the empty string
            out[column] = out[column].fillna("")
        elif column in TEXT_COLUMNS:
            out[column] = out[column].astype(object).where(out[column].notna(), None)
        else:
            out[column] = pd.to_numeric(out[column], errors="coerce")
    return out
