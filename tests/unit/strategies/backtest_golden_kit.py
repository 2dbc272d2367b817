"""The golden record of the backtest: NAV per day and every fill, to the cent, and a
digest of each day's batch.

Recorded once from the backtest as it stood before the speed work of issue 15 (see
`tests/unit/strategies/fixtures/backtest_golden.json.gz`); the test compares every later
run with it. Regenerate only when a change of the model's *behaviour* is meant:

    .venv/bin/python -m tests.unit.strategies.backtest_golden_kit
"""

from __future__ import annotations

import gzip
import hashlib
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from marketdata.calendar import load_calendar
from marketdata.store import MarketStore
from marketdata.synthetic import write_demo_store
from strategies.backtest import run_backtest
from strategies.backtest.fills import FillRules, FillStyle
from strategies.backtest.result import BacktestResult
from strategies.config import ModelConfig

REPO = Path(__file__).resolve().parents[3]
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "backtest_golden.json.gz"
# A seeded synthetic market: delistings, ST spells, suspensions, a rotation and a crash
# (locked days), enough names for a 100-stock book to rotate through.
STOCKS, DAYS, SEED, END = 1500, 480, 23, date(2025, 12, 31)
# name: (fill style, trade days, initial cash, keep the fills). The large book meets
# the volume cap, the illiquidity screen and the crash's locked days; the open run
# checks the path that keeps no batches.
RUNS = {"window": (FillStyle.WINDOW, 200, Decimal("400000000"), True),
        "window_small": (FillStyle.WINDOW, 120, Decimal("100000000"), True),
        "open": (FillStyle.OPEN, 200, Decimal("300000000"), False)}


def build_store(root: Path) -> MarketStore:
    return write_demo_store(root, STOCKS, DAYS, SEED, end=END,
                            calendar=load_calendar(REPO / "config" / "holidays.yaml"))


def _record(result: BacktestResult) -> dict[str, Any]:
    daily = result.daily
    return {
        "days": [
            {"date": stamp.date().isoformat(), "nav": repr(float(row["nav"])),
             "cash": repr(float(row["cash"])), "holdings": int(row["holdings"]),
             "cost": repr(float(row["cost"])), "missed": int(row["missed"]),
             "ordered": int(row["ordered"]), "filled": int(row["filled"])}
            for stamp, row in daily.iterrows()
        ],
        "fills": [
            [[f.symbol, f.side, f.quantity, str(f.price), str(f.fees), f.ordered] for f in day]
            for day in result.fills
        ],
        # Each day's published batch (orders, ranks, reasons, totals) as a digest.
        "batches": [_digest(batch.to_dict()) for _book, batch in result.batches],
        "missed_by_reason": dict(sorted(result.missed_by_reason.items())),
        "settled": list(result.settled),
    }


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:16]


def golden_record(store: MarketStore) -> dict[str, Any]:
    """Each run's days and fills, as JSON-ready values (money as exact strings)."""
    dates = store.trade_dates()
    out: dict[str, Any] = {}
    for name, (style, days, cash, keep) in RUNS.items():
        result = run_backtest(store, dates[-days], dates[-1], ModelConfig(),
                              initial_cash=cash, keep_batches=keep,
                              fills=FillRules(style))
        out[name] = _record(result)
    return out


def load_fixture() -> dict[str, Any]:
    return json.loads(gzip.decompress(FIXTURE.read_bytes()))


def main() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        record = golden_record(build_store(Path(tmp) / "store"))
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0: the same record gives the same bytes.
    FIXTURE.write_bytes(gzip.compress(json.dumps(record).encode(), mtime=0))
    fills = sum(len(day) for run in record.values() for day in run["fills"])
    print(f"wrote {FIXTURE} ({fills} fills)")


if __name__ == "__main__":
    main()
