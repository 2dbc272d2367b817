"""The rotation and the orders it produces, on crafted panels with known ranks."""

import json
from datetime import timedelta
from decimal import Decimal

import numpy as np
import pytest

from strategies.config import ModelConfig
from strategies.nightly import build_batch
from strategies.portfolio_state import Book, Holding
from tests.unit.strategies.panel_kit import book_of, make_panel, small_config, with_values


def size_only(**overrides):
    """Ranks by size alone (smallest float cap = rank 1), independent of prices."""
    raw = small_config().model_dump()
    raw["factors"]["weights"] = {"size": -1.0}
    for section, values in overrides.items():
        raw[section].update(values)
    return ModelConfig.model_validate(raw)


@pytest.fixture(scope="module")
def panel():
    return make_panel(n_stocks=60, n_days=160, seed=2)


def trade_day(panel):
    return panel.dates[-1].date() + timedelta(days=3)


def by_size(panel):
    """Symbols from the smallest float market cap up, on the signal day."""
    return list(panel["float_mcap"].iloc[-1].sort_values().index)


def run(panel, book, config):
    return build_batch(panel, book, trade_day(panel), config)


def test_from_cash_buys_the_top_n_in_rank_order_within_the_cash(panel):
    config = size_only()
    batch = run(panel, book_of("10000000"), config)
    assert batch.sells == 0 and batch.buys == 20
    assert [o.symbol for o in batch.orders] == by_size(panel)[:20]
    assert batch.orders[0].reason == "enters top 20 (rank 1)"
    spent = sum(o.est_value for o in batch.orders) + batch.expected_cost
    assert spent <= Decimal("10000000") * Decimal("0.98")
    for order in batch.orders:
        assert order.target_weight <= config.constraints.max_weight
        assert order.reference_price == Decimal(str(panel["close"][order.symbol].iloc[-1]))


def test_a_holding_inside_the_buffer_is_kept_and_one_past_it_is_sold(panel):
    ranked = by_size(panel)
    inside, outside = ranked[25], ranked[40]  # ranks 26 and 41, buffer 30
    book = book_of("5000000", **{inside: 1000, outside: 1000})
    batch = run(panel, book, size_only())
    sells = {o.symbol: o for o in batch.orders if o.side == "sell"}
    assert inside not in sells
    assert sells[outside].reason == "rank fell to 41 > buffer 30"
    assert sells[outside].quantity == 1000 and sells[outside].target_weight == 0.0


def test_minimum_holding_days_protect_a_weak_rank_but_not_a_universe_exit(panel):
    weak = by_size(panel)[40]
    fresh = Book(Decimal("5000000"), {weak: Holding(weak, 1000, 1000, holding_days=2)})
    config = size_only(rotation={"min_holding_days": 5})
    assert all(o.symbol != weak for o in run(panel, fresh, config).orders)
    flagged = with_values(panel, "risk_flag", weak, -1, 1)
    sell = next(o for o in run(flagged, fresh, config).orders if o.symbol == weak)
    assert sell.side == "sell" and sell.reason == "left universe: became ST"


@pytest.mark.parametrize("field, value, words", [
    ("suspended", True, "left universe: suspended"),
    ("risk_flag", 2, "left universe: became *ST"),
    ("equity", -1.0, "left universe: negative equity in the latest report"),
])
def test_a_holding_leaving_the_universe_is_sold_with_the_reason(panel, field, value, words):
    symbol = by_size(panel)[0]
    changed = with_values(panel, field, symbol, -1, value)
    batch = run(changed, book_of("5000000", **{symbol: 2000}), size_only())
    sell = next(o for o in batch.orders if o.symbol == symbol)
    assert (sell.side, sell.quantity, sell.reason) == ("sell", 2000, words)


def test_growing_out_of_the_range_names_the_cutoff(panel):
    config = size_only(universe={"smallest_share": 0.5})
    largest = by_size(panel)[-1]
    batch = run(panel, book_of("5000000", **{largest: 500}), config)
    sell = next(o for o in batch.orders if o.symbol == largest)
    assert sell.reason.startswith("left universe: grew out of the small-cap range")
    assert "cutoff" in sell.reason


def test_sells_come_before_buys_and_fund_them(panel):
    ranked = by_size(panel)
    book = book_of("100000", **{ranked[45]: 100000, ranked[50]: 100000})
    batch = run(panel, book, size_only())
    sides = [o.side for o in batch.orders]
    assert sides == sorted(sides, key=lambda s: s != "sell")
    assert batch.sells == 2 and batch.buys > 0
    proceeds = sum(o.est_value for o in batch.orders if o.side == "sell")
    spent = sum(o.est_value for o in batch.orders if o.side == "buy")
    assert spent <= proceeds + Decimal("100000")


