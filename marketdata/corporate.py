"""Corporate actions: cash dividends and bonus / transfer shares (see docs/data.md, rules.md).

One row per (symbol, ex_date). Holders at the close of `record_date` are entitled; on
`ex_date` the exchange's reference price is the ex-rights price; the cash arrives on
`pay_date` and the new shares are credited (and tradable) on `list_date`.
Amounts are per share before tax: `cash` in CNY, `bonus` (送股, from retained earnings)
and `transfer` (转增, from the capital reserve) in new shares per share held.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import pandas as pd

from marketdata.errors import MarketDataError
from marketdata.schema import CORPORATE_ACTION_COLUMNS

CENT = Decimal("0.01")


class BadCorporateAction(MarketDataError, ValueError):
    """A corporate-action row that cannot be right; the message names the row and why."""


@dataclass(frozen=True)
class CorporateAction:
    symbol: str
    record_date: date
    ex_date: date
    pay_date: date
    list_date: date
    cash: Decimal  # CNY per share, before tax
    bonus: Decimal  # 送股 per share
    transfer: Decimal  # 转增 per share

    @property
    def new_shares(self) -> Decimal:
        return self.bonus + self.transfer


def ex_rights_price(prev_close: Decimal, cash: Decimal, new_shares: Decimal) -> Decimal:
    """The exchange's ex-rights (ex-dividend) reference price, rounded half up to the
    0.01 tick: (previous close - cash per share) / (1 + new shares per share)."""
    raw = (prev_close - cash) / (Decimal(1) + new_shares)
    price = raw.quantize(CENT, ROUND_HALF_UP)
    if price <= 0:
        raise BadCorporateAction(
            f"ex-rights price of close {prev_close} after cash {cash} and {new_shares} new "
            "shares per share is not positive")
    return price


def _amount(row: pd.Series, name: str, where: str) -> Decimal:
    try:
        value = Decimal(str(row[name])).normalize()
    except (InvalidOperation, ValueError) as exc:
        raise BadCorporateAction(f"{where}: {name}={row[name]!r} is not a number") from exc
    if not value.is_finite() or value < 0:
        raise BadCorporateAction(f"{where}: {name}={row[name]!r} must be a finite number >= 0")
    return value


def _day(row: pd.Series, name: str, where: str) -> date:
    value = row[name]
    if pd.isna(value):
        raise BadCorporateAction(f"{where}: {name} is blank")
    return pd.Timestamp(value).date()


def parse_action(row: pd.Series) -> CorporateAction:
    """One checked action from a table row (dates in order, amounts >= 0, not all zero)."""
    missing = [c for c in CORPORATE_ACTION_COLUMNS if c not in row.index]
    if missing:
        raise BadCorporateAction(f"corporate action row lacks columns {missing}")
    where = f"corporate action {row['symbol']} ex {row['ex_date']}"
    action = CorporateAction(
        symbol=str(row["symbol"]),
        record_date=_day(row, "record_date", where), ex_date=_day(row, "ex_date", where),
        pay_date=_day(row, "pay_date", where), list_date=_day(row, "list_date", where),
        cash=_amount(row, "cash", where), bonus=_amount(row, "bonus", where),
        transfer=_amount(row, "transfer", where),
    )
    if not action.record_date < action.ex_date <= min(action.pay_date, action.list_date):
        raise BadCorporateAction(
            f"{where}: dates must run record {action.record_date} < ex {action.ex_date} <= "
            f"pay {action.pay_date} and list {action.list_date}")
    if not (action.cash or action.new_shares):
        raise BadCorporateAction(f"{where}: neither cash nor new shares")
    return action


def parse_actions(frame: pd.DataFrame) -> list[CorporateAction]:
    return [parse_action(row) for _, row in frame.iterrows()]
