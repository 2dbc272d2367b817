"""Parsing and checking the non-daily files: instruments, index, futures, financials."""

from __future__ import annotations

import pandas as pd

from exchange import classify
from marketdata.boards import board_of
from marketdata.errors import DataProblem, Severity
from marketdata.importers.files import dates_column, duplicate_rows, numeric, require_columns
from marketdata.schema import FINANCIAL_FIELDS, INDEX_COLUMNS


def _row_errors(frame: pd.DataFrame, bad: pd.Series, label: str, kind: str, field: str,
                why: str) -> list[DataProblem]:
    return [DataProblem(Severity.ERROR, kind, why, file=label, row=int(i) + 1, field=field)
            for i in frame.index[bad.fillna(False).astype(bool)][:50]]


def _is_index_future(symbol: str) -> bool:
    """A futures vt_symbol that `exchange` knows, written exactly (IM2612.CFFEX)."""
    try:
        info = classify(symbol)
    except ValueError:
        return False
    return info.is_future and info.symbol == symbol


def parse_instruments(frame: pd.DataFrame, label: str) -> tuple[pd.DataFrame, list[DataProblem]]:
    problems = require_columns(frame, ("symbol", "name", "industry", "list_date"), label)
    if problems:
        return frame, problems
    frame = frame.reset_index(drop=True)
    frame["symbol"] = frame["symbol"].astype(str).str.strip()
    if "delist_date" not in frame.columns:
        frame["delist_date"] = pd.NaT
    problems += duplicate_rows(frame, ["symbol"], label)
    problems += dates_column(frame, "list_date", label)
    problems += dates_column(frame, "delist_date", label, required=False)
    boards, exchanges = [], []
    for i, symbol in enumerate(frame["symbol"]):
        try:
            boards.append(board_of(symbol).value)
        except ValueError as exc:
            problems.append(DataProblem(Severity.ERROR, "bad_value", str(exc), file=label,
                                        row=int(i) + 1, field="symbol"))
            boards.append("")
        exchanges.append(symbol.partition(".")[2])
    for name, derived in (("board", boards), ("exchange", exchanges)):
        if name in frame.columns:
            given = frame[name].astype(str).str.strip()
            problems += _row_errors(frame, given != pd.Series(derived), label, "bad_value", name,
                                    f"{name} does not match the symbol's code")
        frame[name] = derived
    order = ["symbol", "name", "exchange", "board", "industry", "list_date", "delist_date"]
    return frame[order].set_index("symbol"), problems


def parse_index(frame: pd.DataFrame, label: str) -> tuple[pd.DataFrame, list[DataProblem]]:
    problems = require_columns(frame, ("date", *INDEX_COLUMNS), label)
    if problems:
        return frame, problems
    problems += dates_column(frame, "date", label)
    problems += duplicate_rows(frame, ["date"], label)
    problems += numeric(frame, INDEX_COLUMNS, label)
    for name in INDEX_COLUMNS:
        problems += _row_errors(frame, ~(frame[name] > 0), label, "non_positive_price", name,
                                f"{name} must be > 0")
    return frame[["date", *INDEX_COLUMNS]], problems


def parse_futures(frame: pd.DataFrame, label: str) -> tuple[pd.DataFrame, list[DataProblem]]:
    cols = ("date", "symbol", "open", "high", "low", "close", "volume", "open_interest", "expiry")
    problems = require_columns(frame, cols, label)
    if problems:
        return frame, problems
    frame["symbol"] = frame["symbol"].astype(str).str.strip()
    problems += dates_column(frame, "date", label) + dates_column(frame, "expiry", label)
    problems += duplicate_rows(frame, ["date", "symbol"], label)
    problems += numeric(frame, cols[2:8], label)
    problems += _row_errors(frame, ~frame["symbol"].map(_is_index_future), label,
                            "bad_value", "symbol", "expected an IM contract like IM2612.CFFEX")
    for name in ("open", "high", "low", "close"):
        problems += _row_errors(frame, ~(frame[name] > 0), label, "non_positive_price", name,
                                f"{name} must be > 0")
    problems += _row_errors(frame, frame["high"] < frame["low"], label, "high_below_low",
                            "high", "high < low")
    problems += _row_errors(frame, frame["expiry"] < frame["date"], label, "bad_value",
                            "expiry", "expiry before the bar's date")
    for name in ("volume", "open_interest"):  # whole lots
        problems += _row_errors(frame, frame[name] % 1 != 0, label, "bad_value", name,
                                f"{name} must be a whole number of lots")
        frame[name] = frame[name].fillna(0).round().astype("int64")
    problems += _settlement(frame, label)
    return frame[[*cols, "settlement"]], problems


def _settlement(frame: pd.DataFrame, label: str) -> list[DataProblem]:
    """The optional settlement column (the next day's limits are computed from it);
    blank where the vendor has none, never made up from the close."""
    if "settlement" not in frame.columns:
        frame["settlement"] = float("nan")
        return []
    problems = numeric(frame, ("settlement",), label, required=pd.Series(False, frame.index))
    return problems + _row_errors(frame, frame["settlement"] <= 0, label, "non_positive_price",
                                  "settlement", "settlement must be > 0")


def parse_financials(frame: pd.DataFrame, label: str) -> tuple[pd.DataFrame, list[DataProblem]]:
    cols = ("symbol", "period_end", "report_date", *FINANCIAL_FIELDS)
    problems = require_columns(frame, cols, label)
    if problems:
        return frame, problems
    frame["symbol"] = frame["symbol"].astype(str).str.strip()
    problems += dates_column(frame, "period_end", label)
    problems += dates_column(frame, "report_date", label)
    problems += duplicate_rows(frame, ["symbol", "period_end", "report_date"], label)
    problems += numeric(frame, FINANCIAL_FIELDS, label,
                        required=pd.Series(False, index=frame.index))
    problems += _row_errors(frame, frame["report_date"] < frame["period_end"], label,
                            "bad_value", "report_date", "reported before the period ended")
    result = frame[list(cols)].copy()
    result.attrs["label"] = label  # names the file in cross-file findings
    return result, problems


def check_tables(tables: dict[str, pd.DataFrame], instruments: pd.DataFrame,
                 ) -> list[DataProblem]:
    """Cross-file checks: financial reports must be for known symbols."""
    fin = tables.get("financials")
    if fin is None:
        return []
    unknown = ~fin["symbol"].isin(instruments.index)
    return _row_errors(fin, unknown, str(fin.attrs.get("label", "financials")), "unknown_symbol",
                       "symbol", "not in the instruments table")