def test_t_plus_one_limits_a_sell_to_the_sellable_shares(panel):
    weak = by_size(panel)[40]
    book = Book(Decimal("5000000"), {weak: Holding(weak, 3000, 1000, holding_days=1)})
    batch = run(panel, book, size_only())
    sell = next(o for o in batch.orders if o.symbol == weak)
    assert sell.quantity == 1000
    assert any("sellable 1000" in w for w in batch.warnings)


def test_a_stock_locked_limit_up_at_the_close_is_not_bought(panel):
    top = by_size(panel)[0]
    prev = float(panel["close"][top].iloc[-2])
    limit_up = float(Decimal(str(prev)) * Decimal("1.1") + Decimal("0.005")) // 0.01 * 0.01
    locked = with_values(panel, "close", top, -1, round(limit_up, 2))
    locked = with_values(locked, "prev_close", top, -1, prev)
    batch = run(locked, book_of("10000000"), size_only())
    assert top not in {o.symbol for o in batch.orders}
    assert batch.buys == 20
    free = with_values(locked, "close", top, -1, round(prev * 1.05, 2))
    assert top in {o.symbol for o in run(free, book_of("10000000"), size_only()).orders}


def test_a_stock_too_illiquid_for_the_position_is_not_bought(panel):
    top = by_size(panel)[0]
    thin = with_values(panel, "amount", top, slice(-20, None), 1000.0)
    batch = run(thin, book_of("10000000"), size_only())
    assert top not in {o.symbol for o in batch.orders}


def test_industry_cap_limits_names_per_industry(panel):
    config = size_only(constraints={"industry_cap": 0.1})
    batch = run(panel, book_of("10000000"), config)
    industries = panel.instruments["industry"]
    weights = {}
    for order in batch.orders:
        key = industries[order.symbol]
        weights[key] = weights.get(key, 0.0) + order.target_weight
    assert max(weights.values()) <= 0.1 + 1e-12
    assert batch.buys == 12  # six industries, two names of 4.9% each


def test_daily_turnover_cap_limits_entries(panel):
    config = size_only(rotation={"max_daily_turnover": 0.1})
    batch = run(panel, book_of("10000000"), config)
    assert batch.buys == 4  # two-sided budget 20% of NAV / 4.9% per entry
    assert batch.turnover <= 0.1


def test_turnover_cap_defers_rank_sales_with_a_warning(panel):
    ranked = by_size(panel)
    held = {s: 1000 for s in ranked[31:36]}  # ranks 32-36, each under the 5% weight cap
    config = size_only(rotation={"max_daily_turnover": 0.01})
    batch = run(panel, book_of("1000000", **held), config)
    assert batch.sells < 5 and all(o.reason.startswith("rank fell") for o in batch.orders
                                   if o.side == "sell")
    assert any("deferred by the daily turnover cap" in w for w in batch.warnings)


def test_an_oversized_holding_is_trimmed_to_the_target(panel):
    top = by_size(panel)[0]
    price = Decimal(str(panel["close"][top].iloc[-1]))
    shares = int(Decimal("800000") / price) // 100 * 100  # about 8% of a 10m book
    book = book_of(str(Decimal("10000000") - price * shares), **{top: shares})
    config = size_only()
    batch = run(panel, book, config)
    trim = next(o for o in batch.orders if o.symbol == top)
    assert trim.side == "sell" and trim.reason.startswith("trim: weight")
    assert trim.target_weight <= config.constraints.max_weight
    assert trim.target_weight == pytest.approx(config.target_weight(), abs=0.002)


def test_totals_and_json(panel):
    batch = run(panel, book_of("10000000", **{by_size(panel)[40]: 1000}), size_only())
    assert batch.buys + batch.sells == len(batch.orders)
    assert batch.gross_value == sum(o.est_value for o in batch.orders)
    assert batch.turnover == pytest.approx(float(batch.gross_value / batch.nav) / 2)
    assert batch.expected_cost > 0
    data = json.loads(json.dumps(batch.to_dict()))
    assert data["orders"][0]["reference_price"] == str(batch.orders[0].reference_price)
    assert data["signal_date"] == panel.dates[-1].date().isoformat()
    assert set(data["orders"][-1]["ranks"]) == {"size", "score"}


def test_factor_ranks_are_percentiles_favouring_the_weight_sign(panel):
    batch = run(panel, book_of("10000000"), size_only())
    first = batch.orders[0]
    assert first.ranks["size"] == 100.0 and first.ranks["score"] == 100.0
    assert batch.orders[1].ranks["size"] < 100.0


def test_inputs_are_checked(panel):
    with pytest.raises(ValueError, match="must come after the signal date"):
        build_batch(panel, book_of("1000"), panel.dates[-1].date(), size_only())
    with pytest.raises(KeyError, match=r"999999\.SSE"):
        run(panel, book_of("1000", **{"999999.SSE": 100}), size_only())
    short = make_panel(n_stocks=60, n_days=100)
    with pytest.raises(ValueError, match="lookback of 150"):
        run(short, book_of("1000"), size_only())
    assert np.isfinite(run(panel, book_of("1000"), size_only()).turnover)
