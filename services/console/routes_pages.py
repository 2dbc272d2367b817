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
from services.console.auth import Session
from services.console.charts import nav_chart, nav_points
from services.console.filters import all_rows, filter_from, trade_date_of
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
from services.console.web import Desk, desk, render, require

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
    every = all_rows(d, day)
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
    facts = facts_for(d.client, record.order, account=d.account)
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
    rows = [r for r in all_rows(d) if r.record.state in WORKING_STATES]
    return render(request, session, "working.html",
                  rows=[(r, schedule_gap(r, now)) for r in rows])


@router.get("/positions")
def positions(request: Request, session: Session = VIEWER) -> Response:
    d = desk(request)
    names = {r.record.order.symbol: r.record.order.name for r in all_rows(d)}
    return render(request, session, "positions.html", ledger=ledger(d.client, d.account),
                  names=names)


@router.get("/nav")
def nav(request: Request, session: Session = VIEWER) -> Response:
    d = desk(request)
    points = nav_points(d.client, d.account)
    timeline = read_history(d.client, d.account)
    chart = nav_chart(points, d.risk.ladder, [r.record for r in _hedge_rows(d)], d.calendar,
                      timeline)
    return render(request, session, "nav.html", chart=chart, timeline=timeline,
                  latest=points[-1] if points else None, ladder=d.risk.ladder, fmt=figures)


@router.get("/hedge")
def hedge(request: Request, session: Session = VIEWER) -> Response:
    d = desk(request)
    today = d.clock.now().astimezone(EXCHANGE_TZ).date()
    store = d.reference.store if d.reference else None
    view = read_hedge_view(d.client, d.account, d.risk,
                           expiry_calendar(d.calendar, store, today), today)
    return render(request, session, "hedge.html", view=view, hedges=_hedge_rows(d),
                  fmt=figures)


def _hedge_rows(d: Desk) -> list[Any]:
    return [r for r in all_rows(d) if r.record.order.kind is OrderKind.HEDGE]


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
