"""Each account's headline figures and the desk's total: NAV, cash, stock value, day P&L.

NAV, drawdown and hedge ratio are the risk daemon's latest snapshot of that account
(`desk:nav`); cash and stock value are its ledger at the last prices; the day's P&L is
the NAV against the account's last recorded close before today (`desk:eod:nav:<account>`).
The desk total sums the money over accounts; a drawdown or a hedge ratio has no sum, so
the total has none. A figure an account lacks leaves the total's figure unknown rather
than quietly short.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import redis

from bus.messages import NavSnapshot
from execution.eod.nav_series import read_stored
from services.console.reads import ledger
from services.nav_read import latest_snapshots

TOTAL = "desk total"


@dataclass(frozen=True)
class AccountFigures:
    account: str
    nav: Decimal | None
    cash: Decimal | None
    stock_value: Decimal | None
    day_pnl: Decimal | None
    drawdown: float | None = None
    hedge_ratio: float | None = None
    at: datetime | None = None


def previous_close(client: redis.Redis, account: str, today: date) -> Decimal | None:
    """The account's last recorded closing NAV before `today`."""
    records, _errors = read_stored(client, account)
    before = [r for r in records if r.day < today]
    return before[-1].nav if before else None


def account_figures(client: redis.Redis, names: Sequence[str],
                    today: date) -> list[AccountFigures]:
    snaps = latest_snapshots(client, names)
    return [_one(client, name, snaps.get(name), today) for name in names]


def _one(client: redis.Redis, name: str, snap: NavSnapshot | None,
         today: date) -> AccountFigures:
    book = ledger(client, name)
    close = previous_close(client, name, today)
    nav = snap.nav if snap else None
    return AccountFigures(
        account=name, nav=nav,
        cash=book.cash if book else None,
        stock_value=book.stock_value if book else None,
        day_pnl=None if nav is None or close is None else nav - close,
        drawdown=snap.drawdown if snap else None,
        hedge_ratio=snap.hedge_ratio if snap else None,
        at=snap.at if snap else None,
    )


def desk_total(rows: Sequence[AccountFigures]) -> AccountFigures:
    """The sum over accounts of each money figure (unknown if any account lacks it)."""
    return AccountFigures(TOTAL, _sum(r.nav for r in rows), _sum(r.cash for r in rows),
                          _sum(r.stock_value for r in rows), _sum(r.day_pnl for r in rows))


def _sum(values: Iterable[Decimal | None]) -> Decimal | None:
    known = list(values)
    if not known or any(v is None for v in known):
        return None
    return sum((v for v in known if v is not None), Decimal(0))
