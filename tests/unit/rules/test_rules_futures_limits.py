"""CFFEX daily limits of IM and its close-today fee (reference section 6, corrected).

The band is ±10% of the previous settlement price, ±20% on the last trading day and
±20% of the listing benchmark price on a new contract's first day; limits off the 0.2
tick are rounded inward. Sources: docs/rules.md section 6.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from exchange import (
    OrderFacts,
    Rule,
    check_order,
    describe,
    future_band,
    future_fee,
    future_limit_prices,
    price_band,
)

D = Decimal
IM = "IM2612.CFFEX"
LAST_DAY = date(2026, 12, 18)  # as CFFEX listed it
CONTINUOUS = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def test_band_is_ten_percent_of_the_previous_settlement() -> None:
    assert future_band(IM, date(2026, 12, 17), LAST_DAY) == D("0.10")


def test_band_is_twenty_percent_on_the_last_trading_day() -> None:
    assert future_band(IM, LAST_DAY, LAST_DAY) == D("0.20")
    assert price_band(IM, LAST_DAY, last_day=LAST_DAY) == D("0.20")


def test_the_band_follows_the_listed_last_day_not_a_computed_one() -> None:
    # a listed expiry moved off the third Friday (a holiday) is the one that counts
    moved = date(2026, 12, 21)
    assert future_band(IM, LAST_DAY, moved) == D("0.10")
    assert future_band(IM, moved, moved) == D("0.20")
    assert price_band(IM, moved, last_day=moved) == D("0.20")


def test_no_band_after_expiry_or_before_listing() -> None:
    with pytest.raises(ValueError, match="expired"):
        future_band(IM, date(2026, 12, 21), LAST_DAY)
    with pytest.raises(ValueError, match="listed from"):
        future_band("IM2702.CFFEX", date(2026, 12, 18), date(2027, 2, 19),
                    listed=date(2026, 12, 21))


def test_first_day_band_is_twenty_percent_of_the_benchmark_price() -> None:
    listed = date(2026, 12, 21)  # IM2702 is listed the day after IM2612 expires
    assert future_band("IM2702.CFFEX", listed, date(2027, 2, 19), listed=listed) == D("0.20")
    assert future_band("IM2702.CFFEX", date(2026, 12, 22), date(2027, 2, 19),
                       listed=listed) == D("0.10")
    answer = describe("IM2702.CFFEX", listed, D("6000.0"), listed=listed,
                      last_day=date(2027, 2, 19))
    assert (answer["benchmark_price"], answer["band"]) == ("6000.0", "0.20")
    assert (answer["limit_up"], answer["limit_down"]) == ("7200.0", "4800.0")


def test_limits_round_inward_to_the_tick() -> None:
    # 6001.0 x 1.1 = 6601.1 -> 6601.0; x 0.9 = 5400.9 -> 5401.0
    assert future_limit_prices(IM, D("6001.0"), D("0.10")) == (D("6601.0"), D("5401.0"))
    assert future_limit_prices(IM, D("6000.0"), D("0.20")) == (D("7200.0"), D("4800.0"))


def test_a_settlement_off_the_tick_is_accepted() -> None:
    # The settlement is a volume-weighted price to 0.1: 6123.5 is not on the 0.2 tick.
    # 6123.5 x 1.1 = 6735.85 -> 6735.8 (down); x 0.9 = 5511.15 -> 5511.2 (up)
    assert future_limit_prices(IM, D("6123.5"), D("0.10")) == (D("6735.8"), D("5511.2"))
    # 6000.1 x 1.1 = 6600.11 -> 6600.0; x 0.9 = 5400.09 -> 5400.2
    assert future_limit_prices(IM, D("6000.1"), D("0.10")) == (D("6600.0"), D("5400.2"))
    # last day: 6000.1 x 1.2 = 7200.12 -> 7200.0; x 0.8 = 4800.08 -> 4800.2
    assert future_limit_prices(IM, D("6000.1"), D("0.20")) == (D("7200.0"), D("4800.2"))


def test_a_settlement_finer_than_0_1_is_refused() -> None:
    with pytest.raises(ValueError, match=r"multiple of 0\.1"):
        future_limit_prices(IM, D("6000.15"), D("0.10"))
    with pytest.raises(TypeError, match="Decimal"):
        future_limit_prices(IM, 6000.1, D("0.10"))  # type: ignore[arg-type]


def test_check_order_computes_limits_from_the_settlement() -> None:
    facts = OrderFacts(prev_close=D("6123.5"), last_day=LAST_DAY)
    assert check_order(IM, "buy", 1, D("6735.8"), CONTINUOUS, facts) == []
    [above] = check_order(IM, "buy", 1, D("6736.0"), CONTINUOUS, facts)
    assert above.rule is Rule.LIMIT_UP
    [below] = check_order(IM, "sell", 1, D("5511.0"), CONTINUOUS, facts)
    assert below.rule is Rule.LIMIT_DOWN


def test_check_order_prefers_the_exchanges_own_limits() -> None:
    # the gateway's tick says 6700.0 / 5500.0: those hold, whatever the settlement says
    facts = OrderFacts(prev_close=D("6123.5"), limit_up=D("6700.0"), limit_down=D("5500.0"))
    [above] = check_order(IM, "buy", 1, D("6700.2"), CONTINUOUS, facts)
    assert above.rule is Rule.LIMIT_UP and "6700.0" in above.reason
    assert check_order(IM, "sell", 1, D("5500.0"), CONTINUOUS, facts) == []


@pytest.mark.parametrize(
    ("on", "close_today"),
    [(date(2023, 3, 17), D("414.00")), (date(2023, 3, 20), D("276.00"))],
)
def test_close_today_fee_is_cut_to_0_023_percent_on_2023_03_20(
    on: date, close_today: Decimal
) -> None:
    price = D("6000.0")  # 1,200,000 CNY a lot
    assert future_fee(IM, "close_today", 1, price, on) == close_today
    assert future_fee(IM, "open", 1, price, on) == D("27.60")
    assert future_fee(IM, "close", 1, price, on) == D("27.60")
