"""`desk risk replay --options FILE` (the real desk group): the micro-cap crash of the
synthetic market (seed 7) with a Black-76 put chain; the printout, summary.json and the
plot compare futures only, puts only and the cost-chosen instrument on the same path; a
malformed chain row names the file, the line and the column and exits 1."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from marketdata.calendar import load_calendar
from marketdata.synthetic import RegimePlan
from risk.config import RiskConfig
from risk.replay_compare import run_instruments
from risk.replay_options_io import read_chain
from tests.integration.cli_kit import run
from tests.unit.risk.chain_kit import put_chain_rows, write_chain
from tests.unit.risk.test_risk_scenarios import csi1000, market, smallest_book

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]


def write_inputs(folder: Path) -> dict[str, Path]:
    calendar = load_calendar(REPO / "config" / "holidays.yaml")
    m = market(calendar, RegimePlan(rotation_at=None, crash_at=0.5))
    index = csi1000(m)
    paths = {name: folder / f"{name}.csv" for name in ("nav", "index", "futures")}
    book = smallest_book(m)
    pd.DataFrame({"date": book.index.date, "nav": book["nav"].round(2)}).to_csv(paths["nav"],
                                                                              index=False)
    pd.DataFrame({"date": index.index.date, "close": index.round(2)}).to_csv(paths["index"],
                                                                           index=False)
    futures = m.futures.copy()
    futures["date"] = pd.DatetimeIndex(futures["date"]).date
    futures["expiry"] = pd.DatetimeIndex(futures["expiry"]).date
    futures.to_csv(paths["futures"], index=False)
    paths["options"] = write_chain(folder / "chain.csv", put_chain_rows(index, m.futures))
    return paths


def test_replay_compares_the_instruments(tmp_path: Path) -> None:
    paths = write_inputs(tmp_path)
    out = tmp_path / "out"
    args = ["--data-dir", str(tmp_path / "desk"), "risk", "replay", "--nav", str(paths["nav"]),
            "--index", str(paths["index"]), "--futures", str(paths["futures"]),
            "--options", str(paths["options"]), "--out", str(out)]
    text = run(*args)
    assert text.exit_code == 0, text.output
    assert "Instrument choice on the same path:" in text.output
    table = text.output.split("Instrument choice on the same path:")[1].splitlines()
    assert [line.split()[0] for line in table[2:5]] == ["futures", "options", "cheapest"]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    figures = summary["instruments"]
    assert list(figures) == ["futures", "options", "cheapest"]
    # the same path: one unhedged drawdown; each hedge lowers it
    assert len({f["max_drawdown_unhedged"] for f in figures.values()}) == 1
    for name, f in figures.items():
        assert f["max_drawdown_hedged"] < f["max_drawdown_unhedged"], name
    assert figures["futures"]["premium_paid"] == 0 and figures["futures"]["basis_paid"] > 0
    assert figures["options"]["basis_paid"] == 0 and figures["options"]["premium_paid"] > 0
    # the printout's row for options shows the summary's figures
    options_row = table[3].split()
    assert options_row[1] == f"{figures['options']['max_drawdown_hedged']:.2%}"
    assert options_row[5] == f"{figures['options']['premium_paid']:,.0f}"
    # the files match the replay run in-process with the same inputs
    calendar = load_calendar(REPO / "config" / "holidays.yaml")
    m = market(calendar, RegimePlan(rotation_at=None, crash_at=0.5))
    direct = run_instruments(smallest_book(m), csi1000(m), m.futures, RiskConfig(), calendar,
                             read_chain(paths["options"]))
    assert figures["options"]["max_drawdown_hedged"] == pytest.approx(
        direct["options"].hedged_max_drawdown, abs=1e-5)
    assert (out / "replay.png").stat().st_size > 10_000
    as_json = run(*args, "--json")
    assert json.loads(as_json.output)["instruments"] == figures


def test_a_malformed_chain_row_is_refused_with_its_place(tmp_path: Path) -> None:
    paths = write_inputs(tmp_path)
    lines = paths["options"].read_text(encoding="utf-8").splitlines()
    fields = lines[2].split(",")
    fields[2], fields[3] = "50.0", "40.0"  # bid above ask
    lines[2] = ",".join(fields)
    paths["options"].write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("--data-dir", str(tmp_path / "desk"), "risk", "replay", "--nav",
                 str(paths["nav"]), "--index", str(paths["index"]), "--options",
                 str(paths["options"]), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert f"{paths['options']}:3: column 'bid': above the ask 40.0" in result.output
