"""Stock rules checked against the exchanges' texts (docs/rules.md, "Sources"):
the delisting-period band, the BSE price cage, the cage reference with an empty side.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from exchange import (
    OrderFacts,
    Rule,
    cage_reference,
    check_order,
    delisting_free_days,
    price_band,
    price_cage,
)
from exchange.enums import Board

D = Decimal
BSE = "920001.BSE"
ON = date(2026, 11, 20)
CONTINUOUS = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 10:00 Shanghai


# --- delisting period (退市整理期) --------------------------------------------------
def test_delisting_day_two_uses_the_boards_band_not_the_st_band() -> None:
    # SSE: 退市整理股票价格的涨跌幅限制为10% while ST was 5% (before 2026-07-06)
    assert price_band("600001.SSE", date(2026, 3, 3), st=True) == D("0.05")
    assert price_band("600001.SSE", date(2026, 3, 3), delisting_day=2) == D("0.10")
    assert price_band("300001.SZSE", date(2026, 3, 3), delisting_day=2) == D("0.20")
    assert price_band("688001.SSE", date(2026, 3, 3), delisting_day=2) == D("0.20")
    assert price_band(BSE, date(2026, 3, 3), delisting_day=2) == D("0.30")


def test_delisting_day_one_is_free_only_since_the_2020_reform() -> None:
    assert price_band("600001.SSE", date(2021, 3, 1), delisting_day=1) is None
    assert price_band("600001.SSE", date(2020, 12, 31), delisting_day=1) is None
    # before 2020-12-31 the whole period, day 1 included, had the 10% band
    assert price_band("600001.SSE", date(2020, 12, 30), delisting_day=1) == D("0.10")
    assert delisting_free_days(Board.STAR, date(2020, 12, 30)) == 0
    assert delisting_free_days(Board.BSE, date(2021, 11, 15)) == 1


# --- BSE price cage ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("reference", "buy_high", "sell_low"),
    [
        (D("10.00"), D("10.50"), D("9.50")),  # 5% is wider than 10 ticks
        (D("1.00"), D("1.10"), D("0.90")),  # 10 ticks (0.10) are wider than 5%
        (D("2.00"), D("2.10"), D("1.90")),  # equal: 5% = 0.10
        (D("10.01"), D("10.51"), D("9.51")),  # 10.5105 down, 9.5095 up: legal side
    ],
)
def test_bse_cage_is_the_wider_of_5_percent_and_10_ticks(
    reference: Decimal, buy_high: Decimal, sell_low: Decimal
) -> None:
    assert price_cage(BSE, "buy", reference, ON) == (None, buy_high)
    assert price_cage(BSE, "sell", reference, ON) == (sell_low, None)


def test_bse_cage_is_checked_in_continuous_trading() -> None:
    facts = OrderFacts(prev_close=D("10.00"), reference=D("10.00"))
    assert check_order(BSE, "buy", 100, D("10.50"), CONTINUOUS, facts) == []
    [caged] = check_order(BSE, "buy", 100, D("10.51"), CONTINUOUS, facts)
    assert caged.rule is Rule.PRICE_CAGE and "<= 10.50" in caged.reason
    held = OrderFacts(prev_close=D("10.00"), reference=D("10.00"), holding=100)
    [low] = check_order(BSE, "sell", 100, D("9.49"), CONTINUOUS, held)
    assert low.rule is Rule.PRICE_CAGE and ">= 9.50" in low.reason


def test_main_board_cage_is_unchanged() -> None:
    assert price_cage("600000.SSE", "buy", D("10.00"), ON) == (None, D("10.20"))
    assert price_cage("600000.SSE", "buy", D("1.00"), ON) == (None, D("1.10"))


# --- cage reference (基准价格) with an empty side ------------------------------------
BOOK = {"bid": D("9.99"), "ask": D("10.01"), "last": D("10.00"), "prev_close": D("9.80")}


@pytest.mark.parametrize(
    ("empty", "buy", "sell"),
    [
        ((), D("10.01"), D("9.99")),  # both sides: the opposite best quote
        (("ask",), D("9.99"), D("9.99")),  # no ask: a buy takes the best bid
        (("bid",), D("10.01"), D("10.01")),  # no bid: a sell takes the best ask
        (("bid", "ask"), D("10.00"), D("10.00")),  # empty book: the last price
        (("bid", "ask", "last"), D("9.80"), D("9.80")),  # no trade yet: previous close
    ],
)
def test_cage_reference_falls_back_as_the_exchanges_say(
    empty: tuple[str, ...], buy: Decimal, sell: Decimal
) -> None:
    book = {k: (None if k in empty else v) for k, v in BOOK.items()}
    assert cage_reference("buy", **book) == buy
    assert cage_reference("sell", **book) == sell


def test_cage_reference_is_none_only_when_nothing_is_known() -> None:
    assert cage_reference("buy", bid=None, ask=None, last=None, prev_close=None) is None
