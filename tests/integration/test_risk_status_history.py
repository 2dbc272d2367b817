"""`desk risk status` over a 30-day history written by the end of day's writers: the
days, the deepest drawdown, the days hedged with the period's lots, the costs; and an
unreadable entry named while the rest still prints."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path

import pytest
import redis

from execution.eod.day_record import DAY_RECORDS
from marketdata.clock import EXCHANGE_TZ
from risk.config import RiskConfig
from services.redis_server import EmbeddedRedis
from tests.integration.cli_kit import paper_config_at, run
from tests.integration.history_kit import ACCOUNT, trading_days, write_history
from tests.unit.console.hedge_kit import seed_book, seed_risk_state

pytestmark = pytest.mark.integration
AT = datetime(2026, 12, 2, 10, 30, tzinfo=EXCHANGE_TZ)


@pytest.fixture
def config(tmp_path: Path, redis_server: EmbeddedRedis, redis_client: redis.Redis,
           monkeypatch: pytest.MonkeyPatch) -> Path:
    # "Today" is 2026-12-02 on the desk's simulated clock.
    return paper_config_at(tmp_path, redis_server.url, redis_client, AT, monkeypatch)


def seed(client: redis.Redis, tmp_path: Path) -> list[date]:
    """The history first: the risk state's 100M intraday mark would set its drawdown."""
    days = trading_days(tmp_path)
    write_history(client, tmp_path, days)
    seed_risk_state(client, RiskConfig(), AT)
    seed_book(client, ACCOUNT, AT)
    return days


def test_status_summarises_the_history(config: Path, redis_client: redis.Redis,
                                       tmp_path: Path) -> None:
    days = seed(redis_client, tmp_path)
    result = run("--config", str(config), "risk", "status")
    assert result.exit_code == 0, result.output
    out = result.output
    print(out)  # the example in docs/risk.md
    assert f"  Days                 30 ({days[0]} to 2027-01-08)" in out
    assert re.search(r"  Max drawdown         -2\d\.\d\d% on \d{4}-\d\d-\d\d \(closes", out)
    assert "  Days hedged          4" in out
    assert f"    hedged {days[16]} to {days[19]}: 3 IM short, 2 MO long" in out
    # 30 days of 1,500.25 fees (450.00 stamp duty) and 120.50 slippage.
    assert ("  Costs                CNY 48,622.50: fees CNY 45,007.50 (stamp duty "
            "CNY 13,500.00), slippage CNY 3,615.00") in out

    as_json = json.loads(run("--config", str(config), "risk", "status", "--json").output)
    history = as_json["history"]
    assert (history["days"], history["days_hedged"]) == (30, 4)
    assert history["max_drawdown"] > 0.20 and history["fees"] == "45007.50"


def test_an_unreadable_day_is_named(config: Path, redis_client: redis.Redis,
                                    tmp_path: Path) -> None:
    days = seed(redis_client, tmp_path)
    redis_client.hset(DAY_RECORDS.format(account=ACCOUNT), days[2].isoformat(), "{}")
    result = run("--config", str(config), "risk", "status")
    assert result.exit_code == 0, result.output
    assert f"Unreadable, left out: desk:eod:days:paper {days[2]}: not a day record" \
        in result.output
    assert "  Days                 30" in result.output
