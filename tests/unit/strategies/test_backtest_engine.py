"""The backtest: parity with the nightly run, fills, costs, T+1, metrics, report."""

from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from strategies.backtest import HedgeOverlay, run_backtest, write_report
from strategies.backtest.fills import OpenMarket, execute_open
from strategies.backtest.ledger import SimulatedBook
from strategies.backtest.metrics import TRADING_DAYS_PER_YEAR, compute_metrics
from strategies.batch import OrderProposal
from strategies.config import CostConfig
from strategies.nightly import build_batch
from tests.unit.strategies.panel_kit import make_panel, small_config, with_values

CONFIG = small_config()


@pytest.fixture(scope="module")
def panel():
    base = make_panel(n_stocks=60, n_days=230, seed=5)
    gone = base.symbols[2]  # delisted after row 120: the nightly panel will not carry it
    base = with_values(base, "listed", gone, slice(120, None), False)
    for field in ("close", "open", "prev_close", "float_mcap", "total_mcap", "amount"):
        base = with_values(base, field, gone, slice(120, None), np.nan)
    for row in (170, 171, 190):  # some suspensions and an ST spell
        base = with_values(base, "suspended", base.symbols[row % 60], slice(row, row + 3), True)
    return with_values(base, "risk_flag", base.symbols[9], slice(180, 200), 1)


@pytest.fixture(scope="module")
def result(panel):
    index = pd.DataFrame({"csi1000": np.linspace(1000, 1100, 230),
                          "microcap": np.linspace(1000, 900, 230)}, index=panel.dates)
    return run_backtest(panel, panel.dates[150].date(), panel.dates[-1].date(), CONFIG,
                        initial_cash=Decimal("20000000"), index=index, keep_batches=True)


def test_backtest_orders_equal_the_nightly_batch_for_the_same_book(panel, result):
    """Parity: the batch the backtest traded on a day is what build_batch publishes
    for that signal date, from a 150-day panel and the same starting book."""
    for book, batch in result.batches[::15]:
        window = panel.window(batch.signal_date, CONFIG.lookback_days)
        alive = [s for s in window.symbols if window["listed"][s].any()]
        window = type(window)(window.dates, pd.Index(alive), {
            k: v[alive] for k, v in window.fields.items()}, window.instruments.loc[alive])
        nightly = build_batch(window, book, batch.trade_date, CONFIG)
        assert nightly.to_dict() == batch.to_dict()
    assert sum(len(b.orders) for _, b in result.batches) > 20


def test_daily_record_and_metrics(result):
    daily = result.daily
    assert len(daily) == 80 and result.start == daily.index[0].date()
    np.testing.assert_allclose(daily["nav"], daily["cash"] + daily["stock_value"], rtol=1e-12)
    assert (daily["holdings"] <= 22).all() and daily["holdings"].iloc[-1] >= 15
    assert result.metrics.total_cost == pytest.approx(daily["cost"].sum())
    assert set(result.metrics.excess) == {"csi1000", "microcap"}
    assert result.metrics.excess["csi1000"].benchmark_return > 0
    assert result.missed_by_reason.get("suspended", 0) >= 0


def test_metrics_by_hand():
    nav = pd.Series([110.0, 99.0, 121.0], index=pd.bdate_range("2024-01-02", periods=3))
    bench = pd.DataFrame({"idx": [100.0, 100.0, 100.0, 110.0]})
    m = compute_metrics(nav, 100.0, pd.Series([0.1, 0.0, 0.2]), pd.Series([1.0, 2.0, 0.0]),
                        pd.Series([3, 3, 4]), bench)
    returns = np.array([0.1, -0.1, 121 / 99 - 1])
    assert m.total_return == pytest.approx(0.21)
    assert m.annual_return == pytest.approx(1.21 ** (TRADING_DAYS_PER_YEAR / 3) - 1)
    assert m.volatility == pytest.approx(returns.std(ddof=1) * np.sqrt(TRADING_DAYS_PER_YEAR))
    assert m.max_drawdown == pytest.approx(0.1)
    assert m.calmar == pytest.approx(m.annual_return / 0.1)
    assert m.turnover == pytest.approx(0.1) and m.total_cost == 3.0
    assert m.avg_holdings == pytest.approx(10 / 3)
    bench_annual = 1.1 ** (TRADING_DAYS_PER_YEAR / 3) - 1
    assert m.excess["idx"].excess_return == pytest.approx(m.annual_return - bench_annual)


def _order(symbol, side, quantity, price="10.00"):
    return OrderProposal(symbol, "x", side, quantity, Decimal(price),
                         Decimal(price) * quantity, 0.01, 0.0, {}, 0.0, "test")


def _market(open_, prev_close, suspended=(False, False)):
    return OpenMarket(date(2024, 3, 4), {"600100.SSE": 0, "000101.SZSE": 1},
                      np.array(open_), np.array(prev_close), np.array(suspended),
                      np.zeros(2), np.array([1e8, 1e8]))


