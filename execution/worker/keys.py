"""Redis keys of the execution service beyond the shared ones in `bus.streams`."""

from __future__ import annotations

from bus.streams import PREFIX

SLICE_COUNTER = f"{PREFIX}:exec:slice:{{order_id}}"  # INCR: the next child's slice number
FILL_JOURNAL = f"{PREFIX}:exec:fills:{{order_id}}"  # list of JSON fills, in arrival order
VT_ORDERS = f"{PREFIX}:exec:vt:{{trade_date}}"  # hash vt_orderid -> child reference
POV_BASE = f"{PREFIX}:exec:pov_base:{{trade_date}}"  # hash order_id -> market volume at start
DAY_TTL_S = 10 * 24 * 3600


def account_suffix(account: str, default: str) -> str:
    """"" for the desk's default account, ":<account>" for another: broker order and
    trade ids are only unique within one broker account, so the keys that index them
    are kept per account (the default keeps the keys it always had)."""
    return "" if account == default else f":{account}"
