"""`desk rules` for an MO option through the real `desk` command group, with the desk's
own trading calendar (config/holidays.yaml, covered to 2026-12-31)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.integration.cli_kit import run


def desk_rules(tmp_path: Path, *args: str):  # type: ignore[no-untyped-def]
    return run("--data-dir", str(tmp_path / "desk"), "rules", *args)


def test_desk_rules_answers_for_a_december_put(tmp_path: Path) -> None:
    result = desk_rules(tmp_path, "MO2612-P-6000.CFFEX", "--date", "2026-12-02",
                        "--prev-settlement", "119.2", "--index-prev-close", "6123.45", "--json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.output)
    assert (got["board"], got["multiplier"], got["tick"], got["max_order_qty"]) == (
        "index_option", 100, "0.2", 20)
    assert (got["limit_up"], got["limit_down"]) == ("731.4", "0.2")  # 119.2 + 612.345
    assert (got["last_trading_day"], got["day_count"]) == ("2026-12-18", "calendar")


def test_desk_rules_past_the_calendar_asks_for_the_listed_expiry(tmp_path: Path) -> None:
    args = ("MO2703-C-6400.CFFEX", "--date", "2026-12-02", "--prev-settlement", "250",
            "--index-prev-close", "6000")
    refused = desk_rules(tmp_path, *args)
    assert refused.exit_code == 1 and "--last-trading-day" in refused.output
    text = desk_rules(tmp_path, *args, "--last-trading-day", "2027-03-19")
    assert text.exit_code == 0, text.output
    lines = dict(line.split(None, 1) for line in text.output.splitlines())
    assert (lines["limit_up"], lines["limit_down"], lines["strike_interval"]) == (
        "850.0", "0.2", "200")


def test_desk_rules_refuses_a_hostile_option_symbol(tmp_path: Path) -> None:
    result = desk_rules(tmp_path, "MO2612-P-6000.CFFEX;rm", "--date", "2026-12-02",
                        "--prev-settlement", "1", "--index-prev-close", "6000")
    assert result.exit_code == 1
    assert "MO2612-P-6000.CFFEX;rm" in result.output and "Traceback" not in result.output
