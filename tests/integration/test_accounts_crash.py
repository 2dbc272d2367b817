"""Two products through the 2024-style crash (issue 16): one account's drawdown hedges only
that account.

Accounts alpha and beta hold the same portfolio (beta follows alpha's target weights), but
beta's ladder starts at a 6% drawdown and alpha's at 30%. Across `--scenario crash2024`
beta's risk daemon hedges beta with IM futures, worked by beta's
execution service into beta's ledger; alpha is never hedged; both reconcile every day.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bus import streams
from execution.eod.run import EOD_RUNS
from orders.order import OrderKind
from services.paper_days import PaperRun, run_paper_days
from services.settings_loader import DEFAULT_CONFIG, load_settings

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

DAYS = 10  # the crash takes about 45% of the run (marketdata/synthetic/regimes.py)
BETA_RUNG = 0.06
LADDERS = {"alpha": [{"drawdown": 0.30, "hedge_ratio": 1.0}],
           "beta": [{"drawdown": BETA_RUNG, "hedge_ratio": 0.5},
                    {"drawdown": 0.30, "hedge_ratio": 1.0}]}


def _collect(seen: dict[str, Any], run: PaperRun, at: datetime) -> None:
    client = run.client
    if client is None or at.time() != run.settings.scheduler.run_time:
        return
    queue = run.queue()
    seen["hedges"] = [r for day in run.plan.days for r in queue.list_orders(day)
                      if r.order.kind is OrderKind.HEDGE]
    for name in LADDERS:
        ledger = json.loads(client.get(streams.LEDGER.format(account=name)))
        shorts = sum(int(h["short"]) for h in ledger.get("futures", {}).values())
        seen["most_short"][name] = max(seen["most_short"].get(name, 0), shorts)
        raw = client.hgetall(EOD_RUNS.format(account=name))
        seen["eod"][name] = {k: json.loads(v) for k, v in raw.items()}


@pytest.fixture(scope="module")
def crash(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = load_settings(DEFAULT_CONFIG)
    data_dir: Path = tmp_path_factory.mktemp("accounts-crash")
    settings = type(base).model_validate({
        **base.model_dump(), "data_dir": data_dir,
        "clock": {**base.clock.model_dump(), "step_minutes": 10},
        "accounts": [{"name": "alpha", "initial_cash": "50000000", "ladder": LADDERS["alpha"]},
                     {"name": "beta", "initial_cash": "20000000", "ladder": LADDERS["beta"]}],
    })
    seen: dict[str, Any] = {"hedges": [], "most_short": {}, "eod": {}}
    seen["summary"] = run_paper_days(settings, days=DAYS, auto_approve=True,
                                     scenario="crash2024", stocks=100, keep=False, echo=print,
                                     on_step=lambda run, at: _collect(seen, run, at))
    return seen


def test_only_the_account_past_its_rung_is_hedged(crash: dict[str, Any]) -> None:
    summary = crash["summary"]
    assert "error" not in summary, summary.get("error")
    hedges = crash["hedges"]
    assert hedges, "nobody hedged"
    assert {r.order.account for r in hedges} == {"beta"}
    assert any(r.filled_quantity for r in hedges)
    drawdowns = {name: max(float(run["drawdown"]) for run in runs.values())
                 for name, runs in crash["eod"].items()}
    assert drawdowns["beta"] > BETA_RUNG and drawdowns["alpha"] < 0.30, drawdowns


def test_the_hedge_lives_in_betas_ledger_only(crash: dict[str, Any]) -> None:
    """Seen each evening: beta's ledger held IM shorts, alpha's never any."""
    opened = sum(r.filled_quantity for r in crash["hedges"] if r.order.offset.value == "open")
    assert crash["most_short"]["beta"] > 0 and crash["most_short"]["beta"] <= opened
    assert crash["most_short"]["alpha"] == 0


def test_both_accounts_reconcile_every_day(crash: dict[str, Any]) -> None:
    for name, runs in crash["eod"].items():
        assert len(runs) == DAYS, name
        assert all(run["outcome"] == "done" and run["breaks"] == 0 for run in runs.values()), \
            (name, [r for r in runs.values() if r["breaks"]])
