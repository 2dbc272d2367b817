"""`desk run`, `desk status`, `desk demo`, `desk redis-cli`."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from services.cli.context import DeskContext, pass_desk
from services.registry import SERVICES

if TYPE_CHECKING:
    from services.settings import DeskSettings

REDIS_DOWN_EXIT = 3


@click.command("run")
@click.argument("service", required=False, metavar="[SERVICE]")
@click.option("--supervised", is_flag=True, hidden=True)
@pass_desk
def run_command(desk: DeskContext, service: str | None, supervised: bool) -> None:
    """Run the whole desk (default), or one SERVICE in the foreground.

    SERVICE is one of scheduler, execution, risk, console, alerts; with several
    accounts, execution@NAME and risk@NAME run one account's services.

    The whole desk: the embedded Redis (unless redis.url is set), then scheduler,
    execution, risk, console and alerts, each its own process, restarted if it dies.
    Ctrl-C or SIGTERM stops everything cleanly; a second one stops at once.
    """
    from services.logs import setup_logging

    settings = desk.settings
    if service is None:
        from services.supervisor import Supervisor

        setup_logging("supervisor", desk.data_dir, settings.logging)
        _banner(desk)
        sys.exit(Supervisor(settings, _config_arg(), list(settings.supervisor.services)).run())
    from services.paper import prepare_paper_day
    from services.redis_acl import ENV_USER
    from services.registry import build_service
    from services.runtime import Runner, exit_process

    kind = _known_service(service, settings)

    setup_logging(service, desk.data_dir, settings.logging)
    if not supervised:
        client = desk.client()  # starts the embedded Redis for a standalone service
        if settings.mode == "paper":
            prepare_paper_day(settings, client)
    os.environ.setdefault(ENV_USER, kind)  # from here on: this service's own Redis user
    try:
        built = build_service(service, settings)
    except KeyError as exc:
        raise click.BadParameter(str(exc.args[0]), param_hint="SERVICE") from None
    runner = Runner(built,
                    heartbeat_interval_s=settings.supervisor.heartbeat_interval_s,
                    heartbeat_ttl_s=settings.supervisor.heartbeat_ttl_s)
    runner.install_signal_handlers(supervised)
    exit_process(runner.run())


def _known_service(service: str, settings: DeskSettings) -> str:
    """The kind of SERVICE (`execution` for `execution@B`), or a usage error naming it
    (before anything is started)."""
    from services.accounts import PER_ACCOUNT, account_names, split_service

    kind, account = split_service(service)
    if kind not in SERVICES or (account is not None and kind not in PER_ACCOUNT):
        raise click.BadParameter(
            f"{service!r}: one of {', '.join(sorted(SERVICES))}, or "
            f"{' / '.join(PER_ACCOUNT)}@<account>", param_hint="SERVICE")
    if account is not None and account not in account_names(settings):
        raise click.BadParameter(f"{service!r}: unknown account {account!r}; the desk has "
                                 f"{list(account_names(settings))}", param_hint="SERVICE")
    return kind


def _config_arg() -> str | None:
    ctx = click.get_current_context()
    root = ctx.find_root()
    value = root.params.get("config_file")
    return str(value) if value else None


def _banner(desk: DeskContext) -> None:
    s = desk.settings
    click.echo(f"smallcap-desk starting in {s.mode} mode; data in {desk.data_dir.resolve()}")
    click.echo(f"  console:  http://{s.console.host}:{s.console.port}/  (Ctrl-C stops the desk)")
    click.echo("  batch:    desk orders            approve: desk approve --all  (or IDs)")
    click.echo("  health:   desk status            logs: " f"{desk.data_dir / 'logs'}")


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="One JSON object instead of text.")
@pass_desk
def status_command(desk: DeskContext, as_json: bool) -> None:
    """Services (alive, last heartbeat), streams (length, pending), batch, runs, halt."""
    from services.connect import connect
    from services.status import collect_status, down_report, redis_down, render_status

    down = redis_down(desk.settings)  # status never starts Redis: it says it is down
    if down is not None:
        click.echo(json.dumps(down_report(desk.settings, down)) if as_json else down)
        sys.exit(REDIS_DOWN_EXIT)
    report = collect_status(connect(desk.settings), desk.settings)
    click.echo(json.dumps(report, default=str) if as_json else render_status(report))


@click.command("demo")
@click.option("--auto-approve", is_flag=True, help="Approve the whole batch, as a trader would.")
@click.option("--json", "as_json", is_flag=True, help="Last line: one JSON object of figures.")
@click.option("--speed", type=float, default=None,
              help="Simulated seconds per real second (default from settings.clock, min 240).")
@click.option("--stocks", type=int, default=None, help="Stocks in the demo market.")
@click.option("--keep", is_flag=True, help="Keep the demo's data directory afterwards.")
@click.option("--days", type=click.IntRange(1, 250), default=None,
              help="Trade this many days in a row on the stepped clock (as fast as the desk "
                   "keeps up) instead of one day at --speed.")
@click.option("--scenario", type=click.Choice(["crash2024"]), default=None,
              help="With --days: a market episode inside the run (crash2024: the 2024-style "
                   "micro-cap crash, so the hedge ladder acts).")
@click.option("--accounts", type=click.IntRange(1, 5), default=1, show_default=True,
              help="With --days: this many fund products (paper, paper-2 ... each with "
                   "half the capital of the one before; docs/accounts.md).")
@pass_desk
def demo_command(desk: DeskContext, auto_approve: bool, as_json: bool, speed: float | None,
                 stocks: int | None, keep: bool, days: int | None, scenario: str | None,
                 accounts: int) -> None:
    """A compressed simulated trading day (or --days N in a row) through the whole desk,
    non-interactively.

    Always uses the shipped paper settings and its own Redis in DATA_DIR/demo, so it
    never touches a configured Redis or broker.
    """
    from services.settings_loader import DEFAULT_CONFIG, load_settings

    paper = load_settings(DEFAULT_CONFIG).model_copy(update={"data_dir": desk.data_dir})
    if days is None and scenario is not None:
        raise click.UsageError("--scenario needs --days (a scenario plays over several days)")
    if days is None and accounts > 1:
        raise click.UsageError("--accounts needs --days (several products over days)")
    if accounts > 1:
        from services.accounts import demo_accounts

        paper = demo_accounts(paper, accounts)
    if days is not None:
        from services.paper_days import run_paper_days

        summary = run_paper_days(paper, days=days, auto_approve=auto_approve,
                                 scenario=scenario, stocks=stocks, keep=keep, echo=click.echo)
    else:
        from services.demo import run_demo

        summary = run_demo(paper, auto_approve=auto_approve, speed=speed, stocks=stocks,
                           keep=keep, echo=click.echo)
    if as_json:
        click.echo(json.dumps(summary, default=str))
    if summary.get("error"):
        sys.exit(1)


@click.command("redis-cli", context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@pass_desk
def redis_cli_command(desk: DeskContext, args: tuple[str, ...]) -> None:
    """redis-cli against the desk's Redis, e.g. `desk redis-cli XLEN desk:batches`."""
    from services.connect import embedded_for
    from services.redis_acl import ADMIN
    from services.redis_server import redis_binary

    binary = str(Path(redis_binary()).with_name("redis-cli"))
    server = embedded_for(desk.settings)
    target = ["-s", str(server.socket)] if server else ["-u", str(desk.settings.redis.url)]
    if server is not None and not server.is_running():
        raise click.ClickException("the desk's Redis is not running: start it with 'desk run'")
    env = dict(os.environ)
    if server is not None:  # the admin user; the password in the environment, not in argv
        target += ["--user", ADMIN]
        env["REDISCLI_AUTH"] = server.password(ADMIN) or ""
    elif desk.settings.redis.sentinel.enabled:  # the primary the sentinels name now
        target, password = _primary_target(desk)
        env["REDISCLI_AUTH"] = password or ""
    os.execve(binary, [binary, *target, *args], env)  # noqa: S606 - argv list, no shell


def _primary_target(desk: DeskContext) -> tuple[list[str], str | None]:
    """redis-cli's address and user for the current primary (redis.sentinel)."""
    import redis

    from services.connect import connect, credentials, process_user

    try:
        host, port = connect(desk.settings).connection_pool.get_master_address()
    except redis.RedisError as exc:
        raise click.ClickException(f"no primary found by the sentinels "
                                   f"{', '.join(desk.settings.redis.sentinel.hosts)}: {exc}"
                                   ) from None
    user = process_user()  # named always: redis-cli would log in as `default`
    _, password = credentials(desk.settings, user)
    return ["-h", str(host), "-p", str(port), "--user", user], password
