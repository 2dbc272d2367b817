"""`desk parity`: the live desk's orders and NAV against its model and the backtest."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click

from services.cli.context import DeskContext, pass_desk


@click.command("parity")
@click.option("--start", type=click.DateTime(["%Y-%m-%d"]), required=True,
              help="First trade date.")
@click.option("--end", type=click.DateTime(["%Y-%m-%d"]), required=True,
              help="Last trade date.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@click.option("--html", "html_path", type=click.Path(dir_okay=False),
              help="HTML report path (default: <data dir>/reports/parity_START_END.html).")
@pass_desk
def parity_command(desk: DeskContext, start: datetime, end: datetime, as_json: bool,
                   html_path: str | None) -> None:
    """Compare the live desk's batches and NAV with the model re-run and the backtest."""
    from services.parity.report import write_report
    from services.parity.run import parity_summary
    from services.parity.text import summary_lines

    first, last = start.date(), end.date()
    if first > last:
        raise click.UsageError(f"--start {first} is after --end {last}")
    summary = parity_summary(desk.client(), desk.store, desk.settings, first, last)
    target = Path(html_path) if html_path else \
        desk.data_dir / "reports" / f"parity_{first}_{last}.html"
    written = write_report(summary, target)
    if as_json:
        click.echo(json.dumps({**summary, "report": str(written)}))
        return
    for line in summary_lines(summary):
        click.echo(line)
    click.echo(f"report: {written}")
