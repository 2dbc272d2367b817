"""MO (CSI 1000 index options) rules: symbols, expiries, listed months, strikes, limits,
order sizes, fees and the short-option margin. Expected values are the CFFEX facts cited
in docs/rules.md, "CSI 1000 index options (MO)", worked by hand."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from rules_kit import HolidayCalendar, closed_days

from exchange import (
    Board,
    CommissionConfig,
    OrderFacts,
    Rule,
    RuleNotModelled,
    RulesError,
    UnknownSecurity,
    UnsupportedSecurity,
    WeekdaysBeyondCalendar,
    check_order,
    classify,
    fees,
    price_band,
    quantity_rule,
    sellable_quantity,
    session_phase,
    split_order_quantity,
    tick_size,
)
from exchange.options import (
    MO_MULTIPLIER,
    MO_TICK,
    InvalidOptionSymbol,
    OptionContract,
    OptionRight,
    check_strike,
    is_quarterly_slot,
    listed_option_months,
    max_option_order_lots,
    option_fee,
    option_intrinsic,
    option_last_trading_day,
    option_limit_prices,
    option_symbol,
    parse_option_symbol,
    short_option_margin,
    strike_grid,
    strike_interval,
)

D = Decimal
SH = ZoneInfo("Asia/Shanghai")
ENDS_2026 = HolidayCalendar(covered_through=date(2026, 12, 31))


# --- symbols ---------------------------------------------------------------------------
def test_symbol_round_trip() -> None:
    contract = parse_option_symbol("MO2703-P-6000.CFFEX")
    assert contract == OptionContract("MO", 2027, 3, OptionRight.PUT, D(6000))
    assert contract.right == "P" and not contract.is_call
    assert contract.vt_symbol == "MO2703-P-6000.CFFEX"
    assert option_symbol(2027, 3, "P", D(6000)) == "MO2703-P-6000.CFFEX"
    assert option_symbol(2026, 12, "C", 5800) == "MO2612-C-5800.CFFEX"
    assert parse_option_symbol("mo2612-c-5800") == parse_option_symbol("MO2612-C-5800.CFFEX")
    assert option_symbol(2027, 1, OptionRight.CALL, D("6E+3")) == "MO2701-C-6000.CFFEX"


def test_classify_knows_options_and_stock_rules_refuse_them() -> None:
    info = classify("MO2703-P-6000.CFFEX")
    assert (info.board, info.exchange.value, info.symbol) == (
        Board.INDEX_OPTION, "CFFEX", "MO2703-P-6000.CFFEX")
    assert info.is_option and info.is_derivative and not info.is_future
    assert not classify("IM2612.CFFEX").is_option and classify("IM2612.CFFEX").is_derivative
    assert not classify("600000.SSE").is_derivative
    with pytest.raises(UnsupportedSecurity, match="not options"):
        fees("MO2703-P-6000.CFFEX", "buy", 1, D("100"), date(2026, 12, 2),
             CommissionConfig(rate=D("0.0003")))


HOSTILE = [
    "", " ", "MO", "MO2703", "MO2703-P", "MO2703-P-", "MO2703--6000", "MO2703-X-6000",
    "MO2713-P-6000", "MO2700-P-6000", "MO273-P-6000", "MO27030-P-6000",
    "MO2703-P-06000", "MO2703-P-0", "MO2703-P-6000.5", "MO2703-P--6000", "MO2703-P-+6000",
    "MO2703-P-6,000", "MO2703-P-1000000", "MO2703-P-6000.SSE", "MO2703-P-6000.CFFEX.CFFEX",
    "MO2703-P-6000.", "MO 2703-P-6000", "MO2703 -P-6000", "MO2703-P-6000\n.CFFEX",
    "MO2703-P-6000\x00", "MO2703-P-６０００", "MO2703-P-٦٠٠٠", "МО2703-P-6000",
    "MO2703-P-6000;DROP", "MO2703-P-6e3", "MO2703-P-nan", "MO2703-P-inf",
    "IO2703-P-6000.CFFEX", "HO2703-C-2500", "MO2703-P-6000" + "0" * 5000, "-" * 100,
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_symbols_are_refused_naming_the_input(text: str) -> None:
    with pytest.raises(InvalidOptionSymbol) as refused:
        parse_option_symbol(text)
    shown = text[:40]
    assert repr(shown)[1:-1][:30] in str(refused.value) or "too long" in str(refused.value)
    assert isinstance(refused.value, RulesError) and isinstance(refused.value, UnknownSecurity)
    if "-" in text.strip().upper().partition(".")[0]:  # classify takes the option path
        with pytest.raises(RulesError):
            classify(text)


@pytest.mark.parametrize("value", [None, 2703, b"MO2703-P-6000", ["MO2703-P-6000"]])
def test_non_text_is_refused(value: object) -> None:
    with pytest.raises(InvalidOptionSymbol, match="expected text"):
        parse_option_symbol(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(("args", "match"), [
    (("XX", 2027, 3, "P", D(6000)), "not known"),
    (("MO", 1999, 3, "P", D(6000)), "year"),
    (("MO", 2027, 13, "P", D(6000)), "month"),
    (("MO", 2027, 3, "Q", D(6000)), "right"),
    (("MO", 2027, 3, "P", D("6000.5")), "whole number"),
    (("MO", 2027, 3, "P", D(0)), "whole number"),
    (("MO", 2027, 3, "P", D("NaN")), "whole number|not a number"),
    (("MO", 2027, 3, "P", 6000.0), "Decimal or int"),
    (("MO", 2027, 3, "P", True), "Decimal or int"),
])
def test_contract_values_are_checked(args: tuple[object, ...], match: str) -> None:
    with pytest.raises(InvalidOptionSymbol, match=match):
        OptionContract(*args)  # type: ignore[arg-type]


# --- last trading day ----------------------------------------------------------------
def test_last_trading_day_is_the_third_friday_like_im() -> None:
    assert option_last_trading_day("MO2612-P-6000.CFFEX", ENDS_2026) == date(2026, 12, 18)
    assert option_last_trading_day(parse_option_symbol("MO2701-C-6000")) == date(2027, 1, 15)


def test_a_closed_third_friday_rolls_forward_across_the_year_end() -> None:
    closed = HolidayCalendar(*closed_days(date(2026, 12, 18), date(2026, 12, 31)),
                             covered_through=date(2027, 12, 31))
    assert option_last_trading_day("MO2612-P-6000.CFFEX", closed) == date(2027, 1, 1)
    closed_new_year = HolidayCalendar(*closed_days(date(2026, 12, 18), date(2027, 1, 1)),
                                      covered_through=date(2027, 12, 31))
    assert option_last_trading_day("MO2612-P-6000.CFFEX", closed_new_year) == date(2027, 1, 4)


def test_past_the_calendar_the_named_fallback_gives_the_plain_third_friday() -> None:
    with pytest.raises(LookupError, match="2027-03-19"):
        option_last_trading_day("MO2703-P-6000.CFFEX", ENDS_2026)
    assumed = WeekdaysBeyondCalendar(ENDS_2026)
    assert option_last_trading_day("MO2703-P-6000.CFFEX", assumed) == date(2027, 3, 19)
    # Inside the calendar the fallback is the calendar itself.
    holiday = HolidayCalendar(date(2026, 12, 18), covered_through=date(2026, 12, 31))
    assert option_last_trading_day("MO2612-C-1", WeekdaysBeyondCalendar(holiday)) == date(
        2026, 12, 21)


# --- listed months -------------------------------------------------------------------
def test_the_first_listed_months_match_cffex_listing_notice() -> None:
    # CFFEX notice of 2022-07-18: first MO months MO2208, 2209, 2210, 2212, 2303, 2306.
    assert listed_option_months(date(2022, 7, 22)) == [
        (2022, 8), (2022, 9), (2022, 10), (2022, 12), (2023, 3), (2023, 6)]


def test_listed_months_roll_the_day_after_expiry_across_the_year_end() -> None:
    on_expiry = listed_option_months(date(2026, 12, 18), ENDS_2026)
    assert on_expiry == [(2026, 12), (2027, 1), (2027, 2), (2027, 3), (2027, 6), (2027, 9)]
    after = listed_option_months(date(2026, 12, 21), ENDS_2026)
    assert after == [(2027, 1), (2027, 2), (2027, 3), (2027, 6), (2027, 9), (2027, 12)]
    # A closed third Friday keeps the month listed until its rolled expiry.
    closed = HolidayCalendar(date(2026, 12, 18), covered_through=date(2026, 12, 31))
    assert listed_option_months(date(2026, 12, 21), closed)[0] == (2026, 12)
    assert listed_option_months(date(2026, 12, 22), closed)[0] == (2027, 1)


def test_listed_months_past_the_calendar_use_the_named_fallback() -> None:
    assumed = WeekdaysBeyondCalendar(ENDS_2026)
    assert listed_option_months(date(2027, 1, 20), assumed) == [
        (2027, 2), (2027, 3), (2027, 4), (2027, 6), (2027, 9), (2027, 12)]
    with pytest.raises(LookupError):
        listed_option_months(date(2027, 1, 20), ENDS_2026)


def test_quarterly_slot_changes_as_a_month_comes_near() -> None:
    assert is_quarterly_slot(2027, 3, date(2026, 12, 18), ENDS_2026)
    assert not is_quarterly_slot(2027, 3, date(2026, 12, 21), ENDS_2026)
    with pytest.raises(RulesError, match="not listed"):
        is_quarterly_slot(2027, 4, date(2026, 12, 2), ENDS_2026)


# --- strikes -------------------------------------------------------------------------
@pytest.mark.parametrize(("strike", "quarterly", "step"), [
    (D(2500), False, D(25)), (D(2525), False, D(50)), (D(5000), False, D(50)),
    (D(5100), False, D(100)), (D(10000), False, D(100)), (D(10200), False, D(200)),
    (D(2500), True, D(50)), (D(5000), True, D(100)), (D(10000), True, D(200)),
    (D(10400), True, D(400)),
])
def test_strike_interval_by_level_and_month(strike: Decimal, quarterly: bool,
                                             step: Decimal) -> None:
    assert strike_interval(strike, quarterly, date(2026, 12, 2)) == step


@pytest.mark.parametrize("symbol", ["MO2703-P-6050", "MO2703-C-5050", "MO2612-P-4975",
                                    "MO2612-P-2510", "MO2612-C-10100"])
def test_strikes_off_every_interval_do_not_exist(symbol: str) -> None:
    with pytest.raises(InvalidOptionSymbol, match="no such contract"):
        check_strike(symbol, date(2026, 12, 2))


@pytest.mark.parametrize("symbol", ["MO2703-P-6000", "MO2703-C-5100", "MO2612-P-4950",
                                    "MO2612-P-2475", "MO2612-C-10200", "MO2612-C-5000"])
def test_strikes_on_an_interval_exist(symbol: str) -> None:
    check_strike(symbol, date(2026, 12, 2))


def test_strike_grid_covers_ten_percent_either_side() -> None:
    on = date(2026, 12, 2)
    near = strike_grid(D("6123.45"), 2026, 12, on, ENDS_2026)
    assert near[0] == D(5500) and near[-1] == D(6800)  # 5511.1 .. 6735.8 covered
    assert all(b - a == D(100) for a, b in itertools.pairwise(near))
    quarterly = strike_grid(D("6123.45"), 2027, 3, on, ENDS_2026)
    assert quarterly == [D(k) for k in range(5400, 6801, 200)]


def test_strike_grid_across_an_interval_boundary() -> None:
    # Index 5000: near months 50 points up to 5000, then 100 points.
    grid = strike_grid(D(5000), 2026, 12, date(2026, 12, 2), ENDS_2026)
    assert grid[0] == D(4500) and grid[-1] == D(5500)
    assert D(4950) in grid and D(5000) in grid and D(5050) not in grid and D(5100) in grid
    low = strike_grid(D(2500), 2026, 12, date(2026, 12, 2), ENDS_2026)
    assert low[:3] == [D(2250), D(2275), D(2300)] and D(2550) in low and D(2525) not in low
    assert low[-1] == D(2750)


def test_strike_grid_refuses_an_unlisted_month_and_a_bad_level() -> None:
    with pytest.raises(RulesError, match="not listed"):
        strike_grid(D(6000), 2027, 5, date(2026, 12, 2), ENDS_2026)
    with pytest.raises(ValueError, match="positive"):
        strike_grid(D(0), 2026, 12, date(2026, 12, 2), ENDS_2026)


# --- limits, sizes, sessions ---------------------------------------------------------
def test_limits_are_the_settlement_plus_minus_ten_percent_of_the_index() -> None:
    on = date(2026, 12, 2)
    assert option_limit_prices("MO2612-P-6000.CFFEX", D(800), D(6000), on) == (D(1400), D(200))
    # 612.345 points: 123.4 + 612.345 = 735.745 -> 735.6 (inward); the floor is one tick.
    assert option_limit_prices("MO2612-P-6000.CFFEX", D("123.4"), D("6123.45"), on) == (
        D("735.6"), D("0.2"))
    # Off the tick both ways: 700.1 +/- 600 -> 1300.0 and 100.2.
    assert option_limit_prices("MO2612-C-6000.CFFEX", D("700.1"), D(6000), on) == (
        D("1300.0"), D("100.2"))
    with pytest.raises(ValueError, match="positive"):
        option_limit_prices("MO2612-C-6000.CFFEX", D(0), D(6000), on)
    with pytest.raises(RuleNotModelled, match="2022-07-22"):
        option_limit_prices("MO2612-C-6000.CFFEX", D(10), D(6000), date(2022, 7, 21))


def test_terms_tick_multiplier_and_sizes() -> None:
    assert (100, D("0.2")) == (MO_MULTIPLIER, MO_TICK)
    assert tick_size("MO2703-P-6000.CFFEX") == D("0.2")
    assert max_option_order_lots(date(2026, 12, 2)) == 20
    assert max_option_order_lots(date(2026, 12, 2), market=True) == 0
    rule = quantity_rule("MO2703-P-6000.CFFEX")
    assert (rule.lot, rule.buy_min, rule.max_limit_order, rule.max_market_order) == (1, 1, 20, 0)
    assert price_band("MO2612-P-6000.CFFEX", date(2026, 12, 2)) == D("0.10")
    with pytest.raises(ValueError, match="expired"):
        price_band("MO2612-P-6000.CFFEX", date(2026, 12, 21), calendar=ENDS_2026)
    # The CFFEX timetable of IM: continuous from 09:30, no closing auction.
    assert session_phase(datetime(2026, 12, 2, 9, 31, tzinfo=SH), "MO2612-P-6000.CFFEX").continuous
    assert session_phase(datetime(2026, 12, 2, 14, 58, tzinfo=SH), "MO2612-P-6000.CFFEX").continuous


def test_options_are_t_plus_0_and_split_into_20_lot_orders() -> None:
    assert sellable_quantity(10, 10, symbol="MO2612-P-6000.CFFEX") == 10
    assert sellable_quantity(10, 10, symbol="600000.SSE") == 0
    assert split_order_quantity("MO2612-P-6000.CFFEX", 45, side="buy") == [15, 15, 15]
    assert split_order_quantity("MO2612-P-6000.CFFEX", 45, side="sell", holding=30) == [15, 15]


def test_check_order_for_an_option() -> None:
    at = datetime(2026, 12, 2, 10, 0, tzinfo=SH)
    facts = OrderFacts(prev_close=D("123.4"), underlying_prev_close=D("6123.45"))
    symbol = "MO2612-P-6000.CFFEX"
    assert check_order(symbol, "buy", 20, D("100.2"), at, facts) == []
    assert check_order(symbol, "sell", 2, D("735.6"), at, facts) == []

    def rules(quantity: int, price: Decimal | None, f: OrderFacts = facts) -> set[Rule]:
        return {v.rule for v in check_order(symbol, "buy", quantity, price, at, f)}

    assert rules(1, D("100.1")) == {Rule.PRICE_TICK}
    assert rules(21, D("100")) == {Rule.MAX_ORDER}
    assert rules(1, D("735.8")) == {Rule.LIMIT_UP}
    assert rules(1, None) == {Rule.MAX_ORDER}  # no market orders
    # The exchange's own limits win over computed ones.
    assert rules(1, D("500"), OrderFacts(limit_up=D("400"), limit_down=D("0.2"))) == {
        Rule.LIMIT_UP}
    lunch = datetime(2026, 12, 2, 12, 0, tzinfo=SH)
    assert {v.rule for v in check_order(symbol, "buy", 1, D("100"), lunch, facts)} == {
        Rule.SESSION}


# --- fees, margin, exercise value ----------------------------------------------------
def test_fees_per_lot() -> None:
    on = date(2026, 12, 2)
    assert option_fee(3, on) == D("45.00")
    assert option_fee(3, on, exercise=True) == D("6.00")
    with pytest.raises(ValueError, match="lots"):
        option_fee(0, on)
    with pytest.raises(RuleNotModelled):
        option_fee(1, date(2022, 7, 1))


@pytest.mark.parametrize(("symbol", "settle", "index", "margin"), [
    # 12,340 + max(91,851.75 - 12,345, 0.5 x 6000 x 100 x 15% = 45,000)
    ("MO2703-P-6000", D("123.4"), D("6123.45"), D("91846.75")),
    # deep out of the money put: the floor on the strike, 100 + 37,500
    ("MO2703-P-5000", D(1), D(6000), D("37600.00")),
    # out of the money call: the floor on the index, 100 + 45,000
    ("MO2703-C-7000", D(1), D(6000), D("45100.00")),
    # in the money call: 101,000 + 90,000
    ("MO2703-C-5000", D(1010), D(6000), D("191000.00")),
])
def test_short_option_margin(symbol: str, settle: Decimal, index: Decimal,
                             margin: Decimal) -> None:
    assert short_option_margin(symbol, settle, index, date(2026, 12, 2)) == margin


def test_exercise_value() -> None:
    assert option_intrinsic("MO2612-P-6000", D("5800.5")) == D("199.5")
    assert option_intrinsic("MO2612-P-6000", D("6100")) == D(0)
    assert option_intrinsic("MO2612-C-6000", D("6100")) == D(100)
