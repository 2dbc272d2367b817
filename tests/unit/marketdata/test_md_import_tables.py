from __future__ import annotations

import pandas as pd

from marketdata.importers.tables import parse_futures


def futures_rows(*symbols: str) -> pd.DataFrame:
    return pd.DataFrame({
        "date": "2026-11-20", "symbol": list(symbols), "open": 6000.0, "high": 6010.0,
        "low": 5990.0, "close": 6000.0, "volume": 10, "open_interest": 20,
        "expiry": "2026-12-18",
    })


def test_futures_symbols_must_be_index_futures_the_rules_know() -> None:
    frame = futures_rows("IM2612.CFFEX", "IM2613.CFFEX", "im2612.cffex", "IC2612.CFFEX",
                         "600000.SSE", "IM2612")
    _, problems = parse_futures(frame, "futures.csv")
    bad_rows = sorted(p.row for p in problems if p.field == "symbol")
    assert bad_rows == [2, 3, 4, 5, 6]
    assert all(p.kind == "bad_value" for p in problems)


def test_a_vendors_settlement_column_is_kept_and_checked() -> None:
    """The next day's IM limits are ±10% of the settlement: an import must not drop it."""
    frame = futures_rows("IM2612.CFFEX", "IM2701.CFFEX", "IM2703.CFFEX")
    frame["settlement"] = [6001.1, -5.0, "n/a"]
    parsed, problems = parse_futures(frame, "futures.csv")
    assert "settlement" in parsed.columns
    assert parsed["settlement"].iloc[0] == 6001.1
    assert sorted((p.row, p.field) for p in problems) == [(2, "settlement"), (3, "settlement")]


def test_a_file_without_settlement_still_imports_with_the_column_empty() -> None:
    parsed, problems = parse_futures(futures_rows("IM2612.CFFEX"), "futures.csv")
    assert problems == []
    assert "settlement" in parsed.columns and parsed["settlement"].isna().all()
