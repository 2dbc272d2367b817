"""The console's pages (read-only for every role; actions live in routes_orders)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from bus import streams
from exchange import RulesError, describe
from execution.approval.gates import maker_refusal
from execution.approval.manual import facts_for, pre_trade_checks
from execution.eod.history import read_history
from marketdata.clock import EXCHANGE_TZ
from orders.order import OrderKind, OrderState
from services.console import figures
from services.console.account_figures import account_figures, desk_total
from services.console.auth import Session
from services.console.charts import nav_chart, nav_points
from services.console.filters import all_rows, filter_from, in_accounts, trade_date_of
from services.console.hedge_read import expiry_calendar, read_hedge_view
from services.console.reads import (
    audit_entries,
    changed_fields,
    last_prices,
    ledger,
    recent,
)
from services.console.users import Role
from services.console.views import make_rows, schedule_gap, totals
from services.console.web import Desk, chosen_accounts, desk, render, require

router = APIRouter()
VIEWER = Depends(require(Role.VIEWER))
WORKING_STATES = [OrderState.APPROVED, OrderState.WORKING, OrderState.PARTIALLY_FILLED,
                  OrderState.PAUSED, OrderState.FILLED, OrderState.CANCELLED,
                  OrderState.DONE_FOR_DAY]


@router.get("/")
def pending(request: Request, session: Session = VIEWER) -> Response:
    d = desk(request)
    row_filter = filter_from(request.query_params)
    day = trade_date_of(d)
    every = in_accounts(d, all_rows(d, day), chosen_accounts(request))
    rows = row_filter.apply(every)
    raw = d.client.get(streams.BATCH.format(trade_date=day.isoformat()))
    boards = sorted({r.board for r in every})
    return render(request, session, "pending.html", rows=rows, filter=row_filter,
                  totals=totals(rows), batch=json.loads(str(raw)) if raw else None,
                  trade_date=day, boards=boards, states=[s.value for s in OrderState],
                  query=str(request.query_params))


@router.get("/orders/{order_id}")
def order_detail(order_id: str, request: Request, session: Session = VIEWER) -> Response:
    d = desk(request)
    record = d.queue.get(order_id)
    if record is None:
        return render(request, session, "missing.html", what=f"order {order_id}")
    row = make_rows([record], _prices(d, record.order.symbol), d.queue.policy)[0]
    facts = facts_for(d.client, record.order, account=d.queue.account_of(record.order))
    barred = maker_refusal(record, session.user, d.queue.policy.maker_checker)
    return render(request, session, "order.html", row=row, order=record.order, record=record,
                  barred=barred, checks=pre_trade_checks(record.order, facts),
                  limits=_limits(record.order.symbol, record.order.trade_date, facts.prev_close),
                  history=[(e, changed_fields(e)) for e in
                           audit_entries(d.client, 100, order_id=order_id)])


@router.get("/working")
def working(request: Request, session: Session = VIEWER) -> Response:
    d = desk(request)
    now = d.clock.now()
    rows = [r for r in in_accounts(d, all_rows(d), chosen_accounts(request))
            if r.record.state in WORKING_STATES]
    return render(request, session, "working.html",
                  rows=[(r, schedule_gap(r, now)) for r in rows])


@router.get("/positions")
def positions(request: Request, session: Session = VIEWER) -> Response:
    d = desk(request)
    accounts = chosen_accounts(request)
    names = {r.record.order.symbol: r.record.order.name for r in all_rows(d)}
    return render(request, session, "positions.html",
                  books=[(a, ledger(d.client, a)) for a in accounts], names=names,
                  fmt=figures, **_figures(d, accounts))


@router.get("/nav")
def nav(request: Request, session: Session = VIEWER) -> Response:
    d = desk(request)
    accounts = chosen_accounts(request)
    hedges = _hedge_rows(d)
    return render(request, session, "nav.html", fmt=figures, **_figures(d, accounts),
                  sections=[_nav_section(d, a, hedges) for a in accounts])


def _nav_section(d: Desk, account: str, hedges: list[Any]) -> dict[str, Any]:
    points = nav_points(d.client, account)
    timeline = read_history(d.client, account)
    ladder = d.risk_of(account).ladder
    mine = [r.record for r in hedges if d.queue.account_of(r.record.order) == account]
    return {"account": account, "timeline": timeline, "ladder": ladder,
            "chart": nav_chart(points, ladder, mine, d.calendar, timeline),
            "latest": points[-1] if points else None}


@router.get("/hedge")
def hedge(request: Request, session: Session = VIEWER) -> Response:
    d = desk(request)
    accounts = chosen_accounts(request)
    today = d.clock.now().astimezone(EXCHANGE_TZ).date()
    store = d.reference.store if d.reference else None
    calendar = expiry_calendar(d.calendar, store, today)
    views = [(a, read_hedge_view(d.client, a, d.risk_of(a), calendar, today))
             for a in accounts]
    return render(request, session, "hedge.html", views=views, fmt=figures,
                  hedges=in_accounts(d, _hedge_rows(d), accounts), **_figures(d, accounts))


def _hedge_rows(d: Desk) -> list[Any]:
    return [r for r in all_rows(d) if r.record.order.kind is OrderKind.HEDGE]


def _figures(d: Desk, accounts: list[str]) -> dict[str, Any]:
    """Each account's headline figures and, when there are several, the desk total
    (only on a desk of several accounts; one account's page shows its own figures)."""
    if len(d.account_names) < 2:
        return {"account_rows": [], "total": None}
    today = d.clock.now().astimezone(EXCHANGE_TZ).date()
    rows = account_figures(d.client, accounts, today)
    return {"account_rows": rows, "total": desk_total(rows) if len(rows) > 1 else None}


@router.get("/alerts")
def alerts(request: Request, session: Session = VIEWER) -> Response:
    d = desk(request)
    return render(request, session, "alerts.html",
                  alerts=recent(d.client, streams.ALERTS, d.console.feed_rows))


@router.get("/audit")
def audit(request: Request, session: Session = VIEWER, order_id: str = "",
          actor: str = "") -> Response:
    d = desk(request)
    entries = audit_entries(d.client, d.console.feed_rows, order_id=order_id[:80],
                            actor=actor[:64])
    return render(request, session, "audit.html", order_id=order_id, actor=actor,
                  entries=[(e, changed_fields(e)) for e in entries])


def _prices(d: Desk, symbol: str) -> dict[str, Decimal]:
    return last_prices(d.client, [symbol])


def _limits(symbol: str, day: date, prev_close: Decimal | None) -> dict[str, Any] | None:
    if prev_close is None:
        return None
    try:
        return describe(symbol, day, prev_close)
    except (RulesError, ValueError):
        return None
