"""The synthetic MO chain: on the exchange's grid and tick, arbitrage-free enough to be
believed (put-call parity within a tick), skewed, and spiking in the crash regime."""

from __future__ import annotations

import itertools
import math
from datetime import date
from decimal import Decimal

import pytest

from exchange import WeekdaysBeyondCalendar
from exchange.options import MO_TICK, listed_option_months, strike_grid
from marketdata.option_chain import (
    RATE,
    OptionQuote,
    annual_discount,
    stress_from_discount,
    synthetic_chain,
)

ON = date(2026, 12, 2)
INDEX = Decimal("6123.45")


class EndsIn2026:
    covered_through = date(2026, 12, 31)

    def trading_days(self, start: date, end: date) -> list[date]:
        if end > self.covered_through:
            raise LookupError(end)
        return [date.fromordinal(n) for n in range(start.toordinal(), end.toordinal() + 1)
                if date.fromordinal(n).weekday() < 5]


CAL = WeekdaysBeyondCalendar(EndsIn2026())


def chain(stress: float) -> list[OptionQuote]:
    return synthetic_chain(ON, INDEX, stress, CAL)


def by_month(quotes: list[OptionQuote], year: int, month: int) -> list[OptionQuote]:
    return [q for q in quotes if (q.contract.year, q.contract.month) == (year, month)]


def atm_vol(quotes: list[OptionQuote], year: int, month: int) -> float:
    month_quotes = by_month(quotes, year, month)
    forward = month_quotes[0].forward
    nearest = min(month_quotes, key=lambda q: abs(q.contract.strike - forward))
    return nearest.implied_vol


def test_every_listed_month_with_its_grid_calls_and_puts() -> None:
    quotes = chain(0.0)
    months = listed_option_months(ON, CAL)
    assert sorted({(q.contract.year, q.contract.month) for q in quotes}) == months
    for year, month in months:
        strikes = strike_grid(INDEX, year, month, ON, CAL)
        month_quotes = by_month(quotes, year, month)
        assert sorted({q.contract.strike for q in month_quotes}) == strikes
        assert len(month_quotes) == 2 * len(strikes)
    assert chain(0.0) == quotes  # deterministic


@pytest.mark.parametrize("stress", [0.0, 0.5, 1.0])
def test_quotes_sit_on_the_tick_inside_a_positive_spread(stress: float) -> None:
    for q in chain(stress):
        for price in (q.bid, q.mid, q.ask):
            assert price % MO_TICK == 0 and price >= MO_TICK, q
        assert q.bid <= q.mid < q.ask, q
        assert q.forward % MO_TICK == 0
        assert q.expiry >= ON and q.t_years > 0


@pytest.mark.parametrize("stress", [0.0, 1.0])
def test_put_call_parity_within_a_tick(stress: float) -> None:
    quotes = chain(stress)
    pairs: dict[tuple[int, int, Decimal], dict[str, OptionQuote]] = {}
    for q in quotes:
        key = (q.contract.year, q.contract.month, q.contract.strike)
        pairs.setdefault(key, {})[q.contract.right.value] = q
    checked = 0
    for pair in pairs.values():
        call, put = pair["C"], pair["P"]
        if min(call.mid, put.mid) <= MO_TICK:  # a one-tick floor is not a price
            continue
        parity = math.exp(-RATE * call.t_years) * float(call.forward - call.contract.strike)
        assert abs(float(call.mid - put.mid) - parity) <= float(MO_TICK) + 1e-9, (call, put)
        checked += 1
    assert checked > 50


def test_skew_puts_dearer_than_calls() -> None:
    near = by_month(chain(0.0), 2026, 12)
    vols = {q.contract.strike: q.implied_vol for q in near if q.contract.right.value == "P"}
    strikes = sorted(vols)
    assert all(vols[a] > vols[b] for a, b in itertools.pairwise(strikes))
    low, high = strikes[0], strikes[-1]
    assert vols[low] - vols[high] > 0.03


def test_crash_spikes_the_short_end_and_inverts_the_term_structure() -> None:
    calm, crash = chain(0.0), chain(1.0)
    near, far = (2026, 12), (2027, 9)
    assert atm_vol(calm, *near) < atm_vol(calm, *far)  # calm: upward sloping
    assert atm_vol(crash, *near) > atm_vol(crash, *far)  # crash: inverted
    assert atm_vol(crash, *near) - atm_vol(calm, *near) > 0.3
    # and the skew steepens
    crash_near = by_month(crash, *near)
    calm_near = by_month(calm, *near)
    def skew(quotes: list[OptionQuote]) -> float:
        puts = sorted((q for q in quotes if q.contract.right.value == "P"),
                      key=lambda q: q.contract.strike)
        return puts[0].implied_vol - puts[-1].implied_vol
    assert skew(crash_near) > skew(calm_near)
    # A put costs much more in the crash (premium is what the hedge pays).
    strike = Decimal(5600)
    def put(quotes: list[OptionQuote]) -> Decimal:
        return next(q.mid for q in quotes
                    if q.contract.strike == strike and q.contract.right.value == "P")
    assert put(crash_near) > 5 * put(calm_near)


def test_the_futures_discount_widens_with_stress_and_fades_with_maturity() -> None:
    assert annual_discount(12, 16, 0.0) == pytest.approx(0.13)
    assert annual_discount(12, 16, 1.0) == pytest.approx(0.55)  # IM2403, 2024-02-05: ~56%
    assert annual_discount(6, 135, 1.0) == pytest.approx(0.18 + 0.42 * math.exp(-1.5))
    assert stress_from_discount(0.55) == pytest.approx(1.0)
    assert stress_from_discount(0.05) == 0.0
    calm, crash = chain(0.0), chain(1.0)
    assert by_month(crash, 2026, 12)[0].forward < by_month(calm, 2026, 12)[0].forward


def test_given_forwards_are_used() -> None:
    quotes = synthetic_chain(ON, INDEX, 0.0, CAL, forwards={(2026, 12): Decimal("6000.0")})
    assert {q.forward for q in by_month(quotes, 2026, 12)} == {Decimal("6000.0")}
    assert {q.forward for q in by_month(quotes, 2027, 1)} != {Decimal("6000.0")}


@pytest.mark.parametrize("level", [Decimal(0), Decimal("-1"), Decimal("NaN")])
def test_a_bad_index_level_is_refused(level: Decimal) -> None:
    with pytest.raises(ValueError, match="index level"):
        synthetic_chain(ON, level, 0.0, CAL)
