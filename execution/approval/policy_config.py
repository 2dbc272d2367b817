"""Approval-queue policies: expiry, auto-approval, four eyes, price re-confirmation.

Every automatic rule is off by default; a person releases every order unless the
configuration says otherwise. What each setting does: docs/orders.md.
"""

from __future__ import annotations

from datetime import time
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from execution.approval.gates import MakerChecker


class ApprovalConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # Orders not yet working expire at this exchange time on their trade date (the
    # close by default); anything still open from an earlier trade date expires too.
    expire_at: time = time(15, 0)
    # Orders above this value (CNY) need a second, different approver; None: never.
    four_eyes_above: Decimal | None = Field(default=None, gt=0)
    # Approve an urgent hedge automatically after this many minutes without a
    # decision; None: never. This approval completes four eyes on its own.
    hedge_auto_approve_minutes: float | None = Field(default=None, gt=0)
    # Auto-approve stock orders whose value is below this (CNY); None: never.
    auto_approve_below_value: Decimal | None = Field(default=None, gt=0)
    # Auto-approve sells of stocks that carry a risk warning (ST, *ST).
    auto_approve_st_sells: bool = False
    # An approval must be re-confirmed when the last price is this fraction or more
    # away from the price the batch was built with.
    reconfirm_price_move: Decimal = Field(default=Decimal("0.05"), gt=0)
    # Who may never approve an order: its author and its last editor, or (stricter)
    # its author and everyone who ever edited it. There is no laxer setting.
    maker_checker: MakerChecker = MakerChecker.AUTHOR_AND_LAST_EDITOR

    def price_move(self, reference: Decimal, last: Decimal | None) -> Decimal | None:
        """The move since the batch (a fraction, signed) when it needs re-confirmation."""
        if last is None or last <= 0:
            return None
        move = last / reference - 1
        return move if abs(move) >= self.reconfirm_price_move else None
