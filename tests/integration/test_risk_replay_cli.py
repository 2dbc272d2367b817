"""`desk risk replay` (the real desk command group) on a year-end series with the shipped
holiday file, which ends 2026-12-31: a futures file that carries each contract's listed
expiry lets the replay hedge and roll through 2027; a NAV in units is refused with the
way out (`--capital`)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.integration.cli_kit import run

pytestmark = pytest.mark.integration
# The exchange's listed last trading days (third Friday; none falls on a closure here).
EXPIRIES = {"IM2612": "2026-12-18", "IM2701": "2027-01-15", "IM2702": "2027-02-19",
            "IM2703": "2027-03-19", "IM2704": "2027-04-16", "IM2705": "2027-05-21",
            "IM2706": "2027-06-18", "IM2709": "2027-09-17", "IM2712": "2027-12-17"}
# The days the series trades: the 2026 sessions, then illustrative 2027 closures.
CLOSED_2027 = pd.DatetimeIndex(["2027-01-01", "2027-02-05", "2027-02-08", "2027-02-09",
                                "2027-02-10", "2027-02-11", "2027-02-12"])


def listed_on(day: pd.Timestamp) -> list[str]:
    """This month's contract until it expires, the next month, the next two quarters."""
    live = sorted((pd.Timestamp(e), c) for c, e in EXPIRIES.items() if pd.Timestamp(e) >= day)
    first, second = live[0], live[1]
    quarters = [c for e, c in live[2:] if int(c[-2:]) in (3, 6, 9, 12)][:2]
    return [first[1], second[1], *quarters]


def write_inputs(folder: Path) -> dict[str, Path]:
    days = pd.bdate_range("2026-10-09", "2027-03-31")
    days = days[~days.isin(CLOSED_2027) & ~days.isin(pd.DatetimeIndex(["2026-10-01"]))]
    rng = np.random.default_rng(11)
    slide = (days >= "2026-11-10") & (days < "2026-12-29")
    returns = np.where(slide, -0.011, -0.0015) + rng.normal(0, 0.002, len(days))
    returns[days < "2026-11-10"] = rng.normal(0, 0.002, (days < "2026-11-10").sum())
    index = 6000 * np.cumprod(1 + returns)
    nav = np.cumprod(1 + 1.2 * returns)  # in units, as a fund administrator sends it
    rows = []
    for day, level in zip(days, index, strict=True):
        for code in listed_on(day):
            left = (pd.Timestamp(EXPIRIES[code]) - day).days
            close = round(level * (1 - 0.13 * left / 365) / 0.2) * 0.2
            volume = 60_000.0 if code == listed_on(day)[0] else 30_000.0
            rows.append((day.date(), code, f"{close:.1f}", volume, 90_000.0, EXPIRIES[code]))
    paths = {name: folder / f"{name}.csv" for name in ("nav", "index", "futures")}
    pd.DataFrame({"date": days.date, "nav": nav.round(6)}).to_csv(paths["nav"], index=False)
    pd.DataFrame({"date": days.date, "close": index.round(2)}).to_csv(paths["index"],
                                                                      index=False)
    pd.DataFrame(rows, columns=["date", "symbol", "close", "volume", "open_interest",
                                "expiry"]).to_csv(paths["futures"], index=False)
    return paths


def test_replay_hedges_and_rolls_across_2027(tmp_path: Path) -> None:
    paths = write_inputs(tmp_path)
    base = ["--data-dir", str(tmp_path / "desk"), "risk", "replay", "--nav", str(paths["nav"]),
            "--index", str(paths["index"]), "--futures", str(paths["futures"])]
    refused = run(*base, "--out", str(tmp_path / "refused"))
    assert refused.exit_code == 1
    assert "less than one IM lot" in refused.output and "--capital CNY" in refused.output

    out = tmp_path / "out"
    result = run(*base, "--capital", "50000000", "--out", str(out), "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["last_day"] == "2027-03-31" and summary["hedge_actions"] > 0
    actions = pd.read_csv(out / "actions.csv", parse_dates=["date"])
    opens = actions[actions["offset"] == "open"]
    assert opens.iloc[0]["date"].date() < date(2026, 12, 18)  # opened in December
    assert opens.iloc[0]["date"].month == 12
    expiry = {f"{c}.CFFEX": pd.Timestamp(e) for c, e in EXPIRIES.items()}
    rolls = actions[actions["reason"].str.contains("roll ")]
    assert "IM2612.CFFEX" in set(rolls["symbol"])  # rolled out before its expiry
    assert (rolls[rolls["offset"] == "close"]["date"] < rolls[rolls["offset"] == "close"][
        "symbol"].map(expiry)).all()
    assert (rolls["date"] >= "2027-01-04").any()  # and again past the calendar's end
    daily = pd.read_csv(out / "daily.csv", parse_dates=["date"]).set_index("date")
    hedged = daily[daily.index >= opens.iloc[0]["date"]]
    assert (hedged["short_lots"] > 0).all()
    assert (hedged.index < hedged["contract"].map(expiry)).all()  # never held to expiry
    assert summary["max_drawdown_hedged"] < summary["max_drawdown_unhedged"]

    text = run(*base, "--capital", "50000000", "--out", str(out))
    assert text.exit_code == 0
    assert "roll IM2612.CFFEX (expires 2026-12-18) into" in text.output
