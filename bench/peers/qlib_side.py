"""Qlib's side of the peer benchmark: TopkDropoutStrategy fed the desk's scores.

Runs under Qlib's own venv (imports only qlib, numpy, pandas and the standard library):

    QLIB_PY bench/peers/qlib_side.py DATA_DIR [--topk 100] [--n-drop 20]

DATA_DIR is what `qlib_data.py` wrote (Qlib's binary data, scores.npz, meta.json).
Prints one JSON line: the backtest's own time, the final account value, costs and the
process's peak RSS (VmHWM; Qlib's worker processes, if any, have their own).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd


def desk_scores(data_dir: Path) -> pd.Series:
    """The desk's score per (signal day, instrument), members of its universe only,
    in Qlib's prediction layout (MultiIndex datetime, instrument)."""
    with np.load(data_dir / "scores.npz") as saved:
        score, dates, codes = saved["score"], saved["dates"], saved["codes"]
    rows, cols = np.nonzero(np.isfinite(score))
    index = pd.MultiIndex.from_arrays(
        [pd.DatetimeIndex(pd.to_datetime(dates))[rows], pd.Index(codes)[cols]],
        names=["datetime", "instrument"])
    return pd.Series(score[rows, cols].astype(np.float64), index=index, name="score")


def own_peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--topk", type=int, default=100)
    parser.add_argument("--n-drop", type=int, default=20)
    args = parser.parse_args()
    meta = json.loads((args.data_dir / "meta.json").read_text())
    started = time.perf_counter()

    import qlib
    from qlib.constant import REG_CN
    from qlib.contrib.evaluate import backtest_daily
    from qlib.contrib.strategy import TopkDropoutStrategy

    qlib.init(provider_uri=str(args.data_dir), region=REG_CN)
    imported = time.perf_counter()
    scores = desk_scores(args.data_dir)
    strategy = TopkDropoutStrategy(signal=scores, topk=args.topk, n_drop=args.n_drop)
    # Qlib 0.9.7 turns benchmark=None into SH000300 (its default): give it a flat one.
    flat = pd.Series(0.0, index=scores.index.get_level_values("datetime").unique())
    costs = meta["costs"]
    report, _positions = backtest_daily(
        start_time=meta["start"], end_time=meta["end"], strategy=strategy,
        account=float(meta["initial_cash"]), benchmark=flat,
        exchange_kwargs={
            # the desk's window fill: the day's VWAP, blocked on the desk's locked days
            "deal_price": "$vwap", "limit_threshold": ("$limit_buy", "$limit_sell"),
            "open_cost": costs["open_cost"], "close_cost": costs["close_cost"],
            "min_cost": costs["min_cost"], "trade_unit": 100,
        })
    done = time.perf_counter()
    print(json.dumps({
        "qlib_version": qlib.__version__, "seconds": done - imported,
        "import_init": imported - started, "days": len(report),
        "final_account": float(report["account"].iloc[-1]),
        "total_cost": float(report["total_cost"].iloc[-1]) if "total_cost" in report
        else float(report["cost"].sum()),
        "mean_turnover": float(report["turnover"].mean()), "peak_mb": own_peak_mb(),
    }), flush=True)


if __name__ == "__main__":
    main()
