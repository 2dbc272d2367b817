"""Ties in score are broken by symbol: the integer order `compute_signals` records gives
the ranks the strings give, whatever order the panel lists its symbols in."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from strategies.holdings import rank_members
from strategies.signals import compute_signals
from tests.unit.strategies.panel_kit import make_panel, small_config


def test_tied_scores_rank_by_symbol_either_way() -> None:
    panel = make_panel(n_stocks=40, n_days=200, seed=3)
    day = compute_signals(panel, small_config(), first_row=199).day(0)
    rng = np.random.default_rng(1)
    shuffled = rng.permutation(len(day.symbols))  # a panel not in symbol order
    tied = np.round(day.score, 0)  # many equal scores
    day = replace(day, symbols=day.symbols[shuffled], score=tied[shuffled],
                  exclusion=day.exclusion[shuffled],
                  symbol_order=np.argsort(np.argsort(day.symbols[shuffled])))
    by_order = rank_members(day)
    by_strings = rank_members(replace(day, symbol_order=None))
    assert np.array_equal(by_order, by_strings)
    ranked = np.flatnonzero(by_order > 0)
    best = ranked[np.argsort(by_order[ranked])]
    pairs = list(zip(-day.score[best], day.symbols[best], strict=True))
    assert pairs == sorted(pairs) and len(set(day.score[best])) < len(best)
