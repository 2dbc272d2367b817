"""The backtest: parity with the nightly run, fills, costs, T+1, metrics, report."""

from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from exchange import Board, board_band, limit_prices
from strategies.backtest import HedgeOverlay, run_backtest, write_report
from strategies.backtest.fills import DayMarket, FillRules, FillStyle, execute_day
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
    np.testing.assert_allclose(daily["nav"], daily["cash"] + daily["stock_value"]
                               + daily["delisted_value"], rtol=1e-12)
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


OPEN = FillRules(FillStyle.OPEN)


def _market(open_, prev_close, suspended=(False, False), *, low=None, high=None,
            vwap=None, volume=(1e7, 1e7), delisting_day=(0, 0)):
    """A two-stock day; the range defaults to the open, the VWAP to the open."""
    open_, volume = np.array(open_, dtype=float), np.array(volume, dtype=float)
    vwap = open_ if vwap is None else np.array(vwap, dtype=float)
    return DayMarket(date(2024, 3, 4), {"600100.SSE": 0, "000101.SZSE": 1}, open_,
                     open_ if high is None else np.array(high, dtype=float),
                     open_ if low is None else np.array(low, dtype=float), volume,
                     vwap * volume, np.array(prev_close, dtype=float), np.array(suspended),
                     np.zeros(2), np.array(delisting_day), np.array([1e8, 1e8]))


def test_fills_pay_fees_and_slippage_and_respect_t_plus_one():
    ledger = SimulatedBook(Decimal("1000000"))
    costs = CostConfig(slippage_bps=10.0, impact_coefficient=0.0)
    fills, misses = execute_day([_order("600100.SSE", "buy", 1000)],
                                _market([10.0, 5.0], [10.0, 5.0]), ledger, costs)
    assert not misses and fills[0].price == Decimal("10.01")  # 10 bps up, to the tick
    assert ledger.cash == Decimal("1000000") - Decimal("10010") - fills[0].fees
    assert fills[0].fees == Decimal("5.00") + Decimal("0.10") + Decimal("0.34")
    assert ledger.book().holdings["600100.SSE"].sellable == 0  # bought today
    fills, misses = execute_day([_order("600100.SSE", "sell", 1000)],
                                _market([10.0, 5.0], [10.0, 5.0]), ledger, costs)
    assert [m.why for m in misses] == ["nothing sellable"] and not fills
    ledger.close_day()
    held = ledger.book().holdings["600100.SSE"]
    assert (held.sellable, held.holding_days) == (1000, 1)


def test_an_order_above_the_cap_fills_cap_x_volume_at_the_window_price():
    """20% of a 3,456-share day is 691.2 shares: 600 in lots, at the day's VWAP (10.40),
    not the open (10.00); the other 1,400 are missed for the volume cap."""
    ledger = SimulatedBook(Decimal("1000000"))
    costs = CostConfig(slippage_bps=0.0, impact_coefficient=0.0)
    market = _market([10.0, 5.0], [10.0, 5.0], low=[9.9, 5.0], high=[10.9, 5.0],
                     vwap=[10.4, 5.0], volume=[3456, 1e7])
    fills, misses = execute_day([_order("600100.SSE", "buy", 2000)], market, ledger, costs,
                                FillRules(participation=Decimal("0.20")))
    assert [(f.quantity, f.price, f.ordered) for f in fills] == [(600, Decimal("10.40"), 2000)]
    assert [(m.quantity, m.why) for m in misses] == [(1400, "volume cap")]
    assert ledger.cash == Decimal("1000000") - Decimal("6240") - fills[0].fees
    # The old rule, for comparison: the whole order at the open.
    fills, _ = execute_day([_order("600100.SSE", "buy", 2000)], market,
                           SimulatedBook(Decimal("1000000")), costs, OPEN)
    assert [(f.quantity, f.price) for f in fills] == [(2000, Decimal("10.00"))]


