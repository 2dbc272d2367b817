"""The console's Liquidity page: the exit curve per stress scenario, the holdings slowest
first, the crowded names and the limits, from the published profile
(`desk:risk:liquidity:<account>`, docs/risk.md "Liquidity and crowding")."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from bus import streams
from execution.eod.liquidity_chart import data_url
from risk.liquidity_doc import LiquidityDoc, LiquidityDocUnreadable, read_liquidity_doc
from services.console import figures
from services.console.auth import Session
from services.console.users import Role
from services.console.web import chosen_accounts, desk, render, require

router = APIRouter()
VIEWER = Depends(require(Role.VIEWER))


def read_doc(client: object, account: str) -> tuple[LiquidityDoc | None, str]:
    """The document and why it could not be read ('' when it could, or is absent)."""
    key = streams.LIQUIDITY.format(account=account)
    try:
        return read_liquidity_doc(client.get(key), key), ""  # type: ignore[attr-defined]
    except LiquidityDocUnreadable as exc:
        return None, str(exc)


@router.get("/liquidity")
def liquidity(request: Request, stress: str = "", session: Session = VIEWER) -> Response:
    d = desk(request)
    # One account's profile: the one chosen, the default one when every account is.
    account = chosen_accounts(request)[0]
    doc, unreadable = read_doc(d.client, account)
    risk = d.risk_of(account)
    limits = risk.liquidity.limits
    name = stress or limits.scenario
    shown = doc.scenario(name) if doc else None
    missing = f"no stress scenario {name!r}" if doc and shown is None else ""
    if doc and shown is None:
        shown = doc.scenario("base")
    return render(request, session, "liquidity.html", doc=doc, shown=shown,
                  unreadable=unreadable, missing=missing, limits=limits,
                  chart=data_url(doc) if doc else "", fmt=figures,
                  top=risk.liquidity.top_crowded, liquidity_account=account)
