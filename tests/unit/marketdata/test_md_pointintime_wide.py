"""Point-in-time fields over many symbols and dates against a cell-by-cell reading of
the rule: on each date, the newest report (by report date, then order) announced by then."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from marketdata.pointintime import latest_reports, point_in_time


def _reports(seed: int, symbols: list[str], n_reports: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    report_dates = pd.Timestamp("2025-12-01") + pd.to_timedelta(
        rng.integers(0, 120, n_reports), unit="D")  # some before the window, some after
    period_ends = pd.Timestamp("2025-06-30") + pd.to_timedelta(
        91 * rng.integers(0, 4, n_reports), unit="D")  # restatements of older periods too
    picked = rng.choice([*symbols, "999999.SSE"], n_reports)  # one symbol not in the panel
    return pd.DataFrame({"symbol": picked, "period_end": period_ends,
                         "report_date": report_dates, "roe": rng.normal(0.05, 0.02, n_reports),
                         "net_profit_ttm": rng.normal(1e8, 1e7, n_reports),
                         "equity": 1e9, "revenue_growth": 0.1})


def _expected(reports: pd.DataFrame, dates: pd.DatetimeIndex, symbols: pd.Index) -> np.ndarray:
    out = np.full((len(dates), len(symbols)), np.nan)
    for j, symbol in enumerate(symbols):
        own = reports[reports["symbol"] == symbol]  # in (report date, order) already
        for i, day in enumerate(dates):
            # Announced on or before this trade date, or on a day before it (the window's
            # first row takes everything announced up to it).
            seen = own[own["report_date"] <= day]
            if len(seen):
                out[i, j] = seen["roe"].iloc[-1]
    return out


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_wide_point_in_time_is_the_newest_report_known(seed: int) -> None:
    symbols = pd.Index([f"{600000 + k}.SSE" for k in range(90)])
    dates = pd.bdate_range("2026-01-05", periods=40)
    reports = latest_reports(_reports(seed, list(symbols), 400))
    got = point_in_time(reports, dates, symbols, ("roe",))["roe"]
    assert got.dtype == np.float64 and got.shape == (40, 90)
    expected = _expected(reports, dates, symbols)
    assert np.isnan(expected).any() and np.isfinite(expected).any()
    assert got.tobytes() == expected.tobytes()
