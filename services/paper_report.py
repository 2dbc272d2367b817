"""What a paper run over several days tells: a line per day and the run's summary."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

import redis

from execution.approval.queue import OrderQueue
from execution.eod.day_record import DAY_RECORDS, DayActivity
from execution.eod.run import EOD_RUNS
from orders.order import OrderKind, OrderState

NOT_COMPARED = {"status": "not computed", "why": "the run stopped before its last day"}
BRIEF_KEYS = ("rerun_days", "rerun_equal_days", "order_defects", "backtest_days",
              "orders_equal_days", "nav_tracking_difference", "causes", "backtest_error")


@dataclass(frozen=True)
class DayLine:
    day: date
    orders_proposed: int
    orders_approved: int
    orders_filled: int
    shares_filled: int
    hedge_orders: int
    futures_lots: int
    option_lots: int
    nav: str | None
    drawdown: float | None
    breaks: int | None  # None: the end of day did not run or failed
    eod: str
    wall_s: float = 0.0  # wall seconds the desk took for the day (all its steps)
    # With several accounts: each one's NAV, drawdown, breaks and fills (above, NAV and
    # drawdown are the first account's; orders, fills and breaks the desk's totals).
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)

    def text(self) -> str:
        dd = "n/a" if self.drawdown is None else f"{self.drawdown:.2%}"
        nav = "n/a" if self.nav is None else f"{Decimal(self.nav):,.2f}"
        recon = f"{self.breaks} breaks" if self.breaks is not None else f"end of day {self.eod}"
        line = (f"{self.day}  NAV {nav}  drawdown {dd}  orders {self.orders_proposed} "
                f"proposed / {self.orders_approved} approved / {self.orders_filled} filled "
                f"({self.shares_filled:,} shares)  hedge orders {self.hedge_orders}, "
                f"IM {self.futures_lots} MO {self.option_lots} lots  reconciliation {recon}  "
                f"({self.wall_s:.1f} s)")
        for name, own in self.accounts.items():
            own_nav = "n/a" if own["nav"] is None else f"{Decimal(own['nav']):,.2f}"
            line += (f"\n    {name}: NAV {own_nav}  orders {own['orders_filled']} filled  "
                     f"reconciliation {own['breaks'] if own['breaks'] is not None else 'n/a'}"
                     " breaks")
        return line


def day_line(client: redis.Redis, queue: OrderQueue, account: str, day: date,
             wall_s: float = 0.0, others: tuple[str, ...] = ()) -> DayLine:
    """The day of `account` (the first); `others`: the desk's other accounts, each one's
    figures in `accounts` and its breaks in the total."""
    records = queue.list_orders(day)
    if not others:
        return _account_line(client, records, account, day, wall_s)
    lines = {name: _account_line(client, [r for r in records
                                           if queue.account_of(r.order) == name], name, day)
             for name in (account, *others)}
    breaks = [line.breaks for line in lines.values()]
    total = None if None in breaks else sum(b or 0 for b in breaks)
    return replace(_account_line(client, records, account, day, wall_s), breaks=total,
                   accounts={name: {"nav": line.nav, "drawdown": line.drawdown,
                                    "breaks": line.breaks, "eod": line.eod,
                                    "orders_filled": line.orders_filled,
                                    "shares_filled": line.shares_filled}
                             for name, line in lines.items()})


def _account_line(client: redis.Redis, records: list[Any], account: str, day: date,
                  wall_s: float = 0.0) -> DayLine:
    model = [r for r in records if r.order.created_by == "model"]
    eod = _json(client.hget(EOD_RUNS.format(account=account), day.isoformat()))
    activity = _activity(client, account, day)
    done = eod.get("outcome") == "done"
    return DayLine(
        day=day, orders_proposed=len(model),
        orders_approved=sum(1 for r in model if r.approvals),
        orders_filled=sum(1 for r in model if r.state is OrderState.FILLED),
        shares_filled=sum(r.filled_quantity for r in model),
        hedge_orders=sum(1 for r in records if r.order.kind is OrderKind.HEDGE),
        futures_lots=activity.futures_lots if activity else 0,
        option_lots=activity.option_lots if activity else 0,
        nav=eod.get("nav"), drawdown=eod.get("drawdown"),
        breaks=int(eod["breaks"]) if done else None, eod=str(eod.get("outcome", "missing")),
        wall_s=round(wall_s, 2))


def _activity(client: redis.Redis, account: str, day: date) -> DayActivity | None:
    raw = client.hget(DAY_RECORDS.format(account=account), day.isoformat())
    if not raw:
        return None
    return DayActivity.from_json(raw.decode() if isinstance(raw, bytes) else str(raw),
                                 f"day record {day}")


def _json(raw: Any) -> dict[str, Any]:
    if not raw:
        return {}
    data = json.loads(raw)
    return data if isinstance(data, dict) else {}


def run_summary(lines: list[DayLine], wall_s: float) -> dict[str, Any]:
    """The `--json` object: the run's totals, the last day's NAV, and each day."""
    drawdowns = [line.drawdown for line in lines if line.drawdown is not None]
    last = lines[-1] if lines else None
    return {
        "days": len(lines),
        "first_day": str(lines[0].day) if lines else None,
        "last_day": str(last.day) if last else None,
        "orders_proposed": sum(line.orders_proposed for line in lines),
        "orders_approved": sum(line.orders_approved for line in lines),
        "orders_filled": sum(line.orders_filled for line in lines),
        "shares_filled": sum(line.shares_filled for line in lines),
        "nav": last.nav if last else None,
        "drawdown": last.drawdown if last else None,
        "max_drawdown": max(drawdowns) if drawdowns else None,
        "hedge_actions": sum(line.hedge_orders for line in lines),
        "reconciliation_breaks": sum(line.breaks or 0 for line in lines),
        "days_not_reconciled": [str(line.day) for line in lines if line.breaks is None],
        "parity": NOT_COMPARED,
        "wall_seconds": round(wall_s, 1),
        "per_day": [{**asdict(line), "day": str(line.day)} for line in lines],
    }


def parity_brief(full: dict[str, Any]) -> dict[str, Any]:
    """The part of `desk parity`'s object the run's summary carries."""
    brief = {k: full.get(k) for k in BRIEF_KEYS}
    brief["explained_differences"] = len(full.get("explained_differences", []))
    brief["unexplained_differences"] = len(full.get("unexplained_differences", []))
    brief["status"] = "exact" if not full.get("order_defects") else "defects"
    return brief


def parity_line(brief: dict[str, Any]) -> str:
    tracking = brief.get("nav_tracking_difference") or {}
    diff, rel = tracking.get("difference"), tracking.get("relative")
    nav = "n/a" if diff is None else f"{diff:+,.2f} CNY" + (f" ({rel:+.2%})" if rel else "")
    return (f"parity: the published batch equals the model's re-run on "
            f"{brief['rerun_equal_days']} of {brief['rerun_days']} days "
            f"({len(brief['order_defects'] or [])} defects); against the backtest "
            f"{brief['orders_equal_days']} days equal, {brief['explained_differences']} "
            f"explained by fills, {brief['unexplained_differences']} unexplained; NAV "
            f"live minus backtest {nav} (desk parity for the report)")
