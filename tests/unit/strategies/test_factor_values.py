"""Factor values against hand calculations, and the cross-sectional treatment."""

import numpy as np
import pytest

from strategies.config import FactorConfig
from strategies.cross_section import neutralise, standardise
from strategies.factors import raw_factors
from strategies.signals import factor_scores
from tests.unit.strategies.panel_kit import make_panel, with_values

CFG = FactorConfig()


@pytest.fixture(scope="module")
def panel():
    base = make_panel(n_stocks=6, n_days=150, seed=4)
    # A 2-for-1 split on day -8 of stock 0: raw close halves, the adjustment doubles.
    symbol = base.symbols[0]
    close = base["close"][symbol].to_numpy().copy()
    close[-8:] = close[-8:] / 2
    split = with_values(base, "close", symbol, slice(None), close)
    adj = np.ones(150)
    adj[-8:] = 2.0
    return with_values(split, "adj_factor", symbol, slice(None), adj)


def _col(panel, name, j=0):
    return panel[name].to_numpy()[:, j]


def test_size_is_log_float_market_cap(panel):
    raw = raw_factors(panel, CFG)
    assert raw["size"][-1, 0] == pytest.approx(np.log(_col(panel, "float_mcap")[-1]))


@pytest.mark.parametrize("days", [5, 20, 60])
def test_reversal_is_minus_the_adjusted_return(panel, days):
    adjusted = _col(panel, "close") * _col(panel, "adj_factor")
    expected = -(adjusted[-1] / adjusted[-1 - days] - 1.0)
    assert raw_factors(panel, CFG)[f"reversal_{days}"][-1, 0] == pytest.approx(expected)


def test_abnormal_turnover_is_short_over_long_average(panel):
    turnover = _col(panel, "amount") / _col(panel, "float_mcap")
    expected = turnover[-20:].mean() / turnover[-120:].mean() - 1.0
    assert raw_factors(panel, CFG)["abnormal_turnover"][-1, 0] == pytest.approx(expected)


def test_volatility_is_std_of_adjusted_daily_returns(panel):
    adjusted = _col(panel, "close") * _col(panel, "adj_factor")
    returns = adjusted[1:] / adjusted[:-1] - 1.0
    expected = np.std(returns[-20:], ddof=1)
    assert raw_factors(panel, CFG)["volatility"][-1, 0] == pytest.approx(expected, rel=1e-6)


def test_price_volume_corr_is_corr_of_log_price_and_turnover(panel):
    adjusted = _col(panel, "close") * _col(panel, "adj_factor")
    turnover = _col(panel, "amount") / _col(panel, "float_mcap")
    expected = np.corrcoef(np.log(adjusted[-20:]), turnover[-20:])[0, 1]
    got = raw_factors(panel, CFG)["price_volume_corr"][-1, 0]
    assert got == pytest.approx(expected, abs=1e-6)


def test_suspended_days_carry_no_information(panel):
    symbol = panel.symbols[1]
    halted = with_values(panel, "suspended", symbol, -3, True)
    adjusted = _col(panel, "close", 1)
    returns = adjusted[1:] / adjusted[:-1] - 1.0
    returns[-3:-1] = np.nan  # the halted day and the day after it have no return
    expected = np.nanstd(returns[-20:], ddof=1)
    assert raw_factors(halted, CFG)["volatility"][-1, 1] == pytest.approx(expected, rel=1e-6)
    turnover = _col(panel, "amount", 1) / _col(panel, "float_mcap", 1)
    turnover[-3] = np.nan
    expected_abn = np.nanmean(turnover[-20:]) / np.nanmean(turnover[-120:]) - 1.0
    got = raw_factors(halted, CFG)["abnormal_turnover"][-1, 1]
    assert got == pytest.approx(expected_abn)


def test_score_is_the_weight_normalised_sum_of_z_scores(panel):
    members = np.ones((1, 6), dtype=bool)
    industries = np.array(["a", "a", "b", "b", "c", "c"], dtype=object)
    z, score = factor_scores(panel, CFG, members, industries, first_row=149)
    total = sum(abs(w) for w in CFG.weights.values())
    expected = sum(CFG.weights[k] / total * v for k, v in z.items())
    np.testing.assert_allclose(score, expected)
    for values in z.values():
        # Exact sums run on a 2**-32 grid: the mean is zero to that, over the std.
        assert abs(values.mean()) < 1e-6


def test_industry_neutral_scores_average_zero_in_each_industry():
    rng = np.random.default_rng(0)
    z = standardise(rng.normal(size=(3, 12)))
    industries = np.repeat(np.arange(4), 3)
    out = neutralise(z + industries[None, :], industries, None)
    for g in range(4):
        np.testing.assert_allclose(out[:, industries == g].mean(axis=1), 0.0, atol=1e-8)


def test_size_neutral_scores_are_uncorrelated_with_size():
    rng = np.random.default_rng(1)
    size = standardise(rng.normal(size=(2, 50)))
    z = standardise(0.8 * size + rng.normal(size=(2, 50)))
    out = neutralise(z, None, size)
    for row in range(2):
        assert abs(np.corrcoef(out[row], size[row])[0, 1]) < 1e-8
