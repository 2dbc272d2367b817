"""The console's Jinja filters for figures: one place decides how a number reads.

`px` (a price with its instrument's decimals), `qty` (shares or lots), `last_px` (a
last price with its source marked when nothing has traded yet: 昨收 for the previous
close, 竞价 for the opening auction's indicative price), `exchange_time` and
`alert_groups`.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from jinja2 import Environment
from markupsafe import Markup, escape

from marketdata.clock import EXCHANGE_TZ
from services.console.alert_groups import alert_groups
from services.console.numbers import price_text, quantity_text

MARKS = {
    "prev_close": ("昨收 prev", "previous close: nothing has traded today yet"),
    "auction": ("竞价 auct", "the opening auction's indicative price: nothing matched yet"),
}


def last_text(value: Decimal | None, symbol: str = "") -> Markup:
    text = escape(price_text(value, symbol))  # escape() already returns Markup
    source = str(getattr(value, "source", "last"))
    if value is None or source not in MARKS:
        return text
    label, title = MARKS[source]
    return Markup('{} <span class="src" data-src="{}" title="{}">{}</span>').format(
        text, source, title, label)


def exchange_time(at: datetime) -> str:
    """The exchange's wall time (Asia/Shanghai), whatever zone the clock gives."""
    return at.astimezone(EXCHANGE_TZ).strftime("%Y-%m-%d %H:%M:%S")


def install(env: Environment) -> None:
    env.filters["px"] = price_text
    env.filters["qty"] = quantity_text
    env.filters["last_px"] = last_text
    env.filters["alert_groups"] = alert_groups
    env.filters["exchange_time"] = exchange_time