def test_the_cap_binds_sells_too_in_legal_quantities():
    ledger = SimulatedBook(Decimal("1000000"))
    ledger.buy("600100.SSE", 1050, Decimal("10.00"), Decimal(0))
    ledger.close_day()
    market = _market([10.0, 5.0], [10.0, 5.0], volume=[2500, 1e7])
    fills, misses = execute_day([_order("600100.SSE", "sell", 1050)], market, ledger,
                                CostConfig(), FillRules(participation=Decimal("0.25")))
    assert fills[0].quantity == 600  # 625 allowed: six whole lots (the odd 50 stays)
    assert [(m.quantity, m.why) for m in misses] == [(450, "volume cap")]
    assert ledger.sellable("600100.SSE") == 450


def test_a_day_locked_at_limit_up_fills_no_buy_but_a_day_that_opens_the_board_does():
    ledger = SimulatedBook(Decimal("1000000"))
    orders = [_order("600100.SSE", "buy", 100), _order("000101.SZSE", "buy", 100)]
    locked = _market([11.0, 5.5], [10.0, 5.0], low=[11.0, 5.2], vwap=[11.0, 5.3])
    fills, misses = execute_day(orders, locked, ledger, CostConfig())
    assert {m.symbol: m.why for m in misses} == {"600100.SSE": "locked limit-up"}
    # 000101 opened at its limit-up 5.50 but traded down to 5.20: the window buys.
    assert [(f.symbol, f.quantity) for f in fills] == [("000101.SZSE", 100)]
    _, misses = execute_day(orders[1:], locked, SimulatedBook(Decimal("1000000")),
                            CostConfig(), OPEN)
    assert [m.why for m in misses] == ["opened limit-up"]


def test_a_sell_on_a_day_locked_limit_down_does_not_fill():
    ledger = SimulatedBook(Decimal("1000000"))
    ledger.buy("600100.SSE", 100, Decimal("10.00"), Decimal(0))
    ledger.close_day()
    market = _market([9.0, 5.0], [10.0, 5.0], high=[9.0, 5.0])
    fills, misses = execute_day([_order("600100.SSE", "sell", 100)], market, ledger,
                                CostConfig())
    assert not fills and [m.why for m in misses] == ["locked limit-down"]


def test_suspended_orders_do_not_fill():
    ledger = SimulatedBook(Decimal("1000000"))
    _, misses = execute_day([_order("000101.SZSE", "buy", 100)],
                            _market([10.0, 5.0], [10.0, 5.0], (False, True)), ledger,
                            CostConfig())
    assert [m.why for m in misses] == ["suspended"] and ledger.cash == Decimal("1000000")


def test_the_first_delisting_day_has_no_limit_the_second_the_boards_band():
    """Day 1 of a delisting period trades without a limit (2020 reform): a buy at
    +30% fills; on day 2 the main board's 10% band locks it."""
    costs = CostConfig(slippage_bps=0.0, impact_coefficient=0.0)
    order = [_order("600100.SSE", "buy", 100)]
    day1 = _market([13.0, 5.0], [10.0, 5.0], delisting_day=(1, 0))
    fills, _ = execute_day(order, day1, SimulatedBook(Decimal("1000000")), costs)
    assert fills[0].price == Decimal("13.00")
    day2 = _market([11.0, 5.0], [10.0, 5.0], delisting_day=(2, 0))
    _, misses = execute_day(order, day2, SimulatedBook(Decimal("1000000")), costs)
    assert [m.why for m in misses] == ["locked limit-up"]


def test_a_buy_the_cash_cannot_cover_is_cut_to_a_legal_lot():
    ledger = SimulatedBook(Decimal("5000"))
    fills, misses = execute_day([_order("600100.SSE", "buy", 1000)],
                                _market([10.0, 5.0], [10.0, 5.0]), ledger, CostConfig())
    assert fills[0].quantity == 400 and ledger.cash >= 0
    assert [(m.quantity, m.why) for m in misses] == [(600, "no cash")]


