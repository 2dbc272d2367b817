"""`desk rules SYMBOL --date D --prev-close P`: what the desk believes about one stock;
`desk rules IM2612.CFFEX --date D --prev-settlement P` for an index-future contract;
`desk rules MO2703-P-6000.CFFEX --date D --prev-settlement P --index-prev-close I` for
an index option (its limits are its previous settlement +/- 10% of the index's close).

Needs no Redis and no data store. The trading calendar (for counting a new listing's
days, or an IM contract's last trading day) comes from the desk's context
(`DeskContext.calendar`) when the command runs under `desk`; run on its own, it
counts weekdays and says so (`day_count: weekdays`).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import click

from exchange import TradingDays, classify, describe
from marketdata.calendar import CalendarNotCovered


class DecimalParam(click.ParamType):
    """A price typed by the operator, kept exact."""

    name = "decimal"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> Decimal:
        if isinstance(value, Decimal):
            return value
        try:
            parsed = Decimal(str(value))
        except InvalidOperation:
            self.fail(f"{value!r} is not a decimal number", param, ctx)
        if not parsed.is_finite() or parsed <= 0:
            self.fail(f"{value!r}: expected a positive price", param, ctx)
        return parsed


ISO_DATE = click.DateTime(formats=["%Y-%m-%d"])


@click.command("rules")
@click.argument("symbol")
@click.option("--date", "on", type=ISO_DATE, required=True, help="Trade date, YYYY-MM-DD.")
@click.option("--prev-close", type=DecimalParam(), default=None, help="Previous close (stocks).")
@click.option(
    "--prev-settlement",
    type=DecimalParam(),
    default=None,
    help="Previous settlement price (futures; on a contract's first day, --listed, its "
    "listing benchmark price).",
)
@click.option(
    "--index-prev-close",
    type=DecimalParam(),
    default=None,
    help="Options: the CSI 1000's previous close (the limits are the previous settlement "
    "+/- 10% of it).",
)
@click.option("--st", is_flag=True, help="The stock carries a risk warning (ST, *ST).")
@click.option("--listed", type=ISO_DATE, default=None, help="Listing date, YYYY-MM-DD.")
@click.option(
    "--delisting-day",
    type=click.IntRange(min=1),
    default=None,
    help="Day of the delisting period (1 = its first day).",
)
@click.option(
    "--last-trading-day",
    "last_day",
    type=ISO_DATE,
    default=None,
    help="Futures and options: the contract's last trading day as the exchange listed it "
    "(needed when the trading calendar does not reach the contract month).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
def rules_command(
    ctx: click.Context,
    symbol: str,
    on: datetime,
    prev_close: Decimal | None,
    prev_settlement: Decimal | None,
    index_prev_close: Decimal | None,
    st: bool,
    listed: datetime | None,
    delisting_day: int | None,
    last_day: datetime | None,
    as_json: bool,
) -> None:
    """Exchange, board, price band, limit prices and order sizes of SYMBOL on a day."""
    trade_date = on.date()
    listed_date = listed.date() if listed else None
    try:
        reference = _reference(symbol, trade_date, prev_close, prev_settlement)
        _check_index_close(symbol, trade_date, index_prev_close)
        listed_last_day = _listed_last_day(symbol, trade_date, last_day)
        calendar = _calendar(ctx, symbol, trade_date, listed_date)
        answer = describe(
            symbol,
            trade_date,
            reference,
            st=st,
            listed=listed_date,
            delisting_day=delisting_day,
            calendar=calendar,
            last_day=listed_last_day,
            index_prev_close=index_prev_close,
        )
    except CalendarNotCovered as exc:
        hint = (" For a contract, pass --last-trading-day D, the date the exchange listed."
                if classify(symbol, trade_date).is_derivative else "")
        raise click.ClickException(f"{exc}{hint}") from None
    except ValueError as exc:  # RulesError is a ValueError
        raise click.ClickException(str(exc)) from None
    click.echo(json.dumps(answer) if as_json else _as_text(answer))


def _reference(
    symbol: str, on: date, prev_close: Decimal | None, prev_settlement: Decimal | None
) -> Decimal:
    """The price the limits come from: a stock's previous close, a contract's previous
    settlement (CFFEX limits are never computed from the previous close)."""
    info = classify(symbol, on)
    if info.is_derivative:
        if prev_settlement is None:
            kind = "an options" if info.is_option else "a futures"
            raise click.UsageError(
                f"{symbol} is {kind} contract: its limits come from the previous "
                "settlement price, pass --prev-settlement P (not --prev-close)"
            )
        if prev_close is not None:
            raise click.UsageError(
                f"{symbol}: pass --prev-settlement only; a contract's limits never come "
                "from its previous close"
            )
        return prev_settlement
    if prev_settlement is not None:
        raise click.UsageError(f"{symbol} is a stock: pass --prev-close, not --prev-settlement")
    if prev_close is None:
        raise click.UsageError(f"{symbol}: pass --prev-close P")
    return prev_close


def _check_index_close(symbol: str, on: date, index_prev_close: Decimal | None) -> None:
    option = classify(symbol, on).is_option
    if option and index_prev_close is None:
        raise click.UsageError(
            f"{symbol} is an option: its limits are its previous settlement +/- 10% of the "
            "CSI 1000's previous close, pass --index-prev-close P"
        )
    if not option and index_prev_close is not None:
        raise click.UsageError(f"{symbol}: --index-prev-close is for index options only")


def _listed_last_day(symbol: str, on: date, last_day: datetime | None) -> date | None:
    if last_day is None:
        return None
    if not classify(symbol, on).is_derivative:
        raise click.UsageError(
            f"{symbol} is a stock: --last-trading-day is for index futures and options")
    if last_day.date() < on:
        raise click.UsageError(f"{symbol}: --last-trading-day {last_day.date()} is before "
                               f"--date {on}: the contract has expired")
    return last_day.date()


def _calendar(ctx: click.Context, symbol: str, on: date, listed: date | None) -> TradingDays | None:
    """The desk's calendar, when one is needed and `desk` put its context in `ctx.obj`.

    The context is looked up by its `calendar` attribute (not imported), so the command
    also runs on its own, without settings.
    """
    if listed is None and not classify(symbol, on).is_derivative:
        return None
    desk = ctx.find_root().obj
    if desk is None or not hasattr(type(desk), "calendar"):
        return None
    calendar: TradingDays = desk.calendar
    return calendar


def _as_text(answer: dict[str, object]) -> str:
    width = max(len(key) for key in answer)
    lines = []
    for key, value in answer.items():
        shown = "no limit" if value is None and key in ("band", "limit_up", "limit_down") else value
        if isinstance(value, dict):
            shown = ", ".join(f"{k}={v}" for k, v in value.items())
        lines.append(f"{key:<{width}}  {'-' if shown is None else shown}")
    return "\n".join(lines)
