"""The accounts part of `desk status`: each fund product's NAV, drawdown, hedge ratio and
day's P&L with the heartbeats of its execution and risk services, and the desk total.

A desk of one account says its NAV on one line as before (services/status_desk.py);
with several, this table follows it (docs/accounts.md).
"""

from __future__ import annotations

import json
import time
from datetime import date
from decimal import Decimal
from typing import Any

import redis

from bus import streams
from services.accounts import PER_ACCOUNT, account_names, service_name
from services.settings import DeskSettings


def heartbeat(client: redis.Redis, service: str) -> dict[str, Any]:
    """A service's last heartbeat as `desk status` shows it; not alive without one."""
    raw = client.get(streams.HEARTBEAT.format(service=service))
    if raw is None:
        return {"alive": False}
    beat = json.loads(raw)
    return {
        "alive": True,
        "pid": beat.get("pid"),
        "state": beat.get("state"),
        "age_s": round(time.time() - float(beat.get("wall", 0)), 1),
        "info": beat.get("info", {}),
    }


def accounts_summary(client: redis.Redis, settings: DeskSettings,
                     today: date) -> dict[str, Any]:
    """Every account's figures and services, and the desk's sums (money as text)."""
    from services.console.account_figures import account_figures, desk_total

    names = account_names(settings)
    figures = account_figures(client, names, today)
    rows = []
    for f in figures:
        services = {kind: heartbeat(client, service_name(kind, f.account, settings))
                    for kind in PER_ACCOUNT}
        rows.append({"account": f.account, "nav": _text(f.nav), "cash": _text(f.cash),
                     "stock_value": _text(f.stock_value), "day_pnl": _text(f.day_pnl),
                     "drawdown": f.drawdown, "hedge_ratio": f.hedge_ratio,
                     "at": f.at.isoformat() if f.at else None,
                     "services": {service_name(k, f.account, settings): v
                                  for k, v in services.items()}})
    total = desk_total(figures)
    return {"accounts": rows, "total": {"nav": _text(total.nav), "cash": _text(total.cash),
                                        "stock_value": _text(total.stock_value),
                                        "day_pnl": _text(total.day_pnl)}}


def render_accounts(summary: dict[str, Any]) -> list[str]:
    from services.cli.table import Column, table

    columns = (Column("ACCOUNT"), Column("NAV", right=True), Column("DRAWDOWN", right=True),
               Column("HEDGE", right=True), Column("DAY P&L", right=True),
               Column("SERVICES"))
    rows = [[a["account"], _money(a["nav"]), _drawdown(a["drawdown"]),
             "-" if a["hedge_ratio"] is None else f"{a['hedge_ratio']:.0%}",
             _money(a["day_pnl"], signed=True), _services(a["services"])]
            for a in summary["accounts"]]
    total = summary["total"]
    rows.append(["desk total", _money(total["nav"]), "", "", _money(total["day_pnl"],
                                                                    signed=True), ""])
    return ["accounts (NAV and drawdown from the intraday high-water mark: the risk "
            "daemon's latest):", *(f"  {line}" for line in table(columns, rows))]


def _services(services: dict[str, dict[str, Any]]) -> str:
    return ", ".join(f"{name} {'alive ' + str(s['age_s']) + 's ago' if s['alive'] else 'DOWN'}"
                     for name, s in services.items())


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _money(text: str | None, signed: bool = False) -> str:
    if text is None:
        return "-"
    return f"{Decimal(text):+,.2f}" if signed else f"{Decimal(text):,.2f}"


def _drawdown(fraction: float | None) -> str:
    return "-" if fraction is None else f"{-fraction:.2%}" if fraction else "0.00%"
