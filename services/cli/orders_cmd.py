"""`desk orders | approve | reject | pause | resume | cancel | halt | order add | audit`.

The same decisions as the console, through the same queue: each is an audited
transition under a desk user's name (`--as`, env DESK_USER, default the login name),
and that user must be an enabled account whose role allows it.
"""

from __future__ import annotations

import getpass
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal

import click
from click.decorators import FC
from pydantic import ValidationError

from execution.approval.lifecycle import Action, IllegalTransition
from execution.approval.manual import ManualOrderRefused, ManualOrderRequest, add_manual_order
from execution.approval.queue import BulkResult, OrderQueue, UnknownOrder
from execution.approval.reference_data import ReferenceData
from orders.order import OrderRecord, OrderState
from services.cli.context import DeskContext, pass_desk
from services.cli.errors import sentence, tidy, validation_sentence
from services.cli.rules_cmd import DecimalParam
from services.cli.table import Column, table
from services.console.numbers import price_text, quantity_text
from services.console.reads import audit_entries, changed_fields, last_prices
from services.console.users import Role, UserStore
from services.replicated_ack import Acknowledged, AckPolicy, decide

NOT_ACKNOWLEDGED_EXIT = 75  # EX_TEMPFAIL: on the primary, no replica confirmed it in time
AS_USER = click.option("--as", "as_user", envvar="DESK_USER", default=None,
                       help="Desk user deciding (env DESK_USER; default: your login name).")


def account_option(help_text: str) -> Callable[[FC], FC]:
    return click.option("--account", "account", default=None, metavar="NAME", help=help_text)


def known_account(desk: DeskContext, name: str | None) -> str | None:
    """`name` if the desk has that account (None: not given), else a usage error naming it."""
    from services.accounts import account_names

    if name is None:
        return None
    names = account_names(desk.settings)
    if name not in names:
        raise click.BadParameter(f"unknown account {name!r}: the desk has {', '.join(names)}",
                                 param_hint="'--account'")
    return name


def several_accounts(desk: DeskContext) -> bool:
    from services.accounts import account_names

    return len(account_names(desk.settings)) > 1


def desk_user(desk: DeskContext, as_user: str | None, needed: Role) -> str:
    """The named desk account, if it exists, is enabled and its role allows `needed`."""
    name = as_user or getpass.getuser()
    user = UserStore(desk.client()).get(name)
    if user is None or user.disabled:
        raise click.ClickException(
            f"{name} is not an enabled desk user: pass --as USER (see 'desk users list')")
    if not user.role.allows(needed):
        raise click.ClickException(f"{name} is a {user.role.value}: this needs {needed.value}")
    return name


@click.command("orders")
@click.option("--state", "states", multiple=True, type=click.Choice([s.value for s in OrderState]),
              help="Only these states (repeatable). Default: all.")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Trade date (default: the current batch).")
@click.option("--json", "as_json", is_flag=True, help="One JSON record per line.")
@account_option("Only this account's orders (default: every account's).")
@pass_desk
def orders_command(desk: DeskContext, states: tuple[str, ...], day: datetime | None,
                   as_json: bool, account: str | None) -> None:
    """List orders of a trade date with their state and approvals."""
    account = known_account(desk, account)
    queue = desk.queue()
    trade_date = day.date() if day is not None else queue.current_trade_date()
    wanted = [OrderState(s) for s in states] or None
    records = queue.list_orders(trade_date, states=wanted) if trade_date else []
    if account is not None:
        records = [r for r in records if queue.account_of(r.order) == account]
    if as_json:
        for record in records:
            click.echo(record.to_json())
        return
    if trade_date is None:
        click.echo("no orders: no batch yet (the model publishes one every trading evening)")
        return
    if not records:
        click.echo(nothing_listed(states, trade_date)
                   + (f" in account {account}" if account else ""))
        return
    click.echo(f"Orders for {trade_date}" + (f", account {account}" if account else ""))
    prices = last_prices(desk.client(), (r.order.symbol for r in records))
    if several_accounts(desk):  # each row says whose it is
        rows = [[queue.account_of(r.order), *_cells(r, prices)] for r in records]
        lines = table((Column("ACCOUNT"), *ORDER_COLUMNS), rows)
    else:
        lines = table(ORDER_COLUMNS, [_cells(r, prices) for r in records])
    for line in lines:
        click.echo(line)
    click.echo(count_line(records))


ORDER_COLUMNS = (
    Column("ORDER"), Column("VER"), Column("SYMBOL"), Column("NAME"), Column("SIDE"),
    Column("QTY", right=True), Column("REF", right=True), Column("LAST", right=True),
    Column("LIMIT", right=True),
    Column("STATE"), Column("FILLED", right=True), Column("APPR", right=True), Column("BY"),
)


SOURCE_MARKS = {"prev_close": " prev", "auction": " auct"}  # nothing traded yet


