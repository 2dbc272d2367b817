"""A-share and CSI 1000 futures order rules: pure functions over dated rule tables.

See docs/rules.md. Nothing here does I/O or reads the clock.
"""

from execution.rules.answer import describe
from execution.rules.bands import board_band, price_band
from execution.rules.checks import check_cancel, check_order
from execution.rules.config import CommissionConfig, RulesConfig
from execution.rules.contracts import final_settlement_price, listed_contracts, open_room
from execution.rules.data import CageRule, FutureSpec, QuantityRule
from execution.rules.days import TradingDays, day_number
from execution.rules.enums import Board, Exchange, Side
from execution.rules.errors import (
    RuleNotModelled,
    RulesError,
    UnknownSecurity,
    UnsupportedSecurity,
)
from execution.rules.fees import FeeBreakdown, fees, future_fee
from execution.rules.futures import future_band, future_limit_prices, future_spec, last_trading_day
from execution.rules.prices import limit_prices, price_cage, tick_size
from execution.rules.quantity import (
    is_legal_buy_quantity,
    is_legal_sell_quantity,
    max_order_quantity,
    quantity_rule,
    round_buy_quantity,
    round_sell_quantity,
    sellable_quantity,
)
from execution.rules.securities import SecurityInfo, classify
from execution.rules.sessions import Phase, SessionPhase, session_phase
from execution.rules.splitting import split_order_quantity
from execution.rules.violations import OrderFacts, Rule, RuleViolation

__all__ = [
    "Board",
    "CageRule",
    "CommissionConfig",
    "Exchange",
    "FeeBreakdown",
    "FutureSpec",
    "OrderFacts",
    "Phase",
    "QuantityRule",
    "Rule",
    "RuleNotModelled",
    "RuleViolation",
    "RulesConfig",
    "RulesError",
    "SecurityInfo",
    "SessionPhase",
    "Side",
    "TradingDays",
    "UnknownSecurity",
    "UnsupportedSecurity",
    "board_band",
    "check_cancel",
    "check_order",
    "classify",
    "day_number",
    "describe",
    "fees",
    "final_settlement_price",
    "future_band",
    "future_fee",
    "future_limit_prices",
    "future_spec",
    "is_legal_buy_quantity",
    "is_legal_sell_quantity",
    "last_trading_day",
    "limit_prices",
    "listed_contracts",
    "max_order_quantity",
    "open_room",
    "price_band",
    "price_cage",
    "quantity_rule",
    "round_buy_quantity",
    "round_sell_quantity",
    "sellable_quantity",
    "session_phase",
    "split_order_quantity",
    "tick_size",
]
