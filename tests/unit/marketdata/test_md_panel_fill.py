"""The panel's daily fields are written once, without a prior fill: every cell no
partition holds (a symbol a month's file lacks, a day no file lists) still gets the
field's fill value, never leftover memory."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from marketdata.panel_io import read_daily_fields
from marketdata.partitions import fill_value
from marketdata.schema import DAILY_FIELDS
from marketdata.store import MarketStore
from marketdata.synthetic import SyntheticMarket

ABSENT = "600999.SSE"  # in no partition of the store


def test_cells_no_partition_holds_get_the_fill_value(full_store: MarketStore,
                                                     market: SyntheticMarket) -> None:
    manifest = full_store.manifest()
    stored_days = manifest.stock_dates()
    # A Monday whose Sunday is in the same month: that month's file does not list it.
    monday = next(i for i, d in enumerate(stored_days[-40:], len(stored_days) - 40)
                  if d.weekday() == 0 and d.day > 1)
    days = stored_days[monday:]
    weekend = days[0] - timedelta(days=1)
    window = [weekend, *days]
    stored = pd.Index(market.stocks.symbols)
    symbols = pd.Index(sorted([*stored[:40], ABSENT]), name="symbol")
    out = read_daily_fields(full_store.root, manifest, window, symbols, list(DAILY_FIELDS))
    absent, blank = symbols.get_loc(ABSENT), window.index(weekend)
    panel = full_store.load_panel(days[-1], len(days), list(DAILY_FIELDS))
    for name in DAILY_FIELDS:
        fill = np.full(len(window), fill_value(name), dtype=out[name].dtype)
        assert np.array_equal(out[name][:, absent], fill, equal_nan=True), name
        assert np.array_equal(out[name][blank], np.full(len(symbols), fill[0]),
                              equal_nan=True), name
        held = [s for s in symbols if s != ABSENT]
        rows = [i for i, d in enumerate(window) if d != weekend]
        expected = panel[name][held].to_numpy()
        got = out[name][np.ix_(rows, [symbols.get_loc(s) for s in held])]
        assert np.array_equal(got, expected, equal_nan=True), name
