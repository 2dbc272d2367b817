"""A-share, CSI 1000 futures (IM) and options (MO) order rules: pure functions over dated
rule tables.

See docs/rules.md. Nothing here does I/O or reads the clock.
"""

from exchange.answer import describe
from exchange.bands import (
    NewListing,
    board_band,
    delisting_free_days,
    new_listing,
    price_band,
)
from exchange.checks import check_cancel, check_order
from exchange.config import CommissionConfig, RulesConfig
from exchange.contracts import (
    contract_schedule,
    final_settlement_price,
    listed_contracts,
    open_room,
)
from exchange.data import CageRule, FirstDayCap, FutureSpec, QuantityRule
from exchange.days import (
    CoveredTradingDays,
    TradingDays,
    WeekdaysBeyondCalendar,
    day_number,
)
from exchange.enums import Board, Exchange, Side
from exchange.errors import (
    RuleNotModelled,
    RulesError,
    UnknownSecurity,
    UnsupportedSecurity,
)
from exchange.fees import FeeBreakdown, fees, future_fee
from exchange.futures import (
    contract_month,
    contract_symbol,
    future_spec,
    last_trading_day,
    third_friday,
)
from exchange.futures_limits import future_band, future_limit_prices
from exchange.instruments import contract_multiplier
from exchange.options import (
    MO_MULTIPLIER,
    MO_TICK,
    InvalidOptionSymbol,
    OptionContract,
    OptionRight,
    listed_option_months,
    max_option_order_lots,
    option_fee,
    option_intrinsic,
    option_last_trading_day,
    option_limit_prices,
    option_symbol,
    parse_option_symbol,
    short_option_margin,
    strike_grid,
)
from exchange.prices import cage_reference, limit_prices, price_cage, tick_size
from exchange.quantity import (
    is_legal_buy_quantity,
    is_legal_sell_quantity,
    max_order_quantity,
    quantity_rule,
    round_buy_quantity,
    round_sell_quantity,
    sellable_quantity,
)
from exchange.securities import SecurityInfo, classify
from exchange.sessions import Phase, SessionPhase, Window, session_phase, session_windows
from exchange.splitting import split_order_quantity
from exchange.violations import OrderFacts, Rule, RuleViolation

__all__ = [
    "MO_MULTIPLIER",
    "MO_TICK",
    "Board",
    "CageRule",
    "CommissionConfig",
    "CoveredTradingDays",
    "Exchange",
    "FeeBreakdown",
    "FirstDayCap",
    "FutureSpec",
    "InvalidOptionSymbol",
    "NewListing",
    "OptionContract",
    "OptionRight",
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
    "WeekdaysBeyondCalendar",
    "Window",
    "board_band",
    "cage_reference",
    "check_cancel",
    "check_order",
    "classify",
    "contract_month",
    "contract_multiplier",
    "contract_schedule",
    "contract_symbol",
    "day_number",
    "delisting_free_days",
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
    "listed_option_months",
    "max_option_order_lots",
    "max_order_quantity",
    "new_listing",
    "open_room",
    "option_fee",
    "option_intrinsic",
    "option_last_trading_day",
    "option_limit_prices",
    "option_symbol",
    "parse_option_symbol",
    "price_band",
    "price_cage",
    "quantity_rule",
    "round_buy_quantity",
    "round_sell_quantity",
    "sellable_quantity",
    "session_phase",
    "session_windows",
    "short_option_margin",
    "split_order_quantity",
    "strike_grid",
    "third_friday",
    "tick_size",
]