def _cells(record: OrderRecord, prices: Mapping[str, Decimal]) -> list[str]:
    o = record.order
    last = prices.get(o.symbol)
    mark = SOURCE_MARKS.get(str(getattr(last, "source", "")), "")
    approvals = sum(1 for a in record.approvals if a.version == o.version)
    limit = price_text(o.limit_price, o.symbol) if o.limit_price is not None else "-"
    return [o.order_id, f"v{o.version}", o.symbol, o.name, o.side.value, quantity_text(o.quantity),
            price_text(o.reference_price, o.symbol),
            "-" if last is None else price_text(last, o.symbol) + mark, limit, record.state.value,
            quantity_text(record.filled_quantity), f"{approvals}/{record.approvals_needed}",
            o.created_by]


def nothing_listed(states: tuple[str, ...], trade_date: date) -> str:
    if states == (OrderState.PENDING_APPROVAL.value,):
        return f"no pending orders for {trade_date}"
    if states:
        return f"no orders in state {', '.join(states)} for {trade_date}"
    return f"no orders for {trade_date}"


def count_line(records: list[OrderRecord]) -> str:
    """`98 orders: 95 pending approval, 3 approved` (states in words, most first)."""
    counts = Counter(r.state.value.replace("_", " ") for r in records)
    parts = ", ".join(f"{n} {state}" for state, n in counts.most_common())
    return f"{len(records)} order{'s' if len(records) != 1 else ''}: {parts}"


@click.command("approve")
@click.argument("order_ids", nargs=-1)
@click.option("--all", "approve_all", is_flag=True, help="Every order pending approval.")
@click.option("--confirm-move", is_flag=True,
              help="Confirm orders whose price moved past the re-confirmation threshold.")
@account_option("With --all: only this account's pending orders.")
@AS_USER
@pass_desk
def approve_command(desk: DeskContext, order_ids: tuple[str, ...], approve_all: bool,
                    confirm_move: bool, account: str | None, as_user: str | None) -> None:
    """Approve orders by id, or --all pending ones."""
    if bool(order_ids) == approve_all:
        raise click.UsageError("give order ids or --all (not both)")
    if account is not None and not approve_all:
        raise click.UsageError("--account goes with --all (ids name their orders)")
    account = known_account(desk, account)
    actor = desk_user(desk, as_user, Role.TRADER)
    queue = desk.queue()
    ids = list(order_ids) or [r.order_id for r in
                              queue.list_orders(states=[OrderState.PENDING_APPROVAL])
                              if account is None or queue.account_of(r.order) == account]
    if not ids:
        click.echo("no pending orders to approve")
        return
    _report(_decided(desk, queue, "approval", ids,
                     lambda q: q.apply_many(ids, Action.APPROVE, actor=actor,
                                            confirmed_move=confirm_move)), "approved")


@click.command("reject")
@click.argument("order_ids", nargs=-1, required=True)
@click.option("--reason", required=True, help="Why (kept in the audit).")
@AS_USER
@pass_desk
def reject_command(desk: DeskContext, order_ids: tuple[str, ...], reason: str,
                   as_user: str | None) -> None:
    """Reject orders, with a reason."""
    if not reason.strip():
        raise click.UsageError("--reason must not be empty")
    actor = desk_user(desk, as_user, Role.TRADER)
    ids = list(order_ids)
    _report(_decided(desk, desk.queue(), "rejection", ids,
                     lambda q: q.apply_many(ids, Action.REJECT, actor=actor, reason=reason)),
            "rejected")


def _decided(desk: DeskContext, queue: OrderQueue, what: str, ids: list[str],
             decision: Callable[[OrderQueue], BulkResult]) -> Acknowledged[BulkResult]:
    """The decision, acknowledged once `redis.replicas_to_ack` replicas hold it."""
    shown = ", ".join(ids[:5]) + (f" (+{len(ids) - 5} more)" if len(ids) > 5 else "")
    return decide(queue, AckPolicy.of(desk.settings.redis), f"{what} of {shown}", decision)


def _report(outcome: Acknowledged[BulkResult], verb: str) -> None:
    """One line per order, refusals as errors on stderr, a summary; exit 1 if any refused,
    exit 75 if the decision is on the primary but no replica confirmed it."""
    result = outcome.result
    for record in result.changed:
        click.echo(f"{record.order_id}: {verb} -> {record.state.value}{_progress(record)}")
    for order_id, why in result.refused.items():
        click.echo(f"Error: {order_id}: {tidy(why)}", err=True)
    done, refused = len(result.changed), len(result.refused)
    click.echo(f"{done} {verb}" + (f", {refused} refused" if refused else ""))
    if outcome.problem and result.changed:
        click.echo(f"Error: NOT acknowledged: {outcome.problem}", err=True)
        raise SystemExit(NOT_ACKNOWLEDGED_EXIT)
    if result.refused:
        raise SystemExit(1)


def _progress(record: OrderRecord) -> str:
    """What an approval did: released to execution, or still waiting for approvers."""
    if record.state is OrderState.PENDING_APPROVAL and record.approvals:
        given = sum(1 for a in record.approvals if a.version == record.order.version)
        return f" ({given} of {record.approvals_needed} approvals)"
    if record.state is OrderState.APPROVED:
        return " (released to execution)"
    return ""


