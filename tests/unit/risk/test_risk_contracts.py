from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from risk_kit import quote

from exchange import contract_symbol
from marketdata.calendar import TradingCalendar
from risk.basis import annualised_basis, basis_views, choose_contract, cost_to_expiry, monthly_cost
from risk.config import FuturesConfig
from risk.contracts import (
    ContractDays,
    ExpiryUnknown,
    listed_contracts,
    must_roll,
    parse_contract,
    trading_days_left,
)


def symbols(day: date, calendar: TradingCalendar) -> list[str]:
    return [c.code for c in listed_contracts(day, calendar)]


def test_listed_months_current_next_and_two_quarters(calendar: TradingCalendar) -> None:
    assert symbols(date(2024, 2, 5), calendar) == ["IM2402", "IM2403", "IM2406", "IM2409"]
    assert symbols(date(2024, 3, 15), calendar) == ["IM2403", "IM2404", "IM2406", "IM2409"]
    # the day after March expiry the current month is April
    assert symbols(date(2024, 3, 18), calendar) == ["IM2404", "IM2405", "IM2406", "IM2409"]
    assert symbols(date(2026, 6, 1), calendar) == ["IM2606", "IM2607", "IM2609", "IM2612"]


def test_older_history_gets_the_contracts_the_rule_would_have_listed(
        calendar: TradingCalendar) -> None:
    # IM listed on 2022-07-22; a replay of earlier history prices the same schedule.
    assert symbols(date(2022, 7, 1), calendar) == ["IM2207", "IM2208", "IM2209", "IM2212"]
    assert listed_contracts(date(2022, 7, 1), calendar)[0].expiry == date(2022, 7, 15)


def test_contracts_beyond_the_calendar_are_refused_unless_listed(
        calendar: TradingCalendar) -> None:
    # IM2701's expiry by the rule needs the 2027 holidays: the desk does not guess them.
    with pytest.raises(ExpiryUnknown, match="2027-01-15"):
        listed_contracts(date(2026, 11, 23), calendar)
    listed = ContractDays(calendar, {"IM2701.CFFEX": date(2027, 1, 15),
                                     "IM2703.CFFEX": date(2027, 3, 19),
                                     "IM2706.CFFEX": date(2027, 6, 18)})
    assert [c.expiry for c in listed_contracts(date(2026, 11, 23), listed)] == [
        date(2026, 12, 18), date(2027, 1, 15), date(2027, 3, 19), date(2027, 6, 18)]


def test_expiry_moves_off_a_holiday(calendar: TradingCalendar) -> None:
    # Third Fridays 2024-02-16 and 2026-02-20 fall in the Spring Festival closure.
    assert parse_contract("IM2402.CFFEX", calendar).expiry == date(2024, 2, 19)
    assert parse_contract("IM2602.CFFEX", calendar).expiry == date(2026, 2, 24)
    assert parse_contract("IM2403.CFFEX", calendar).expiry == date(2024, 3, 15)


def test_roll_counts_trading_days_across_the_holiday(calendar: TradingCalendar) -> None:
    feb = parse_contract("IM2402.CFFEX", calendar)
    assert trading_days_left(feb, date(2024, 2, 5), calendar) == 4  # 6, 7, 8, then 19 Feb
    assert not must_roll(feb, date(2024, 2, 5), calendar, 3)
    assert must_roll(feb, date(2024, 2, 6), calendar, 3)
    assert trading_days_left(feb, date(2024, 2, 19), calendar) == 0
    assert must_roll(feb, date(2024, 2, 20), calendar, 0)  # expired


def test_symbols_parse_and_refuse(calendar: TradingCalendar) -> None:
    assert contract_symbol("IM", 2027, 1) == "IM2701.CFFEX"
    with pytest.raises(ValueError, match="IM2613"):
        parse_contract("IM2613.CFFEX", calendar)
    with pytest.raises(ValueError, match=r"600000\.SSE"):
        parse_contract("600000.SSE", calendar)
    with pytest.raises(ValueError, match=r"write it as 'IM2612\.CFFEX'"):
        parse_contract("im2612.cffex", calendar)


def test_annualised_basis_of_the_2024_blowout() -> None:
    # Illustrative levels: a 56%-a-year discount 39 calendar days before the March expiry.
    basis = annualised_basis(4324.8, 4600.0, (date(2024, 3, 15) - date(2024, 2, 5)).days)
    assert basis == pytest.approx(-0.56, abs=0.001)
    assert annualised_basis(4600.0, 4600.0, 0) == 0.0
    with pytest.raises(ValueError, match="positive"):
        annualised_basis(0.0, 4600.0, 10)


def test_cost_of_a_short_at_a_discount() -> None:
    notional = Decimal("4324.8") * 200 * 10
    assert monthly_cost(notional, -0.56) == Decimal(403648)  # 8.65 m x 56% / 12
    assert monthly_cost(notional, 0.05) < 0  # a premium earns
    assert cost_to_expiry(10, Decimal("4324.8"), 4600.0, 200) == Decimal(550400)


def blowout_quotes(calendar: TradingCalendar) -> list:  # type: ignore[type-arg]
    return [
        quote("IM2402.CFFEX", "4452.0", calendar, volume=120_000),
        quote("IM2403.CFFEX", "4324.8", calendar, volume=100_000),
        quote("IM2406.CFFEX", "4194.2", calendar, volume=40_000),
        quote("IM2409.CFFEX", "4025.2", calendar, volume=3_000),
    ]


def test_choice_prefers_the_cheaper_basis_when_liquid_enough(calendar: TradingCalendar) -> None:
    day, cfg = date(2024, 2, 5), FuturesConfig()
    views = {v.symbol: v for v in basis_views(blowout_quotes(calendar), 4600.0, day, cfg)}
    assert views["IM2406.CFFEX"].annual_basis == pytest.approx(-0.235, abs=0.002)
    chosen = choose_contract(blowout_quotes(calendar), 4600.0, day, cfg, calendar)
    # IM2402 expires within open_min_days; IM2409 is below the volume floor.
    assert chosen.symbol == "IM2406.CFFEX"
    liquidity_first = FuturesConfig(liquidity_weight=1.0)
    chosen = choose_contract(blowout_quotes(calendar), 4600.0, day, liquidity_first, calendar)
    assert chosen.symbol == "IM2403.CFFEX"


def test_no_usable_contract_is_a_clear_error(calendar: TradingCalendar) -> None:
    only_expiring = [quote("IM2402.CFFEX", "4452.0", calendar)]
    with pytest.raises(ValueError, match=r"no usable IM contract on 2024-02-05: quoted IM2402"):
        choose_contract(only_expiring, 4600.0, date(2024, 2, 5), FuturesConfig(), calendar)
