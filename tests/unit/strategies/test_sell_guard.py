"""The live model never proposes selling most of the book without an explicit override.

Found on a paper desk: a day of NaN market caps emptied the universe and the model
proposed selling every holding. The data gate now refuses such a day; this guard is the
second line, on the batch itself.
"""

from datetime import timedelta
from decimal import Decimal

import pytest

from errors import Refused
from strategies.config import GuardConfig, ModelConfig
from strategies.nightly import build_batch
from strategies.sell_guard import LargeSellRefused, sold_share
from tests.unit.strategies.panel_kit import book_of, make_panel, small_config


@pytest.fixture(scope="module")
def panel():
    return make_panel(n_stocks=60, n_days=160, seed=2)


def _size_only(**guard: object) -> ModelConfig:
    raw = small_config().model_dump()
    raw["factors"]["weights"] = {"size": -1.0}
    raw["guard"] = GuardConfig.model_validate(guard).model_dump()  # the shipped guard
    return ModelConfig.model_validate(raw)


def _ranked(panel) -> list[str]:
    return list(panel["float_mcap"].iloc[-1].sort_values().index)


def _trade_day(panel):
    return panel.dates[-1].date() + timedelta(days=3)


def _book_past_the_buffer(panel):
    """Three holdings all ranked past the buffer (30): the rotation sells each of them."""
    return book_of("100000", **{s: 1000 for s in _ranked(panel)[45:48]})


def test_selling_the_whole_book_is_refused_with_the_share_and_the_limit(panel) -> None:
    with pytest.raises(LargeSellRefused) as err:
        build_batch(panel, _book_past_the_buffer(panel), _trade_day(panel), _size_only())
    message = str(err.value)
    assert "sells 100.0% of the book's value" in message
    assert "limit 50.0% (model.guard.max_sell_share)" in message
    assert "desk model run --allow-large-turnover" in message
    assert isinstance(err.value, Refused)


def test_the_command_line_override_lets_it_through_with_a_warning(panel) -> None:
    batch = build_batch(panel, _book_past_the_buffer(panel), _trade_day(panel), _size_only(),
                        allow_large_turnover=True)
    assert batch.sells == 3
    assert any(w.startswith("large sale allowed by override: sells 100.0%") for w in batch.warnings)


def test_the_config_flag_is_an_override_too(panel) -> None:
    batch = build_batch(panel, _book_past_the_buffer(panel), _trade_day(panel),
                        _size_only(allow_large_turnover=True))
    assert batch.sells == 3 and any("allowed by override" in w for w in batch.warnings)


def test_a_sale_within_the_limit_passes_without_a_warning(panel) -> None:
    ranked = _ranked(panel)
    # Three names kept (~49,000 CNY), one past the buffer sold (~25,000): about a third.
    book = book_of("5000000", **{ranked[0]: 3000, ranked[1]: 3000, ranked[2]: 3000,
                                 ranked[45]: 1000})
    batch = build_batch(panel, book, _trade_day(panel), _size_only())
    assert [o.symbol for o in batch.orders if o.side.value == "sell"] == [ranked[45]]
    assert Decimal("0.25") < sold_share(batch, book) < Decimal("0.5")
    assert not any("override" in w for w in batch.warnings)


def test_a_tighter_limit_refuses_a_smaller_sale(panel) -> None:
    ranked = _ranked(panel)
    book = book_of("100000", **{ranked[0]: 1000, ranked[1]: 1000, ranked[45]: 1000})
    with pytest.raises(LargeSellRefused):
        build_batch(panel, book, _trade_day(panel), _size_only(max_sell_share=0.05))


def test_an_empty_book_never_trips_the_guard(panel) -> None:
    batch = build_batch(panel, book_of("10000000"), _trade_day(panel), _size_only())
    assert batch.sells == 0 and batch.buys > 0
