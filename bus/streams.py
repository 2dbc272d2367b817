"""Every Redis stream and key the desk uses, in one place (documented in docs/bus.md)."""

from __future__ import annotations

PREFIX = "desk"

# Streams (consumer groups; must not lose a message)
BATCHES = f"{PREFIX}:batches"  # scheduler -> approval intake
PROPOSALS = f"{PREFIX}:proposals"  # risk hedges, manual orders -> approval intake
DECISIONS = f"{PREFIX}:decisions"  # approvals/rejections/edits -> execution (names an order)
CONTROLS = f"{PREFIX}:controls"  # pause/resume/cancel/amend, halt -> execution service
EVENTS = f"{PREFIX}:events"  # parent/child order events, fills, ledger -> risk, console
ALERTS = f"{PREFIX}:alerts"  # anything -> alerts service
AUDIT = f"{PREFIX}:audit"  # append-only audit trail of every order transition
NAV = f"{PREFIX}:nav"  # NAV and drawdown snapshots from the risk daemon
DEAD_LETTER = f"{PREFIX}:dlq"  # messages that failed validation, with the reason

ALL_STREAMS = (BATCHES, PROPOSALS, DECISIONS, CONTROLS, EVENTS, ALERTS, AUDIT, NAV, DEAD_LETTER)

# Consumer groups: one per (stream, service) pair
GROUP_INTAKE = "intake"
GROUP_EXECUTION = "execution"
GROUP_RISK = "risk"
GROUP_ALERTS = "alerts"
GROUP_LEDGER = "ledger"

# Keys
ORDER = f"{PREFIX}:order:{{order_id}}"  # JSON OrderRecord
ORDERS_BY_DATE = f"{PREFIX}:orders:{{trade_date}}"  # sorted set of order ids
BATCH = f"{PREFIX}:batch:{{trade_date}}"  # JSON batch summary, one per trade date
CURRENT_BATCH = f"{PREFIX}:batch:current"  # trade date of the latest batch
HEARTBEAT = f"{PREFIX}:heartbeat:{{service}}"  # JSON, with a TTL
PROCESSED = f"{PREFIX}:processed:{{group}}"  # set of message ids already handled
CHILD = f"{PREFIX}:child:{{reference}}"  # JSON child order, written before sending
CHILDREN_OF = f"{PREFIX}:children:{{order_id}}"  # set of child references
FILLS_APPLIED = f"{PREFIX}:fills:applied"  # set of trade ids applied to the ledger
LEDGER = f"{PREFIX}:ledger:{{account}}"  # JSON positions and cash
HWM = f"{PREFIX}:risk:hwm:{{account}}"  # high-water mark
RISK_STATE = f"{PREFIX}:risk:state:{{account}}"  # JSON hedge ladder state
LIQUIDITY = f"{PREFIX}:risk:liquidity:{{account}}"  # JSON liquidity profile (docs/risk.md)
LAST_PRICES = f"{PREFIX}:prices:last"  # hash symbol -> last price
PRICE_TIMES = f"{PREFIX}:prices:at"  # hash symbol -> ISO time of the last quote update
HALT = f"{PREFIX}:halt"  # present = trading halted (kill switch)
CLOCK = f"{PREFIX}:clock"  # JSON simulated clock shared by all services
CLOCK_ACKS = f"{PREFIX}:clock:acks"  # stepped clock: the last tick each paced service finished
SCHEDULER_RUNS = f"{PREFIX}:scheduler:runs"  # list of recent model runs, newest first
USERS = f"{PREFIX}:users"  # hash user -> JSON account (console)
