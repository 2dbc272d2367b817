"""The Qlib peer's converter writes Qlib's feature files and names as Qlib reads them
(the format is checked byte by byte here; Qlib itself is not needed)."""

from __future__ import annotations

import struct
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from bench.peers.qlib_data import (
    next_weekday,
    qlib_code,
    qlib_costs,
    read_bin,
    write_bin,
    write_calendar,
    write_instruments,
)
from exchange import CommissionConfig


def test_a_feature_file_is_the_start_index_then_float32_little_endian(tmp_path: Path) -> None:
    path = tmp_path / "features" / "sh600000" / "close.day.bin"
    write_bin(path, 3, [10.5, np.nan, 11.25])
    raw = path.read_bytes()
    assert len(raw) == 16
    assert struct.unpack("<4f", raw)[0] == 3.0
    assert struct.unpack("<4f", raw)[1] == 10.5 and struct.unpack("<4f", raw)[3] == 11.25
    start, values = read_bin(path)
    assert start == 3 and values.dtype == np.dtype("<f4")
    assert values[0] == 10.5 and np.isnan(values[1]) and values[2] == 11.25


def test_float32_rounds_as_qlib_stores_it(tmp_path: Path) -> None:
    path = tmp_path / "x.day.bin"
    write_bin(path, 0, [0.1])
    stored = read_bin(path)[1][0]
    assert stored == np.float32(0.1) and float(stored) != 0.1


def test_an_empty_file_has_no_start_index(tmp_path: Path) -> None:
    path = tmp_path / "empty.day.bin"
    path.write_bytes(b"")
    with pytest.raises(ValueError, match="no start index"):
        read_bin(path)


def test_codes_follow_qlib_cn_names() -> None:
    assert qlib_code("600000.SSE") == "SH600000"
    assert qlib_code("000001.SZSE") == "SZ000001"
    assert qlib_code("920060.BSE") == "BJ920060"
    with pytest.raises(ValueError, match="no Qlib prefix"):
        qlib_code("IF2412.CFFEX")


def test_calendar_and_instruments_files(tmp_path: Path) -> None:
    days = [date(2026, 11, 19), date(2026, 11, 20)]
    write_calendar(tmp_path, [*days, next_weekday(days[-1])])
    assert (tmp_path / "calendars" / "day.txt").read_text() == \
        "2026-11-19\n2026-11-20\n2026-11-23\n"
    write_instruments(tmp_path, ["SH600000", "SZ000001"], days[0], days[-1])
    assert (tmp_path / "instruments" / "all.txt").read_text() == \
        "SH600000\t2026-11-19\t2026-11-20\nSZ000001\t2026-11-19\t2026-11-20\n"


def test_costs_are_the_desks_rates_with_stamp_duty_on_sells_only() -> None:
    costs = qlib_costs(CommissionConfig(rate=Decimal("0.00025")), date(2026, 11, 20))
    # commission 0.025% + transfer 0.001% + handling 0.00341%; stamp duty 0.05% on sells
    assert costs.open_cost == pytest.approx(0.0002941)
    assert costs.close_cost == pytest.approx(0.0007941)
    assert costs.min_cost == 5.0
    waived = qlib_costs(CommissionConfig(rate=Decimal("0.0002"), minimum_waived=True),
                        date(2023, 8, 25))  # before 2023-08-28: stamp 0.1%, handling 0.00487%
    assert waived.open_cost == pytest.approx(0.0002 + 0.00001 + 0.0000487)
    assert waived.close_cost == pytest.approx(waived.open_cost + 0.001)
    assert waived.min_cost == 0.0
