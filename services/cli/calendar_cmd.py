"""`desk calendar`: see the trading calendar, draft a new year, add the year's closures."""

from __future__ import annotations

import getpass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from marketdata.clock import WallClock
from services.cli.context import DeskContext, pass_desk

if TYPE_CHECKING:
    from marketdata.calendar import TradingCalendar
    from marketdata.holidays import HolidayFile

_DATE = click.DateTime(formats=["%Y-%m-%d"])
_YEAR = click.IntRange(1991, 2100)


class CalendarOptions:
    def __init__(self, desk: DeskContext, file: Path | None) -> None:
        self.desk = desk
        self.file = file or desk.settings.holidays_path


@click.group("calendar")
@click.option("--file", "file", type=click.Path(dir_okay=False, path_type=Path),
              help="Holiday file (default: the settings' data.holidays_file).")
@pass_desk
@click.pass_context
def calendar_group(ctx: click.Context, desk: DeskContext, file: Path | None) -> None:
    """The trading calendar: show a year, draft the next one, add its closures."""
    ctx.obj = CalendarOptions(desk, file)


pass_options = click.make_pass_decorator(CalendarOptions)


def _load(options: CalendarOptions) -> tuple[TradingCalendar, HolidayFile]:
    from marketdata.calendar import load_calendar
    from marketdata.holidays import HolidayFileError, read_holiday_file

    try:
        return load_calendar(options.file), read_holiday_file(options.file)
    except HolidayFileError as exc:
        raise click.ClickException(str(exc)) from None


@calendar_group.command("show")
@click.argument("year", required=False, type=_YEAR)
@pass_options
def show_command(options: CalendarOptions, year: int | None) -> None:
    """YEAR's trading days and closures, where each comes from, and where the calendar ends."""
    from marketdata.calendar_notice import calendar_notice
    from marketdata.calendar_view import render_year, year_view

    calendar, content = _load(options)
    today = WallClock().now().date()
    for line in render_year(year_view(calendar, content, year or today.year)):
        click.echo(line)
    notice = calendar_notice(calendar, today, options.desk.settings.data.calendar_warning_days)
    if notice is not None:
        click.echo(notice.text)


@calendar_group.command("draft")
@click.argument("year", type=_YEAR)
def draft_command(year: int) -> None:
    """Propose YEAR's exchange closures from the statutory holiday rules (a draft only).

    The output can be saved and given to `desk calendar add --closures FILE`.
    """
    from marketdata.calendar_draft import AMENDED_FROM, draft_closures

    click.echo(f"# DRAFT exchange closures for {year}: estimated from the statutory holidays "
               "(全国年节及纪念日放假办法, Order No. 795) and the lunar calendar (lunar_python).")
    click.echo("# NOT the exchange's notice: never used by itself. Accept part of it with "
               "`desk calendar add YEAR --closures FILE --through DATE --source ...`.")
    if year < AMENDED_FROM:
        click.echo(f"# {year} predates the 2025 amendment: statutory days were fewer then.")
    for closure in draft_closures(year):
        click.echo(f"{closure.day} {closure.day:%a}  {closure.holiday}  # {closure.rule}")


@calendar_group.command("add")
@click.argument("year", type=_YEAR)
@click.option("--closures", "spec", required=True,
              help="A file (one date per line, '#' comments; a saved draft works) or dates "
                   "separated by commas.")
@click.option("--source", required=True, help="Where the list comes from (e.g. the SSE notice).")
@click.option("--through", type=_DATE,
              help="Accept the list only up to this date: those days are PROVISIONAL until the "
                   "official list for the year is added.")
@click.option("--by", "by", help="Who adds it (default: the OS user).")
@click.option("--replace", is_flag=True, help="Replace the year's existing official list.")
@pass_options
def add_command(options: CalendarOptions, year: int, spec: str, source: str,
                through: datetime | None, by: str | None, replace: bool) -> None:
    """Check YEAR's closures and write them into the holiday file (atomically)."""
    from marketdata.calendar import library_sessions
    from marketdata.calendar_edit import AddRequest, CalendarEditError, add_year, read_closures
    from marketdata.holidays import HolidayFileError

    end = through.date() if through is not None else None
    try:
        days = read_closures(spec)
        days, dropped = _within(days, end)
        request = AddRequest(year, tuple(days), source.strip(), by or getpass.getuser(),
                             WallClock().now(), end, replace)
        result = add_year(options.file, request, library_sessions()[2], _stored(options.desk))
    except (CalendarEditError, HolidayFileError) as exc:
        raise click.ClickException(str(exc)) from None
    if dropped:
        click.echo(f"not used (after --through {end}): {', '.join(map(str, dropped))}")
    kind = f"PROVISIONAL through {end}" if end else "official"
    added = result.content.years[year]
    click.echo(f"{options.file}: {year} {kind}, {len(days)} closure(s) added by {added.by} "
               f"at {added.at.isoformat()} (source: {added.source}); the calendar now "
               f"covers through {result.content.covered_through}")
    if result.replaced is not None:
        click.echo(f"replaced the list added by {result.replaced.by} at "
                   f"{result.replaced.at.isoformat()} ({result.replaced.source})")
    _compare_with_draft(year, days, end)
    click.echo("Restart the desk services (systemctl restart smallcap-desk.target, or "
               "desk run) so every service loads it.")


def _within(days: list[date], through: date | None) -> tuple[list[date], list[date]]:
    """With --through, the dates after it (e.g. the rest of a saved draft) are not used."""
    if through is None:
        return days, []
    return ([d for d in days if d <= through or d.year != through.year],
            [d for d in days if d > through and d.year == through.year])


def _stored(desk: DeskContext) -> set[date]:
    try:
        return set(desk.store.trade_dates())
    except FileNotFoundError:
        return set()


def _compare_with_draft(year: int, days: list[date], through: date | None) -> None:
    from marketdata.calendar_draft import draft_closures

    drafted = {c.day for c in draft_closures(year) if through is None or c.day <= through}
    missing, extra = sorted(drafted - set(days)), sorted(set(days) - drafted)
    if missing or extra:
        click.echo(f"differs from the draft: not listed {[str(d) for d in missing]}, "
                   f"not in the draft {[str(d) for d in extra]} (check against the notice)")
    else:
        click.echo("matches the draft for the same days")
