"""The risk state document and its one reader: what the daemon writes reads back, anything
else is a `RiskStateUnreadable` naming the key and the field, never a crash."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from errors import FixData
from exchange import Side
from marketdata.clock import EXCHANGE_TZ
from orders.order import OrderKind
from risk.config import RiskConfig
from risk.drawdown import HighWaterMark
from risk.monitor import MonitorState, observe_nav
from risk.nav import NavBreakdown
from risk.state_doc import (
    RiskState,
    RiskStateUnreadable,
    Snapshot,
    parse_state,
    public_state,
    read_risk_state,
    state_json,
)

KEY = "desk:risk:state:paper"
T0 = datetime(2026, 12, 1, 10, 0, tzinfo=EXCHANGE_TZ)


def written(cfg: RiskConfig) -> str:
    """A document as the daemon writes it."""
    peak = HighWaterMark(Decimal("100000000"), T0)
    obs = observe_nav(MonitorState(), peak, cfg, Decimal("79000000"), T0, 0.05)
    nav = NavBreakdown(nav=Decimal("79000000.00"), stock_value=Decimal("60000000.00"),
                       cash=Decimal("19000000.00"), futures_pnl=Decimal("0.00"),
                       futures_notional=Decimal("0.00"), futures_margin=Decimal("0.00"))
    snap = Snapshot(at=T0, nav=nav, drawdown=obs.drawdown, hedged_share=0.0, beta=1.1,
                    blocked=["600000.SSE"])
    public = public_state(cfg, snap, obs.state, peak)
    return state_json(public, obs.state, {"hedge-1": T0.isoformat()})


def test_what_the_daemon_writes_reads_back(cfg: RiskConfig) -> None:
    raw = written(cfg)
    state = read_risk_state(raw, KEY)
    assert isinstance(state, RiskState)
    assert state.nav == Decimal("79000000.00") and state.at == T0
    assert state.blocked_symbols == ("600000.SSE",) and state.reducing is False
    assert state.public() == json.loads(raw)  # the console and CLI show the same figures
    assert read_risk_state(raw.encode(), KEY) == state  # bytes as Redis gives them
    monitor, in_flight = parse_state(raw, KEY)
    assert monitor == state.memory() and in_flight == {"hedge-1": T0.isoformat()}


def test_no_document_is_none_and_a_fresh_start() -> None:
    assert read_risk_state(None, KEY) is None
    assert read_risk_state(b"", KEY) is None
    assert parse_state(None, KEY) == (MonitorState(), {})


@pytest.mark.parametrize(("raw", "names"), [
    (b"\xff\xfe\x00", "document: Invalid JSON"),
    (b"not json", "document: Invalid JSON"),
    (b"[1, 2]", "document: Input should be an object"),
    (b"null", "document: Input should be an object"),
    (b'{"reducing": "false"}', "reducing: Input should be a valid boolean"),
    (b'{"reducing": 1}', "reducing: Input should be a valid boolean"),
    (b'{"nav": "a lot"}', "nav: Input should be a valid decimal"),
    (b'{"nav": "NaN"}', "nav:"),
    (b'{"drawdown": "0.2"}', "drawdown: Input should be a valid number"),
    (b'{"blocked_symbols": "600000.SSE"}', "blocked_symbols: Input should be a valid array"),
    (b'{"blocked_symbols": [600000]}', "blocked_symbols.0: Input should be a valid string"),
    (b'{"in_flight": {"hedge-1": 5}}', "in_flight.hedge-1: Input should be a valid string"),
    (b'{"at": "yesterday"}', "at: Input should be a valid datetime"),
    (b'{"monitor": {"no": "ladder"}}', "monitor: Value error, not the daemon's memory"),
    (b'{"monitor": []}', "monitor: Input should be an object"),
])
def test_garbage_names_the_key_and_the_field(raw: bytes, names: str) -> None:
    with pytest.raises(RiskStateUnreadable) as caught:
        read_risk_state(raw, KEY)
    text = str(caught.value)
    assert text.startswith(f"{KEY}: unreadable risk state: ") and names in text
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, FixData)


def test_the_restart_needs_the_daemons_memory() -> None:
    with pytest.raises(RiskStateUnreadable, match=f"{KEY}: unreadable risk state: monitor: "
                                                  "missing"):
        parse_state('{"nav": "1", "reducing": true}', KEY)


def test_unknown_keys_of_an_older_daemon_are_ignored(cfg: RiskConfig) -> None:
    doc = {**json.loads(written(cfg)), "short_lots": 3}
    state = read_risk_state(json.dumps(doc), KEY)
    assert state is not None and "short_lots" not in state.public()


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=200), st.text(max_size=200),
                 st.dictionaries(st.sampled_from(sorted(RiskState.model_fields)),
                                 st.one_of(st.none(), st.booleans(), st.integers(),
                                           st.floats(), st.text(max_size=8),
                                           st.lists(st.integers(), max_size=3)),
                                 max_size=6).map(json.dumps)))
def test_any_input_reads_or_refuses_never_crashes(raw: bytes | str) -> None:
    try:
        read_risk_state(raw, KEY)
        parse_state(raw, KEY)
    except RiskStateUnreadable as exc:
        assert str(exc).startswith(f"{KEY}: unreadable risk state: ")


def test_the_approval_gate_refuses_buys_on_an_unreadable_state() -> None:
    from execution.approval.risk_gate import read_stance
    from tests.unit.queue.queue_kit import make_order

    class Client:
        def __init__(self, raw: bytes | None) -> None:
            self.raw = raw

        def get(self, key: str) -> bytes | None:
            assert key == KEY
            return self.raw

    stance = read_stance(Client(b'{"reducing": "no"}'), "paper")
    buy = make_order("B1-0001", side=Side.BUY)
    sell = make_order("B1-0002", side=Side.SELL)
    refusal = stance.refusal(buy)
    assert refusal and "no new buys" in refusal and "reducing: Input should be" in refusal
    assert stance.refusal(sell) is None
    assert buy.kind is OrderKind.STOCK
    assert read_stance(Client(None), "paper").refusal(buy) is None
    blocked = read_stance(Client(b'{"blocked_symbols": ["600000.SSE"]}'), "paper")
    assert blocked.blocked == frozenset({"600000.SSE"}) and not blocked.reducing


def test_the_console_shows_why_it_cannot_read() -> None:
    from services.console.reads import risk_state

    class Client:
        def get(self, key: str) -> bytes:
            return b"\x00garbage"

    shown = risk_state(Client(), "paper")  # type: ignore[arg-type]
    assert list(shown) == ["unreadable"] and KEY in shown["unreadable"]
