"""`desk risk status` on a real Redis: the ladder with its rung, what stepping down waits
for, legs, basis per contract, margin; percentages and CNY, never a dict or a fraction."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest
import redis

from marketdata.clock import EXCHANGE_TZ
from risk.config import RiskConfig
from services.redis_server import EmbeddedRedis
from tests.integration.cli_kit import paper_config_at, run
from tests.unit.console.hedge_kit import seed_book, seed_risk_state

pytestmark = pytest.mark.integration
AT = datetime(2026, 12, 2, 10, 30, tzinfo=EXCHANGE_TZ)


@pytest.fixture
def config(tmp_path: Path, redis_server: EmbeddedRedis, redis_client: redis.Redis,
           monkeypatch: pytest.MonkeyPatch) -> Path:
    # "Today" is 2026-12-02 on the desk's simulated clock.
    return paper_config_at(tmp_path, redis_server.url, redis_client, AT, monkeypatch)


def test_a_hedged_desk_in_words_and_figures(config: Path, redis_client: redis.Redis) -> None:
    seed_risk_state(redis_client, RiskConfig(), AT)
    seed_book(redis_client, "paper", AT)
    result = run("--config", str(config), "risk", "status")
    assert result.exit_code == 0, result.output
    out = result.output
    print(out)  # the example in docs/risk.md
    assert "Drawdown               -21.00% from the intraday high-water mark" in out
    assert "High-water mark        CNY 100,000,000.00 (intraday, the risk daemon's)" in out
    assert "Hedge ratio in force   30.00%" in out
    assert re.search(r"  1 +-20\.00% +30\.00%  <- in force", out)
    assert "Rung 1 in force: hedge 30.00%" in out
    assert "[ ] CSI 1000 up 2.77% from its low 6,100.0 (needs 5.00%)" in out
    assert "[ ] 0 of 20 CSI 1000 closes without a new low" in out
    assert re.search(r"IM2612\.CFFEX +7 +6,250\.0 +6,201\.8 +CNY \+67,480\.00 +CNY 1,302,378\.00",
                     out)
    assert "Margin used CNY 1,302,378.00; free cash CNY 17,765,102.00" in out
    assert re.search(r"IM2612\.CFFEX +6,201\.8 +16 +-24\.38% +CNY 25,202\.00 +CNY 176,412\.00",
                     out), out
    assert "IM2701.CFFEX" in out and "IM2703.CFFEX" in out
    assert "{" not in out and "0.21" not in out  # no dict, no raw fraction


def test_json_for_programs(config: Path, redis_client: redis.Redis) -> None:
    seed_risk_state(redis_client, RiskConfig(), AT)
    seed_book(redis_client, "paper", AT)
    result = run("--config", str(config), "risk", "status", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["drawdown_mark"] == "intraday high-water mark"
    assert [r["current"] for r in data["ladder"]] == [True, False, False]
    assert data["legs"][0] == {"symbol": "IM2612.CFFEX", "short_lots": 7, "avg_price": "6250.0",
                               "price": "6201.8", "pnl": "67480.0", "margin": "1302378.00"}


def test_no_state_and_an_unreadable_state_exit_1(config: Path,
                                                  redis_client: redis.Redis) -> None:
    result = run("--config", str(config), "risk", "status")
    assert result.exit_code == 1 and "no risk state for account paper" in result.output
    redis_client.set("desk:risk:state:paper", '{"reducing": "false"}')
    result = run("--config", str(config), "risk", "status")
    assert result.exit_code == 1
    assert "reducing: Input should be a valid boolean" in result.output
