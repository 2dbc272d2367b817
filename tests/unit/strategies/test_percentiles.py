"""The batch's factor percentiles, all rows at once, equal each row's `percentile_of`:
ties, NaN picks, NaN or infinite members and an empty pool included."""

from __future__ import annotations

import numpy as np

from strategies.cross_section import percentile_of, percentiles_of


def _each_row(rows: np.ndarray, members: np.ndarray, picks: np.ndarray) -> np.ndarray:
    return np.stack([percentile_of(row, members, picks) for row in rows])


def test_all_rows_at_once_equal_each_row() -> None:
    rng = np.random.default_rng(7)
    rows = np.round(rng.normal(size=(6, 300)), 1)  # many ties
    rows[2, 5] = np.nan  # a pick without a value
    members = rng.random(300) < 0.6
    picks = np.array([0, 5, 17, 42, 299, 5], dtype=np.int64)
    members[[0, 42]] = False  # picks outside the universe are ranked among its members
    got = percentiles_of(rows, members, picks)
    assert got.shape == (6, len(picks))
    np.testing.assert_array_equal(got, _each_row(rows, members, picks))
    assert np.isnan(got[2, 1]) and np.isnan(got[2, 5])
    assert len(set(got[0].tolist())) < len(picks)  # the tie of pick 5 with itself at least


def test_rows_whose_members_lack_values_fall_back_to_each_row() -> None:
    rng = np.random.default_rng(8)
    rows = rng.normal(size=(3, 50))
    members = np.ones(50, dtype=bool)
    rows[1, :10] = np.nan
    rows[2, 3] = np.inf
    picks = np.arange(0, 50, 7, dtype=np.int64)
    np.testing.assert_array_equal(percentiles_of(rows, members, picks),
                                  _each_row(rows, members, picks))
    empty = percentiles_of(rows, np.zeros(50, dtype=bool), picks)
    assert empty.shape == (3, len(picks)) and np.isnan(empty).all()
