"""What each day traded and cost, and the hedge held at its close: one record per day.

Written by the end of day next to the NAV record (`nav_series`), read by the daily
report, the console's NAV page and `desk risk status` to show the whole history.

Kept in Redis (`desk:eod:days:<account>`, trade date -> JSON) and bounded there: each
write keeps the newest `RETAIN_DAYS` trading days of this hash and of the NAV hash
(`desk:eod:nav:<account>`); the NAV series' CSV file on disk keeps every day. Both
hashes are in Redis's persistence (AOF), so the history survives a restart.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import redis

from bus.streams import PREFIX
from exchange import Side
from exchange.data import STAMP_DUTY_SELL, in_force
from exchange.errors import RuleNotModelled
from execution.eod.nav_series import NAV_SERIES
from execution.eod.views import DeskDay
from orders.order import OrderKind

DAY_RECORDS = f"{PREFIX}:eod:days:{{account}}"  # hash trade date -> JSON DayActivity
RETAIN_DAYS = 1250  # about five years of trading days
CENT = Decimal("0.01")


@dataclass(frozen=True)
class DayActivity:
    day: date
    account: str
    bought: Decimal  # stock value bought (CNY)
    sold: Decimal  # stock value sold
    hedge_traded: Decimal  # futures notional and option premium traded
    fees: Decimal  # every fee the desk booked: stocks (stamp duty included) and futures
    stamp_duty: Decimal | None  # of stock sells; None: not known
    slippage: Decimal  # stocks, against each order's reference price; positive = cost
    futures_lots: int  # short IM lots held at the close
    option_lots: int  # long MO lots held at the close

    @property
    def turnover(self) -> Decimal:
        return self.bought + self.sold

    @property
    def hedged(self) -> bool:
        return self.futures_lots > 0 or self.option_lots > 0

    @property
    def costs(self) -> Decimal:
        """What the day's trading cost: fees and slippage."""
        return self.fees + self.slippage

    def to_json(self) -> str:
        row = {k: (v.isoformat() if isinstance(v, date) else
                   None if v is None else v if isinstance(v, int) else str(v))
               for k, v in asdict(self).items()}
        return json.dumps(row)

    @classmethod
    def from_json(cls, text: str, where: str) -> DayActivity:
        try:
            row: dict[str, Any] = json.loads(text)
            stamp = row["stamp_duty"]
            return cls(day=date.fromisoformat(row["day"]), account=str(row["account"]),
                       bought=Decimal(row["bought"]), sold=Decimal(row["sold"]),
                       hedge_traded=Decimal(row["hedge_traded"]), fees=Decimal(row["fees"]),
                       stamp_duty=None if stamp is None else Decimal(stamp),
                       slippage=Decimal(row["slippage"]),
                       futures_lots=_lots(row["futures_lots"]),
                       option_lots=_lots(row["option_lots"]))
        except (KeyError, ValueError, TypeError, ArithmeticError) as exc:
            raise ValueError(f"{where}: not a day record ({exc!r}): {text[:200]}") from exc


def _lots(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"lots {value!r}: expected a whole number >= 0")
    return value


def day_activity(desk: DeskDay, slippage: Decimal) -> DayActivity:
    """The day's record from the desk's books (`load_desk_day`) and the report's totals."""
    stocks = {r.order.order_id: r for r in desk.records if r.order.kind is OrderKind.STOCK}
    hedges = [r for r in desk.records if r.order.kind is OrderKind.HEDGE]
    bought = sum((r.filled_value for r in stocks.values() if r.order.side is Side.BUY),
                 Decimal(0))
    sold = sum((r.filled_value for r in stocks.values() if r.order.side is Side.SELL),
               Decimal(0))
    sells = [f for f in desk.fills if f.order_id in stocks
             and stocks[f.order_id].order.side is Side.SELL]
    ledger = desk.ledger
    return DayActivity(
        day=desk.day, account=desk.account, bought=bought, sold=sold,
        hedge_traded=sum((r.filled_value for r in hedges), Decimal(0)),
        fees=sum((r.fees for r in desk.records), Decimal(0)),
        stamp_duty=_stamp_duty((f.value for f in sells), desk.day), slippage=slippage,
        futures_lots=sum(f.short for f in ledger.futures.values()),
        option_lots=sum(o.long for o in ledger.options.values()))


def _stamp_duty(sold_values: Iterable[Decimal], day: date) -> Decimal | None:
    """Per fill, rounded as `exchange.fees` books it; None if the rate is not known."""
    try:
        rate = in_force(STAMP_DUTY_SELL, day, "stamp duty")
    except RuleNotModelled:
        return None
    return sum(((v * rate).quantize(CENT, ROUND_HALF_UP) for v in sold_values), Decimal(0))


class DayRecords:
    def __init__(self, client: redis.Redis, account: str) -> None:
        self.client, self.account = client, account
        self.key = DAY_RECORDS.format(account=account)

    def record(self, activity: DayActivity) -> None:
        """Store (or replace) the day, then drop days older than the newest RETAIN_DAYS."""
        self.client.hset(self.key, activity.day.isoformat(), activity.to_json())
        for key in (self.key, NAV_SERIES.format(account=self.account)):
            trim(self.client, key, RETAIN_DAYS)

    def read(self) -> tuple[list[DayActivity], list[str]]:
        """Every readable day, oldest first, and one error line per unreadable entry."""
        raw: dict[str, str] = self.client.hgetall(self.key)  # type: ignore[assignment]
        found, errors = [], []
        for field in sorted(raw):
            try:
                found.append(DayActivity.from_json(raw[field], f"{self.key} {field}"))
            except ValueError as exc:
                errors.append(str(exc))
        return found, errors


def trim(client: redis.Redis, key: str, keep: int) -> None:
    """Keep the `keep` newest date fields of a hash (ISO dates sort as text)."""
    fields = sorted(client.hkeys(key))  # type: ignore[arg-type]
    if len(fields) > keep:
        client.hdel(key, *fields[:-keep])
