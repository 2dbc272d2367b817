"""The liquidity settings refuse hostile values with the key's name."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from risk.config import RiskConfig
from risk.liquidity_config import LiquidityConfig, LiquidityLimits, StressScenario
from services.settings_loader import ConfigError, load_settings


def test_defaults_are_the_issue_scenarios() -> None:
    cfg = RiskConfig().liquidity
    assert [(s.name, s.volume_factor, s.locked_days, s.locked_share) for s in cfg.scenarios] == [
        ("volume_half", 0.5, 0, 0.0), ("limit_down", 1.0, 2, 0.2), ("both", 0.5, 2, 0.2)]
    assert cfg.horizons == (1, 3, 5) and cfg.limits.scenario == "both"
    assert cfg.scenario("base").volume_factor == 1.0


@pytest.mark.parametrize("bad", [
    {"name": "x", "volume_factor": 0}, {"name": "x", "volume_factor": 1.5},
    {"name": "x", "volume_factor": -0.5}, {"name": "x", "volume_factor": float("nan")},
    {"name": "x", "volume_factor": float("inf")}, {"name": "x", "locked_days": -1},
    {"name": "x", "locked_days": 21, "locked_share": 0.1},
    {"name": "x", "locked_share": 1.1, "locked_days": 1}, {"name": "Bad Name"}, {"name": ""},
    {"name": "x" * 40}, {"name": "x", "locked_days": 2}, {"name": "x", "locked_share": 0.3},
    {"name": "x", "volume_factor": "half"}, {"name": "x", "colume_factor": 0.5},
])
def test_scenario_refuses(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        StressScenario.model_validate(bad)


@pytest.mark.parametrize("horizons", [(), (3, 1), (1, 1, 3), (0, 3), (1, 61)])
def test_horizons_must_rise_within_bounds(horizons: tuple[int, ...]) -> None:
    with pytest.raises(ValidationError, match="horizons"):
        LiquidityConfig(horizons=horizons)


def test_scenario_names_unique_and_limit_scenario_known() -> None:
    twice = (StressScenario(name="a"), StressScenario(name="a"))
    with pytest.raises(ValidationError, match="unique"):
        LiquidityConfig(scenarios=twice)
    with pytest.raises(ValidationError, match="unique and not 'base'"):
        LiquidityConfig(scenarios=(StressScenario(name="base"),))
    with pytest.raises(ValidationError, match="'crash' is not a scenario"):
        LiquidityConfig(limits=LiquidityLimits(scenario="crash"))
    with pytest.raises(KeyError, match="known: base, volume_half"):
        LiquidityConfig().scenario("crash")


@pytest.mark.parametrize("bad", [
    {"min_sellable_share": 0}, {"min_sellable_share": 1.5}, {"within_days": 0},
    {"max_days_to_exit": -1}, {"max_days_to_exit": 1e9}, {"max_volume_share": 0},
    {"max_float_share": 2}, {"block": "maybe"},
])
def test_limits_refuse(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        LiquidityLimits.model_validate(bad)


def test_yaml_error_names_the_key(tmp_path: Path) -> None:
    path = tmp_path / "desk.yaml"
    path.write_text("mode: paper\nrisk:\n  liquidity:\n    scenarios:\n"
                    "      - {name: crash, volume_factor: 3}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"risk\.liquidity\.scenarios\.0\.volume_factor"):
        load_settings(path, env={})
    path.write_text("mode: paper\nrisk:\n  liquidity:\n    limits: {scenario: both, blok: true}\n",
                    encoding="utf-8")
    with pytest.raises(ConfigError, match=r"risk\.liquidity\.limits\.blok"):
        load_settings(path, env={})
