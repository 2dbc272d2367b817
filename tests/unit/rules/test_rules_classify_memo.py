"""`classify`, `quantity_rule` and `tick_size` remember their day-free answers (the
backtest asks for the same symbols hundreds of thousands of times), and only those: a
legacy BSE code still needs the day, an error is raised again."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from exchange import Board, UnknownSecurity
from exchange.prices import tick_size
from exchange.quantity import quantity_rule
from exchange.securities import _dateless, classify


def test_a_legacy_code_is_decided_by_the_day_each_time() -> None:
    for _ in range(2):  # the second round would come from memory if it were remembered
        with pytest.raises(UnknownSecurity, match="only before"):
            classify("830799.BSE")
        assert classify("830799.BSE", date(2024, 5, 6)).board is Board.BSE
        with pytest.raises(UnknownSecurity, match="only before"):
            classify("830799.BSE", date(2025, 10, 9))


def test_a_remembered_answer_is_the_same_answer() -> None:
    first = classify("300750.SZSE", date(2024, 5, 6))
    assert classify("300750.SZSE") is first and first.board is Board.CHINEXT
    with pytest.raises(UnknownSecurity, match="not SSE"):
        classify("300750.SSE")  # a wrong suffix is refused every time, not remembered


def test_hostile_symbols_cannot_grow_the_memory_without_bound() -> None:
    for n in range(20_000):
        with pytest.raises(UnknownSecurity):
            classify(f"X{n}")
    assert _dateless.cache_info().currsize <= 16384


def test_the_per_symbol_rules_are_remembered_and_errors_are_not() -> None:
    assert quantity_rule("688001.SSE") is quantity_rule("688001.SSE")
    assert tick_size("600000.SSE") == Decimal("0.01")
    for _ in range(2):
        with pytest.raises(UnknownSecurity):
            quantity_rule("830799.BSE")  # needs a day: refused every time
    for n in range(20_000):
        with pytest.raises(UnknownSecurity):
            tick_size(f"Y{n}")
    assert tick_size.cache_info().currsize <= 16384
    assert quantity_rule.cache_info().currsize <= 16384
