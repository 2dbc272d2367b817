from __future__ import annotations

import pytest
from pydantic import ValidationError

from risk.config import BetaConfig, RiskConfig, Rung, UnhedgeRule


def test_default_ladder_is_the_strategy_rule() -> None:
    cfg = RiskConfig()
    rungs = [(r.drawdown, r.hedge_ratio) for r in cfg.ladder]
    assert rungs == [(0.2, 0.3), (0.25, 0.6), (0.3, 1.0)]
    assert cfg.margin_total_rate == cfg.futures.margin_rate + cfg.futures.broker_margin_addon


def test_ladder_must_rise() -> None:
    falling_drawdown = (Rung(drawdown=0.25, hedge_ratio=0.3), Rung(drawdown=0.2, hedge_ratio=0.6))
    falling_ratio = (Rung(drawdown=0.2, hedge_ratio=0.6), Rung(drawdown=0.3, hedge_ratio=0.3))
    for ladder in (falling_drawdown, falling_ratio):
        with pytest.raises(ValidationError, match="rungs must rise"):
            RiskConfig(ladder=ladder)


def test_unknown_key_is_named() -> None:
    with pytest.raises(ValidationError, match="hedge_ration"):
        RiskConfig.model_validate({"ladder": [{"drawdown": 0.2, "hedge_ration": 0.3}]})


def test_unhedge_rule_needs_a_condition_and_config_needs_a_rule() -> None:
    with pytest.raises(ValidationError, match="at least one condition"):
        UnhedgeRule()
    with pytest.raises(ValidationError, match="never comes off"):
        RiskConfig(unhedge=())


def test_beta_bounds_are_ordered() -> None:
    with pytest.raises(ValidationError, match="floor <= default <= cap"):
        BetaConfig(floor=1.2, default=1.0)


def test_config_is_frozen() -> None:
    cfg = RiskConfig()
    with pytest.raises(ValidationError):
        cfg.hysteresis = 0.5  # type: ignore[misc]
