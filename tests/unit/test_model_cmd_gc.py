"""`desk model run` pauses the cyclic collector for its one run, and only for it."""

from __future__ import annotations

import gc

import pytest

from services.cli.model_cmd import _without_cycle_collection


def test_the_collector_is_paused_and_restored_even_on_an_error() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError), _without_cycle_collection():
        assert not gc.isenabled()
        raise RuntimeError("the run failed")
    assert gc.isenabled()


def test_a_collector_already_off_stays_off() -> None:
    gc.disable()
    try:
        with _without_cycle_collection():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
