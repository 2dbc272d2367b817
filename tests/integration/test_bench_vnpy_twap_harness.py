"""The execution-quality bench's vnpy harness: every call into vnpy's algo engine runs
on the event thread (the main thread driving the timer raced the algo's order events:
"dictionary changed size during iteration" in `cancel_all`), and the caged TwapAlgo's
children are inside the price cage and the parent's limit while the shipped one's are
not. A real MainEngine, the simulated gateway and a real Redis."""

import tempfile
import threading
from collections.abc import Callable, Iterator
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import redis

from execution.engine.home import prepare_vnpy_home

prepare_vnpy_home(Path(tempfile.mkdtemp(prefix="twap-harness-vnpy-")))

from vnpy_algotrading.engine import AlgoEngine  # noqa: E402
from vnpy_algotrading.template import AlgoTemplate  # noqa: E402

from bench.bench_execution import DAY, VNPY_CAGED, VNPY_TWAP, run_vnpy  # noqa: E402
from execution.gateway.sim.scenario import random_day, scenario  # noqa: E402

pytestmark = pytest.mark.integration

NAMES = ["600000.SSE", "000001.SZSE", "300750.SZSE", "688001.SSE", "603000.SSE"]  # the bench's
SYMBOL = "000001.SZSE"  # on the bench's tape it trades > 2% under a +5% limit all morning
TEN_MINUTES = (dtime(9, 30), dtime(9, 40))


@pytest.fixture
def threads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The thread of every harness call into the algo engine and of every cancel_all."""
    seen: list[str] = []

    def spy(owner: type, name: str) -> None:
        original: Callable[..., Any] = getattr(owner, name)

        def recorded(*args: Any, **kwargs: Any) -> Any:
            seen.append(threading.current_thread().name)
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, name, recorded)

    for owner, name in ((AlgoEngine, "start_algo"), (AlgoEngine, "process_timer_event"),
                        (AlgoTemplate, "cancel_all")):
        spy(owner, name)
    yield seen


def run(client: redis.Redis, tmp_path: Path, template: str, above: str) -> list[Any]:
    days = random_day(DAY, NAMES, seed=20261122)
    limit = (Decimal(str(days[SYMBOL].prev_close)) * (1 + Decimal(above))).quantize(
        Decimal("0.01"))
    target = int(days[SYMBOL].volume * 0.01) // 100 * 100
    orders, _ = run_vnpy(client, tmp_path / template, scenario(DAY, days), {SYMBOL: target},
                         {SYMBOL: limit}, TEN_MINUTES, template=template)
    assert orders, "the algo sent no child"
    assert all(Decimal(str(o.price)) <= limit for o in orders)
    return orders


def cage_rejections(orders: list[Any]) -> int:
    return sum(o.status == "REJECTED" and "cage" in o.reason for o in orders)


def test_every_call_into_the_algo_engine_runs_on_the_event_thread(
        redis_client: redis.Redis, tmp_path: Path, threads: list[str]) -> None:
    run(redis_client, tmp_path, VNPY_TWAP, "0.05")
    assert len(threads) > 600  # the start, a timer second each, a cancel_all a minute
    assert threading.main_thread().name not in threads


def test_the_caged_twap_stays_inside_the_cage_the_shipped_one_does_not(
        redis_client: redis.Redis, tmp_path: Path) -> None:
    shipped = run(redis_client, tmp_path, VNPY_TWAP, "0.05")
    caged = run(redis_client, tmp_path, VNPY_CAGED, "0.05")
    assert cage_rejections(shipped) == len(shipped)
    assert cage_rejections(caged) == 0
    assert sum(o.status == "REJECTED" for o in caged) == 0
