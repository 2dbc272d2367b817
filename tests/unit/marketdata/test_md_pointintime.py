from __future__ import annotations

import numpy as np
import pandas as pd

from marketdata.pointintime import latest_reports, point_in_time

DATES = pd.DatetimeIndex(pd.to_datetime(["2026-04-27", "2026-04-28", "2026-04-29", "2026-04-30",
                                         "2026-05-06"]))
SYMBOLS = pd.Index(["000001.SZSE", "600000.SSE"])


def report(symbol: str, period_end: str, report_date: str, roe: float) -> dict[str, object]:
    return {"symbol": symbol, "period_end": pd.Timestamp(period_end),
            "report_date": pd.Timestamp(report_date), "net_profit_ttm": roe * 100,
            "equity": 100.0, "revenue_growth": 0.1, "roe": roe}


def known(rows: list[dict[str, object]]) -> np.ndarray:
    return point_in_time(latest_reports(pd.DataFrame(rows)), DATES, SYMBOLS)["roe"]


def test_value_known_from_its_report_date() -> None:
    roe = known([report("000001.SZSE", "2025-12-31", "2026-03-20", 0.05),
                 report("000001.SZSE", "2026-03-31", "2026-04-29", 0.07)])
    np.testing.assert_array_equal(roe[:, 0], [0.05, 0.05, 0.07, 0.07, 0.07])
    assert np.isnan(roe[:, 1]).all()  # nothing reported: unknown, never guessed


def test_announcement_on_a_holiday_counts_from_the_next_trade_date() -> None:
    roe = known([report("600000.SSE", "2026-03-31", "2026-05-02", 0.09)])
    np.testing.assert_array_equal(np.isnan(roe[:, 1]), [True, True, True, True, False])


def test_late_restatement_of_an_older_period_does_not_replace_a_newer_one() -> None:
    roe = known([report("000001.SZSE", "2026-03-31", "2026-04-28", 0.07),
                 report("000001.SZSE", "2025-12-31", "2026-04-30", 0.01)])
    np.testing.assert_array_equal(roe[1:, 0], [0.07, 0.07, 0.07, 0.07])


def test_restatement_of_the_current_period_replaces_it() -> None:
    roe = known([report("000001.SZSE", "2026-03-31", "2026-04-28", 0.07),
                 report("000001.SZSE", "2026-03-31", "2026-04-30", 0.06)])
    np.testing.assert_array_equal(roe[:, 0][1:], [0.07, 0.07, 0.06, 0.06])


def test_reports_after_the_window_are_ignored() -> None:
    roe = known([report("000001.SZSE", "2026-03-31", "2026-05-20", 0.07)])
    assert np.isnan(roe).all()
