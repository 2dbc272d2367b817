from decimal import Decimal

import pytest
from pydantic import ValidationError

from strategies.config import FACTOR_NAMES, ModelConfig


def test_defaults_are_the_products_strategy():
    cfg = ModelConfig()
    assert cfg.universe.smallest_share == 0.7
    assert cfg.universe.max_mcap_cny == 10e9
    assert cfg.universe.min_price == 1.0
    assert cfg.rotation.holdings == 100
    assert cfg.rotation.buffer_rank >= cfg.rotation.holdings
    assert cfg.constraints.max_weight <= 0.05
    assert cfg.lookback_days == 250
    assert set(cfg.factors.weights) == set(FACTOR_NAMES)
    assert cfg.costs.commission.rate == Decimal("0.00025")


def test_target_weight_is_equal_weight_after_the_cash_buffer_and_capped():
    cfg = ModelConfig()
    assert cfg.target_weight() == pytest.approx(0.98 / 100)
    few = ModelConfig.model_validate({"rotation": {"holdings": 10, "buffer_rank": 20}})
    assert few.target_weight() == few.constraints.max_weight


@pytest.mark.parametrize("raw, key", [
    ({"rotation": {"holdings": 200, "buffer_rank": 100}}, "buffer_rank"),
    ({"factors": {"weights": {"momentum": 1.0}}}, "momentum"),
    ({"factors": {"weights": {"size": 0.0}}}, "non-zero"),
    ({"lookback_days": 60}, "lookback_days"),
    ({"constraints": {"max_weight": 0.08}}, "max_weight"),
    ({"universe": {"smallest_shar": 0.5}}, "smallest_shar"),
])
def test_bad_settings_fail_naming_the_key(raw, key):
    with pytest.raises(ValidationError, match=key):
        ModelConfig.model_validate(raw)


def test_config_is_frozen():
    cfg = ModelConfig()
    with pytest.raises(ValidationError):
        cfg.lookback_days = 300  # type: ignore[misc]
