from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from risk.beta import book_beta, holdings_returns
from risk.config import BetaConfig

DATES = pd.bdate_range("2026-01-05", periods=80)


def test_beta_recovers_the_slope() -> None:
    rng = np.random.default_rng(3)
    index = pd.Series(rng.normal(0, 0.012, len(DATES)), index=DATES)
    book = 1.3 * index + pd.Series(rng.normal(0, 0.002, len(DATES)), index=DATES)
    assert book_beta(book, index, BetaConfig()) == pytest.approx(1.3, abs=0.05)


def test_beta_is_clipped_and_defaults_without_history() -> None:
    rng = np.random.default_rng(4)
    index = pd.Series(rng.normal(0, 0.01, len(DATES)), index=DATES)
    cfg = BetaConfig(floor=0.5, cap=1.5, default=1.0, min_observations=20)
    assert book_beta(3.0 * index, index, cfg) == 1.5
    assert book_beta(0.1 * index, index, cfg) == 0.5
    assert book_beta(index.iloc[:10], index.iloc[:10], cfg) == 1.0
    assert book_beta(index * 0 + 0.01, index * 0, cfg) == 1.0  # a flat index: no slope


def test_holdings_returns_weight_the_stocks() -> None:
    closes = pd.DataFrame({"A": [10.0, 11.0, 11.0], "B": [20.0, 20.0, 18.0]},
                          index=DATES[:3])
    returns = holdings_returns(pd.Series({"A": 0.75, "B": 0.25, "C": 0.5}), closes)
    assert list(returns.round(6)) == [0.075, -0.025]  # C has no history: rescaled to A, B
