from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from services.cli.context import DeskContext
from services.cli.risk_cmd import risk_group


def write_history(tmp_path: Path) -> tuple[Path, Path]:
    """A 30-day slide of 1.2% a day after 20 flat days, June-July 2024."""
    days = ["2024-06-03", "2024-06-04", "2024-06-05", "2024-06-06", "2024-06-07", "2024-06-11",
            "2024-06-12", "2024-06-13", "2024-06-14", "2024-06-17", "2024-06-18", "2024-06-19",
            "2024-06-20", "2024-06-21", "2024-06-24", "2024-06-25", "2024-06-26", "2024-06-27",
            "2024-06-28", "2024-07-01", "2024-07-02", "2024-07-03", "2024-07-04", "2024-07-05",
            "2024-07-08", "2024-07-09", "2024-07-10", "2024-07-11", "2024-07-12", "2024-07-15"]
    level, nav = 5000.0, 50e6
    nav_rows, index_rows = ["date,nav"], ["date,close"]
    for i, day in enumerate(days):
        if i >= 10:
            level *= 0.975
            nav *= 0.97
        nav_rows.append(f"{day},{nav:.2f}")
        index_rows.append(f"{day},{level:.2f}")
    nav_file, index_file = tmp_path / "nav.csv", tmp_path / "index.csv"
    nav_file.write_text("\n".join(nav_rows) + "\n")
    index_file.write_text("\n".join(index_rows) + "\n")
    return nav_file, index_file


def test_replay_prints_actions_and_writes_the_plot(tmp_path: Path) -> None:
    nav_file, index_file = write_history(tmp_path)
    out = tmp_path / "out"
    desk = DeskContext(None, str(tmp_path / "desk"))
    args = ["replay", "--nav", str(nav_file), "--index", str(index_file), "--out", str(out)]
    result = CliRunner().invoke(risk_group, args, obj=desk)
    assert result.exit_code == 0, result.output
    assert "sell open" in result.output and "reached the 20% rung" in result.output
    assert (out / "replay.png").stat().st_size > 10_000
    summary = json.loads((out / "summary.json").read_text())
    assert summary["max_drawdown_hedged"] < summary["max_drawdown_unhedged"]
    as_json = CliRunner().invoke(risk_group, [*args, "--json"], obj=desk)
    assert json.loads(as_json.output)["hedge_actions"] == summary["hedge_actions"]


def test_replay_names_the_bad_file(tmp_path: Path) -> None:
    nav_file, _ = write_history(tmp_path)
    desk = DeskContext(None, str(tmp_path / "desk"))
    args = ["replay", "--nav", str(nav_file), "--index", str(nav_file), "--out",
            str(tmp_path / "out")]
    result = CliRunner().invoke(risk_group, args, obj=desk)
    assert result.exit_code == 1
    assert "nav.csv: missing column 'close' (or 'csi1000')" in result.output
