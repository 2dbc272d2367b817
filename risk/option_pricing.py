"""Black-76 prices, implied volatility and Greeks of European index options (MO).

A thin typed wrapper over `vollib` (vollib.black: Black-76 on a forward, with Peter
Jaeckel's "Let's Be Rational" implied volatility). Nothing here re-derives what the
library does; this module only checks inputs, names the right ("C"/"P") the desk's
way and turns the library's failures into one error a caller can catch.

Units are the library's: `t_years` in years, `rate` and `vol` as annual fractions
(continuous compounding), prices in index points. `Greeks.vega` is per 1 volatility
point (0.01), `Greeks.theta` per calendar day, as vollib's analytical Greeks give them.
Floats are fine here; orders are priced in Decimal on the tick grid elsewhere.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from vollib.black import black
from vollib.black.greeks import analytical
from vollib.black.implied_volatility import implied_volatility as _vollib_iv

from errors import FixData

__all__ = ["Greeks", "PricingError", "black76_price", "greeks", "implied_vol"]


class PricingError(ValueError, FixData):
    """Inputs no Black-76 price exists for, or a price no volatility reproduces."""


@dataclass(frozen=True)
class Greeks:
    delta: float  # d price / d forward
    gamma: float  # d delta / d forward
    vega: float  # price change for +1 volatility point (0.01)
    theta: float  # price change per calendar day


def black76_price(
    forward: float, strike: float, t_years: float, rate: float, vol: float, right: str
) -> float:
    """Discounted Black-76 price of a European call or put on `forward`."""
    flag = _flag(right)
    _check(forward, strike, t_years, rate)
    _check_vol(vol)
    return float(black(flag, forward, strike, t_years, rate, vol))


def implied_vol(
    price: float, forward: float, strike: float, t_years: float, rate: float, right: str
) -> float:
    """The volatility whose Black-76 price is `price` (discounted, index points)."""
    flag = _flag(right)
    _check(forward, strike, t_years, rate)
    if not (math.isfinite(price) and price > 0):
        raise PricingError(f"option price {price!r}: expected a positive finite number")
    try:
        vol = float(_vollib_iv(price, forward, strike, rate, t_years, flag))
    except Exception as exc:  # the library raises its own PriceIsAbove/BelowIntrinsic
        raise PricingError(
            f"no implied volatility for price {price} ({right} K={strike}, F={forward}, "
            f"t={t_years}): {type(exc).__name__}"
        ) from None
    if not (math.isfinite(vol) and vol > 0):
        raise PricingError(f"no implied volatility for price {price} ({right} K={strike})")
    return vol


def greeks(
    forward: float, strike: float, t_years: float, rate: float, vol: float, right: str
) -> Greeks:
    """Analytical Black-76 delta, gamma, vega, theta (vollib.black.greeks.analytical)."""
    flag = _flag(right)
    _check(forward, strike, t_years, rate)
    _check_vol(vol)
    args = (flag, forward, strike, t_years, rate, vol)
    return Greeks(
        delta=float(analytical.delta(*args)),
        gamma=float(analytical.gamma(*args)),
        vega=float(analytical.vega(*args)),
        theta=float(analytical.theta(*args)),
    )


def _flag(right: str) -> str:
    value = str(right).strip().upper() if isinstance(right, str) else ""
    if value in ("C", "CALL"):
        return "c"
    if value in ("P", "PUT"):
        return "p"
    raise PricingError(f"option right {right!r}: expected 'C' or 'P'")


def _check(forward: float, strike: float, t_years: float, rate: float) -> None:
    for name, value in (("forward", forward), ("strike", strike), ("t_years", t_years)):
        if not _finite(value) or value <= 0:
            raise PricingError(f"{name} {value!r}: expected a positive finite number")
    if not _finite(rate):
        raise PricingError(f"rate {rate!r}: expected a finite number")


def _check_vol(vol: float) -> None:
    if not _finite(vol) or vol <= 0:
        raise PricingError(f"vol {vol!r}: expected a positive finite number")


def _finite(value: object) -> bool:
    return (
        not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value)
    )
