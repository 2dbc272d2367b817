"""The pre-trade check: every broken rule is reported, each with a reason."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest

from exchange import OrderFacts, Rule, check_cancel, check_order
from exchange.sessions import SHANGHAI

D = Decimal
MORNING = datetime.combine(date(2026, 11, 20), time(10, 0), SHANGHAI)


def rules_broken(
    symbol: str, side: str, quantity: int, price: Decimal | None, **facts: object
) -> set[Rule]:
    at = facts.pop("at", MORNING)
    found = check_order(symbol, side, quantity, price, at, OrderFacts(**facts))  # type: ignore[arg-type]
    assert all(v.reason for v in found)
    return {v.rule for v in found}


def test_a_legal_order_passes() -> None:
    assert (
        rules_broken(
            "600000.SSE", "buy", 1_000, D("10.50"), prev_close=D("10.00"), reference=D("10.40")
        )
        == set()
    )


def test_quantity_lot_and_maximum() -> None:
    assert rules_broken("600000.SSE", "buy", 150, D("10.00")) == {Rule.QUANTITY}
    assert rules_broken("300750.SZSE", "buy", 300_100, D("10.00")) == {Rule.MAX_ORDER}
    assert rules_broken("688981.SSE", "buy", 199, D("10.00")) == {Rule.QUANTITY}
    assert rules_broken("688981.SSE", "buy", 100_001, D("10.00")) == {Rule.MAX_ORDER}


def test_market_order_maximum_is_smaller() -> None:
    assert rules_broken("688981.SSE", "buy", 60_000, None) == {Rule.MAX_ORDER}
    assert rules_broken("688981.SSE", "buy", 50_000, None) == set()


def test_sells_are_t_plus_one_and_follow_the_odd_lot_rule() -> None:
    assert rules_broken("600000.SSE", "sell", 300, D("10.00"), holding=500, bought_today=300) == {
        Rule.HOLDING
    }
    assert (
        rules_broken("600000.SSE", "sell", 200, D("10.00"), holding=500, bought_today=300) == set()
    )
    assert rules_broken("600000.SSE", "sell", 30, D("10.00"), holding=250) == {Rule.QUANTITY}
    assert rules_broken("600000.SSE", "sell", 50, D("10.00"), holding=250) == set()
    assert rules_broken("688981.SSE", "sell", 150, D("10.00"), holding=150) == set()


def test_risk_warning_stock_daily_buy_cap() -> None:
    assert rules_broken("600001.SSE", "buy", 500_000, D("3.00"), st=True) == set()
    broken = rules_broken("600001.SSE", "buy", 100, D("3.00"), st=True, bought_today=500_000)
    assert broken == {Rule.RISK_WARNING_CAP}
    assert rules_broken("600001.SSE", "buy", 100, D("3.00"), bought_today=500_000) == set()


def test_price_tick_and_limits() -> None:
    assert rules_broken("600000.SSE", "buy", 100, D("10.005")) == {Rule.PRICE_TICK}
    assert rules_broken("600000.SSE", "buy", 100, D("11.01"), prev_close=D("10.00")) == {
        Rule.LIMIT_UP
    }
    assert rules_broken("600000.SSE", "buy", 100, D("11.00"), prev_close=D("10.00")) == set()
    assert rules_broken(
        "600000.SSE", "sell", 100, D("8.99"), prev_close=D("10.00"), holding=100
    ) == {Rule.LIMIT_DOWN}


def test_no_limit_day_skips_limits_and_refuses_market_orders() -> None:
    listed = date(2026, 11, 18)
    assert (
        rules_broken("688777.SSE", "buy", 200, D("99.00"), prev_close=D("10.00"), listed=listed)
        == set()
    )
    assert rules_broken("688777.SSE", "buy", 200, None, listed=listed) == {Rule.MARKET_ORDER}


def test_price_cage_in_continuous_trading_only() -> None:
    facts = {"prev_close": D("10.00"), "reference": D("10.00")}
    assert rules_broken("600000.SSE", "buy", 100, D("10.21"), **facts) == {Rule.PRICE_CAGE}
    assert rules_broken("600000.SSE", "buy", 100, D("10.20"), **facts) == set()
    assert rules_broken("600000.SSE", "sell", 100, D("9.79"), holding=100, **facts) == {
        Rule.PRICE_CAGE
    }
    auction = datetime.combine(date(2026, 11, 20), time(9, 16), SHANGHAI)
    assert rules_broken("600000.SSE", "buy", 100, D("10.50"), at=auction, **facts) == set()


def test_sessions_for_limit_and_market_orders() -> None:
    lunch = datetime.combine(date(2026, 11, 20), time(12, 0), SHANGHAI)
    closing = datetime.combine(date(2026, 11, 20), time(14, 58), SHANGHAI)
    assert rules_broken("600000.SSE", "buy", 100, D("10.00"), at=lunch) == {Rule.SESSION}
    assert rules_broken("600000.SSE", "buy", 100, D("10.00"), at=closing) == set()
    assert rules_broken("600000.SSE", "buy", 100, None, at=closing) == {Rule.MARKET_ORDER}


def test_every_broken_rule_is_reported_together() -> None:
    lunch = datetime.combine(date(2026, 11, 20), time(12, 0), SHANGHAI)
    broken = rules_broken(
        "300750.SZSE", "buy", 300_050, D("13.00"), prev_close=D("10.00"), at=lunch
    )
    assert broken == {Rule.SESSION, Rule.MAX_ORDER, Rule.QUANTITY, Rule.LIMIT_UP}


def test_futures_are_checked_for_size_tick_and_limits() -> None:
    facts = {"prev_close": D("6000.0")}
    assert rules_broken("IM2612.CFFEX", "sell", 20, D("6000.2"), **facts) == set()
    assert rules_broken("IM2612.CFFEX", "sell", 21, D("6000.1"), **facts) == {
        Rule.MAX_ORDER,
        Rule.PRICE_TICK,
    }
    assert rules_broken("IM2612.CFFEX", "buy", 1, D("6600.2"), **facts) == {Rule.LIMIT_UP}
    assert rules_broken("IM2612.CFFEX", "buy", 11, None) == {Rule.MAX_ORDER}


def test_reasons_name_the_numbers() -> None:
    [violation] = check_order(
        "600000.SSE", "buy", 100, D("11.01"), MORNING, OrderFacts(prev_close=D("10.00"))
    )
    assert violation.reason == "price 11.01 is above limit-up 11.00"


def test_cancels_are_refused_in_no_cancel_phases() -> None:
    no_cancel = datetime.combine(date(2026, 11, 20), time(9, 22), SHANGHAI)
    assert [v.rule for v in check_cancel("600000.SSE", no_cancel)] == [Rule.SESSION]
    assert check_cancel("600000.SSE", MORNING) == []


def test_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        check_order("600000.SSE", "buy", 100, D("10.00"), datetime(2026, 11, 20, 10, 0))
