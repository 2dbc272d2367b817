"""Each universe rule on crafted data, with the status as of each day."""

from datetime import date

import numpy as np
import pytest

from strategies.config import UniverseConfig
from strategies.universe import Exclusion, compute_universe
from tests.unit.strategies.panel_kit import make_panel, with_instrument, with_values

CFG = UniverseConfig(smallest_share=1.0, max_mcap_cny=None, min_listing_days=20)


@pytest.fixture(scope="module")
def panel():
    return make_panel(n_stocks=20, n_days=60)


def _code(panel, symbol, config=CFG, row=-1):
    result = compute_universe(panel, config)
    return Exclusion(int(result.exclusion[row, panel.symbols.get_loc(symbol)]))


def test_a_plain_stock_is_in_the_universe(panel):
    assert all(_code(panel, s) is Exclusion.NONE for s in panel.symbols)


@pytest.mark.parametrize("flag, code", [(1, Exclusion.ST), (2, Exclusion.STAR_ST),
                                        (3, Exclusion.DELISTING)])
def test_risk_flags_exclude_from_the_day_they_apply(panel, flag, code):
    symbol = panel.symbols[3]
    flagged = with_values(panel, "risk_flag", symbol, slice(-5, None), flag)
    assert _code(flagged, symbol) is code
    assert _code(flagged, symbol, row=-6) is Exclusion.NONE  # not yet flagged then


def test_suspended_stock_is_out_and_beats_weaker_reasons(panel):
    symbol = panel.symbols[4]
    halted = with_values(panel, "suspended", symbol, -1, True)
    assert _code(halted, symbol) is Exclusion.SUSPENDED
    both = with_values(halted, "risk_flag", symbol, -1, 1)
    assert _code(both, symbol) is Exclusion.SUSPENDED


def test_recent_listing_is_too_young_until_enough_trading_days(panel):
    symbol = panel.symbols[5]
    listed_on = panel.dates[-10].date()
    young = with_instrument(panel, symbol, "list_date", listed_on)
    assert _code(young, symbol) is Exclusion.TOO_YOUNG  # 10th trading day < 20
    older = with_instrument(panel, symbol, "list_date", panel.dates[-20].date())
    assert _code(older, symbol) is Exclusion.NONE  # 20th trading day


def test_price_below_one_for_the_configured_days(panel):
    symbol = panel.symbols[6]
    cheap = with_values(panel, "close", symbol, -1, 0.95)
    assert _code(cheap, symbol) is Exclusion.LOW_PRICE
    patient = UniverseConfig(**{**CFG.model_dump(), "min_price_days": 3})
    assert _code(cheap, symbol, patient) is Exclusion.NONE
    three = with_values(panel, "close", symbol, slice(-3, None), 0.95)
    assert _code(three, symbol, patient) is Exclusion.LOW_PRICE


def test_financial_screens_use_the_value_known_that_day(panel):
    symbol = panel.symbols[7]
    broke = with_values(panel, "equity", symbol, slice(-2, None), -1e8)
    assert _code(broke, symbol) is Exclusion.NEGATIVE_EQUITY
    assert _code(broke, symbol, row=-3) is Exclusion.NONE
    losing = with_values(panel, "net_profit_ttm", symbol, -1, -5e7)
    assert _code(losing, symbol) is Exclusion.NONE  # losses allowed by default
    strict = UniverseConfig(**{**CFG.model_dump(), "exclude_losses": True})
    assert _code(losing, symbol, strict) is Exclusion.LOSS


def test_only_the_smallest_share_by_market_cap_is_in_range(panel):
    config = UniverseConfig(**{**CFG.model_dump(), "smallest_share": 0.7})
    result = compute_universe(panel, config)
    mcap = panel["total_mcap"].to_numpy()[-1]
    inside = result.exclusion[-1] == Exclusion.NONE
    assert inside.sum() == 14  # floor(0.7 x 20)
    assert mcap[inside].max() < mcap[~inside].min()
    assert result.mcap_cutoff[-1] == mcap[inside].max()
    assert set(result.exclusion[-1][~inside]) == {Exclusion.TOO_LARGE}


def test_absolute_cap_also_bounds_the_range(panel):
    mcap = panel["total_mcap"].to_numpy()[-1]
    cap = float(np.median(mcap))
    config = UniverseConfig(**{**CFG.model_dump(), "max_mcap_cny": cap})
    result = compute_universe(panel, config)
    assert result.mcap_cutoff[-1] == cap
    assert ((result.exclusion[-1] == Exclusion.TOO_LARGE) == (mcap > cap)).all()


def test_missing_or_unlisted_data_is_no_data(panel):
    symbol = panel.symbols[8]
    gone = with_values(panel, "close", symbol, -1, np.nan)
    assert _code(gone, symbol) is Exclusion.NO_DATA
    unlisted = with_values(panel, "listed", symbol, -1, False)
    assert _code(unlisted, symbol) is Exclusion.NO_DATA


def test_listing_date_before_the_panel_counts_as_old(panel):
    symbol = panel.symbols[9]
    old = with_instrument(panel, symbol, "list_date", date(2001, 1, 2))
    assert _code(old, symbol) is Exclusion.NONE
