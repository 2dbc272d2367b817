"""Parity on three paper days through the real services (stepped clock, 100 stocks):
the published batches equal the model re-run offline, the backtest's batches are
equal or their difference is explained by the live fills, and the NAV tracking
difference splits into its causes with almost nothing left over."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from marketdata.store import MarketStore
from services.paper_days import PaperRun, run_paper_days
from services.parity.run import parity_summary
from services.settings_loader import DEFAULT_CONFIG, load_settings

pytestmark = pytest.mark.slow

DAYS = 3


class ParityAtTheEnd:
    """Computes parity at the last step of the last day, while the run's Redis lives."""

    def __init__(self) -> None:
        self.evenings = 0
        self.summary: dict[str, Any] | None = None

    def __call__(self, run: PaperRun, at: datetime) -> None:
        if at.time() != run.settings.scheduler.run_time:
            return
        self.evenings += 1
        if self.evenings == DAYS:
            assert run.client is not None
            store = MarketStore(Path(run.settings.data_dir) / run.settings.data.store_dir)
            self.summary = parity_summary(run.client, store, run.settings, run.plan.days[0],
                                          run.plan.days[-1])


@pytest.fixture(scope="module")
def parity(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any]]:
    base = load_settings(DEFAULT_CONFIG)
    settings = base.model_copy(update={
        "data_dir": tmp_path_factory.mktemp("parity-days"),
        "clock": base.clock.model_copy(update={"step_minutes": 10})})
    probe = ParityAtTheEnd()
    summary = run_paper_days(settings, days=DAYS, auto_approve=True, scenario=None,
                             stocks=100, keep=False, echo=print, on_step=probe)
    assert "error" not in summary, summary.get("error")
    assert probe.summary is not None
    return summary, probe.summary


def test_the_published_batches_equal_the_offline_rerun(
        parity: tuple[dict[str, Any], dict[str, Any]]) -> None:
    _, result = parity
    assert result["errors"] == []
    assert result["rerun_days"] == DAYS and result["rerun_equal_days"] == DAYS
    assert result["order_defects"] == [] and result["orders_unchecked"] == []


def test_backtest_orders_are_equal_or_explained_by_live_fills(
        parity: tuple[dict[str, Any], dict[str, Any]]) -> None:
    _, result = parity
    assert result["backtest_error"] is None and result["backtest_days"] == DAYS
    assert result["unexplained_differences"] == [] and result["not_compared_days"] == []
    assert result["versus"][0]["status"] == "equal"  # the same cash, the same data
    explained = result["explained_differences"]
    assert result["orders_equal_days"] + len(explained) == DAYS
    assert explained, "the live desk's partial fills should change a later batch"
    assert any("live filled" in line for day in explained for line in day["explanation"])


def test_the_tracking_difference_splits_into_its_causes(
        parity: tuple[dict[str, Any], dict[str, Any]]) -> None:
    summary, result = parity
    tracking = result["nav_tracking_difference"]
    assert tracking["day"] == summary["last_day"]
    assert f"{tracking['live_nav']:.2f}" == f"{float(summary['nav']):.2f}"
    causes = result["causes"]
    assert abs(sum(causes.values()) - tracking["difference"]) < 0.1
    assert abs(causes["residual"]) <= 0.01 * abs(tracking["difference"]) + 100
    assert causes["fill_price"] != 0 and causes["fees"] != 0
