"""Import validation checks a delisting-period stock against the rules engine's band:
day 1 free (from the 2020-12-31 reform), then the board's normal band, not the ST one."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from marketdata.calendar import TradingCalendar
from marketdata.partitions import DayBlock
from marketdata.schema import DAILY_FIELDS, RiskFlag
from marketdata.validate import limit_problems

SYMBOL = "600001.SSE"


def block(days: list[date], prev: list[float], high: list[float]) -> DayBlock:
    n = len(days)
    values = {name: np.full((n, 1), 1.0) for name in DAILY_FIELDS}
    values["prev_close"] = np.array(prev)[:, None]
    values["high"] = np.array(high)[:, None]
    values["low"] = values["prev_close"].copy()
    values["open"] = values["close"] = values["low"].copy()
    values["risk_flag"] = np.full((n, 1), RiskFlag.DELISTING, dtype=np.int8)
    values["listed"] = np.ones((n, 1), dtype=bool)
    values["suspended"] = np.zeros((n, 1), dtype=bool)
    return DayBlock(days, [SYMBOL], values)


INSTRUMENTS = pd.DataFrame({"board": ["main"], "list_date": [pd.Timestamp("2005-01-04")]},
                           index=pd.Index([SYMBOL], name="symbol"))
NONE_BEFORE = np.array([RiskFlag.NORMAL], dtype=np.int8)


def findings(b: DayBlock, calendar: TradingCalendar) -> list[tuple[date, str]]:
    return [(p.day, p.message) for p in limit_problems(b, INSTRUMENTS, calendar, NONE_BEFORE)]


def test_day_two_is_checked_at_ten_percent_not_five(calendar: TradingCalendar) -> None:
    # (validation covers days from BSE's opening, 2021-11-15: the pre-2020-12-31 rule of
    # a limited day 1 is tested in tests/unit/rules/test_rules_stock_fixes.py)
    days = [date(2026, 3, 2), date(2026, 3, 3)]
    # day 1 +40% (no limit), day 2 +8%: within 10% (the ST band would say 5%)
    assert findings(block(days, [2.00, 2.80], [2.80, 3.02]), calendar) == []
    [(day, message)] = findings(block(days, [2.00, 2.80], [2.80, 3.09]), calendar)
    assert day == days[1] and "±10%" in message
