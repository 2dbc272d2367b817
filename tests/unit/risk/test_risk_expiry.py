"""Contract expiries across the year end with the shipped calendar (it ends 2026-12-31):
the listed date is used, the third-Friday rule cross-checks it where the calendar covers
it, an unknown expiry is refused, and the roll count past the end is conservative."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from exchange import Side
from marketdata.calendar import TradingCalendar
from orders.order import Offset
from risk.basis import Quote, choose_contract
from risk.config import FuturesConfig, RiskConfig
from risk.contracts import (
    ContractDays,
    ExpiryUnknown,
    listed_contracts,
    must_roll,
    parse_contract,
    trading_days_left,
)
from risk.hedge_plan import HedgeInputs, plan_hedge

# What the exchange lists (CFFEX: third Friday, the next trading day if closed).
LISTED = {
    "IM2612.CFFEX": date(2026, 12, 18),
    "IM2701.CFFEX": date(2027, 1, 15),
    "IM2702.CFFEX": date(2027, 2, 19),
    "IM2703.CFFEX": date(2027, 3, 19),
    "IM2706.CFFEX": date(2027, 6, 18),
    "IM2709.CFFEX": date(2027, 9, 17),
}


def days(calendar: TradingCalendar, **listed: date) -> ContractDays:
    return ContractDays(calendar, {**LISTED, **{f"{k}.CFFEX": v for k, v in listed.items()}})


def quote(book: ContractDays, symbol: str, price: str, volume: float = 50_000) -> Quote:
    return Quote(book.contract(symbol), Decimal(price), volume, volume * 2)


def test_the_shipped_calendar_ends_with_2026(calendar: TradingCalendar) -> None:
    assert calendar.covered_through == date(2026, 12, 31)


def test_listed_expiry_is_used_past_the_calendar(calendar: TradingCalendar) -> None:
    book = days(calendar)
    assert parse_contract("IM2701.CFFEX", book).expiry == date(2027, 1, 15)
    assert parse_contract("IM2706.CFFEX", book).expiry == date(2027, 6, 18)
    assert book.mismatches() == {}  # nothing to cross-check past the calendar's end


def test_inside_the_calendar_the_rule_cross_checks_the_listed_date(
        calendar: TradingCalendar) -> None:
    book = days(calendar, IM2612=date(2026, 12, 21))  # a wrong listing (or a missing holiday)
    assert parse_contract("IM2612.CFFEX", book).expiry == date(2026, 12, 21)  # listed wins
    [(symbol, why)] = book.mismatches().items()
    assert symbol == "IM2612.CFFEX"
    assert "listed last trading day is 2026-12-21" in why and "says 2026-12-18" in why
    assert "config/holidays.yaml" in why
    # a listing that agrees with the holiday-moved rule is no mismatch (IM2602, Spring Festival)
    agreed = ContractDays(calendar, {"IM2602.CFFEX": date(2026, 2, 24)})
    assert agreed.contract("IM2602.CFFEX").expiry == date(2026, 2, 24)
    assert agreed.mismatches() == {}


def test_without_a_listing_the_rule_answers_where_the_calendar_covers(
        calendar: TradingCalendar) -> None:
    book = ContractDays(calendar)
    assert book.contract("IM2612.CFFEX").expiry == date(2026, 12, 18)
    assert book.contract("IM2402.CFFEX").expiry == date(2024, 2, 19)  # Spring Festival


def test_an_unknown_expiry_is_refused_with_a_clear_message(calendar: TradingCalendar) -> None:
    with pytest.raises(ExpiryUnknown) as caught:
        parse_contract("IM2703.CFFEX", calendar)
    text = str(caught.value)
    assert text.startswith("IM2703.CFFEX: last trading day unknown")
    assert "calendar ends 2026-12-31" in text and "third Friday 2027-03-19" in text
    assert "expiry" in text and "config/holidays.yaml" in text
    assert isinstance(caught.value, ValueError)  # callers hold the hedge and alert


def test_listed_months_at_month_ends_and_the_year_end(calendar: TradingCalendar) -> None:
    book = days(calendar)

    def codes(day: date) -> list[str]:
        return [c.code for c in listed_contracts(day, book)]

    assert codes(date(2026, 11, 30)) == ["IM2612", "IM2701", "IM2703", "IM2706"]
    assert codes(date(2026, 12, 18)) == ["IM2612", "IM2701", "IM2703", "IM2706"]
    assert codes(date(2026, 12, 31)) == ["IM2701", "IM2702", "IM2703", "IM2706"]
    assert codes(date(2027, 1, 4)) == ["IM2701", "IM2702", "IM2703", "IM2706"]
    assert codes(date(2027, 1, 29)) == ["IM2702", "IM2703", "IM2706", "IM2709"]
    book.listed["IM2704.CFFEX"] = date(2027, 4, 16)
    assert codes(date(2027, 2, 26)) == ["IM2703", "IM2704", "IM2706", "IM2709"]


def test_days_left_across_the_year_end_match_a_plain_january(calendar: TradingCalendar) -> None:
    book = days(calendar)
    jan = book.contract("IM2701.CFFEX")
    # Dec 16-31 (12 trading days), Jan 1 possibly closed (not counted), Jan 4-15 (10)
    assert trading_days_left(jan, date(2026, 12, 15), book) == 22
    assert trading_days_left(jan, date(2026, 12, 31), book) == 10
    assert trading_days_left(jan, date(2027, 1, 12), book) == 3  # beyond the calendar too
    assert not must_roll(jan, date(2027, 1, 11), book, 3)
    assert must_roll(jan, date(2027, 1, 12), book, 3)  # as on any month: 3 days before
    assert trading_days_left(jan, date(2027, 1, 15), book) == 0
    assert trading_days_left(jan, date(2027, 1, 18), book) == -1


def test_in_a_holiday_season_past_the_calendar_the_roll_comes_early(
        calendar: TradingCalendar) -> None:
    """Never later than with the true holidays: Spring Festival 2027 may close any weekday
    from Jan 19 to Feb 28, so those weekdays are not counted until the file lists 2027."""
    book = days(calendar)
    feb = book.contract("IM2702.CFFEX")
    assert trading_days_left(feb, date(2027, 1, 12), book) == 5  # Jan 13, 14, 15, 18 + expiry
    assert not must_roll(feb, date(2027, 1, 13), book, 3)
    assert must_roll(feb, date(2027, 1, 14), book, 3)


def test_choice_and_a_roll_across_the_year_end(calendar: TradingCalendar) -> None:
    book, cfg = days(calendar), RiskConfig()
    quotes = [quote(book, "IM2612.CFFEX", "6020.0", 120_000),
              quote(book, "IM2701.CFFEX", "5985.2", 60_000),
              quote(book, "IM2703.CFFEX", "5890.0", 40_000),
              quote(book, "IM2706.CFFEX", "5760.0", 10_000)]
    # 2026-12-15: IM2612 must roll (3 days left); IM2701 is usable (22 days left)
    inputs = HedgeInputs(date(2026, 12, 15), 0.3, 1.0, Decimal("60000000"),
                         {"IM2612.CFFEX": 15}, quotes, 6030.0, Decimal("50000000"))
    result = plan_hedge(inputs, cfg, book, multiplier=200)
    legs = [(leg.symbol, leg.side, leg.offset, leg.lots) for leg in result.legs]
    assert legs[0] == ("IM2612.CFFEX", Side.BUY, Offset.CLOSE, 15)
    assert {leg[0] for leg in legs[1:]} == {result.chosen.symbol} != {"IM2612.CFFEX"}  # type: ignore[union-attr]
    assert all(leg[1:3] == (Side.SELL, Offset.OPEN) for leg in legs[1:])
    assert f"roll IM2612.CFFEX (expires 2026-12-18) into {result.chosen.symbol}" in result.reason  # type: ignore[union-attr]
    assert "resize" not in result.reason  # 15 lots out, 15 in: a roll, not a resize
    # 2027-01-04, past the calendar: IM2701 has 9 days left (< open_min_days), IM2702 11
    jan = [quote(book, s, p) for s, p in (("IM2701.CFFEX", "5990.0"), ("IM2702.CFFEX", "5950.0"),
                                           ("IM2703.CFFEX", "5900.0"))]
    chosen = choose_contract(jan, 6000.0, date(2027, 1, 4), FuturesConfig(), book)
    assert chosen.symbol in {"IM2702.CFFEX", "IM2703.CFFEX"}
    with pytest.raises(ValueError, match="no usable IM contract on 2027-01-04: quoted IM2701"):
        choose_contract(jan[:1], 6000.0, date(2027, 1, 4), FuturesConfig(), book)
