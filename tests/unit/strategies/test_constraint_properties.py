"""Property tests: whatever the book and settings, no output breaks a constraint."""

from datetime import timedelta
from decimal import Decimal

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exchange import is_legal_buy_quantity, is_legal_sell_quantity
from strategies.config import ModelConfig
from strategies.constraints import limit_locked_up
from strategies.nightly import propose_batch
from strategies.portfolio_state import Book, Holding
from strategies.signals import compute_signals
from strategies.universe import Exclusion
from tests.unit.strategies.panel_kit import make_panel, small_config, with_values

PANEL = make_panel(n_stocks=80, n_days=160, seed=9)
# Some trouble on the signal day: ST, suspended, a limit-up lock, a thin stock.
for column, field, value in [(3, "risk_flag", 1), (7, "suspended", True), (11, "equity", -1.0)]:
    PANEL = with_values(PANEL, field, PANEL.symbols[column], -1, value)
_prev = float(PANEL["close"].iloc[-2, 15])
PANEL = with_values(PANEL, "close", PANEL.symbols[15], -1, float(
    (Decimal(str(_prev)) * Decimal("1.1")).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")))
PANEL = with_values(PANEL, "prev_close", PANEL.symbols[15], -1, _prev)
PANEL = with_values(PANEL, "amount", PANEL.symbols[20], slice(-20, None), 5e4)
SYMBOLS = [str(s) for s in PANEL.symbols]
TRADE_DAY = PANEL.dates[-1].date() + timedelta(days=3)


def _config(holdings, max_weight, industry_cap, adv_share, turnover_cap):
    raw = small_config().model_dump()
    raw["rotation"].update(holdings=holdings, buffer_rank=holdings + 10,
                           max_daily_turnover=turnover_cap)
    raw["constraints"].update(max_weight=max_weight, industry_cap=industry_cap,
                              max_adv_share=adv_share)
    return ModelConfig.model_validate(raw)


SIGNALS = compute_signals(PANEL, small_config(), first_row=len(PANEL.dates) - 1)

holdings_strategy = st.dictionaries(
    st.sampled_from(SYMBOLS),
    st.tuples(st.integers(1, 400).map(lambda lots: lots * 100 + 0), st.floats(0, 1),
              st.integers(0, 30)),
    max_size=25,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(holdings=holdings_strategy, cash=st.integers(0, 20_000_000),
       n=st.integers(5, 30), max_weight=st.sampled_from([0.01, 0.03, 0.05]),
       industry_cap=st.sampled_from([0.3, 0.5, 1.0]), adv_share=st.sampled_from([0.01, 0.1, 1.0]),
       turnover_cap=st.sampled_from([None, 0.05, 0.3]), odd=st.integers(0, 99))
def test_no_order_breaks_a_constraint(holdings, cash, n, max_weight, industry_cap, adv_share,
                                      turnover_cap, odd):
    config = _config(n, max_weight, industry_cap, adv_share, turnover_cap)
    book = Book(Decimal(cash + 1000), {
        s: Holding(s, q + (odd if i == 0 else 0), int((q + (odd if i == 0 else 0)) * f), d)
        for i, (s, (q, f, d)) in enumerate(holdings.items())})
    day = SIGNALS.day(0)
    batch = propose_batch(day, book, TRADE_DAY, config.model_copy(
        update={"factors": small_config().factors, "universe": small_config().universe}))
    nav = float(batch.nav)
    sides = [o.side for o in batch.orders]
    assert sides == sorted(sides, key=lambda s: s != "sell"), "sells first"
    cash_after = book.cash
    for order in batch.orders:
        index = SYMBOLS.index(order.symbol)
        if order.side == "sell":
            held = book.holdings[order.symbol]
            assert order.quantity <= held.sellable, "never sell beyond the sellable shares"
            assert is_legal_sell_quantity(order.symbol, order.quantity, held.quantity)
            cash_after += order.est_value
            continue
        assert order.symbol not in book.holdings
        assert day.exclusion[index] == Exclusion.NONE, "never buy an excluded stock"
        assert not limit_locked_up(day, index)
        assert is_legal_buy_quantity(order.symbol, order.quantity)
        value = float(order.est_value)
        assert order.target_weight <= max_weight + 1e-12
        assert value <= adv_share * float(day.adv[index]) + 1e-6
        cash_after -= order.est_value
    assert cash_after >= 0, "buys are funded by cash and sells"
    _check_post_trade_weights(book, batch, day, nav, max_weight, adv_share)
    if all(h.sellable == h.quantity for h in book.holdings.values()):
        _check_industry_weights(book, batch, day, nav, industry_cap)


def _check_industry_weights(book, batch, day, nav, cap):
    sold = {o.symbol: o.quantity for o in batch.orders if o.side == "sell"}
    weights = {}
    for symbol, held in book.holdings.items():
        index = SYMBOLS.index(symbol)
        price = float(Decimal(str(day.value_price[index])).quantize(Decimal("0.01")))
        industry = day.industries[index]
        weights[industry] = weights.get(industry, 0.0) + (
            held.quantity - sold.get(symbol, 0)) * price / nav
    for order in batch.orders:
        if order.side == "buy":
            industry = day.industries[SYMBOLS.index(order.symbol)]
            weights[industry] = weights.get(industry, 0.0) + float(order.est_value) / nav
    assert max(weights.values(), default=0.0) <= cap + 1e-9, weights


def _check_post_trade_weights(book, batch, day, nav, max_weight, adv_share):
    """Where T+1 leaves room to sell, no position stays above its cap."""
    sold = {o.symbol: o.quantity for o in batch.orders if o.side == "sell"}
    for symbol, held in book.holdings.items():
        index = SYMBOLS.index(symbol)
        remaining = held.quantity - sold.get(symbol, 0)
        if remaining == 0 or held.sellable < held.quantity:
            continue
        price = float(Decimal(str(day.value_price[index])).quantize(Decimal("0.01")))
        weight = remaining * price / nav
        cap = min(max_weight, adv_share * float(day.adv[index]) / nav) \
            if np.isfinite(day.adv[index]) else max_weight
        assert weight <= cap + 1e-9, f"{symbol} weight {weight:.4f} above cap {cap:.4f}"
