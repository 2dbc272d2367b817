"""Child sizing and pricing: every rule of the board, and never past the parent."""

from datetime import date, datetime, time
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from exchange import OrderFacts, check_order, limit_prices
from execution.algos.market import Quote
from execution.algos.pricing import PriceInputs, child_price
from execution.algos.sizing import SizeInputs, size_child
from execution.config import PriceStyle
from marketdata.clock import EXCHANGE_TZ

DAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=EXCHANGE_TZ)


def sized(**changes: object) -> int:
    base: dict[str, object] = dict(symbol="600000.SSE", side="buy", total=10_000, filled=0,
                                   open_quantity=0, target=1_000, min_child=100,
                                   max_child=100_000)
    base.update(changes)
    return size_child(SizeInputs(**base)).quantity  # type: ignore[arg-type]


def test_main_board_buys_whole_lots_and_vnpy_overfill_cannot_happen() -> None:
    assert sized(target=750) == 700
    # 750 parent: 700 done, the 50 left is less than a lot and is never sent.
    assert sized(total=750, filled=700, target=750) == 0
    assert sized(total=750, filled=0, target=750, finishing=True) == 700


def test_star_minimum_200_then_steps_of_one() -> None:
    assert sized(symbol="688001.SSE", target=250, min_child=1) == 250
    assert sized(symbol="688001.SSE", target=199, min_child=1, total=199) == 0
    assert sized(symbol="688001.SSE", target=201, min_child=1) == 201


def test_slice_below_minimum_waits_unless_it_is_the_last_piece() -> None:
    result = size_child(SizeInputs("600000.SSE", "buy", 10_000, 0, 0, 50, 500, 100_000))
    assert result.quantity == 0 and "below the minimum child" in result.reason
    assert sized(total=300, target=300, min_child=500) == 300


def test_open_children_count_against_the_parent() -> None:
    assert sized(total=1_000, open_quantity=900, target=1_000) == 100
    assert sized(total=1_000, open_quantity=1_000, target=1_000) == 0


def test_max_child_and_board_maximum() -> None:
    assert sized(target=5_000, max_child=2_000) == 2_000
    assert sized(symbol="688001.SSE", total=500_000, target=500_000, max_child=10**9) == 100_000


def test_odd_lot_holding_is_sold_in_one_order() -> None:
    # 1,050 held: the 50 odd shares go with whole lots in one order, never alone later.
    first = sized(side="sell", total=1_050, target=550, holding=1_050, sellable=1_050)
    assert first == 550
    assert sized(side="sell", total=1_050, target=1_050, holding=1_050, sellable=1_050) == 1_050


def test_never_more_than_t_plus_one_sellable() -> None:
    assert sized(side="sell", total=2_000, target=2_000, holding=2_000, sellable=800) == 800
    assert sized(side="sell", total=2_000, target=2_000, holding=2_000, sellable=0) == 0


SYMBOLS = ["600000.SSE", "000001.SZSE", "300750.SZSE", "688001.SSE", "920001.BSE"]


@settings(max_examples=300, deadline=None)
@given(
    symbol=st.sampled_from(SYMBOLS), side=st.sampled_from(["buy", "sell"]),
    total=st.integers(1, 400_000), filled_share=st.floats(0, 1), open_share=st.floats(0, 1),
    target_share=st.floats(0, 1.2), min_child=st.integers(1, 5_000),
    max_child=st.integers(1, 200_000), finishing=st.booleans(), randomise=st.floats(-0.3, 0.3),
    holding_extra=st.integers(0, 5_000), bought_share=st.floats(0, 1),
)
def test_children_never_exceed_the_parent_and_are_legal(
    symbol: str, side: str, total: int, filled_share: float, open_share: float,
    target_share: float, min_child: int, max_child: int, finishing: bool, randomise: float,
    holding_extra: int, bought_share: float,
) -> None:
    filled = int(total * filled_share)
    open_quantity = int((total - filled) * open_share)
    holding = total - filled - open_quantity + holding_extra
    bought_today = int(holding * bought_share)
    inputs = SizeInputs(symbol, side, total, filled, open_quantity, int(total * target_share),
                        min_child, max_child, finishing, randomise, None, holding,
                        holding - bought_today)
    quantity = size_child(inputs).quantity
    assert quantity >= 0 and filled + open_quantity + quantity <= total
    if quantity:
        facts = OrderFacts(holding=holding, bought_today=bought_today)
        assert check_order(symbol, side, quantity, Decimal("10.00"), NOW, facts) == []


def quote(last: str, bid: str | None, ask: str | None, prev: str = "10.00") -> Quote:
    up, down = limit_prices(Decimal(prev), Decimal("0.10"))
    return Quote("600000.SSE", NOW, Decimal(last), Decimal(bid) if bid else None,
                 Decimal(ask) if ask else None, up, down)


