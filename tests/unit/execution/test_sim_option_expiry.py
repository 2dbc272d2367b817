"""The simulated broker settles MO options at the close of their last trading day: an
out-of-the-money put expires worthless, an in-the-money one pays max(K - S, 0) x 100 per
lot less the exercise fee, a written one pays out and frees its margin; other months
are left alone, and settling twice pays once."""

from datetime import date, time
from decimal import Decimal
from pathlib import Path

import redis

from execution.gateway.sim.exchange import SimExchange
from execution.gateway.sim.models import FuturePosition
from execution.gateway.sim.scenario import DayBar, scenario
from execution.gateway.sim.source import StoreTapeSource
from marketdata.calendar import load_calendar
from marketdata.synthetic import write_demo_store
from tests.unit.execution.simkit import at, exchange, order

EXPIRY = date(2026, 12, 18)  # MO2612's last trading day
PUT, OTM = "MO2612-P-5700.CFFEX", "MO2612-P-5400.CFFEX"
CALL, LATER = "MO2612-C-5600.CFFEX", "MO2701-P-5700.CFFEX"
INDEX = 5650.0  # the CSI 1000's previous close


def bars(settlement: float | None) -> object:
    return scenario(EXPIRY, {
        PUT: DayBar(50.0, 50.0, 56.0, 44.0, 50.0, 3000, index_prev_close=INDEX),
        OTM: DayBar(1.0, 1.0, 1.2, 0.2, 0.2, 3000, index_prev_close=INDEX),
        CALL: DayBar(50.0, 50.0, 56.0, 44.0, 50.0, 3000, index_prev_close=INDEX),
        LATER: DayBar(120.0, 120.0, 126.0, 114.0, 120.0, 3000, index_prev_close=INDEX),
    }, index_settlement=settlement)


def bought(sim: SimExchange, symbol: str, lots: int, price: str, side: str = "buy") -> None:
    placed = sim.submit(order(sim, symbol, side, lots, price, at(time(9, 31), EXPIRY), "open"),
                        at(time(9, 31), EXPIRY))
    assert placed.status == "NOTTRADED", placed.reason


def test_expiry_settles_in_the_money_pays_out_of_the_money_lapses(
        redis_client: redis.Redis) -> None:
    sim = exchange(redis_client, bars(5650.0), day=EXPIRY, cash="10000000")
    bought(sim, PUT, 5, "60.0")
    bought(sim, OTM, 3, "2.0")
    bought(sim, LATER, 2, "130.0")
    bought(sim, CALL, 1, "40.0", side="sell")
    sim.advance(at(time(14, 0), EXPIRY))
    assert all(sim.book.position(s).long for s in (PUT, OTM, LATER))  # type: ignore[union-attr]
    written = sim.book.position(CALL)
    assert isinstance(written, FuturePosition) and written.short == 1 and written.margin > 0
    before = sim.book.cash()

    update = sim.advance(at(time(15, 0), EXPIRY))
    settled = {e.symbol: e for e in update.expiries}
    assert set(settled) == {PUT, OTM, CALL}
    # put: (5700 - 5650) x 100 x 5 = 25,000, exercise fee 2 x 5; the written call pays
    # (5650 - 5600) x 100 = 5,000 and posts no fee; the 5400 put lapses.
    assert (settled[PUT].value, settled[PUT].fee) == (Decimal("25000.00"), Decimal("10.00"))
    assert (settled[CALL].value, settled[CALL].fee) == (Decimal("-5000.00"), Decimal("0.00"))
    assert (settled[OTM].value, settled[OTM].fee) == (Decimal("0.00"), Decimal("0.00"))
    assert sim.book.cash() == before + Decimal("25000") - Decimal("10") - Decimal("5000")
    for symbol in (PUT, OTM, CALL):
        gone = sim.book.position(symbol)
        assert isinstance(gone, FuturePosition) and (gone.long, gone.short, gone.margin) == (
            0, 0, Decimal(0))
    assert sim.book.position(LATER).long == 2  # type: ignore[union-attr]
    assert set(sim.book.positions()) == {LATER}  # settled contracts are not carried on
    assert [e.symbol for e in sim.book.expiries(EXPIRY)] == sorted(settled)

    again = sim.advance(at(time(15, 5), EXPIRY))  # the close is looked at again: paid once
    assert again.expiries == [] and sim.book.cash() == before + Decimal("19990")


def test_without_a_settlement_price_nothing_is_settled(redis_client: redis.Redis) -> None:
    sim = exchange(redis_client, bars(None), day=EXPIRY, cash="10000000")
    bought(sim, PUT, 5, "60.0")
    sim.advance(at(time(14, 0), EXPIRY))
    update = sim.advance(at(time(15, 0), EXPIRY))
    assert update.expiries == [] and sim.book.position(PUT).long == 5  # type: ignore[union-attr]


def test_the_store_source_settles_at_the_day_s_csi_1000_close(tmp_path: Path) -> None:
    calendar = load_calendar(Path(__file__).resolve().parents[3] / "config" / "holidays.yaml")
    store = write_demo_store(tmp_path, 50, 15, 5, end=EXPIRY, calendar=calendar)
    close = store.load_index(EXPIRY, EXPIRY)["csi1000"].iloc[-1]
    assert StoreTapeSource(store).index_settlement(EXPIRY) == Decimal(repr(float(close))).quantize(
        Decimal("0.01"))
    assert StoreTapeSource(store).index_settlement(date(2026, 12, 21)) is None  # not stored