def test_fills_pay_fees_and_slippage_and_respect_t_plus_one():
    ledger = SimulatedBook(Decimal("1000000"))
    costs = CostConfig(slippage_bps=10.0, impact_coefficient=0.0)
    fills, misses = execute_open([_order("600100.SSE", "buy", 1000)],
                                 _market([10.0, 5.0], [10.0, 5.0]), ledger, costs)
    assert not misses and fills[0].price == Decimal("10.01")  # 10 bps up, to the tick
    assert ledger.cash == Decimal("1000000") - Decimal("10010") - fills[0].fees
    assert fills[0].fees == Decimal("5.00") + Decimal("0.10") + Decimal("0.34")
    assert ledger.book().holdings["600100.SSE"].sellable == 0  # bought today
    fills, misses = execute_open([_order("600100.SSE", "sell", 1000)],
                                 _market([10.0, 5.0], [10.0, 5.0]), ledger, costs)
    assert [m.why for m in misses] == ["nothing sellable"]
    ledger.close_day()
    held = ledger.book().holdings["600100.SSE"]
    assert (held.sellable, held.holding_days) == (1000, 1)


def test_limit_locked_and_suspended_orders_do_not_fill():
    ledger = SimulatedBook(Decimal("1000000"))
    orders = [_order("600100.SSE", "buy", 100), _order("000101.SZSE", "buy", 100)]
    _, misses = execute_open(orders, _market([11.0, 5.0], [10.0, 5.0], (False, True)),
                             ledger, CostConfig())
    assert {m.symbol: m.why for m in misses} == {"600100.SSE": "opened limit-up",
                                                 "000101.SZSE": "suspended"}
    assert ledger.cash == Decimal("1000000")


def test_a_buy_the_cash_cannot_cover_is_cut_to_a_legal_lot():
    ledger = SimulatedBook(Decimal("5000"))
    fills, _ = execute_open([_order("600100.SSE", "buy", 1000)],
                            _market([10.0, 5.0], [10.0, 5.0]), ledger, CostConfig())
    assert fills[0].quantity == 400 and ledger.cash >= 0


def test_ledger_refuses_impossible_trades():
    ledger = SimulatedBook(Decimal("100"))
    with pytest.raises(ValueError, match="cash 100"):
        ledger.buy("600100.SSE", 100, Decimal("10.00"), Decimal("5"))
    with pytest.raises(ValueError, match="only 0 sellable"):
        ledger.sell("600100.SSE", 100, Decimal("10.00"), Decimal("5"))


def test_bonus_shares_follow_the_adjustment_factor(panel):
    start = panel.dates[150].date()
    first = run_backtest(panel, start, panel.dates[152].date(), CONFIG,
                         keep_batches=True)
    held = next(iter(first.batches[-1][0].holdings))
    adj = np.ones(230)
    adj[152:] = 1.5
    bonus = with_values(panel, "adj_factor", held, slice(None), adj)
    after = run_backtest(bonus, start, panel.dates[152].date(), CONFIG, keep_batches=True)
    before_qty = first.batches[-1][0].holdings[held].quantity
    # the book for day 152 is taken after its corporate actions
    assert after.batches[-1][0].holdings[held].quantity == int(before_qty * 1.5)


def test_a_hedge_policy_overlays_the_nav(panel, result):
    class HalfLoss:
        def overlay(self, daily, csi1000):
            hedged = daily["nav"] * 0 + 1e8  # the initial cash, flat
            return HedgeOverlay(hedged, daily["nav"] * 0 + 0.5, daily["nav"] * 0 + 0.5,
                                ["flat"])

    index = pd.DataFrame({"csi1000": np.linspace(1000, 1100, 230)}, index=panel.dates)
    hedged = run_backtest(panel, panel.dates[200].date(), panel.dates[-1].date(), CONFIG,
                          index=index, hedge=HalfLoss())
    assert hedged.hedged and hedged.hedge_notes == ["flat"]
    assert hedged.metrics.volatility == pytest.approx(0.0)
    assert hedged.unhedged_metrics.volatility > 0


def test_too_little_history_is_refused(panel):
    with pytest.raises(ValueError, match="needs 150 trade dates of history"):
        run_backtest(panel, panel.dates[100].date(), panel.dates[-1].date(), CONFIG)


def test_report_is_one_html_file_with_the_plots(result, tmp_path):
    path = write_report(result, tmp_path / "r" / "report.html")
    html = path.read_text(encoding="utf-8")
    assert html.count("<svg") == 6
    for words in ("Annual return", "Maximum drawdown", "Calmar", "csi1000", "Holdings count",
                  "Exposure"):
        assert words in html
    # Self-contained: nothing fetched from elsewhere.
    assert 'src="http' not in html and "<link" not in html and "<script" not in html
