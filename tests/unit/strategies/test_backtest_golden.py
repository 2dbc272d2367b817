"""The backtest's NAV and fills are identical, to the cent, to the recorded golden run.

The record (backtest_golden_kit) was taken from the backtest before its speed work;
faster data layouts and caches must not move a single fill, fee or day's NAV.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.unit.strategies.backtest_golden_kit import RUNS, build_store, golden_record, load_fixture


@pytest.fixture(scope="module")
def record(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root: Path = tmp_path_factory.mktemp("golden") / "store"
    return golden_record(build_store(root))


@pytest.fixture(scope="module")
def golden() -> dict[str, Any]:
    return load_fixture()


@pytest.mark.parametrize("run", sorted(RUNS))
def test_every_day_matches_the_golden_run(record: dict[str, Any], golden: dict[str, Any],
                                          run: str) -> None:
    got, want = record[run]["days"], golden[run]["days"]
    assert len(got) == len(want)
    for day, expected in zip(got, want, strict=True):
        assert day == expected, f"{run}: {day['date']} differs"


@pytest.mark.parametrize("run", sorted(RUNS))
def test_every_fill_matches_the_golden_run(record: dict[str, Any], golden: dict[str, Any],
                                           run: str) -> None:
    got, want = record[run]["fills"], golden[run]["fills"]
    assert len(got) == len(want)
    for number, (day, expected) in enumerate(zip(got, want, strict=True)):
        assert day == expected, f"{run}: fills of trade day {number} differ"
    assert record[run]["missed_by_reason"] == golden[run]["missed_by_reason"]
    assert record[run]["settled"] == golden[run]["settled"]


@pytest.mark.parametrize("run", sorted(RUNS))
def test_every_batch_matches_the_golden_run(record: dict[str, Any], golden: dict[str, Any],
                                            run: str) -> None:
    """The published orders too: quantities, prices, ranks, reasons, totals."""
    got, want = record[run]["batches"], golden[run]["batches"]
    assert len(got) == len(want)
    for number, (day, expected) in enumerate(zip(got, want, strict=True)):
        assert day == expected, f"{run}: the batch of trade day {number} differs"


def test_the_golden_run_exercises_the_fill_rules(golden: dict[str, Any]) -> None:
    """The record is worth comparing: many fills, and cuts of several kinds."""
    assert sum(len(day) for day in golden["window"]["fills"]) > 10_000
    assert len(golden["window"]["batches"]) == len(golden["window"]["days"])
    reasons = set(golden["window"]["missed_by_reason"]) | set(
        golden["window_small"]["missed_by_reason"]) | set(golden["open"]["missed_by_reason"])
    assert {"suspended", "volume cap", "no cash", "locked limit-down"} <= reasons
