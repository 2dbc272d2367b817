"""`desk config check`: validate a settings file without starting anything."""

from __future__ import annotations

import click

from services.cli.context import DeskContext, pass_desk


@click.group("config")
def config_group() -> None:
    """The desk's settings."""


@config_group.command("check")
@pass_desk
def config_check(desk: DeskContext) -> None:
    """Load and validate the settings (file, keys, types, secrets in the environment)."""
    s = desk.settings
    redis = s.redis.url or f"embedded, Unix socket in {desk.data_dir / 'redis'}"
    click.echo(f"ok: mode {s.mode}; data in {desk.data_dir}; Redis {redis}; "
               f"gateways {s.execution.stock_gateway.name}/{s.execution.futures_gateway.name}; "
               f"clock {s.clock.mode}")