def _control(command: str) -> click.Command:
    @click.command(command, help=f"{command.capitalize()} an order.")
    @click.argument("order_id")
    @click.option("--reason", default="", help="Why (kept in the audit).")
    @AS_USER
    @pass_desk
    def run(desk: DeskContext, order_id: str, reason: str, as_user: str | None) -> None:
        actor = desk_user(desk, as_user, Role.TRADER)
        try:
            click.echo(desk.queue().request_control(order_id, command, actor=actor, reason=reason))
        except (UnknownOrder, IllegalTransition) as exc:
            raise click.ClickException(sentence(exc)) from None  # a KeyError's str() quotes

    return run


@click.command("halt")
@click.option("--reason", required=True, help="Why trading is halted (or may resume).")
@click.option("--lift", is_flag=True, help="Lift the halt (admin only).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@AS_USER
@pass_desk
def halt_command(desk: DeskContext, reason: str, lift: bool, yes: bool,
                 as_user: str | None) -> None:
    """The kill switch: halt all trading (asks for confirmation)."""
    actor = desk_user(desk, as_user, Role.ADMIN if lift else Role.TRADER)
    if not lift and not yes:
        click.confirm("Halt ALL trading now?", abort=True)
    desk.queue().halt(actor=actor, reason=reason, halted=not lift)
    click.echo("halt lifted" if lift else f"ALL TRADING HALTED by {actor}: {reason}")


@click.group("order")
def order_group() -> None:
    """Manual orders."""


@order_group.command("add")
@click.argument("symbol")
@click.argument("side", type=click.Choice(["buy", "sell"]))
@click.argument("quantity", type=click.IntRange(min=1))
@click.option("--reason", required=True, help="Why (e.g. sell on news).")
@click.option("--limit", "limit_price", type=DecimalParam(), default=None)
@click.option("--prev-close", type=DecimalParam(), default=None,
              help="Previous close for the daily-limit check (default: the store's latest close).")
@click.option("--name", default="", help="Stock name (default: as the data gives it).")
@click.option("--algo", type=click.Choice(["twap", "vwap", "pov"]), default="twap")
@click.option("--start", "start_time", default="09:30")
@click.option("--end", "end_time", default="14:55")
@account_option("The account the order trades for; its ledger says what may be sold "
                "(default: the first account).")
@AS_USER
@pass_desk
def order_add_command(desk: DeskContext, symbol: str, side: str, quantity: int, reason: str,
                      limit_price: Decimal | None, prev_close: Decimal | None, name: str,
                      algo: str, start_time: str, end_time: str, account: str | None,
                      as_user: str | None) -> None:
    """Add a manual order; it passes the pre-trade checks and waits for approval."""
    from services.accounts import default_account

    chosen = known_account(desk, account) or default_account(desk.settings)
    actor = desk_user(desk, as_user, Role.TRADER)
    facts = ReferenceData(desk.store).facts(symbol)
    try:
        request = ManualOrderRequest.model_validate({
            "symbol": symbol, "side": side, "quantity": quantity, "limit_price": limit_price,
            "reason": reason, "name": name or facts.name, "algo": algo,
            "start_time": start_time, "end_time": end_time})
        record = add_manual_order(desk.queue(), request, author=actor,
                                   prev_close=prev_close or facts.prev_close, st=facts.st,
                                   account=chosen)
    except ValidationError as exc:
        raise click.ClickException(validation_sentence(exc)) from None
    except (ValueError, ManualOrderRefused) as exc:
        raise click.ClickException(sentence(exc)) from None
    whose = f" for account {chosen}" if several_accounts(desk) else ""
    click.echo(f"{record.order_id}{whose}: {record.state.value} (needs approval)")


@click.command("audit")
@click.option("--order", "order_id", default="", help="Only this order.")
@click.option("--actor", default="", help="Only this user or policy.")
@click.option("-n", "count", default=50, type=click.IntRange(1, 5000))
@click.option("--json", "as_json", is_flag=True)
@pass_desk
def audit_command(desk: DeskContext, order_id: str, actor: str, count: int,
                  as_json: bool) -> None:
    """The audit trail, newest first: who, when, why, and what changed."""
    entries = audit_entries(desk.client(), count, order_id=order_id, actor=actor)
    if not entries and not as_json:
        whose = " ".join(filter(None, (f"of order {order_id}" if order_id else "",
                                       f"by {actor}" if actor else "")))
        click.echo(f"no audit entries {whose}".strip())
    for entry in entries:
        if as_json:
            click.echo(entry.model_dump_json())
            continue
        changes = ", ".join(f"{k}: {b} -> {a}" for k, b, a in changed_fields(entry))
        click.echo(f"{entry.at:%Y-%m-%d %H:%M:%S} {entry.order_id} {entry.action} "
                   f"by {entry.actor}" + (f" ({entry.reason})" if entry.reason else "")
                   + (f" [{changes}]" if changes else ""))


ORDER_COMMANDS: tuple[click.Command, ...] = (
    orders_command, approve_command, reject_command, _control("pause"), _control("resume"),
    _control("cancel"), halt_command, order_group, audit_command,
)
