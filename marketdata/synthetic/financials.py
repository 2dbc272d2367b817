"""Quarterly financial reports with realistic announcement dates (point-in-time)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from marketdata.synthetic.universe import Universe

# period end (month, day) -> (months after the period when announcements start, window in days)
_DISCLOSURE = {(3, 31): (date(1, 4, 10), 20), (6, 30): (date(1, 7, 15), 47),
               (9, 30): (date(1, 10, 10), 21), (12, 31): (date(1, 1, 20), 100)}


def _period_ends(first: date, last: date) -> list[date]:
    ends: list[date] = []
    for year in range(first.year - 1, last.year + 1):
        ends.extend(date(year, m, d) for m, d in _DISCLOSURE)
    return [e for e in ends if e <= last]


def _announcement_start(period_end: date) -> date:
    opens, _ = _DISCLOSURE[(period_end.month, period_end.day)]
    year = period_end.year + (1 if period_end.month == 12 else 0)
    return date(year, opens.month, opens.day)


def financial_reports(rng: np.random.Generator, uni: Universe, first: date, last: date,
                      ) -> pd.DataFrame:
    """Reports announced up to `last`, covering periods from a year before `first`."""
    n = len(uni.symbols)
    pb = np.exp(rng.normal(np.log(2.2), 0.5, n))
    equity0 = uni.target_cap / pb
    roe_level = rng.normal(0.06, 0.07, n)
    growth_level = rng.normal(0.05, 0.15, n)
    rows = []
    for k, period_end in enumerate(_period_ends(first, last)):
        _, window = _DISCLOSURE[(period_end.month, period_end.day)]
        offsets = rng.integers(0, window + 1, size=n)
        report = [_announcement_start(period_end) + timedelta(days=int(o)) for o in offsets]
        roe = roe_level + rng.normal(0, 0.02, n)
        equity = equity0 * (1.0 + 0.015 * k) * np.exp(rng.normal(0, 0.01, n))
        rows.append(pd.DataFrame({
            "symbol": uni.symbols,
            "period_end": pd.Timestamp(period_end),
            "report_date": pd.to_datetime(report),
            "net_profit_ttm": roe * equity,
            "equity": equity,
            "revenue_growth": growth_level + rng.normal(0, 0.08, n),
            "roe": roe,
        }))
    reports = pd.concat(rows, ignore_index=True)
    return reports[reports["report_date"] <= pd.Timestamp(last)].reset_index(drop=True)
