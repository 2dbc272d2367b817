"""The simulated exchange and broker, without vnpy: accept, refuse, cancel, match.

`SimExchange` turns requests into `SimOrder`s kept in `SimBook` and, as the clock
passes each minute, matches the working ones against that minute's bars. It returns
what changed as `Update`s; `SimGateway` turns those into vnpy events. Callers hold
one lock around every method (the gateway does). Inside `together()` the changes of
many requests reach Redis in one transaction; if it fails, the working orders in memory
are read again from Redis before the next request, as after a restart.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from exchange import check_cancel, classify, option_last_trading_day
from execution.config import SimConfig
from execution.gateway.sim import accounts
from execution.gateway.sim.active import ActiveOrders
from execution.gateway.sim.book import SimBook
from execution.gateway.sim.checks import cash_refusal, refusal
from execution.gateway.sim.matching import Match, match_auction, match_continuous
from execution.gateway.sim.models import FuturePosition, SimExpiry, SimOrder, SimTrade
from execution.gateway.sim.tape import BAR, Bar, SimTape
from marketdata.clock import EXCHANGE_TZ

OPEN_AUCTION_END = time(9, 30)
CLOSE_AUCTION_START = time(14, 57)
DAY_END = time(15, 0)


@dataclass
class Update:
    orders: list[SimOrder] = field(default_factory=list)
    trades: list[SimTrade] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)
    expiries: list[SimExpiry] = field(default_factory=list)


class SimExchange:
    def __init__(self, book: SimBook, tape: SimTape, cfg: SimConfig) -> None:
        self.book, self.tape, self.cfg = book, tape, cfg
        self.day: date = tape.day
        self._active = ActiveOrders()
        self.last: dict[str, Bar] = {}
        self.day_volume: dict[str, int] = {}  # market volume so far, for ticks
        self._stale = False  # a batch failed: memory may hold what Redis does not

    def open(self) -> None:
        """Load the day's state (after a restart too): working orders and last bars."""
        self.book.open_day(self.day, self.tape.source.corporate_actions(self.day))
        orders = self.book.orders(self.day)
        self._active, self._stale = ActiveOrders(o for o in orders if o.active), False
        self.ensure({o.symbol for o in orders} | set(self.book.positions()))

    @contextmanager
    def together(self) -> Iterator[None]:
        """The requests and matching inside are written in one transaction at the end
        (`SimBook.batch`); the caller pushes nothing of them before."""
        try:
            with self.book.batch():
                yield
        except BaseException:
            self._stale = True
            raise

    @property
    def active(self) -> ActiveOrders:
        """The working orders; after a failed batch, as Redis has them (the book drops
        its own copies of cash and positions itself)."""
        if self._stale:
            self._active = ActiveOrders(o for o in self.book.orders(self.day) if o.active)
            self._stale = False
        return self._active

    def ensure(self, symbols: Iterable[str]) -> None:
        """Load symbols onto the tape, with their bars so far (last price, volume)."""
        new = {s for s in symbols if not self.tape.is_loaded(s)}
        if not new:
            return
        self.tape.ensure(new)
        cursor = self.book.cursor(self.day)
        for minute in self.tape.minutes():
            if cursor is None or minute + BAR > cursor:
                break
            for bar in self.tape.bars_at(minute):
                if bar.symbol in new:
                    self._seen(bar)

    def available_cash(self) -> Decimal:
        return self.book.cash() - self.active.frozen - self.book.margin()

    # ---- requests -----------------------------------------------------------------
    def submit(self, order: SimOrder, at: datetime) -> SimOrder:
        """Accept (NOTTRADED, cash and shares held) or refuse (REJECTED, with the reason)."""
        self.ensure([order.symbol])
        position = self.book.position(order.symbol)
        last = self.last.get(order.symbol)
        reason = refusal(order, self.tape.refs.get(order.symbol), position, last, at)
        freeze = Decimal(0)
        if not reason:
            try:
                freeze = accounts.cash_to_freeze(order, position, self.cfg, self.day,
                                                 self._index_prev_close(order.symbol))
            except accounts.OptionMarginUnknown as exc:
                reason = str(exc)
            else:
                reason = cash_refusal(position, freeze, self.available_cash())
        if reason:
            rejected = order.model_copy(update={"status": "REJECTED", "reason": reason})
            self.book.save(self.day, rejected)
            return rejected
        accepted = order.model_copy(update={"status": "NOTTRADED", "frozen_cash": freeze})
        held = accounts.hold_shares(position, accepted, +1)  # a buy holds no shares
        self.book.save(self.day, accepted, held if held is not position else None)
        self.active.put(accepted)
        return accepted

    def cancel(self, orderid: str, at: datetime) -> tuple[SimOrder | None, str]:
        """The cancelled order, or None and why the cancel was refused."""
        order = self.active.get(orderid)
        if order is None:
            return None, f"order {orderid} is not working"
        violations = check_cancel(order.symbol, at)
        if violations:
            return None, violations[0].reason
        return self._end(order, "CANCELLED", "cancelled by the desk"), ""

    def _end(self, order: SimOrder, status: str, reason: str) -> SimOrder:
        position = accounts.hold_shares(self.book.position(order.symbol), order, -1)
        ended = order.model_copy(update={"status": status, "frozen_cash": Decimal(0),
                                         "reason": reason})
        self.book.save(self.day, ended, position)
        self.active.pop(order.orderid)
        return ended

    # ---- matching -----------------------------------------------------------------
    def advance(self, now: datetime) -> Update:
        """Match every complete bar up to `now` not matched yet; close the day at 15:00.
        What it writes (fills, the cursor, expiries) reaches Redis in one transaction."""
        update = Update()
        with self.together():
            cursor = self.book.cursor(self.day)
            for minute in self.tape.minutes():
                if (cursor is not None and minute + BAR <= cursor) or minute + BAR > now:
                    continue
                self._match_minute(minute, update)
                self.book.set_cursor(self.day, minute + BAR)
            done = now.replace(second=0, microsecond=0)
            if cursor is None or done > cursor:
                self.book.set_cursor(self.day, done)  # bars are complete up to here
            if _clock_time(now) >= DAY_END and now.astimezone(EXCHANGE_TZ).date() == self.day:
                self._close_day(update)
        return update

    def _match_minute(self, minute: datetime, update: Update) -> None:
        opening = _clock_time(minute) == OPEN_AUCTION_END
        bars = self.tape.bars_at(minute)
        working = self.active.symbols()
        self.book.prefetch_used(self.day, [(b.symbol, b.start) for b in bars
                                           if b.symbol in working])  # one round trip
        for bar in bars:
            self._seen(bar)
            update.bars.append(bar)
            for order in self.active.of(bar.symbol):
                if _in_closing_auction(order) or order.created_at >= bar.end:
                    continue
                in_auction = opening and order.created_at < minute
                self._try_fill(order, bar, update, bar.open if in_auction else None)

    def _index_prev_close(self, symbol: str) -> Decimal | None:
        ref = self.tape.refs.get(symbol)
        return ref.underlying_prev_close if ref is not None else None

    def _seen(self, bar: Bar) -> None:
        self.last[bar.symbol] = bar
        self.day_volume[bar.symbol] = self.day_volume.get(bar.symbol, 0) + bar.volume

    def _try_fill(self, order: SimOrder, bar: Bar, update: Update,
                  auction_price: Decimal | None) -> None:
        used = self.book.used(self.day, order.symbol, bar.start)
        ref = self.tape.refs[order.symbol]
        match: Match | None
        if auction_price is not None:
            match = match_auction(order, bar, auction_price, self.cfg.participation, used)
        else:
            match = match_continuous(order, bar, ref, self.cfg.participation, used)
        if match is not None:
            self._fill(order, match, bar, update)

    def _fill(self, order: SimOrder, match: Match, bar: Bar, update: Update) -> None:
        position = self.book.position(order.symbol)
        index_close = self._index_prev_close(order.symbol)
        result = accounts.apply_fill(position, order, match.quantity, match.price, self.cfg,
                                     self.day, index_close)
        traded = order.traded + match.quantity
        status = "ALLTRADED" if traded == order.volume else "PARTTRADED"
        after = order.model_copy(update={"traded": traded, "status": status})
        after = after.model_copy(update={"frozen_cash": accounts.cash_to_freeze(
            after, result.position, self.cfg, self.day, index_close)})
        trade = SimTrade(
            tradeid=f"{self.day:%Y%m%d}-{self.book.next_id()}", orderid=order.orderid,
            symbol=order.symbol, side=order.side, offset=result.offset, price=match.price,
            volume=match.quantity, fees=result.fees, at=bar.end,
        )
        self.book.save(self.day, after, result.position, trade, result.cash_delta,
                       used=(bar.start, match.quantity))
        if after.active:
            self.active.put(after)
        else:
            self.active.pop(after.orderid)
        update.orders.append(after)
        update.trades.append(trade)

    def _close_day(self, update: Update) -> None:
        """The closing auction at the last bar's close, then every working order expires."""
        for order in [o for o in self.active.values() if _in_closing_auction(o)]:
            bar = self.last.get(order.symbol)
            if bar is not None:
                self._try_fill(order, bar, update, bar.close)
        for order in self.active.values():
            update.orders.append(self._end(order, "CANCELLED", "expired at the close"))
        self._settle_expiries(update)

    def _settle_expiries(self, update: Update) -> None:
        """Options held into the close of their last trading day are cash settled. The
        matcher runs on trading days only, so the weekday rule's day or later is it."""
        settlement = self.tape.source.index_settlement(self.day)
        if settlement is None:  # no settlement price: held until there is one
            return
        at = datetime.combine(self.day, DAY_END, tzinfo=EXCHANGE_TZ)
        for symbol, position in sorted(self.book.positions().items()):
            if isinstance(position, FuturePosition) and _expiring(symbol, position, self.day):
                expiry = accounts.settle_option(symbol, position, settlement, self.day, at)
                self.book.settle(self.day, expiry)
                update.expiries.append(expiry)


def _expiring(symbol: str, position: FuturePosition, day: date) -> bool:
    if not classify(symbol).is_option or not (position.long or position.short):
        return False
    return option_last_trading_day(symbol) <= day


def _in_closing_auction(order: SimOrder) -> bool:
    if classify(order.symbol).is_derivative:  # CFFEX: no closing auction
        return False
    return _clock_time(order.created_at) >= CLOSE_AUCTION_START


def _clock_time(moment: datetime) -> time:
    return moment.astimezone(EXCHANGE_TZ).time()
