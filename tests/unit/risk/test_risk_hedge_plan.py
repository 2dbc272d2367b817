from __future__ import annotations

from datetime import date
from decimal import Decimal

from risk_kit import quote

from exchange import Side
from marketdata.calendar import TradingCalendar
from orders.order import Offset
from risk.config import FuturesConfig, RiskConfig
from risk.hedge_plan import HedgeInputs, HedgePlan, plan_hedge

DAY = date(2024, 2, 5)
CASH = Decimal("20000000")


def quotes(calendar: TradingCalendar) -> list:  # type: ignore[type-arg]
    return [
        quote("IM2402.CFFEX", "4452.0", calendar, volume=120_000),
        quote("IM2403.CFFEX", "4324.8", calendar, volume=100_000),
        quote("IM2406.CFFEX", "4194.2", calendar, volume=40_000),
    ]


def plan(calendar: TradingCalendar, cfg: RiskConfig, *, ratio: float = 0.6,
         held: dict[str, int] | None = None, day: date = DAY, cash: Decimal = CASH,
         force: bool = True, exposure: str = "50000000") -> HedgePlan:
    inputs = HedgeInputs(day=day, ratio=ratio, beta=1.1, exposure=Decimal(exposure),
                         held=held or {}, quotes=quotes(calendar), index=4600.0,
                         free_cash=cash, force=force)
    return plan_hedge(inputs, cfg, calendar, multiplier=200)


def test_opens_in_the_chosen_contract_in_orders_of_twenty(calendar: TradingCalendar,
                                                         cfg: RiskConfig) -> None:
    result = plan(calendar, cfg)
    # 1.1 x 0.6 x 50 m / (4194.2 x 200) = 39.3 -> 39 lots in IM2406 (cheaper basis)
    assert result.target_lots == 39
    assert [(leg.symbol, leg.side, leg.offset, leg.lots) for leg in result.legs] == [
        ("IM2406.CFFEX", Side.SELL, Offset.OPEN, 20),
        ("IM2406.CFFEX", Side.SELL, Offset.OPEN, 19),
    ]
    assert all(leg.price == Decimal("4194.2") for leg in result.legs)
    assert "basis -23.5%/yr" in result.cost_note and "CNY" in result.cost_note
    assert "resize 0 -> 39 lots" in result.reason
    assert result.alerts == ()  # 23.5% is below the 30% alert level


def test_discount_alert_when_hedging_is_expensive(calendar: TradingCalendar) -> None:
    cfg = RiskConfig(futures=FuturesConfig(liquidity_weight=1.0))  # forces IM2403 at 56%
    result = plan(calendar, cfg)
    assert result.chosen is not None and result.chosen.symbol == "IM2403.CFFEX"
    assert [a.severity for a in result.alerts] == ["warning"]
    assert "56.0% a year" in result.alerts[0].title


def test_adds_to_the_contract_already_held(calendar: TradingCalendar, cfg: RiskConfig) -> None:
    result = plan(calendar, cfg, ratio=1.0, held={"IM2403.CFFEX": 30})
    # target in IM2403: 1.1 x 50 m / (4324.8 x 200) = 63.6 -> 64; 34 more
    assert result.target_lots == 64
    assert {leg.symbol for leg in result.legs} == {"IM2403.CFFEX"}
    assert sum(leg.lots for leg in result.legs) == 34


def test_small_drift_is_left_alone_unless_the_ladder_moved(calendar: TradingCalendar,
                                                          cfg: RiskConfig) -> None:
    drifted = plan(calendar, cfg, held={"IM2406.CFFEX": 36}, force=False)
    assert drifted.target_lots == 39 and drifted.legs == ()  # 3 of 39 is inside 15%
    forced = plan(calendar, cfg, held={"IM2406.CFFEX": 36}, force=True)
    assert sum(leg.lots for leg in forced.legs) == 3


def test_reduces_and_closes(calendar: TradingCalendar, cfg: RiskConfig) -> None:
    reduce = plan(calendar, cfg, ratio=0.3, held={"IM2406.CFFEX": 39})
    assert [(leg.side, leg.offset, leg.lots) for leg in reduce.legs] == [
        (Side.BUY, Offset.CLOSE, 19)]
    off = plan(calendar, cfg, ratio=0.0, held={"IM2406.CFFEX": 39, "IM2403.CFFEX": 5})
    assert off.target_lots == 0
    closed = {(leg.symbol, leg.side, leg.offset): 0 for leg in off.legs}
    for leg in off.legs:
        closed[(leg.symbol, leg.side, leg.offset)] += leg.lots
    assert closed == {("IM2403.CFFEX", Side.BUY, Offset.CLOSE): 5,
                      ("IM2406.CFFEX", Side.BUY, Offset.CLOSE): 39}


def test_roll_across_the_holiday_moved_expiry(calendar: TradingCalendar, cfg: RiskConfig) -> None:
    held = {"IM2402.CFFEX": 30}
    # 5 Feb: four trading days left (6, 7, 8, 19 Feb): keep; 6 Feb: three: roll.
    keep = plan(calendar, cfg, ratio=0.6, held=held, day=date(2024, 2, 5), force=False,
                exposure="40000000")
    assert keep.legs == () and keep.chosen is not None
    assert keep.chosen.symbol == "IM2402.CFFEX"
    roll = plan(calendar, cfg, ratio=0.6, held=held, day=date(2024, 2, 6), force=False,
                exposure="40000000")
    legs = [(leg.symbol, leg.side, leg.offset, leg.lots) for leg in roll.legs]
    assert legs[0] == ("IM2402.CFFEX", Side.BUY, Offset.CLOSE, 15)
    assert legs[1] == ("IM2402.CFFEX", Side.BUY, Offset.CLOSE, 15)
    assert {leg[0] for leg in legs[2:]} == {"IM2406.CFFEX"}
    assert sum(leg[3] for leg in legs[2:]) == roll.target_lots
    assert "roll IM2402.CFFEX (expires 2024-02-19) into IM2406.CFFEX" in roll.reason


def test_margin_is_checked_against_free_cash(calendar: TradingCalendar, cfg: RiskConfig) -> None:
    # each IM2406 lot needs 4194.2 x 200 x 15% = 125,826 CNY
    result = plan(calendar, cfg, cash=Decimal("1000000"))
    assert sum(leg.lots for leg in result.legs) == 7
    assert result.alerts[0].severity == "critical"
    assert "proposing 7 lots" in result.alerts[0].detail


def test_a_roll_frees_the_old_margin_for_the_new_contract(calendar: TradingCalendar,
                                                         cfg: RiskConfig) -> None:
    roll = plan(calendar, cfg, ratio=0.6, held={"IM2402.CFFEX": 30}, day=date(2024, 2, 6),
                cash=Decimal("0"), exposure="40000000")
    opened = sum(leg.lots for leg in roll.legs if leg.offset is Offset.OPEN)
    assert opened == roll.target_lots  # the 30 closed lots released enough margin
    assert not [a for a in roll.alerts if a.severity == "critical"]
