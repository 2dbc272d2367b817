"""Factors and scores computed a block of days at a time are, bit for bit, the ones
computed over the whole panel at once (every step is a trailing window or one day's
cross-section), however the blocks fall and whatever the treatment."""

from __future__ import annotations

import numpy as np
import pytest

from strategies.adv import average_daily_amount
from strategies.config import FactorConfig, ModelConfig
from strategies.factors import FACTORS, WINDOW_REACH, FactorInputs, raw_factors
from strategies.signals import compute_signals, factor_scores
from tests.unit.strategies.panel_kit import make_panel, with_values

ALL = FactorConfig.model_validate({"weights": {name: 1.0 for name in FACTORS}})
NEUTRAL = ALL.model_copy(update={"neutralize_industry": True, "neutralize_size": True})


@pytest.fixture(scope="module")
def panel():
    base = make_panel(n_stocks=14, n_days=260, seed=9)
    for j, start in enumerate((100, 127, 128, 190, 250)):  # gaps across block edges
        symbol = base.symbols[j]
        base = with_values(base, "suspended", symbol, slice(start, start + 2 + 5 * j), True)
        base = with_values(base, "close", symbol, slice(start, start + 2 + 5 * j), np.nan)
    return base


@pytest.mark.parametrize("rows", [(0, 1), (0, 260), (5, 70), (119, 120), (130, 259)])
def test_raw_factors_of_some_rows_are_the_full_ones(panel, rows: tuple[int, int]) -> None:
    full = raw_factors(panel, ALL)
    part = raw_factors(panel, ALL, rows[0], rows[1])
    for name, values in part.items():
        assert values.tobytes() == full[name][rows[0]:rows[1]].tobytes(), name


@pytest.mark.parametrize("config", [ALL, NEUTRAL], ids=["plain", "neutralised"])
@pytest.mark.parametrize("days_per_block", [1, 7, 128])
@pytest.mark.parametrize("first_row", [0, 130, 259])
def test_scores_by_block_are_the_whole_panels(panel, config, days_per_block: int,
                                              first_row: int) -> None:
    rng = np.random.default_rng(first_row)
    members = rng.random((len(panel.dates) - first_row, len(panel.symbols))) < 0.85
    industries = np.array(["a", "b", "c"] * 5, dtype=object)[:len(panel.symbols)]
    whole_z, whole = factor_scores(panel, config, members, industries, first_row,
                                   days_per_block=len(panel.dates))
    z, score = factor_scores(panel, config, members, industries, first_row,
                             days_per_block=days_per_block)
    assert score.tobytes() == whole.tobytes()
    assert list(z) == list(whole_z)
    for name, values in z.items():
        assert values.tobytes() == whole_z[name].tobytes(), name


def test_trimmed_inputs_keep_the_reach_and_the_result_rows(panel) -> None:
    inputs = FactorInputs.from_panel(panel, 10, skip=150)
    trimmed = inputs.trimmed(WINDOW_REACH["volatility"](ALL))
    assert trimmed.skip == ALL.volatility_days
    assert trimmed.adj_close.shape[0] - trimmed.skip == inputs.adj_close.shape[0] - 150
    assert inputs.trimmed(500) is inputs  # nothing to cut


@pytest.mark.parametrize("first_row", [0, 1, 127, 200])
def test_adv_by_block_is_the_whole_panels(panel, first_row: int) -> None:
    config = ModelConfig()
    suspended = panel["suspended"].to_numpy()
    traded = np.where(suspended, 0.0, panel["amount"].to_numpy())
    whole = average_daily_amount(traded, config.constraints.adv_days)
    adv = compute_signals(panel, config, first_row).adv
    assert adv.tobytes() == whole[first_row:].tobytes()
