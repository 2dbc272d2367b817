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
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from execution.gateway.sim.models import Lot, StockPosition
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


@dataclass(frozen=True)
class Entitlement:
    """What one holding receives from one action (fixed at the record date's close)."""

    symbol: str
    ex_date: date
    pay_date: date
    list_date: date
    quantity: int  # shares held at the record date
    gross_cash: Decimal
    tax: Decimal
    new_shares: int

    @property
    def net_cash(self) -> Decimal:
        return self.gross_cash - self.tax


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
