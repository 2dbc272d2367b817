"""Corporate actions at the simulated broker (pure, exact Decimal; docs/rules.md).

Holders at the close of the record date are entitled. New shares (bonus 送股 and
transfer 转增) are credited on their listing date and are sellable at once; each lot
keeps its acquisition date, as the holding-period rule counts from the original purchase.
Cash is paid on the pay date less the holding-period dividend tax (财税〔2015〕101号):
held up to one month 20%, more than a month up to a year 10%, more than a year 0%. Bonus
shares are dividend income at their CNY 1 par value and taxed in the same way; transfer
shares from the capital reserve are not. The desk withholds the tax when the cash is
paid, with the holding period up to the pay date (simplified, see docs/rules.md).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from execution.gateway.sim.models import Lot, Position, Record, StockPosition
from marketdata.corporate import CorporateAction

CENT = Decimal("0.01")
PAR = Decimal("1.00")  # an A share's par value: what a bonus share counts as income
SHORT, MEDIUM, LONG = Decimal("0.20"), Decimal("0.10"), Decimal(0)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, the month's last day when it has fewer days."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def dividend_tax_rate(acquired: date, paid: date) -> Decimal:
    """Effective tax on dividend income of shares acquired on `acquired`, paid on `paid`.

    The holding period runs from the acquisition day to the day before (85号 / 101号):
    bought 2025-12-31, it is one year on 2026-12-30, so a payment on 2026-12-31 is
    "one year or less" (10%) and one on 2027-01-04 "more than a year" (0%)."""
    last_held = paid - timedelta(days=1)
    if last_held < add_months(acquired, 1):
        return SHORT
    if last_held < add_months(acquired, 12):
        return MEDIUM
    return LONG


def after_buy(lots: tuple[Lot, ...], day: date, quantity: int) -> tuple[Lot, ...]:
    if lots and lots[-1].acquired == day:
        return (*lots[:-1], Lot(acquired=day, quantity=lots[-1].quantity + quantity))
    return (*lots, Lot(acquired=day, quantity=quantity))


def after_sell(lots: tuple[Lot, ...], quantity: int) -> tuple[Lot, ...]:
    """The lots left after selling `quantity`, oldest first (first in, first out)."""
    left, kept = quantity, []
    for lot in lots:
        taken = min(left, lot.quantity)
        left -= taken
        if lot.quantity > taken:
            kept.append(lot.model_copy(update={"quantity": lot.quantity - taken}))
    return tuple(kept)


class Entitlement(Record):
    """What one holding receives from one action (fixed at the record date's close)."""

    symbol: str
    ex_date: date
    pay_date: date
    list_date: date
    quantity: int  # shares held at the record date
    gross_cash: Decimal
    tax: Decimal
    new_shares: int
    paid: bool = False  # the cash is in the account
    credited: bool = False  # the new shares are in the position

    @property
    def net_cash(self) -> Decimal:
        return self.gross_cash - self.tax

    @property
    def key(self) -> str:
        return f"{self.symbol}|{self.ex_date.isoformat()}"

    @property
    def done(self) -> bool:
        return self.paid and self.credited


class CorporateEvent(Record):
    """What the broker booked on one day for one entitlement (its statement line)."""

    symbol: str
    ex_date: date
    day: date
    cash: Decimal = Decimal(0)  # net of tax
    tax: Decimal = Decimal(0)
    shares: int = 0


@dataclass(frozen=True)
class CorporateDay:
    """The changes of one day's corporate actions, to be written all at once."""

    positions: dict[str, StockPosition]
    cash_delta: Decimal
    pending: dict[str, Entitlement]  # to keep (key -> entitlement)
    finished: list[str]  # keys to drop
    events: list[CorporateEvent]


def _known_lots(position: StockPosition, day: date) -> list[Lot]:
    """The position's lots; shares without one (bought before lots were kept) count as
    bought on `day`, so they pay the highest rate rather than too little."""
    lots = list(position.lots)
    unknown = position.quantity - sum(lot.quantity for lot in lots)
    return [*lots, Lot(acquired=day, quantity=unknown)] if unknown > 0 else lots


def entitlement(action: CorporateAction, position: StockPosition) -> Entitlement:
    """The cash (less tax) and new shares `position`, held at the record date, gets."""
    lots = _known_lots(position, action.record_date)
    taxable = action.cash + action.bonus * PAR
    tax = sum((lot.quantity * taxable * dividend_tax_rate(lot.acquired, action.pay_date)
               for lot in lots), Decimal(0))
    return Entitlement(
        symbol=action.symbol, ex_date=action.ex_date, pay_date=action.pay_date,
        list_date=action.list_date, quantity=position.quantity,
        gross_cash=(action.cash * position.quantity).quantize(CENT, ROUND_HALF_UP),
        tax=tax.quantize(CENT, ROUND_HALF_UP),
        new_shares=int(position.quantity * action.new_shares),  # fractions are dropped
    )


def credit_shares(position: StockPosition, entitled: Entitlement) -> StockPosition:
    """`position` with the new shares: sellable, in the lots they were issued on, and the
    average cost spread over more shares (the holding cost is unchanged)."""
    new_shares = entitled.new_shares
    if new_shares <= 0:
        return position
    lots = _known_lots(position, entitled.ex_date - timedelta(days=1))
    ratio = Decimal(new_shares) / Decimal(entitled.quantity)
    added = [int(lot.quantity * ratio) for lot in lots]
    added[0] += new_shares - sum(added)  # rounding leftovers to the oldest lot
    held = position.quantity + new_shares
    cost = (position.avg_cost * position.quantity / held).quantize(Decimal("0.0001"),
                                                                     ROUND_HALF_UP)
    return position.model_copy(update={
        "quantity": held, "sellable": position.sellable + new_shares, "avg_cost": cost,
        "lots": tuple(lot.model_copy(update={"quantity": lot.quantity + extra})
                      for lot, extra in zip(lots, added, strict=True)),
    })


def corporate_day(day: date, positions: Mapping[str, Position],
                  pending: Mapping[str, Entitlement], actions: Iterable[CorporateAction],
                  ) -> CorporateDay:
    """Start of `day` (before the open, positions already rolled): entitle the holders of
    the actions going ex today, then pay and credit what is due on or before today."""
    entitled = dict(pending)
    for action in actions:
        held = positions.get(action.symbol)
        if action.ex_date == day and isinstance(held, StockPosition) and held.quantity > 0:
            due = entitlement(action, held)
            entitled.setdefault(due.key, due)
    changed: dict[str, StockPosition] = {}
    cash, events, keep, finished = Decimal(0), [], {}, []
    for key, due in sorted(entitled.items()):
        event = CorporateEvent(symbol=due.symbol, ex_date=due.ex_date, day=day)
        if not due.credited and due.list_date <= day:
            held = changed.get(due.symbol, positions.get(due.symbol, StockPosition()))
            if isinstance(held, StockPosition):
                changed[due.symbol] = credit_shares(held, due)
            event = event.model_copy(update={"shares": due.new_shares})
            due = due.model_copy(update={"credited": True})
        if not due.paid and due.pay_date <= day:
            cash += due.net_cash
            event = event.model_copy(update={"cash": due.net_cash, "tax": due.tax})
            due = due.model_copy(update={"paid": True})
        if event.shares or event.cash or event.tax:
            events.append(event)
        if due.done:
            finished.append(key)
        else:
            keep[key] = due
    return CorporateDay(changed, cash, keep, finished, events)


def receivable(pending: Iterable[Entitlement]) -> Decimal:
    """Cash entitled to but not yet paid (part of the account's value until paid)."""
    return sum((e.net_cash for e in pending if not e.paid), Decimal(0))
