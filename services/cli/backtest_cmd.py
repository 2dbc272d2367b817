"""`desk backtest`: the nightly model over history, with costs, and an HTML report."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import click

from services.cli.context import DeskContext, pass_desk


def _day(value: datetime | None, name: str) -> date:
    if value is None:
        raise click.UsageError(f"--{name} is required (YYYY-MM-DD)")
    return value.date()


def _summary(result: object) -> list[str]:
    from strategies.backtest import BacktestResult

    assert isinstance(result, BacktestResult)
    m = result.metrics
    lines = [
        f"backtest {result.start} to {result.end}: {m.days} trade days"
        f"{' (hedged)' if result.hedged else ''}",
        f"  annual return {m.annual_return:.2%}  volatility {m.volatility:.2%}  "
        f"Sharpe {m.sharpe:.2f}",
        f"  max drawdown {m.max_drawdown:.2%}  Calmar {m.calmar:.2f}  "
        f"daily turnover {m.turnover:.2%}  costs {m.total_cost:,.0f} CNY",
    ]
    for name, excess in m.excess.items():
        lines.append(f"  vs {name}: index {excess.benchmark_return:.2%}/yr, excess "
                     f"{excess.excess_return:+.2%}/yr, IR {excess.information_ratio:.2f}")
    return lines


@click.command("backtest")
@click.option("--start", type=click.DateTime(["%Y-%m-%d"]), help="First trade date.")
@click.option("--end", type=click.DateTime(["%Y-%m-%d"]), help="Last trade date.")
@click.option("--hedge", is_flag=True,
              help="Overlay the risk daemon's drawdown-ladder CSI 1000 futures hedge.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False),
              help="HTML report path (default: <data dir>/reports/backtest_START_END.html).")
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as one JSON object.")
@pass_desk
def backtest_command(desk: DeskContext, start: datetime | None, end: datetime | None,
                     hedge: bool, report_path: str | None, as_json: bool) -> None:
    """Run the nightly model day by day from --start to --end and write a report."""
    from marketdata.calendar import CalendarNotCovered
    from marketdata.errors import MarketDataError
    from strategies.backtest import LadderHedge, run_backtest, write_report

    first, last = _day(start, "start"), _day(end, "end")
    if first > last:
        raise click.UsageError(f"--start {first} is after --end {last}")
    try:
        policy = LadderHedge(desk.settings.risk, desk.calendar,
                             desk.store.load_futures(first, last)) if hedge else None
        result = run_backtest(desk.store, first, last, desk.settings.model, hedge=policy,
                              progress=not as_json)
    except (ValueError, MarketDataError, CalendarNotCovered) as exc:
        raise click.ClickException(str(exc)) from None
    target = Path(report_path) if report_path else \
        desk.data_dir / "reports" / f"backtest_{first}_{last}.html"
    written = write_report(result, target)
    if as_json:
        click.echo(json.dumps({**result.to_dict(), "report": str(written)}))
        return
    for line in _summary(result):
        click.echo(line)
    click.echo(f"report: {written}")
