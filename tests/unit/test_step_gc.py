"""The execution service's collector: start-up frozen, automatic collections rare, the
young generation collected at the end of a step once enough was made, the middle and
the full ones every tenth and hundredth time; `stop()` puts everything back."""

import gc
import weakref
from collections.abc import Iterator

import pytest

from services.step_gc import FULL_EVERY, MIDDLE_EVERY, SAFETY_THRESHOLDS, StepCollector


class Node:
    def __init__(self) -> None:
        self.other: object = self


@pytest.fixture
def collector() -> Iterator[StepCollector]:
    before = gc.get_threshold()
    made = StepCollector(young_at_idle=100)
    try:
        yield made
    finally:
        made.stop()
        assert gc.get_threshold() == before
        assert gc.get_freeze_count() == 0


def test_start_freezes_start_up_and_raises_the_thresholds(collector: StepCollector) -> None:
    collector.start()
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == SAFETY_THRESHOLDS
    collector.start()  # twice is once: stop() must still restore the thresholds before


def test_idle_collects_a_cycle_made_in_the_step(collector: StepCollector) -> None:
    collector.start()
    cycle = Node()
    gone = weakref.ref(cycle)
    del cycle
    assert gone() is not None  # a cycle: reference counting alone cannot free it
    junk = [Node() for _ in range(200)]  # more new containers than the collector waits for
    assert collector.idle() == 0
    assert gone() is None
    del junk


def test_idle_does_nothing_when_little_was_made(collector: StepCollector) -> None:
    collector.start()
    gc.collect(0)
    assert collector.idle() is None
    assert collector.collections == 0


def test_idle_escalates_to_the_middle_and_full_generations(collector: StepCollector) -> None:
    collector.start()
    seen = []
    for _ in range(FULL_EVERY):
        junk = [Node() for _ in range(150)]
        seen.append(collector.idle())
        del junk
    assert seen.count(2) == 1 and seen[FULL_EVERY - 1] == 2
    assert seen.count(1) == FULL_EVERY // MIDDLE_EVERY - 1
    assert seen[MIDDLE_EVERY - 1] == 1


def test_before_start_idle_leaves_collection_to_cpython() -> None:
    assert StepCollector(young_at_idle=0).idle() is None


def test_a_frozen_cycle_is_freed_once_unfrozen(collector: StepCollector) -> None:
    """Why the service stops and starts the collector when it replaces its desk at a new
    day: what start-up froze is never collected while frozen."""
    cycle = Node()
    gone = weakref.ref(cycle)
    collector.start()  # the cycle is frozen with the rest of start-up
    del cycle
    gc.collect()
    assert gone() is not None
    collector.stop()
    collector.start()  # the collection at start frees it
    assert gone() is None