def test_a_remainder_is_not_carried_the_next_night_sees_the_smaller_book(panel):
    """Live ends an unfilled parent DONE_FOR_DAY and the next night proposes from what
    is held: nothing trades but the day's own batch, and a cut buy shows in the next
    book as the shares actually bought."""
    capped = run_backtest(panel, panel.dates[150].date(), panel.dates[-1].date(), CONFIG,
                          initial_cash=Decimal("20000000"), keep_batches=True,
                          fills=FillRules(participation=Decimal("0.005")))
    cut = 0
    for i, ((book, batch), fills) in enumerate(zip(capped.batches, capped.fills,
                                                   strict=True)):
        ordered = {(o.symbol, o.side.value): o.quantity for o in batch.orders}
        for fill in fills:
            assert fill.quantity <= ordered[(fill.symbol, fill.side)]
        if i + 1 < len(capped.batches):  # no corporate actions in this panel
            after = capped.batches[i + 1][0].holdings
            for fill in (f for f in fills if f.side == "buy"):
                before = book.holdings[fill.symbol].quantity if fill.symbol in book.holdings \
                    else 0
                assert after[fill.symbol].quantity == before + fill.quantity
        cut += sum(f.quantity < f.ordered for f in fills)
    assert cut > 5 and capped.missed_by_reason["volume cap"] >= cut
    filled = sum(f.quantity for day in capped.fills for f in day)
    ordered = sum(o.quantity for _, b in capped.batches for o in b.orders)
    assert capped.fill_ratio == pytest.approx(filled / ordered) and capped.fill_ratio < 0.9


def _delisting(panel, symbol, first, days):
    """`days` delisting-period days from row `first`, locked limit-down from day 2 (a
    main-board stock: the board's 10%), then delisted for good."""
    close = panel["close"][symbol].to_numpy().copy()
    for row in range(first + 1, first + days):
        close[row] = float(limit_prices(Decimal(str(close[row - 1])),
                                        board_band(Board.MAIN, panel.dates[row].date()))[1])
        for name in ("open", "high", "low", "close"):
            panel = with_values(panel, name, symbol, row, close[row])
        panel = with_values(panel, "prev_close", symbol, row, close[row - 1])
    panel = with_values(panel, "risk_flag", symbol, slice(first, first + days), 3)
    gone = slice(first + days, None)
    panel = with_values(panel, "listed", symbol, gone, False)
    for name in ("open", "high", "low", "close", "prev_close", "volume", "amount",
                 "float_mcap", "total_mcap"):
        panel = with_values(panel, name, symbol, gone, np.nan)
    return panel, close[first + days - 1]


def test_a_delisting_freezes_the_holding_at_the_last_delisting_period_close(panel, result):
    """The model sells on the period's second day; locked limit-down, nothing fills; at
    the final delisting the shares stay, valued at the last close of the period, and can
    no longer trade: no cash is paid out and the model's book no longer has them."""
    first, days = 200, 5
    book = result.batches[first - 150][0]
    symbol = next(s for s in book.holdings if s.startswith(("600", "000", "002")))
    held = book.holdings[symbol].quantity
    dying, last_close = _delisting(panel, symbol, first, days)
    run = run_backtest(dying, panel.dates[150].date(), panel.dates[-1].date(), CONFIG,
                       initial_cash=Decimal("20000000"), keep_batches=True)
    books = [b for b, _ in run.batches]
    for row in range(first + 1, first + days + 1):  # sells proposed, none filled
        batch = run.batches[row - 150][1]
        assert any(o.symbol == symbol and o.side.value == "sell" for o in batch.orders)
        assert books[row - 150].holdings[symbol].quantity == held
    assert run.missed_by_reason["locked limit-down"] >= days - 1
    assert run.settled == [symbol]
    assert all(symbol not in b.holdings for b in books[first + days + 1 - 150:])
    frozen = run.daily["delisted_value"].iloc[first + days - 150:]
    assert (frozen == float(Decimal(str(last_close)) * held)).all()
    assert (run.daily["delisted_value"].iloc[:first + days - 150] == 0).all()


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
