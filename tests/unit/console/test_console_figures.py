"""Figures read the same everywhere: decimals per instrument, alert kinds and symbols."""

from decimal import Decimal

import pytest

from bus.messages import Alert
from services.console.alert_groups import group_key, kind_and_symbol
from services.console.display import last_text
from services.console.reads import LastPrice


@pytest.mark.parametrize(("value", "symbol", "text"), [
    ("16.8", "600000.SSE", "16.80"), ("5", "000001.SZSE", "5.00"), ("9.00", "300750.SZSE", "9.00"),
    ("6123.4", "IM2612.CFFEX", "6,123.4"), ("12.2", "MO2612-C-6000.CFFEX", "12.2"),
    ("1234.5", "", "1,234.50"), (None, "600000.SSE", "—"),
])
def test_prices_have_the_instruments_decimals(value: str | None, symbol: str, text: str) -> None:
    assert str(last_text(None if value is None else Decimal(value), symbol)) == text


def test_a_price_before_trading_is_marked_with_its_source() -> None:
    marked = str(last_text(LastPrice("10.8", "prev_close"), "600000.SSE"))
    assert marked.startswith("10.80 <span") and 'data-src="prev_close"' in marked
    assert str(last_text(LastPrice("10.8", "last"), "600000.SSE")) == "10.80"
    assert LastPrice("10.8", "prev_close") * 2 == Decimal("21.6")


@pytest.mark.parametrize(("title", "kind", "symbol"), [
    ("limit: stale_price 600000.SSE", "limit: stale_price", "600000.SSE"),
    ("order IM2612.CFFEX rejected 3 times", "order rejected 3 times", "IM2612.CFFEX"),
    ("gateway SIM disconnected", "gateway SIM disconnected", ""),
])
def test_an_alerts_kind_is_its_title_without_the_symbol(title: str, kind: str,
                                                        symbol: str) -> None:
    assert kind_and_symbol(title) == (kind, symbol)


def test_one_group_per_kind_symbol_and_severity() -> None:
    def key(severity: str, title: str) -> str:
        return group_key(Alert(severity=severity, source="risk", title=title))

    assert key("warning", "limit: stale_price 600000.SSE") == key("warning",
                                                                  "limit: stale_price 600000.SSE")
    assert key("warning", "limit: stale_price 600000.SSE") != key("warning",
                                                                  "limit: stale_price 000002.SZSE")
    assert key("warning", "x 600000.SSE") != key("critical", "x 600000.SSE")
