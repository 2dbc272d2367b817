"""The service's way into the end of day: name the settings, read the broker, run it.

The end of day itself (reconcile, NAV, report) is `execution.eod.run`; this module only
turns a service's context into its inputs, so `desk eod` and the scheduler run the same
thing.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from loguru import logger

from execution.eod import run
from execution.eod.chart_scale import RungLine
from execution.eod.run import EodResult, EodSettings
from execution.eod.views import BrokerDay
from marketdata.errors import MarketDataError
from services.accounts import default_account
from services.eod.broker import broker_day
from services.liquidity_watch import publish_liquidity
from services.paper_plan import sim_market_dir
from services.runtime import ServiceContext


def reports_dir(ctx: ServiceContext) -> Path:
    """`reports/`, or `reports/<account>/` for an account other than the default one."""
    account = ctx.settings.execution.account
    own = "" if account == default_account(ctx.settings) else account
    return ctx.data_dir / "reports" / own if own else ctx.data_dir / "reports"


def eod_settings(ctx: ServiceContext) -> EodSettings:
    cfg = ctx.settings
    return EodSettings(account=cfg.execution.account, initial_cash=cfg.execution.initial_cash,
                       index_symbol=cfg.risk.index_symbol, futures=cfg.risk.futures,
                       margin_total_rate=cfg.risk.margin_total_rate,
                       reports_dir=reports_dir(ctx),
                       rungs=tuple(RungLine(r.drawdown, r.hedge_ratio) for r in cfg.risk.ladder),
                       market_dir=sim_market_dir(cfg))


def run_eod(ctx: ServiceContext, day: date, broker: BrokerDay | None = None) -> EodResult:
    """The end of `day`; `broker`: the broker's view if already read (else it is read)."""
    publish_day_liquidity(ctx, day)
    return run.run_eod(ctx, eod_settings(ctx), day, lambda: broker or broker_day(ctx, day))


def publish_day_liquidity(ctx: ServiceContext, day: date) -> None:
    """The day's liquidity profile for the report; a failure is an alert, not a lost report."""
    try:
        publish_liquidity(ctx.client, ctx.store, ctx.settings, ctx.clock, day)
    except (ValueError, LookupError, OSError, MarketDataError) as exc:  # no ledger, store, closes
        logger.warning("eod: liquidity profile of {} not computed: {}", day, exc)
        alert(ctx, "warning", f"liquidity profile of {day} not computed", str(exc)[:500])


def alert(ctx: ServiceContext, severity: str, title: str, detail: str) -> None:
    run.alert(ctx, severity, title, detail)