def price_inputs(side: str = "buy", **changes: object) -> PriceInputs:
    base: dict[str, object] = dict(
        symbol="600000.SSE", side=side, day=DAY, tick=Decimal("0.01"),
        reference=Decimal("10.00"), limit=None, band=Decimal("0.03"), style=PriceStyle.TOUCH,
        crossing=False, cross_ticks=2,
    )
    base.update(changes)
    return PriceInputs(**base)  # type: ignore[arg-type]


def test_touch_passive_and_crossing_prices() -> None:
    book = quote("10.00", "9.99", "10.01")
    assert child_price(book, price_inputs()) == Decimal("10.01")
    assert child_price(book, price_inputs(style=PriceStyle.PASSIVE)) == Decimal("9.99")
    assert child_price(book, price_inputs(crossing=True)) == Decimal("10.03")
    assert child_price(book, price_inputs("sell", crossing=True)) == Decimal("9.97")


def test_parent_limit_and_band_bound_the_price() -> None:
    book = quote("10.50", "10.49", "10.51")
    assert child_price(book, price_inputs(limit=Decimal("10.20"))) == Decimal("10.20")
    assert child_price(book, price_inputs()) == Decimal("10.30")  # 10.00 x 1.03
    assert child_price(quote("9.50", "9.49", "9.51"), price_inputs("sell")) == Decimal("9.70")


def test_limit_up_and_cage_bound_the_price() -> None:
    book = quote("10.98", "10.97", "10.99")
    crossing = price_inputs(crossing=True, cross_ticks=50, band=Decimal("0.5"))
    assert child_price(book, crossing) == Decimal("11.00")  # limit-up of 10.00
    cheap = quote("2.00", "1.99", "2.00", prev="2.00")
    far = price_inputs(crossing=True, cross_ticks=40, band=Decimal("0.5"),
                       reference=Decimal("2.00"))
    assert child_price(cheap, far) == Decimal("2.10")  # cage: max(2%, 10 ticks) over 2.00


def test_no_legal_price_when_the_limit_is_below_limit_down() -> None:
    book = quote("9.10", "9.09", "9.11")
    assert child_price(book, price_inputs(limit=Decimal("8.00"))) is None


def test_locked_book_is_reported() -> None:
    locked = Quote("600000.SSE", NOW, Decimal("11.00"), Decimal("11.00"), None,
                   Decimal("11.00"), Decimal("9.00"))
    assert "locked limit-up" in (locked.locked_for("buy") or "")
    assert locked.locked_for("sell") is None


@settings(max_examples=300, deadline=None)
@given(
    side=st.sampled_from(["buy", "sell"]), last_ticks=st.integers(-120, 120),
    spread=st.integers(1, 5), crossing=st.booleans(), cross=st.integers(0, 30),
    limit_ticks=st.one_of(st.none(), st.integers(-150, 150)),
    style=st.sampled_from(list(PriceStyle)),
)
def test_every_price_is_on_tick_inside_limits_and_cage(
    side: str, last_ticks: int, spread: int, crossing: bool, cross: int,
    limit_ticks: int | None, style: PriceStyle,
) -> None:
    tick = Decimal("0.01")
    prev = Decimal("10.00")
    up, down = limit_prices(prev, Decimal("0.10"))
    last = min(max(prev + last_ticks * tick, down), up)
    bid = max(last - spread * tick, down)
    ask = min(last + spread * tick, up)
    book = Quote("600000.SSE", NOW, last, bid, ask, up, down)
    limit = None if limit_ticks is None else prev + limit_ticks * tick
    inputs = price_inputs(side, limit=limit, crossing=crossing, cross_ticks=cross, style=style)
    price = child_price(book, inputs)
    if price is None:
        return
    reference = (ask if side == "buy" else bid) or last
    facts = OrderFacts(prev_close=prev, reference=reference, holding=10**6)
    assert check_order("600000.SSE", side, 100, price, NOW, facts) == []
    if limit is not None:
        assert price <= limit if side == "buy" else price >= limit
    assert time(9, 30) <= NOW.time()


def test_cage_reference_with_an_empty_side_is_the_own_best_quote() -> None:
    # No ask: the exchange's buy reference is the best bid (19.50), not the last (20.00),
    # so the cage is max(19.50 x 1.02, 19.50 + 0.10) = 19.89, not 20.40.
    no_ask = quote("20.00", "19.50", None, prev="20.00")
    far = price_inputs(crossing=True, cross_ticks=100, band=Decimal("0.5"),
                       reference=Decimal("20.00"))
    assert child_price(no_ask, far) == Decimal("19.89")
    no_bid = quote("20.00", None, "20.50", prev="20.00")  # a sell's reference: the ask
    assert child_price(no_bid, price_inputs("sell", crossing=True, cross_ticks=100,
                                            band=Decimal("0.5"),
                                            reference=Decimal("20.00"))) == Decimal("20.09")
