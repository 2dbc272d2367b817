"""Reading the replay's input files (formats in docs/risk.md).

CSV or Parquet, chosen by the file suffix. Dates are trade dates (YYYY-MM-DD).

- NAV file: `date`, `nav` (the book's NAV at the close, CNY, without any hedge) and
  optionally `stock_value` (the stock exposure; `nav` is used when absent).
- Index file: `date` and `close` (CSI 1000; a column named `csi1000` also works).
- Futures file: long, one row per contract and day: `date`, `symbol` (e.g.
  `IM2403.CFFEX`, or `IM2403`), `close`, and optionally `volume`, `open_interest` and
  `expiry` (the contract's listed last trading day; the store's `load_futures` layout).
  Without `expiry` a contract's last trading day comes from the trading calendar, and a
  contract expiring past the calendar's end cannot be used.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from errors import FixData


class ReplayInputError(ValueError, FixData):
    """An input file of the replay is unusable; the message names the file and why."""


def read_table(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise ReplayInputError(f"{path}: no such file")
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            return pd.read_parquet(path)
        if suffix in (".csv", ".txt"):
            return pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise ReplayInputError(f"{path}: unreadable ({exc})") from exc
    raise ReplayInputError(f"{path}: expected a .csv or .parquet file")


def read_nav(path: Path) -> pd.DataFrame:
    """Index: trade dates; columns nav, stock_value (floats)."""
    frame = _dated(read_table(path), path, ["nav"])
    if "stock_value" not in frame.columns:
        frame["stock_value"] = frame["nav"]
    _positive(frame, ["nav"], path)
    return frame[["nav", "stock_value"]].astype(float)


def read_index(path: Path) -> pd.Series:
    raw = read_table(path)
    column = next((c for c in ("close", "csi1000") if c in raw.columns), None)
    if column is None:
        raise ReplayInputError(f"{path}: missing column 'close' (or 'csi1000'); "
                               f"have {list(raw.columns)}")
    frame = _dated(raw, path, [column])
    _positive(frame, [column], path)
    return frame[column].astype(float).rename("index")


def read_futures(path: Path) -> pd.DataFrame:
    """Long frame: date (Timestamp), symbol (vt_symbol), close, volume, open_interest."""
    raw = read_table(path)
    missing = [c for c in ("date", "symbol", "close") if c not in raw.columns]
    if missing:
        raise ReplayInputError(f"{path}: missing column(s) {missing}; have {list(raw.columns)}")
    frame = raw.copy()
    frame["date"] = _dates(frame["date"], path)
    frame["symbol"] = [s if "." in s else f"{s}.CFFEX" for s in frame["symbol"].astype(str)]
    for column in ("volume", "open_interest"):
        if column not in frame.columns:
            frame[column] = 0.0
    _positive(frame, ["close"], path)
    frame["expiry"] = _expiries(frame, path)
    return frame[["date", "symbol", "close", "volume", "open_interest", "expiry"]]


def scale_to_capital(nav: pd.DataFrame, capital: float) -> pd.DataFrame:
    """NAV and stock value scaled so that the first NAV is `capital` CNY (a series in
    units, 1.00..., becomes a book of that size)."""
    if capital <= 0:
        raise ReplayInputError(f"--capital {capital}: expected a positive amount of CNY")
    return nav * (capital / float(nav["nav"].iloc[0]))


def _expiries(frame: pd.DataFrame, path: Path) -> pd.Series:
    """The listed last trading day per row (NaT where the file has none)."""
    if "expiry" not in frame.columns:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    try:
        expiry = pd.to_datetime(frame["expiry"], format="mixed").dt.normalize()
    except (ValueError, TypeError) as exc:
        raise ReplayInputError(f"{path}: column 'expiry' is not dates ({exc})") from exc
    changing = expiry.groupby(frame["symbol"]).nunique() > 1
    if changing.any():
        raise ReplayInputError(f"{path}: {changing[changing].index[0]} has more than one "
                               "expiry; a contract's last trading day is fixed at listing")
    early = frame.index[expiry < frame["date"]]
    if len(early):
        row = early[0]
        raise ReplayInputError(f"{path}: row {row}: {frame.loc[row, 'symbol']} quoted on "
                               f"{frame.loc[row, 'date'].date()}, after its expiry "
                               f"{expiry[row].date()}")
    return expiry


def _dated(raw: pd.DataFrame, path: Path, needed: list[str]) -> pd.DataFrame:
    missing = [c for c in ["date", *needed] if c not in raw.columns]
    if missing:
        raise ReplayInputError(f"{path}: missing column(s) {missing}; have {list(raw.columns)}")
    frame = raw.set_index(pd.DatetimeIndex(_dates(raw["date"], path), name="date")).sort_index()
    duplicated = frame.index[frame.index.duplicated()]
    if len(duplicated):
        raise ReplayInputError(f"{path}: date {duplicated[0].date()} appears more than once")
    return frame.drop(columns=["date"])


def _dates(column: pd.Series, path: Path) -> pd.Series:
    try:
        return pd.to_datetime(column, format="mixed").dt.normalize()
    except (ValueError, TypeError) as exc:
        raise ReplayInputError(f"{path}: column 'date' is not dates ({exc})") from exc


def _positive(frame: pd.DataFrame, columns: list[str], path: Path) -> None:
    for column in columns:
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = frame.index[~(values > 0)]
        if len(bad):
            raise ReplayInputError(
                f"{path}: column {column!r} must be a positive number; row {bad[0]} "
                f"has {frame[column].loc[bad[0]]!r}"
            )
