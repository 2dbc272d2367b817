"""One real day from Tushare Pro through the adapter and the importer (by hand only)."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from marketdata.calendar import load_calendar
from marketdata.store import MarketStore
from marketdata.vendors.config import FetchConfig
from marketdata.vendors.fetch import fetch_day

pytestmark = pytest.mark.vendor_live
HOLIDAYS = Path(__file__).resolve().parents[2] / "config" / "holidays.yaml"


def test_tushare_delivers_a_day_the_importer_accepts(tmp_path: Path) -> None:
    cfg = FetchConfig.model_validate({"sources": {"tushare": {
        "kind": "tushare", "token_env": "TUSHARE_TOKEN", "retries": 1}}})
    day = date.fromisoformat(os.environ.get("DESK_VENDOR_LIVE_DATE", "2026-11-20"))
    done = fetch_day(MarketStore(tmp_path / "store"), load_calendar(HOLIDAYS), cfg, day,
                     tmp_path / "staging", os.environ)
    assert done.report.days == [day] and done.report.stocks > 4000
