"""Options in the book and in the state document: long puts marked in NAV, read from the
ledger, the alternatives' costs in the state document (strictly typed, old documents
still readable)."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

import pytest

from marketdata.calendar import TradingCalendar
from marketdata.clock import EXCHANGE_TZ
from risk.config import HedgeConfig, HedgeInstrument, RiskConfig
from risk.hedge_choice import PutQuote, choose_instrument, choose_put
from risk.ledger_view import LedgerUnreadable, book_from_ledger
from risk.nav import Book, MissingPrice, OptionLong, compute_nav
from risk.state_doc import RiskStateUnreadable, hedge_costs, read_risk_state
from tests.unit.risk.risk_kit import contract, d
from tests.unit.risk.test_risk_state_doc import KEY, written

T0 = datetime(2026, 12, 1, 10, 0, tzinfo=EXCHANGE_TZ)
PUT = "MO2403-P-4800.CFFEX"


def test_nav_marks_long_puts_at_their_last_price() -> None:
    book = Book("paper", Decimal(1_000_000), {}, options={PUT: OptionLong(PUT, 86, Decimal(100))})
    nav = compute_nav(book, {PUT: Decimal("130.4")}, multiplier=200, margin_rate=Decimal("0.15"))
    assert nav.options_value == Decimal("1121440.0")  # 86 x 130.4 x 100
    assert nav.nav == Decimal(1_000_000) + Decimal("1121440.0")
    assert nav.free_cash == Decimal(1_000_000)  # a bought put blocks no margin
    with pytest.raises(MissingPrice, match=PUT):
        compute_nav(book, {}, multiplier=200, margin_rate=Decimal("0.15"))


def test_the_ledger_carries_long_options() -> None:
    raw = json.dumps({"cash": "100", "positions": {},
                      "options": {PUT: {"long": "86", "avg_price": "100.2"}}})
    book = book_from_ledger(raw, "k", "paper")
    assert book.options[PUT] == OptionLong(PUT, 86, Decimal("100.2"))
    short = json.dumps({"cash": "100", "options": {PUT: {"long": "-1", "avg_price": "1"}}})
    with pytest.raises(LedgerUnreadable, match="short option"):
        book_from_ledger(short, "k", "paper")
    assert book_from_ledger(json.dumps({"cash": "1"}), "k", "paper").options == {}


def test_the_state_document_carries_both_costs(calendar: TradingCalendar) -> None:
    cfg = RiskConfig(hedge=HedgeConfig(instrument=HedgeInstrument.CHEAPEST))
    put = PutQuote(PUT, Decimal(4800), contract("IM2403.CFFEX", calendar), Decimal("99.6"),
                   Decimal(100), -0.35)
    best = choose_put([put], Decimal(15_000_000), 5000.0, d("2024-02-05"), cfg.hedge)
    choice = choose_instrument(cfg.hedge, None, best)
    doc = json.loads(written(cfg))
    doc["hedge_costs"] = hedge_costs(choice, T0)
    state = read_risk_state(json.dumps(doc), KEY)
    assert state is not None and state.hedge_costs is not None
    assert state.hedge_costs.put_premium == Decimal(860_000)
    assert state.hedge_costs.put_lots == 86 and state.hedge_costs.futures_symbol is None
    assert state.public()["hedge_costs"]["put_cost_30d"] == "661538"


def test_an_older_document_without_the_costs_still_reads(cfg: RiskConfig) -> None:
    doc = json.loads(written(cfg))
    for key in ("hedge_costs", "options_value"):
        doc.pop(key)
    state = read_risk_state(json.dumps(doc), KEY)
    assert state is not None and state.hedge_costs is None and state.options_value is None


def test_a_mistyped_cost_is_named(cfg: RiskConfig) -> None:
    doc = json.loads(written(cfg))
    doc["hedge_costs"] = {"at": T0.isoformat(), "instrument": "options", "put_share": 1.0,
                          "why": "x", "put_lots": "86"}
    with pytest.raises(RiskStateUnreadable, match=r"hedge_costs\.put_lots"):
        read_risk_state(json.dumps(doc), KEY)
