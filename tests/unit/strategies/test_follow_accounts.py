"""Several accounts, one model: each account's orders follow the lead's target weights."""

from datetime import timedelta
from decimal import Decimal

import pytest

from exchange import Side
from strategies.config import ModelConfig
from strategies.follow import FOLLOW_TOLERANCE
from strategies.nightly import build_batch, build_batches
from strategies.portfolio_state import Book, Holding
from tests.unit.strategies.panel_kit import book_of, make_panel, small_config


def size_only() -> ModelConfig:
    raw = small_config().model_dump()
    raw["factors"]["weights"] = {"size": -1.0}
    return ModelConfig.model_validate(raw)


@pytest.fixture(scope="module")
def panel():
    return make_panel(n_stocks=60, n_days=160, seed=2)


def trade_day(panel):
    return panel.dates[-1].date() + timedelta(days=3)


def test_one_account_is_exactly_the_model(panel):
    config = size_only()
    alone = build_batch(panel, book_of("10000000"), trade_day(panel), config)
    batches = build_batches(panel, {"paper": book_of("10000000")}, trade_day(panel), config)
    assert list(batches) == ["paper"]
    assert batches["paper"] == alone


def test_a_smaller_account_buys_the_same_names_scaled_to_its_capital(panel):
    config = size_only()
    batches = build_batches(panel, {"big": book_of("10000000"), "small": book_of("2500000")},
                            trade_day(panel), config)
    big, small = batches["big"], batches["small"]
    assert [o.symbol for o in small.orders] == [o.symbol for o in big.orders]
    for ours, theirs in zip(small.orders, big.orders, strict=True):
        assert ours.side is Side.BUY
        assert abs(ours.quantity - theirs.quantity / 4) <= 100, ours.symbol  # one lot
        assert ours.quantity % 100 == 0 or ours.symbol.startswith("688")
        assert abs(ours.target_weight - theirs.target_weight) < 0.01
    assert small.gross_value + small.expected_cost <= Decimal("2500000")


def test_a_follower_sells_what_the_model_does_not_hold_and_buys_what_it_lacks(panel):
    config = size_only()
    lead = build_batch(panel, book_of("10000000"), trade_day(panel), config)
    target = {o.symbol for o in lead.orders}
    stray = next(s for s in panel.symbols if s not in target)
    follower = book_of("1000000", **{stray: 5000})
    batches = build_batches(panel, {"lead": book_of("10000000"), "other": follower},
                            trade_day(panel), config)
    other = batches["other"]
    sells = [o for o in other.orders if o.side is Side.SELL]
    assert [(o.symbol, o.quantity) for o in sells] == [(stray, 5000)]
    assert sells[0].reason == "not in the model's target portfolio"
    assert {o.symbol for o in other.orders if o.side is Side.BUY} <= target


def test_t_plus_1_a_follower_sells_only_its_sellable_shares(panel):
    config = size_only()
    lead = build_batch(panel, book_of("10000000"), trade_day(panel), config)
    stray = next(s for s in panel.symbols if s not in {o.symbol for o in lead.orders})
    bought_today = Book(cash=Decimal("1000000"), holdings={
        stray: Holding(symbol=stray, quantity=5000, sellable=2000, holding_days=1)})
    batches = build_batches(panel, {"lead": book_of("10000000"), "other": bought_today},
                            trade_day(panel), config)
    sells = [o for o in batches["other"].orders if o.side is Side.SELL]
    assert [(o.symbol, o.quantity) for o in sells] == [(stray, 2000)]
    assert any("sellable 2000" in w for w in batches["other"].warnings)


def test_a_follower_at_its_target_makes_no_orders_for_names_the_model_leaves(panel):
    """Rounding differences within the tolerance are not traded every day."""
    config = size_only()
    first = build_batches(panel, {"lead": book_of("10000000"), "other": book_of("4000000")},
                          trade_day(panel), config)
    def held(batch, cash):
        spent = sum(o.est_value for o in batch.orders) + batch.expected_cost
        return Book(cash=Decimal(cash) - spent, holdings={
            o.symbol: Holding(symbol=o.symbol, quantity=o.quantity, sellable=o.quantity,
                              holding_days=1) for o in batch.orders})
    lead_book, other_book = held(first["lead"], "10000000"), held(first["other"], "4000000")
    again = build_batches(panel, {"lead": lead_book, "other": other_book}, trade_day(panel),
                          config)
    traded_by_lead = {o.symbol for o in again["lead"].orders}
    for order in again["other"].orders:
        assert order.symbol in traded_by_lead or \
            abs(order.target_weight - order.current_weight) > FOLLOW_TOLERANCE, order


def test_the_large_sell_guard_names_the_account_that_would_sell_too_much(panel):
    from strategies.sell_guard import LargeSellRefused

    raw = size_only().model_dump()
    raw["guard"]["max_sell_share"] = 0.5
    config = ModelConfig.model_validate(raw)
    lead = build_batch(panel, book_of("10000000"), trade_day(panel), config)
    strays = [s for s in panel.symbols if s not in {o.symbol for o in lead.orders}][:10]
    other = book_of("10000", **{s: 10_000 for s in strays})
    with pytest.raises(LargeSellRefused, match=r"^account other: "):
        build_batches(panel, {"lead": book_of("10000000"), "other": other}, trade_day(panel),
                      config)
    allowed = build_batches(panel, {"lead": book_of("10000000"), "other": other},
                            trade_day(panel), config, allow_large_turnover=True)
    assert {o.symbol for o in allowed["other"].orders if o.side is Side.SELL} == set(strays)
