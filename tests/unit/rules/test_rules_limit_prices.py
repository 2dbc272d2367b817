"""Limit-up / limit-down prices: half-up to 0.01, at least one tick, never below 0.01."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exchange import limit_prices

BANDS_PERCENT = (5, 10, 20, 30)


def oracle_cents(prev_close_cents: int, band_percent: int) -> tuple[int, int]:
    """Independent integer arithmetic: half-up is floor(x + 1/2) on exact hundredths."""
    up = (prev_close_cents * (100 + band_percent) + 50) // 100
    down = (prev_close_cents * (100 - band_percent) + 50) // 100
    up = max(up, prev_close_cents + 1)
    down = max(min(down, prev_close_cents - 1), 1)
    return up, down


def cents(value: Decimal | None) -> int:
    assert value is not None
    return int(value * 100)


@pytest.mark.parametrize("band_percent", BANDS_PERCENT)
def test_every_prev_close_on_the_grid_matches_half_up(band_percent: int) -> None:
    band = Decimal(band_percent) / 100
    for prev_cents in range(1, 10_000):  # 0.01 .. 99.99
        up, down = limit_prices(Decimal(prev_cents) / 100, band)
        assert (cents(up), cents(down)) == oracle_cents(prev_cents, band_percent), prev_cents


@given(
    prev_cents=st.integers(min_value=1, max_value=100_000_000), band=st.sampled_from(BANDS_PERCENT)
)
def test_any_prev_close_matches_half_up(prev_cents: int, band: int) -> None:
    up, down = limit_prices(Decimal(prev_cents) / 100, Decimal(band) / 100)
    assert (cents(up), cents(down)) == oracle_cents(prev_cents, band)


@pytest.mark.parametrize(
    ("prev_close", "band", "limit_up", "limit_down"),
    [
        ("1.15", "0.10", "1.27", "1.04"),  # 1.265 and 1.035: half-even would give 1.26 / 1.04
        ("1.35", "0.10", "1.49", "1.22"),  # 1.485 -> 1.49 (half-even: 1.48)
        ("10.00", "0.10", "11.00", "9.00"),
        ("2.10", "0.05", "2.21", "2.00"),  # 2.205 -> 2.21, 1.995 -> 2.00
        ("1.05", "0.30", "1.37", "0.74"),  # 1.365 -> 1.37, 0.735 -> 0.74
        ("33.33", "0.20", "40.00", "26.66"),
    ],
)
def test_known_limits(prev_close: str, band: str, limit_up: str, limit_down: str) -> None:
    assert limit_prices(Decimal(prev_close), Decimal(band)) == (
        Decimal(limit_up),
        Decimal(limit_down),
    )


def test_python_round_would_be_wrong_here() -> None:
    up, _ = limit_prices(Decimal("1.15"), Decimal("0.10"))
    assert round(1.15 * 1.1, 2) == 1.26 and up == Decimal("1.27")


def test_band_smaller_than_a_tick_moves_one_tick() -> None:
    assert limit_prices(Decimal("0.05"), Decimal("0.05")) == (Decimal("0.06"), Decimal("0.04"))
    assert limit_prices(Decimal("0.09"), Decimal("0.05")) == (Decimal("0.10"), Decimal("0.08"))


def test_limit_down_never_below_one_cent() -> None:
    assert limit_prices(Decimal("0.01"), Decimal("0.30")) == (Decimal("0.02"), Decimal("0.01"))


def test_no_band_means_no_limits() -> None:
    assert limit_prices(Decimal("12.34"), None) == (None, None)


@pytest.mark.parametrize(
    "prev_close", [Decimal("0"), Decimal("-1.00"), Decimal("1.005"), Decimal("NaN")]
)
def test_bad_previous_close_is_refused(prev_close: Decimal) -> None:
    with pytest.raises(ValueError, match="previous close"):
        limit_prices(prev_close, Decimal("0.10"))


def test_float_previous_close_is_refused() -> None:
    with pytest.raises(TypeError, match="expected a Decimal"):
        limit_prices(1.15, Decimal("0.10"))  # type: ignore[arg-type]


@pytest.mark.parametrize("band", [Decimal("0"), Decimal("1"), Decimal("-0.1")])
def test_bad_band_is_refused(band: Decimal) -> None:
    with pytest.raises(ValueError, match="band"):
        limit_prices(Decimal("10.00"), band)
