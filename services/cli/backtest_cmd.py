"""`desk backtest`: the nightly model over history, with costs, and an HTML report."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from services.cli.context import DeskContext, pass_desk

if TYPE_CHECKING:
    from strategies.backtest import BacktestResult
    from strategies.backtest.fills import FillRules


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
        f"  fills {_fills(result.fill_rules)}",
        f"  final NAV {result.daily['nav'].iloc[-1]:,.0f} CNY  fill ratio "
        f"{result.fill_ratio:.1%} of the shares ordered",
    ]
    for name, excess in m.excess.items():
        lines.append(f"  vs {name}: index {excess.benchmark_return:.2%}/yr, excess "
                     f"{excess.excess_return:+.2%}/yr, IR {excess.information_ratio:.2f}")
    return lines


def _fills(rules: FillRules) -> str:
    if rules.style.value == "open":
        return "open: whole orders at the open, no volume cap (the old optimistic rule)"
    return (f"window: the day's VWAP, at most {rules.participation:.0%} of its volume "
            "(execution.algo.max_participation)")


@click.command("backtest")
@click.option("--start", type=click.DateTime(["%Y-%m-%d"]), help="First trade date.")
@click.option("--end", type=click.DateTime(["%Y-%m-%d"]), help="Last trade date.")
@click.option("--hedge", is_flag=True,
              help="Overlay the risk daemon's drawdown-ladder CSI 1000 futures hedge.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False),
              help="HTML report path (default: <data dir>/reports/backtest_START_END.html).")
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as one JSON object.")
@click.option("--fills", "fill_style", type=click.Choice(["window", "open"]), default="window",
              show_default=True,
              help="window: as the live algorithm on daily data (the day's VWAP, at most "
                   "execution.algo.max_participation of its volume); open: the old "
                   "optimistic rule (whole orders at the open), to quote the difference.")
@pass_desk
def backtest_command(desk: DeskContext, start: datetime | None, end: datetime | None,
                     hedge: bool, report_path: str | None, as_json: bool,
                     fill_style: str) -> None:
    """Run the nightly model day by day from --start to --end and write a report."""
    from strategies.backtest.memory import no_collections, reuse_freed_memory

    reuse_freed_memory()  # a one-shot process: keep its freed arrays for reuse

    first, last = _day(start, "start"), _day(end, "end")
    if first > last:
        raise click.UsageError(f"--start {first} is after --end {last}")
    with no_collections():
        written, result = _run(desk, first, last, hedge, report_path, as_json, fill_style)
    if as_json:
        click.echo(json.dumps({**result.to_dict(), "report": str(written)}))
        return
    for line in _summary(result):
        click.echo(line)
    click.echo(f"report: {written}")


def _run(desk: DeskContext, first: date, last: date, hedge: bool, report_path: str | None,
         as_json: bool, fill_style: str) -> tuple[Path, BacktestResult]:
    """The backtest and its report: (the report's path, the result)."""
    from marketdata.calendar import CalendarNotCovered
    from marketdata.errors import MarketDataError
    from strategies.backtest import LadderHedge, run_backtest, write_report
    from strategies.backtest.fills import FillRules, FillStyle

    try:
        policy = LadderHedge(desk.settings.risk, desk.calendar,
                             desk.store.load_futures(first, last)) if hedge else None
        # The execution service's own participation cap, as configured.
        rules = FillRules(FillStyle(fill_style), desk.settings.execution.algo.max_participation)
        result = run_backtest(desk.store, first, last, desk.settings.model, hedge=policy,
                              progress=not as_json, fills=rules)
    except (ValueError, MarketDataError, CalendarNotCovered) as exc:
        raise click.ClickException(str(exc)) from None
    target = Path(report_path) if report_path else \
        desk.data_dir / "reports" / f"backtest_{first}_{last}.html"
    return write_report(result, target), result
