"""Two fund products on one desk, through the real services on the stepped clock (issue 16).

Accounts `alpha` (50 M CNY) and `beta` (20 M CNY): one nightly batch holds each one's
orders, sized on its own capital; each account's execution service works only its own
orders, fills land in its own ledger, and each account reconciles with its own
simulated broker every day.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bus import streams
from execution.eod.run import EOD_RUNS
from services.paper_days import PaperRun, run_paper_days
from services.settings_loader import DEFAULT_CONFIG, load_settings

pytestmark = pytest.mark.slow

DAYS = 3
CAPITAL = {"alpha": Decimal("50000000"), "beta": Decimal("20000000")}


def _collect(seen: dict[str, Any], run: PaperRun, at: datetime) -> None:
    """After each evening's model run: what the Redis holds by then (the last one stays)."""
    client = run.client
    if client is None or at.time() != run.settings.scheduler.run_time:
        return
    seen["batches"] = [json.loads(f["body"]) for _id, f in client.xrange(streams.BATCHES)]
    seen["records"] = [json.loads(client.get(k)) for k in client.scan_iter(match="desk:order:*")]
    for name in CAPITAL:
        seen["ledgers"][name] = json.loads(client.get(streams.LEDGER.format(account=name)))
        raw = client.hgetall(EOD_RUNS.format(account=name))
        seen["eod"][name] = {k: json.loads(v) for k, v in raw.items()}


@pytest.fixture(scope="module")
def two_accounts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = load_settings(DEFAULT_CONFIG)
    data_dir: Path = tmp_path_factory.mktemp("two-accounts")
    settings = type(base).model_validate({
        **base.model_dump(),
        "data_dir": data_dir,
        "clock": {**base.clock.model_dump(), "step_minutes": 10},
        "accounts": [{"name": name, "initial_cash": cash} for name, cash in CAPITAL.items()],
    })
    seen: dict[str, Any] = {"batches": [], "records": [], "ledgers": {}, "eod": {}}
    seen["summary"] = run_paper_days(settings, days=DAYS, auto_approve=True, scenario=None,
                                     stocks=200, keep=False, echo=print,
                                     on_step=lambda run, at: _collect(seen, run, at))
    return seen


def test_the_run_finished(two_accounts: dict[str, Any]) -> None:
    summary = two_accounts["summary"]
    assert "error" not in summary, summary.get("error")
    assert summary["days"] == DAYS


def test_one_batch_holds_each_accounts_orders_sized_on_its_capital(
        two_accounts: dict[str, Any]) -> None:
    first = two_accounts["batches"][0]
    by_account: dict[str, dict[tuple[str, str], int]] = defaultdict(dict)
    for order in first["orders"]:
        by_account[order["account"]][(order["symbol"], order["side"])] = order["quantity"]
    assert set(by_account) == set(CAPITAL)
    assert set(first["totals"]["accounts"]) == set(CAPITAL)
    # Both start in cash: the same names, beta's quantities 2/5 of alpha's (lots rounded).
    assert by_account["alpha"].keys() == by_account["beta"].keys()
    for key, alpha_qty in by_account["alpha"].items():
        assert abs(by_account["beta"][key] - alpha_qty * 2 / 5) <= 200, key


def test_every_account_reconciles_every_day(two_accounts: dict[str, Any]) -> None:
    for name, runs in two_accounts["eod"].items():
        assert len(runs) == DAYS, name
        assert all(run["outcome"] == "done" and run["breaks"] == 0 for run in runs.values()), \
            (name, runs)


def test_fills_land_in_their_own_accounts_ledger(two_accounts: dict[str, Any]) -> None:
    bought: dict[str, dict[str, int]] = {name: defaultdict(int) for name in CAPITAL}
    for record in two_accounts["records"]:
        order = record["order"]
        if order["kind"] != "stock" or not record["filled_quantity"]:
            continue
        sign = 1 if order["side"] == "buy" else -1
        bought[order["account"]][order["symbol"]] += sign * record["filled_quantity"]
    for name, ledger in two_accounts["ledgers"].items():
        held = {s: int(p["quantity"]) for s, p in ledger["positions"].items()
                if int(p["quantity"])}
        assert held == {s: q for s, q in bought[name].items() if q}, name
    # Each account's NAV is its own: beta's is about 2/5 of alpha's.
    navs = {name: Decimal(runs[max(runs)]["nav"]) for name, runs in two_accounts["eod"].items()}
    assert abs(navs["beta"] / navs["alpha"] - Decimal("0.4")) < Decimal("0.01"), navs


def test_the_run_reports_each_account_every_day(two_accounts: dict[str, Any]) -> None:
    summary = two_accounts["summary"]
    assert summary["reconciliation_breaks"] == 0 and summary["days_not_reconciled"] == []
    for day in summary["per_day"]:
        assert set(day["accounts"]) == set(CAPITAL), day
        assert all(own["breaks"] == 0 for own in day["accounts"].values()), day
    first = summary["per_day"][0]["accounts"]
    assert all(own["orders_filled"] > 0 for own in first.values()), first



def test_accounts_buying_the_same_stock_get_the_same_prices(
        two_accounts: dict[str, Any]) -> None:
    """Fair execution (docs/accounts.md): on the first day both start in cash and buy the
    same names on one shared schedule; each account's end of day lists every such stock
    in "Shared with other accounts", and their average prices should be within 10 bps."""
    first_day = min(two_accounts["eod"]["alpha"])
    prices: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for record in two_accounts["records"]:
        order = record["order"]
        if order["trade_date"] != first_day or order["kind"] != "stock" \
                or order["side"] != "buy" or not record["filled_quantity"]:
            continue
        prices[order["symbol"]][order["account"]] = \
            Decimal(record["filled_value"]) / record["filled_quantity"]
    both = {s: p for s, p in prices.items() if p.keys() == CAPITAL.keys()}
    assert len(both) >= 5, prices
    for name in CAPITAL:
        summary = two_accounts["eod"][name][first_day]
        listed = {(row["symbol"], row["account"]) for row in summary["fairness"]
                  if row["side"] == "buy"}
        assert {(s, a) for s in both for a in CAPITAL} <= listed, (name, summary["fairness"])
        text = Path(summary["text"])
        if text.exists():  # the run's data directory may be gone (keep=False)
            assert all(s in text.read_text() for s in both), name
    # Buys: beta's price above alpha's is beta worse off (basis points of alpha's price).
    gaps = sorted(float((p["beta"] - p["alpha"]) / p["alpha"] * 10_000) for p in both.values())
    median = gaps[len(gaps) // 2]
    beta_worse = sum(g > 0 for g in gaps) / len(gaps)
    print(f"fairness: {len(gaps)} stocks, mean {sum(gaps) / len(gaps):+.1f} bps, median "
          f"{median:+.1f}, beta worse in {beta_worse:.0%}, |gap| >= 10 bps in "
          f"{sum(abs(g) >= 10 for g in gaps)}, largest {max(gaps, key=abs):+.1f}")
    # No account systematically better: the typical stock within 5 bps, and neither worse
    # off in clearly more than half (a coin gives 50% +- 5% over 100 stocks). Single
    # stocks can be far apart: each simulated account takes its own share of a bar
    # (docs/accounts.md, "Not yet").
    assert abs(median) < 5.0, gaps
    assert 0.35 <= beta_worse <= 0.65, gaps
