"""Reading what the hedge view needs from Redis (and the store's listed expiries)."""

from __future__ import annotations

from datetime import date

import redis

from bus import streams
from errors import DeskError
from execution.eod.hedges import store_expiries
from execution.ledger import Ledger
from marketdata.store import MarketStore
from risk.config import RiskConfig
from risk.contracts import ExpiryCalendar
from risk.state_doc import RiskState, RiskStateUnreadable, read_risk_state
from services.console.hedge_view import HedgeView, build_view, listed_symbols
from services.console.reads import last_prices


def read_state(client: redis.Redis, account: str) -> tuple[RiskState | None, str]:
    """(the state, '') or (None, why it is unreadable)."""
    key = streams.RISK_STATE.format(account=account)
    try:
        return read_risk_state(client.get(key), key), ""
    except RiskStateUnreadable as exc:
        return None, str(exc)


def read_ledger(client: redis.Redis, account: str) -> Ledger | None:
    raw = client.get(streams.LEDGER.format(account=account))
    if not raw:
        return None
    try:
        return Ledger.from_json(str(raw))
    except ValueError:  # the risk daemon alerts on a malformed ledger; show no legs
        return None


def expiry_calendar(calendar: ExpiryCalendar | None, store: MarketStore | None,
                    today: date) -> ExpiryCalendar | None:
    """The calendar with the exchange's listed expiries from the store, when there is one
    (past the calendar's end they are the only way to know a contract's last day)."""
    if calendar is None or store is None:
        return calendar
    try:
        return store_expiries(calendar, store, today)
    except (DeskError, OSError, ValueError):  # a damaged store: the rule alone, still a page
        return calendar


def read_hedge_view(client: redis.Redis, account: str, cfg: RiskConfig,
                    calendar: ExpiryCalendar | None, today: date) -> HedgeView:
    state, unreadable = read_state(client, account)
    ledger = read_ledger(client, account)
    held = list(ledger.futures) if ledger else []
    symbols = [cfg.index_symbol, *held, *listed_symbols(cfg, calendar, today)]
    prices = last_prices(client, symbols)
    return build_view(state, unreadable, ledger, prices, cfg, calendar, today)
