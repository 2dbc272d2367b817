"""`desk model run`: the nightly job by hand."""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import click

from services.cli.context import DeskContext, pass_desk
from services.runtime import ServiceContext
from services.scheduler.dates import explicit_dates, paper_dates, production_dates


@click.group("model")
def model_group() -> None:
    """The nightly factor/rotation model."""


@model_group.command("run")
@click.option("--date", "signal", type=click.DateTime(["%Y-%m-%d"]),
              help="Signal date (the data day). Default: the latest due day "
                   "(paper mode: the day before the latest stored day).")
@click.option("--dry-run", is_flag=True, help="Build the batch but do not publish it.")
@click.option("--json", "as_json", is_flag=True, help="Print the batch as one JSON object.")
@click.option("--allow-large-turnover", is_flag=True,
              help="Publish even a batch selling more than model.guard.max_sell_share of the "
                   "book (the batch and an alert say so).")
@pass_desk
def model_run(desk: DeskContext, signal: object, dry_run: bool, as_json: bool,
              allow_large_turnover: bool) -> None:
    """Run the model now and publish the batch for the next trading day."""
    with _without_cycle_collection():
        _model_run(desk, signal, dry_run, as_json, allow_large_turnover)


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """One short run: the cyclic collector would walk the ~100k objects the imports leave,
    over and over (0.1-0.2 s of the command); reference counting still frees the arrays."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _model_run(desk: DeskContext, signal: object, dry_run: bool, as_json: bool,
               allow_large_turnover: bool) -> None:
    from services.scheduler.nightly import run_nightly

    signal_date, trade_date = _dates(desk, signal)
    # The command's store and calendar, not second copies: each is opened once.
    ctx = ServiceContext(settings=desk.settings, client=desk.client(), clock=desk.clock,
                         data_dir=desk.data_dir, _store=desk.store, _calendar=desk.calendar)
    outcome = run_nightly(ctx, signal_date, trade_date, dry_run=dry_run, trigger="cli",
                          allow_large_turnover=allow_large_turnover)
    if as_json and outcome.model_batch is not None:
        click.echo(json.dumps(outcome.model_batch.to_dict(), default=str, ensure_ascii=False))
    elif as_json:
        click.echo(json.dumps(outcome.record()))
    else:
        click.echo(f"model run for {signal_date} (trading {trade_date}): {outcome.outcome}"
                   f"{' - ' + outcome.detail if outcome.detail else ''}")
        for problem in outcome.problems:
            click.echo(f"  - {problem}")
        if outcome.outcome == "published":
            click.echo("approve with: desk orders, then desk approve --all (or ID ...)")
    if outcome.outcome not in ("published", "dry-run"):
        sys.exit(1)


def _dates(desk: DeskContext, signal: object) -> tuple[date, date]:
    cal = desk.calendar
    if signal is not None:
        return explicit_dates(signal.date(), cal)  # type: ignore[attr-defined]
    if desk.settings.mode == "paper":
        latest = desk.store.latest_date()
        if latest is None:
            raise click.ClickException("no market data: run 'desk data demo' first")
        return paper_dates(latest, cal)
    return production_dates(desk.clock.now(), cal, desk.settings.scheduler.run_time)
