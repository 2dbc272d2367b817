"""risk.option_pricing against the library's own published examples.

The expected numbers are the doctest examples of vollib 1.0.11 (the library wrapped):
vollib/black/__init__.py `black` (F=100, K=100, sigma=0.2, t=0.5, r=0.02: 5.5811067246),
vollib/black/implied_volatility.py (the same price gives back 0.2) and
vollib/black/greeks/analytical.py (F=49, K=50, r=0.05, t=0.3846, sigma=0.2, the Black
versions of Hull's Greeks examples: delta 0.45107017482, gamma 0.0640646705882, vega
0.118317785624, theta -0.00816236877462 for the call, -0.00802799155312 for the put).
"""

from __future__ import annotations

import math

import pytest

from risk.option_pricing import Greeks, PricingError, black76_price, greeks, implied_vol


def test_price_matches_the_library_example() -> None:
    assert black76_price(100, 100, 0.5, 0.02, 0.2, "C") == pytest.approx(5.5811067246, abs=1e-9)


def test_implied_vol_of_the_library_example() -> None:
    assert implied_vol(5.5811067246, 100, 100, 0.5, 0.02, "C") == pytest.approx(0.2, abs=1e-8)


def test_greeks_match_the_library_examples() -> None:
    call = greeks(49, 50, 0.3846, 0.05, 0.2, "C")
    assert isinstance(call, Greeks)
    assert call.delta == pytest.approx(0.45107017482201828, abs=1e-6)
    assert call.gamma == pytest.approx(0.0640646705882, abs=1e-6)
    assert call.vega == pytest.approx(0.118317785624, abs=1e-6)
    assert call.theta == pytest.approx(-0.00816236877462, abs=1e-6)
    put = greeks(49, 50, 0.3846, 0.05, 0.2, "P")
    assert put.theta == pytest.approx(-0.00802799155312, abs=1e-6)
    assert put.gamma == pytest.approx(call.gamma) and put.vega == pytest.approx(call.vega)
    # Black-76 deltas: call - put = e^(-rt)
    assert call.delta - put.delta == pytest.approx(math.exp(-0.05 * 0.3846), abs=1e-12)


def test_put_call_parity_on_a_forward() -> None:
    f, k, t, r, v = 6000.0, 5600.0, 0.25, 0.02, 0.35
    call, put = black76_price(f, k, t, r, v, "C"), black76_price(f, k, t, r, v, "P")
    assert call - put == pytest.approx(math.exp(-r * t) * (f - k), abs=1e-8)


@pytest.mark.parametrize("strike", [4800.0, 5400.0, 6000.0, 6600.0, 7200.0])
@pytest.mark.parametrize("right", ["C", "P"])
def test_implied_vol_round_trips_across_the_chain(strike: float, right: str) -> None:
    price = black76_price(6000.0, strike, 30 / 365, 0.02, 0.45, right)
    assert implied_vol(price, 6000.0, strike, 30 / 365, 0.02, right) == pytest.approx(0.45,
                                                                                      abs=1e-7)


@pytest.mark.parametrize(("call", "match"), [
    (lambda: black76_price(100, 100, 0.5, 0.02, 0.2, "X"), "right"),
    (lambda: black76_price(-1, 100, 0.5, 0.02, 0.2, "C"), "forward"),
    (lambda: black76_price(100, 0, 0.5, 0.02, 0.2, "C"), "strike"),
    (lambda: black76_price(100, 100, 0.0, 0.02, 0.2, "C"), "t_years"),
    (lambda: black76_price(100, 100, 0.5, math.nan, 0.2, "C"), "rate"),
    (lambda: black76_price(100, 100, 0.5, 0.02, 0.0, "C"), "vol"),
    (lambda: greeks(100, 100, 0.5, 0.02, math.inf, "P"), "vol"),
    (lambda: implied_vol(0.0, 100, 100, 0.5, 0.02, "C"), "price"),
    # below intrinsic: a call on F=100, K=50 is worth at least ~49.5
    (lambda: implied_vol(1.0, 100, 50, 0.5, 0.02, "C"), "no implied volatility"),
    # above the maximum: a call is worth less than the discounted forward
    (lambda: implied_vol(150.0, 100, 50, 0.5, 0.02, "C"), "no implied volatility"),
])
def test_bad_inputs_raise_one_error(call: object, match: str) -> None:
    with pytest.raises(PricingError, match=match):
        call()  # type: ignore[operator]
