"""Futures or puts by cost (risk.hedge_choice), the put legs (risk.put_plan) and the whole
step (risk.protection). Quotes are written by hand: the choice must not depend on a model."""

from __future__ import annotations

from decimal import Decimal

import pytest

from exchange import Side
from marketdata.calendar import TradingCalendar
from orders.order import Offset
from risk.basis import basis_views
from risk.config import HedgeConfig, HedgeInstrument, RiskConfig
from risk.hedge_choice import (
    PutQuote,
    choose_instrument,
    choose_put,
    expiry_value,
    futures_cost,
    put_cost,
    put_lots,
)
from risk.hedge_plan import HedgeInputs
from risk.protection import plan_protection
from risk.put_plan import plan_puts
from tests.unit.risk.risk_kit import contract, d, quote

DAY = d("2024-02-05")
INDEX = 5000.0
NOTIONAL = Decimal(15_000_000)  # 50 m of stocks, beta 1, a 30% rung


def cfg_with(instrument: str, **hedge: object) -> RiskConfig:
    return RiskConfig(hedge=HedgeConfig(instrument=HedgeInstrument(instrument), **hedge))


def im_at(discount: float, calendar: TradingCalendar) -> str:
    """IM2403 (expires 2024-03-15, 39 days) at `discount` a year below the index."""
    price = INDEX * (1 - discount * 39 / 365)
    return f"{round(price / 0.2) * 0.2:.1f}"


def put(strike: int, ask: str, delta: float, calendar: TradingCalendar,
        month: str = "2403", bid: str | None = None) -> PutQuote:
    return PutQuote(f"MO{month}-P-{strike}.CFFEX", Decimal(strike),
                    contract(f"IM{month}.CFFEX", calendar),
                    Decimal(bid if bid is not None else str(Decimal(ask) - Decimal("0.4"))),
                    Decimal(ask), delta)


def fut_cost(discount: float, calendar: TradingCalendar, cfg: RiskConfig):  # type: ignore[no-untyped-def]
    views = basis_views([quote("IM2403.CFFEX", im_at(discount, calendar), calendar)], INDEX, DAY,
                        cfg.futures)
    return futures_cost(views[0], NOTIONAL, 200, cfg.margin_total_rate)


def test_puts_are_sized_by_delta() -> None:
    # 15 m / (0.35 x 5000 x 100) = 85.7 -> 86; at delta -0.5: 60; half up at .5
    assert put_lots(NOTIONAL, -0.35, INDEX) == 86
    assert put_lots(NOTIONAL, -0.5, INDEX) == 60
    assert put_lots(Decimal(250_000), -1.0, INDEX) == 1  # 0.5 lot rounds up
    assert put_lots(Decimal(0), -0.5, INDEX) == 0
    with pytest.raises(ValueError):
        put_lots(NOTIONAL, 0.0, INDEX)


def test_expiry_value_is_the_put_payoff() -> None:
    assert expiry_value(Decimal(4800), Decimal("4500.4"), 10) == Decimal("299600.0")
    assert expiry_value(Decimal(4800), Decimal(4900), 10) == 0
    assert expiry_value(Decimal(4800), Decimal(4800), 10) == 0


def test_at_a_56pct_discount_the_put_is_chosen_when_cheaper(calendar: TradingCalendar) -> None:
    cfg = cfg_with("cheapest")
    fut = fut_cost(0.56, calendar, cfg)
    # 16 lots at 4700.8: (5000 - 4700.8) x 200 x 16 = 957,440 to expiry (39 days)
    assert (fut.lots, fut.price, fut.to_expiry) == (16, Decimal("4700.8"), Decimal(957_440))
    assert fut.per_period == Decimal(736_492)
    best = choose_put([put(4800, "100", -0.35, calendar)], NOTIONAL, INDEX, DAY, cfg.hedge)
    assert best is not None
    # 86 puts x 100 x 100 = 860,000 premium, out of the money: all of it is the cost
    assert (best.lots, best.premium, best.per_period) == (86, Decimal(860_000), Decimal(661_538))
    choice = choose_instrument(cfg.hedge, fut, best)
    assert choice.put_share == 1.0
    assert "cheapest: puts" in choice.why
    note = choice.note()
    assert "957,440" in note and "860,000" in note


def test_a_dearer_put_loses_even_at_56pct(calendar: TradingCalendar) -> None:
    cfg = cfg_with("cheapest")
    dear = choose_put([put(4800, "130", -0.35, calendar)], NOTIONAL, INDEX, DAY, cfg.hedge)
    choice = choose_instrument(cfg.hedge, fut_cost(0.56, calendar, cfg), dear)
    assert choice.put_share == 0.0  # 86 x 13,000 x 30/39 = 860,000 > 736,492


