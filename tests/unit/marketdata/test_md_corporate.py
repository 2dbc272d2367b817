"""Corporate actions: the ex-rights arithmetic, the table's checks, the synthetic market's
actions and the store's table (docs/data.md, docs/rules.md)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from marketdata.corporate import BadCorporateAction, ex_rights_price, parse_action
from marketdata.store import MarketStore
from marketdata.synthetic import SyntheticMarket

D = Decimal


def test_ex_rights_price_cash_and_shares_exact_and_rounded_half_up() -> None:
    # 10 shares get 3 new and 1.50 CNY: (12.30 - 0.15) / 1.3 = 9.34615... -> 9.35
    assert ex_rights_price(D("12.30"), D("0.15"), D("0.3")) == D("9.35")
    # exactly half a tick rounds up, as the exchanges' 四舍五入: (10.01 - 0) / 2 = 5.005
    assert ex_rights_price(D("10.01"), D("0"), D("1")) == D("5.01")
    # cash only: 8.00 - 0.123 = 7.877 -> 7.88
    assert ex_rights_price(D("8.00"), D("0.123"), D("0")) == D("7.88")
    # a float would say 4.004999...: Decimal does not
    assert ex_rights_price(D("8.01"), D("0"), D("1")) == D("4.01")


def test_ex_rights_price_not_positive_is_refused() -> None:
    with pytest.raises(BadCorporateAction, match="not positive"):
        ex_rights_price(D("0.10"), D("0.10"), D("0"))


def _row(**change: object) -> pd.Series:
    base: dict[str, object] = {
        "symbol": "600000.SSE", "record_date": pd.Timestamp("2026-06-12"),
        "ex_date": pd.Timestamp("2026-06-15"), "pay_date": pd.Timestamp("2026-06-15"),
        "list_date": pd.Timestamp("2026-06-15"), "cash": 0.25, "bonus": 0.0, "transfer": 0.4,
    }
    return pd.Series({**base, **change})


def test_parse_action_reads_exact_amounts() -> None:
    action = parse_action(_row())
    assert (action.cash, action.new_shares, action.ex_date) == (D("0.25"), D("0.4"),
                                                                date(2026, 6, 15))


@pytest.mark.parametrize(("change", "why"), [
    ({"cash": -0.1}, "cash=-0.1 must be"),
    ({"cash": float("nan")}, "cash=nan must be"),
    ({"bonus": "x"}, "bonus='x' is not a number"),
    ({"ex_date": pd.Timestamp("2026-06-12")}, "dates must run"),
    ({"pay_date": pd.Timestamp("2026-06-14")}, "dates must run"),
    ({"list_date": pd.NaT}, "list_date is blank"),
    ({"cash": 0.0, "transfer": 0.0}, "neither cash nor new shares"),
])
def test_parse_action_refuses_rows_that_cannot_be_right(change: dict[str, object],
                                                        why: str) -> None:
    with pytest.raises(BadCorporateAction, match=why):
        parse_action(_row(**change))


def test_parse_action_names_missing_columns() -> None:
    with pytest.raises(BadCorporateAction, match="lacks columns"):
        parse_action(_row().drop("transfer"))


def _field(m: SyntheticMarket, name: str, day: date, symbol: str) -> float:
    return float(m.stocks.values[name][m.days.index(day), m.stocks.symbols.index(symbol)])


def test_synthetic_ex_dates_use_the_exchange_reference_price(market: SyntheticMarket) -> None:
    actions = market.actions
    assert len(actions) > 10 and (actions["bonus"] > 0).any() and (actions["transfer"] > 0).any()
    for _, row in actions.iterrows():
        action = parse_action(row)
        before = market.days[market.days.index(action.ex_date) - 1]
        assert before == action.record_date
        close = D(str(_field(market, "close", before, action.symbol))).quantize(D("0.01"))
        expected = ex_rights_price(close, action.cash, action.new_shares)
        got = D(str(_field(market, "prev_close", action.ex_date, action.symbol)))
        assert got.quantize(D("0.01")) == expected, action


def test_adjustment_factor_steps_by_close_over_reference_on_ex_dates(
        market: SyntheticMarket) -> None:
    """Adjusted prices do not jump on an ex-date: close(t-1) * f(t-1) = ref(t) * f(t)."""
    for _, row in market.actions.head(40).iterrows():
        ex = row["ex_date"].date()
        before = market.days[market.days.index(ex) - 1]
        f0, f1 = (_field(market, "adj_factor", d, row["symbol"]) for d in (before, ex))
        close, ref = (_field(market, "close", before, row["symbol"]),
                      _field(market, "prev_close", ex, row["symbol"]))
        assert close * f0 == pytest.approx(ref * f1, rel=1e-12)
        assert f1 > f0


def test_store_reads_back_the_actions_in_a_window(full_store: MarketStore,
                                                  market: SyntheticMarket) -> None:
    days = market.days
    got = full_store.corporate_actions(days[30], days[59])
    want = market.actions[(market.actions["ex_date"] >= pd.Timestamp(days[30]))
                          & (market.actions["ex_date"] <= pd.Timestamp(days[59]))]
    assert len(got) == len(want) > 0
    assert {(a.symbol, a.ex_date) for a in got} == {
        (s, t.date()) for s, t in zip(want["symbol"], want["ex_date"], strict=True)}
    assert all(np.isclose(float(a.cash), c) for a, c in zip(
        sorted(got, key=lambda a: (a.ex_date, a.symbol)), want["cash"], strict=True))


def test_a_bad_stored_row_is_a_corrupt_store_naming_the_row(partial_store: MarketStore) -> None:
    from marketdata.errors import StoreCorrupt
    from marketdata.writer import stage_table

    bad = _row(symbol="000001.SZSE", cash=-1.0).to_frame().T.infer_objects()
    with partial_store.transaction() as tx:
        stage_table(tx, "corporate_actions", bad)
    with pytest.raises(StoreCorrupt, match=r"000001\.SZSE.*cash=-1\.0"):
        partial_store.corporate_actions(date(2026, 6, 1), date(2026, 6, 30))
