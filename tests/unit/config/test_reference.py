"""docs/config.md is generated from the settings models and must be current."""

from __future__ import annotations

from pathlib import Path

from services.settings_reference import render


def test_config_reference_is_current(repo_root: Path) -> None:
    current = (repo_root / "docs" / "config.md").read_text(encoding="utf-8")
    assert current == render(), "run: python -m services.settings_reference > docs/config.md"


def test_every_key_of_the_shipped_files_is_documented(repo_root: Path) -> None:
    text = render()
    for key in ("redis.url", "clock.speed", "execution.stock_gateway.setting_env",
                "risk.ladder", "approval.four_eyes_above", "model.rotation.holdings",
                "data.demo.days", "console.port"):
        assert f"`{key}`" in text
