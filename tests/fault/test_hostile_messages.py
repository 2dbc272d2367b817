"""Hostile messages on every consumed stream of a running desk (issue 11): 2,000 each of
text garbage, deep nesting, raw bytes and schema-valid out-of-range values per stream,
then forged approvals. Real service processes, real embedded Redis with its ACL users."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.fault_drill import DrillDesk, critical_alerts, drill_desk, forged_work, fuzz
from bench.hostile import KINDS, TYPES
from bus import streams

pytestmark = [pytest.mark.integration, pytest.mark.slow]
PER_KIND = 2_000


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[DrillDesk]:
    with drill_desk(tmp_path) as running:
        yield running


def test_every_hostile_message_is_dead_lettered_and_nothing_stops_or_trades(
        desk: DrillDesk) -> None:
    figures = fuzz(desk, PER_KIND, seed=11, timeout_s=100)
    assert sum(figures.tried.values()) == PER_KIND * len(KINDS) * len(TYPES)
    assert figures.dead == dict.fromkeys(TYPES, PER_KIND * len(KINDS))
    assert figures.without_reason == 0
    assert desk.restarts() == 0
    assert desk.order_records() == 0
    assert desk.broker_orders() == 0
    assert desk.client.get(streams.CURRENT_BATCH) is None  # no 2099 batch took over


def test_forged_approvals_never_reach_the_broker(desk: DrillDesk) -> None:
    reasons = forged_work(desk)
    assert "no such order" in reasons["forged-ghost"]
    assert "holds no such approval" in reasons["forged-pending"]
    assert "not in the audit trail" in reasons["forged-record"]
    assert len([t for t in critical_alerts(desk) if "approval refused" in t]) == 3
    assert desk.broker_orders() == 0
    for order_id in reasons:
        assert not desk.client.exists(streams.CHILDREN_OF.format(order_id=order_id))
    assert desk.restarts() == 0