def test_at_a_5pct_discount_the_future_is_chosen(calendar: TradingCalendar) -> None:
    cfg = cfg_with("cheapest")
    fut = fut_cost(0.05, calendar, cfg)
    assert fut.per_period < Decimal(100_000)
    best = choose_put([put(4800, "100", -0.35, calendar)], NOTIONAL, INDEX, DAY, cfg.hedge)
    choice = choose_instrument(cfg.hedge, fut, best)
    assert choice.put_share == 0.0
    assert "cheapest: futures" in choice.why


@pytest.mark.parametrize(("instrument", "share"), [("futures", 0.0), ("options", 1.0),
                                                    ("mix", 0.4)])
def test_a_configured_instrument_is_used_whatever_it_costs(
        instrument: str, share: float, calendar: TradingCalendar) -> None:
    cfg = cfg_with(instrument, mix_put_share=0.4)
    best = choose_put([put(4800, "300", -0.35, calendar)], NOTIONAL, INDEX, DAY, cfg.hedge)
    choice = choose_instrument(cfg.hedge, fut_cost(0.05, calendar, cfg), best)
    assert choice.put_share == share
    assert choice.futures is not None and choice.puts is not None  # both costs shown


def test_options_without_an_eligible_put_fall_back_to_futures(calendar: TradingCalendar) -> None:
    cfg = cfg_with("options")
    choice = choose_instrument(cfg.hedge, fut_cost(0.56, calendar, cfg), None)
    assert choice.put_share == 0.0 and "no eligible put" in choice.why


def test_put_choice_keeps_to_the_bounds_and_takes_the_cheapest(calendar: TradingCalendar) -> None:
    cfg = cfg_with("options")
    puts = [
        put(5200, "10", -0.60, calendar),  # above the index: out of bounds (max 1.00)
        put(3800, "1", -0.02, calendar),  # delta too small
        put(4800, "100", -0.35, calendar),  # 661,538 per 30 days
        put(4600, "40", -0.20, calendar),  # 150 lots x 4,000 = 600,000 -> 461,538
        put(4600, "30", -0.20, calendar, month="2402"),  # expires in 14 days: too soon
    ]
    best = choose_put(puts, NOTIONAL, INDEX, DAY, cfg.hedge)
    assert best is not None and best.symbol == "MO2403-P-4600.CFFEX"
    assert (best.lots, best.per_period) == (150, Decimal(461_538))


def test_an_in_the_money_put_costs_its_time_value(calendar: TradingCalendar) -> None:
    cost = put_cost(put(5000, "150", -0.5, calendar), NOTIONAL, 4900.0, DAY)
    # 61 lots (15 m / (0.5 x 4900 x 100) = 61.2); premium 915,000, worth 610,000 at S
    assert cost.lots == 61 and cost.premium == Decimal(915_000)
    assert cost.to_expiry == Decimal(305_000)


def test_roll_sells_back_a_valuable_put_and_lets_a_worthless_one_expire(
        calendar: TradingCalendar) -> None:
    cfg = cfg_with("options")
    day = d("2024-03-11")  # IM2403 / MO2403 expire 2024-03-15: 4 trading days left
    held = {"MO2403-P-4800.CFFEX": 40, "MO2403-P-4400.CFFEX": 30}
    quotes = [put(4800, "60.4", -0.45, calendar, bid="60.0"),  # worth selling back
              put(4400, "0.6", -0.01, calendar, bid="0.2"),  # worthless: left to expire
              put(4600, "90", -0.30, calendar, month="2404")]
    new = choose_put(quotes, NOTIONAL, INDEX, day, cfg.hedge)
    plan = plan_puts(day, NOTIONAL, held, quotes, INDEX, new, cfg, calendar, force=False)
    sells = [leg for leg in plan.legs if leg.side is Side.SELL]
    assert sum(leg.lots for leg in sells) == 40
    assert {leg.symbol for leg in sells} == {"MO2403-P-4800.CFFEX"}
    assert all(leg.offset is Offset.CLOSE and leg.price == Decimal("60.0") for leg in sells)
    assert plan.expiring == ("MO2403-P-4400.CFFEX",)
    buys = [leg for leg in plan.legs if leg.side is Side.BUY]
    assert {leg.symbol for leg in buys} == {"MO2404-P-4600.CFFEX"}
    assert sum(leg.lots for leg in buys) == 100  # 15 m / (0.30 x 5000 x 100)
    assert max(leg.lots for leg in plan.legs) <= cfg.hedge.max_lots_per_order


def test_unwind_sells_back_every_put(calendar: TradingCalendar) -> None:
    cfg = cfg_with("options")
    held = {"MO2403-P-4800.CFFEX": 50}
    quotes = [put(4800, "80.4", -0.40, calendar, bid="80.0")]
    plan = plan_puts(DAY, Decimal(0), held, quotes, INDEX, None, cfg, calendar, force=True)
    assert [(leg.side, leg.offset, leg.lots) for leg in plan.legs] == [
        (Side.SELL, Offset.CLOSE, 17), (Side.SELL, Offset.CLOSE, 17),
        (Side.SELL, Offset.CLOSE, 16)]


