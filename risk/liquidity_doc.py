"""The published liquidity profile (`desk:risk:liquidity:<account>`), typed, read in one place.

Written by `services.liquidity_watch.publish_liquidity` (the risk daemon once a day, the
end of day, `desk risk liquidity --publish`); read by the console's Liquidity page and
the daily report. Whatever the key holds, a reader gets the validated document, None
(nothing published) or `LiquidityDocUnreadable` naming the key and the field.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, ValidationError

from errors import FixData


class _Doc(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")  # newer writers may add keys


class HoldingDoc(_Doc):
    symbol: str
    name: str
    shares: int
    price: Decimal
    value: Decimal
    weight: float | None
    adv_volume: float | None
    adv_amount: Decimal | None
    volume_days: float | None
    adv_share: float | None
    days_to_exit: float | None  # None: never (no volume)
    whole_days: float | None
    locked: bool


class ScenarioDoc(_Doc):
    name: str
    volume_factor: float
    locked_days: int
    locked_share: float
    max_days_to_exit: float | None
    curve: dict[int, float]  # horizon -> share of NAV in cash by then
    holdings: list[HoldingDoc]


class CrowdDoc(_Doc):
    symbol: str
    name: str
    traded: int
    market_volume: float | None
    volume_share: float | None
    held: int
    float_share: float | None


class CrowdingDoc(_Doc):
    day: str
    top: list[CrowdDoc]


class BreachDoc(_Doc):
    kind: str
    subject: str
    value: float | None
    limit: float
    detail: str


class LiquidityDoc(_Doc):
    account: str
    day: str  # the store's day the averages end on
    at: str = ""  # when it was computed
    nav: Decimal
    stock_value: Decimal
    participation: float
    adv_days: int
    max_adv_share: float
    scenarios: list[ScenarioDoc]
    crowding: CrowdingDoc
    breaches: list[BreachDoc]
    blocked_symbols: list[str]

    def scenario(self, name: str) -> ScenarioDoc | None:
        return next((s for s in self.scenarios if s.name == name), None)


class LiquidityDocUnreadable(ValueError, FixData):
    """The published profile cannot be read; the message names the key and the field."""


def read_liquidity_doc(raw: str | bytes | None, key: str) -> LiquidityDoc | None:
    if raw is None:
        return None
    try:
        return LiquidityDoc.model_validate_json(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "document"
        raise LiquidityDocUnreadable(f"{key}: unreadable liquidity profile: {where}: "
                                     f"{first['msg']}; run `desk risk liquidity --publish` "
                                     "or delete the key") from None
