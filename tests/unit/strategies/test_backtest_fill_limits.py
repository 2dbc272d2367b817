"""The fills' day limits are remembered per (previous close, band): a close met again
under another band (another board, a risk warning, a delisting day, a rule change) gets
that band's limits, and every answer is the exchange's own `limit_prices`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np

from exchange import limit_prices, price_band
from marketdata.schema import RiskFlag
from strategies.backtest.fills import DayMarket, day_limits, quotes
from strategies.costs import to_price

SYMBOLS = ("600100.SSE", "300101.SZSE", "688102.SSE", "600103.SSE", "600104.SSE")


def _market(day: date, prev_close: float, flags: tuple[int, ...],
            delisting: tuple[int, ...]) -> DayMarket:
    n = len(SYMBOLS)
    same = np.full(n, prev_close)
    return DayMarket(day, {s: i for i, s in enumerate(SYMBOLS)}, same, same, same,
                     np.full(n, 1e6), same * 1e6, same, np.zeros(n, dtype=bool),
                     np.array(flags, dtype=float), np.array(delisting), np.full(n, 1e8))


def _expected(symbol: str, day: date, prev_close: float, flag: int,
              delisting: int) -> tuple[Decimal | None, Decimal | None]:
    band = price_band(symbol, day, st=flag in (RiskFlag.ST, RiskFlag.STAR_ST),
                      delisting_day=delisting or None)
    return limit_prices(to_price(prev_close, "prev_close"), band)


def test_one_close_under_every_band_gets_that_bands_limits() -> None:
    flags = (0, 0, 0, int(RiskFlag.ST), int(RiskFlag.DELISTING))
    delisting = (0, 0, 0, 0, 2)
    for day in (date(2020, 8, 21), date(2020, 8, 24), date(2026, 7, 6), date(2020, 8, 21)):
        market = _market(day, 10.0, flags, delisting)
        got = [day_limits(s, market, i) for i, s in enumerate(SYMBOLS)]
        assert got == [_expected(s, day, 10.0, f, d)
                       for s, f, d in zip(SYMBOLS, flags, delisting, strict=True)]
    # Main 10%, ChiNext 20% after its reform, STAR 20%, ST 10% from 2026-07-06.
    assert got[:3] == [(Decimal("11.00"), Decimal("9.00")),
                       (Decimal("11.00"), Decimal("9.00")),
                       (Decimal("12.00"), Decimal("8.00"))]
    late = _market(date(2026, 7, 6), 10.0, flags, delisting)
    assert day_limits(SYMBOLS[1], late, 1) == (Decimal("12.00"), Decimal("8.00"))
    assert day_limits(SYMBOLS[3], late, 3) == (Decimal("11.00"), Decimal("9.00"))


def test_a_delisting_first_day_and_no_reference_have_no_limits() -> None:
    day = date(2024, 3, 4)
    market = _market(day, 10.0, (0, 0, 0, 0, int(RiskFlag.DELISTING)), (0, 0, 0, 0, 1))
    assert day_limits(SYMBOLS[4], market, 4) == (None, None)
    for bad in (0.0, -1.0, float("nan"), float("inf")):
        assert day_limits(SYMBOLS[0], _market(day, bad, (0,) * 5, (0,) * 5), 0) == (None, None)


def test_the_days_rows_are_the_arrays_values() -> None:
    market = _market(date(2024, 3, 4), 7.77, (0, 1, 0, 2, 3), (0, 0, 0, 0, 4))
    rows = quotes(market, [4, 1, 4])
    assert [r.risk_flag for r in rows] == [3.0, 1.0, 3.0]
    assert [r.delisting_day for r in rows] == [4.0, 0.0, 4.0]
    assert rows[0].prev_close == 7.77 and rows[0].amount == 7.77 * 1e6
    assert rows[0].suspended == 0.0 and rows[0].adv == 1e8
    assert quotes(market, []) == []
