from __future__ import annotations

from decimal import Decimal

import pytest

from risk.sizing import affordable_lots, hedge_lots, hedged_ratio, margin_for, on_tick, split_lots


def test_lots_follow_beta_exposure_over_futures_notional() -> None:
    # 1.1 x 0.6 x 50 m / (5000 x 200) = 33 lots
    assert hedge_lots(Decimal("50000000"), 1.1, 0.6, Decimal("5000.0"), 200) == 33
    # the futures price, not the index: a discount means more lots
    assert hedge_lots(Decimal("50000000"), 1.0, 1.0, Decimal("4324.8"), 200) == 58


def test_lots_round_half_up_and_small_books_get_none() -> None:
    assert hedge_lots(Decimal("2500000"), 1.0, 1.0, Decimal("5000.0"), 200) == 3  # 2.5 -> 3
    assert hedge_lots(Decimal("2400000"), 1.0, 1.0, Decimal("5000.0"), 200) == 2  # 2.4 -> 2
    assert hedge_lots(Decimal("400000"), 1.0, 0.3, Decimal("5000.0"), 200) == 0
    assert hedge_lots(Decimal("0"), 1.0, 1.0, Decimal("5000.0"), 200) == 0
    with pytest.raises(ValueError, match="futures price 0"):
        hedge_lots(Decimal("1"), 1.0, 1.0, Decimal("0"), 200)


def test_hedged_ratio_inverts_the_sizing() -> None:
    ratio = hedged_ratio(33, Decimal("50000000"), 1.1, Decimal("5000.0"), 200)
    assert ratio == pytest.approx(0.6)
    assert hedged_ratio(5, Decimal(0), 1.0, Decimal("5000.0"), 200) == 0.0


@pytest.mark.parametrize(("lots", "expected"), [
    (0, []), (7, [7]), (20, [20]), (21, [11, 10]), (45, [15, 15, 15]), (41, [14, 14, 13]),
])
def test_split_into_orders_of_at_most_twenty(lots: int, expected: list[int]) -> None:
    assert split_lots(lots, 20) == expected
    assert sum(split_lots(lots, 20)) == lots


def test_margin_and_what_cash_affords() -> None:
    assert margin_for(10, Decimal("5000.0"), 200, Decimal("0.15")) == Decimal("1500000.00")
    assert affordable_lots(Decimal("1499999"), Decimal("5000.0"), 200, Decimal("0.15")) == 9
    assert affordable_lots(Decimal("-5"), Decimal("5000.0"), 200, Decimal("0.15")) == 0


def test_prices_snap_to_the_tick() -> None:
    assert on_tick(5123.45, Decimal("0.2")) == Decimal("5123.4")
    assert on_tick(5123.5, Decimal("0.2")) == Decimal("5123.6")
    assert str(on_tick(Decimal("5000"), Decimal("0.2"))) == "5000.0"