def test_a_step_down_sells_back_part(calendar: TradingCalendar) -> None:
    cfg = cfg_with("options")
    held = {"MO2403-P-4800.CFFEX": 86}
    quotes = [put(4800, "100.4", -0.35, calendar, bid="100.0")]
    plan = plan_puts(DAY, NOTIONAL / 2, held, quotes, INDEX, None, cfg, calendar, force=True,
                     rising=False)
    assert sum(leg.lots for leg in plan.legs) == 43  # 7.5 m of the 15.05 m held
    assert all(leg.side is Side.SELL for leg in plan.legs)


@pytest.mark.parametrize(("force", "rising", "delta", "legs"), [
    (False, True, -0.20, 0),  # daily check, delta fell (a rally): no top-up
    (False, True, -0.60, 0),  # daily check, delta rose (a fall): the extra is kept
    (True, False, -0.20, 0),  # a step down never buys
    (True, True, -0.60, 0),  # a step up never sells
    (True, True, -0.20, 64),  # a step up buys to the target: 15 m - 8.6 m = 6.4 m
    (True, False, -0.60, 36),  # a step down sells the surplus: 25.8 m - 15 m = 10.8 m
])
def test_puts_held_move_only_with_the_ladder(force: bool, rising: bool, delta: float,
                                             legs: int, calendar: TradingCalendar) -> None:
    cfg = cfg_with("options")
    held = {"MO2403-P-4800.CFFEX": 86}
    quotes = [put(4800, "100.4", delta, calendar, bid="100.0")]
    new = choose_put(quotes, NOTIONAL, INDEX, DAY, cfg.hedge)
    plan = plan_puts(DAY, NOTIONAL, held, quotes, INDEX, new, cfg, calendar, force=force,
                     rising=rising)
    assert sum(leg.lots for leg in plan.legs) == legs
    assert all(leg.side is (Side.BUY if rising else Side.SELL) for leg in plan.legs)


def _inputs(held: dict[str, int], discount: float, calendar: TradingCalendar,
            force: bool = True) -> HedgeInputs:
    return HedgeInputs(DAY, 0.30, 1.0, Decimal(50_000_000), held,
                       [quote("IM2403.CFFEX", im_at(discount, calendar), calendar),
                        quote("IM2406.CFFEX", "4500.0", calendar, volume=20_000)],
                       INDEX, Decimal(20_000_000), force=force)


def test_the_step_buys_puts_when_cheapest_and_closes_a_held_future(
        calendar: TradingCalendar) -> None:
    cfg = cfg_with("cheapest")
    puts = [put(4800, "100", -0.35, calendar)]
    plan = plan_protection(_inputs({"IM2403.CFFEX": 5}, 0.56, calendar), puts, {}, cfg, calendar,
                           200)
    assert plan.put_share == 1.0
    legs = {(leg.symbol, leg.side, leg.offset): leg.lots for leg in plan.legs}
    assert legs[("IM2403.CFFEX", Side.BUY, Offset.CLOSE)] == 5
    assert sum(leg.lots for leg in plan.legs if leg.side is Side.BUY
               and leg.offset is Offset.OPEN) == 86
    assert "cheapest: puts" in plan.cost_note and "957,440" in plan.cost_note


def test_the_step_shorts_futures_when_cheapest_at_a_small_discount(
        calendar: TradingCalendar) -> None:
    cfg = cfg_with("cheapest")
    puts = [put(4800, "100", -0.35, calendar)]
    plan = plan_protection(_inputs({}, 0.05, calendar), puts, {}, cfg, calendar, 200)
    assert plan.put_share == 0.0 and not plan.puts.legs
    assert {leg.symbol for leg in plan.legs} == {"IM2403.CFFEX"}
    assert "cheapest: futures" in plan.cost_note and "puts: buy 86" in plan.cost_note


def test_a_daily_check_keeps_the_split_held(calendar: TradingCalendar) -> None:
    cfg = cfg_with("cheapest")
    puts = [put(4800, "100", -0.35, calendar)]
    # puts held, a 5% discount: the daily check does not switch to futures
    plan = plan_protection(_inputs({}, 0.05, calendar, force=False), puts,
                           {"MO2403-P-4800.CFFEX": 86}, cfg, calendar, 200)
    assert plan.put_share == 1.0 and not plan.legs


def test_options_configured_without_a_put_hedges_with_futures_and_says_so(
        calendar: TradingCalendar) -> None:
    cfg = cfg_with("options")
    plan = plan_protection(_inputs({}, 0.56, calendar), [], {}, cfg, calendar, 200)
    assert plan.put_share == 0.0 and plan.legs
    assert all(leg.symbol.startswith("IM24") and leg.side is Side.SELL for leg in plan.legs)
    assert [a.title for a in plan.alerts if a.severity == "critical"] == [
        "options hedge: no eligible put"]
