"""The nightly job loads only the fields the model reads: the backtest's list, kept equal."""

from __future__ import annotations

from marketdata.schema import STOCK_FIELDS
from services.scheduler.nightly import MODEL_FIELDS
from strategies.backtest.inputs import FIELDS_READ


def test_the_nightly_loads_what_the_backtest_loads() -> None:
    assert MODEL_FIELDS == FIELDS_READ
    assert set(MODEL_FIELDS) < set(STOCK_FIELDS)
