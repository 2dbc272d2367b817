"""The risk daemon: NAV and drawdown every few seconds, the hedge ladder, portfolio limits.

Each check (every `risk.check_interval_s`): read the ledger and last prices, value the
book, judge the NAV (bad prints are not acted on), move the high-water mark and the
ladder, propose urgent hedge orders into the approval queue when the ladder moved (or
once a day for rolls and drift), alert on limit breaches. NAV snapshots go to the NAV
stream every `publish_interval_s`. The high-water mark and the ladder state live in
Redis, so a restart resumes where it stopped. The rules themselves are in `risk/`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from typing import Any, TypeVar

import pandas as pd
import redis
from loguru import logger

from bus import streams
from bus.alerts import send_alert
from bus.bus import publish
from bus.messages import NavSnapshot, OrderProposed
from exchange import future_spec, session_phase
from marketdata.calendar import CalendarNotCovered
from marketdata.clock import EXCHANGE_TZ
from orders.order import TERMINAL_STATES, Order, OrderRecord
from risk.alert_gate import AlertGate
from risk.config import RiskConfig
from risk.contracts import ContractDays
from risk.drawdown import HighWaterMark
from risk.hedge_orders import hedge_orders
from risk.hedge_plan import HedgeInputs
from risk.ledger_view import LedgerUnreadable, book_from_ledger
from risk.limits import (
    Breach,
    blocked_symbols,
    industry_breaches,
    stale_breaches,
    turnover_breaches,
    weight_breaches,
)
from risk.live_puts import live_put_quotes, option_prices, past_expiry
from risk.live_view import PriceClock, build_quotes, hedged_share, stock_values
from risk.market_inputs import DailyInputs, live_prices, load_daily
from risk.monitor import (
    MonitorState,
    NavObservation,
    close_day,
    hedge_trigger,
    mark_planned,
    observe_nav,
)
from risk.nav import Book, MissingPrice, NavBreakdown, compute_nav
from risk.protection import plan_protection
from risk.state_doc import (
    Snapshot,
    hedge_costs,
    parse_state,
    pending_proposals,
    public_state,
    state_json,
)
from services.accounts import account_names
from services.liquidity_watch import LiquidityWatch
from services.runtime import Service

SOURCE = "risk"
CLOSE = clock_time(15, 0)
T = TypeVar("T")


class RiskService(Service):
    name = "risk"
    paced = True

    def setup(self) -> None:
        self.cfg: RiskConfig = self.ctx.settings.risk
        account = self.cfg.account
        self.keys = {"hwm": streams.HWM.format(account=account),
                     "state": streams.RISK_STATE.format(account=account),
                     "ledger": streams.LEDGER.format(account=account)}
        spec = future_spec(f"{self.cfg.futures.product}2601.{self.cfg.futures.exchange}")
        self.multiplier, self.tick = spec.multiplier, spec.tick
        self.gate, self.price_clock = AlertGate(), PriceClock()
        # Several products share the alerts stream: each title says whose it is.
        self.alert_prefix = f"{account}: " if len(account_names(self.ctx.settings)) > 1 else ""
        self.hwm, self.monitor, self.in_flight = self._load()
        self.daily: DailyInputs | None = None
        self.expiries: dict[str, date] = {}
        self._daily_key: tuple[date, frozenset[str]] | None = None
        self._last_check = self._last_publish = float("-inf")
        self.published: dict[str, object] = {}
        self.hedge_costs: dict[str, Any] | None = None  # the last decision's alternatives
        self.liquidity = LiquidityWatch(self.ctx.client, lambda: self.ctx.store, self.ctx.settings,
                                        self.ctx.clock, self._alert)  # docs/risk.md, Liquidity
        logger.info("risk: account {}, high-water mark {}, ladder level {}", account,
                    self.hwm.value if self.hwm else None, self.monitor.ladder.level)

    def step(self) -> None:
        wait = self._last_check + self.cfg.check_interval_s - time.monotonic()
        if wait > 0 and not self.stepped:  # stepped: one check per step of the clock
            time.sleep(min(wait, 0.2))
            return
        self._last_check = time.monotonic()
        try:
            self.check()
        except redis.RedisError as exc:  # Redis away: keep trying, the supervisor sees us
            logger.warning("risk: Redis error, retrying next check: {}", exc)
        except Exception as exc:  # a bad input must not stop the watch on the others
            logger.exception("risk: check failed")
            self._alert("critical", "risk check failed", repr(exc)[:500],
                        self.ctx.clock.now(), key="check-failed")

    def teardown(self) -> None:
        if hasattr(self, "monitor"):
            self._save()

    def check(self) -> NavObservation | None:
        """One pass: value, judge, ladder, hedge, limits, publish. Returns the NAV verdict."""
        now = self.ctx.clock.now().astimezone(EXCHANGE_TZ)
        book = self._book(now)
        if book is None:
            return None
        daily = self._daily(now.date(), book)
        raw: dict[str, str] = self.ctx.client.hgetall(streams.LAST_PRICES)  # type: ignore[assignment]
        futures = sorted(set(daily.futures) | {s for s, f in book.futures.items() if f.lots})
        live = live_prices(raw, list(book.positions), futures, daily, now.date(),
                           cum_rights=book.awaits_corporate(now.date()))
        live.prices.update(option_prices(raw))  # long MO puts at their last price
        for why in live.bad_prints:
            self._alert("warning", f"bad print ignored: {why.split(':')[0]}", why, now)
        try:
            nav = compute_nav(book, live.prices, multiplier=self.multiplier,
                              margin_rate=self.cfg.margin_total_rate)
        except MissingPrice as exc:
            self._alert("critical", "NAV not computed", str(exc), now, key="nav")
            return None
        obs = observe_nav(self.monitor, self.hwm, self.cfg, nav.nav, now,
                          self.cfg.bad_print.nav_jump_intraday)
        self._apply(obs, now)
        if daily.day < now.date() or now.time() >= CLOSE:
            self.monitor = close_day(self.monitor, self.hwm, self.cfg, daily.day,
                                     daily.index_closes)
        self._calendar_notice(now)
        # A failure in hedging or limits must not silence the NAV: alert and publish anyway.
        share = self._guarded("hedge check failed", now, 0.0,
                              lambda: self._hedge(now, book, nav, daily, live.prices, raw))
        no_breaches: list[Breach] = []
        breaches = self._guarded("limit check failed", now, no_breaches,
                                 lambda: self._limits(now, book, nav, daily, live.prices, raw))
        blocked = blocked_symbols(breaches, self.cfg.limits)
        held = frozenset(s for s, q in book.positions.items() if q)
        blocked = sorted({*blocked, *self.liquidity.blocked(now, held)})
        snap = Snapshot(now, nav, obs.drawdown, share, daily.beta, blocked, self.hedge_costs)
        self.published = public_state(self.cfg, snap, self.monitor, self.hwm)
        due = time.monotonic() - self._last_publish >= self.cfg.publish_interval_s
        if obs.ladder_moved or due or self.stepped:
            self._publish_nav(now, nav, obs, share)
        self._save()
        return obs

    def _guarded(self, title: str, now: datetime, fallback: T, run: Callable[[], T]) -> T:
        try:
            return run()
        except redis.RedisError:
            raise
        except Exception as exc:
            logger.exception("risk: {}", title)
            self._alert("critical", title, repr(exc)[:500], now, key=title)
            return fallback

    def _covered(self, day: date) -> bool:
        return day <= self.ctx.calendar.covered_through

    def _calendar_notice(self, now: datetime) -> None:
        """Once a day past the calendar's end: what the daemon does without it."""
        if self._covered(now.date()):
            return
        self._alert("warning", f"trading calendar ends {self.ctx.calendar.covered_through}",
                    f"{now.date()} is past it. The risk daemon keeps valuing and hedging: "
                    "contract expiries are the exchange's listed dates, trading days to "
                    "expiry are counted conservatively (weekdays in holiday seasons not "
                    "counted, so rolls come early, never late), hedge orders are dated by "
                    "weekday, stale-price checks are off. Add the year's closures with "
                    "`desk calendar add`.", now, key="calendar-not-covered")

    def _apply(self, obs: NavObservation, now: datetime) -> None:
        if obs.hwm is not None and obs.hwm != self.hwm:
            self.ctx.client.set(self.keys["hwm"], obs.hwm.to_json())
        self.hwm, self.monitor = obs.hwm, obs.state
        for note in obs.alerts:
            self._alert(note.severity, note.title, note.detail, now)

    # -- hedging -----------------------------------------------------------------------
    def _hedge(self, now: datetime, book: Book, nav: NavBreakdown, daily: DailyInputs,
               prices: dict[str, Decimal], raw: dict[str, str]) -> float:
        """Propose hedge orders when due; returns the share of the book hedged now."""
        held = {s: f.lots for s, f in book.futures.items() if f.lots > 0}
        days = self._contract_days(daily)
        quoted = build_quotes(prices, daily.futures, held, days, self.tick, now.date())
        for symbol, why in quoted.skipped.items():
            self._alert("warning", f"{symbol} left out of the hedge choice", why, now)
        for symbol, why in days.mismatches().items():
            self._alert("critical", f"{symbol} expiry: listed date and calendar disagree", why,
                        now, key=f"expiry-mismatch-{symbol}")
        share = hedged_share(held, quoted.quotes, nav.stock_value, daily.beta, self.multiplier)
        force = hedge_trigger(self.monitor, now.date())
        if force is None or self._in_flight(now):
            return share
        ladder = self.monitor.ladder
        index = _index(raw, self.cfg, daily)
        inputs = HedgeInputs(now.date(), ladder.hedge_ratio(self.cfg.ladder), daily.beta,
                             nav.stock_value, held, quoted.quotes, index, nav.free_cash,
                             force=force, rising=ladder.level > self.monitor.proposed_level)
        held_puts = {s: o.lots for s, o in book.options.items() if o.lots > 0}
        for symbol in [s for s in held_puts if past_expiry(s, now.date(), days)]:
            del held_puts[symbol]  # settled by the exchange: not protection, not tradable
            self._alert("warning", f"{symbol} is past its expiry and still in the ledger",
                        "awaiting its settlement (max(K - settlement, 0) x 100 per lot) in "
                        "the ledger; marked at its last price until then", now,
                        key=f"expired-{symbol}")
        puts = live_put_quotes(raw, quoted.quotes, index, now.date(), days, self.cfg.hedge.rate)
        for symbol, why in puts.skipped.items():
            self._alert("warning", f"{symbol} left out of the hedge choice", why, now)
        try:
            plan = plan_protection(inputs, puts.quotes, held_puts, self.cfg, days,
                                   self.multiplier)
        except ValueError as exc:
            self._alert("critical", "hedge not proposed", str(exc), now, key="hedge-plan")
            return share
        if plan.choice is not None:
            self.hedge_costs = hedge_costs(plan.choice, now)
        for note in plan.alerts:
            self._alert(note.severity, note.title, note.detail, now)
        reason = "; ".join(p for p in (ladder.reason if force else "", plan.reason) if p)
        self._propose(hedge_orders(plan, reason=reason, trade_date=self._trade_date(now),
                                   now=now, account=self.cfg.account), now)
        self.monitor = mark_planned(self.monitor, now.date())
        return share

    def _propose(self, orders: list[Order], now: datetime) -> None:
        if not orders:
            return
        pipe = self.ctx.client.pipeline(transaction=True)
        for order in orders:
            publish(pipe, streams.PROPOSALS, "order.proposed",
                    OrderProposed(order=order, author=SOURCE), source=SOURCE, ts=now)
            self.in_flight[order.order_id] = now.isoformat()
        pipe.execute()
        logger.warning("risk: proposed {} hedge order(s): {}", len(orders), orders[0].reason)

    def _in_flight(self, now: datetime) -> bool:
        """Hedge orders proposed and not finished yet: no new plan until they are."""
        finished: dict[str, bool | None] = {}
        for order_id in self.in_flight:
            raw = self.ctx.client.get(streams.ORDER.format(order_id=order_id))
            finished[order_id] = (None if raw is None else
                                  OrderRecord.from_json(str(raw)).state in TERMINAL_STATES)
        self.in_flight, lost = pending_proposals(self.in_flight, finished, now,
                                                 self.cfg.proposal_timeout_s)
        for order_id in lost:
            self._alert("warning", f"hedge proposal {order_id} never reached the queue",
                        "is the execution service (intake) running?", now)
        return bool(self.in_flight)

    def _contract_days(self, daily: DailyInputs) -> ContractDays:
        """Listed expiries seen in the store so far (a held contract keeps its date)."""
        self.expiries.update(daily.expiries)
        return ContractDays(self.ctx.calendar, self.expiries)

    def _trade_date(self, now: datetime) -> date:
        cal = self.ctx.calendar
        try:
            if cal.is_trading_day(now.date()) and now.time() < CLOSE:
                return now.date()
            return cal.next_trading_day(now.date())
        except CalendarNotCovered:  # past the calendar: weekdays (the notice says so)
            return _weekday_trade_date(now)

    # -- limits ------------------------------------------------------------------------
    def _limits(self, now: datetime, book: Book, nav: NavBreakdown, daily: DailyInputs,
                prices: dict[str, Decimal], raw: dict[str, str]) -> list[Breach]:
        limits = self.cfg.limits
        values = stock_values(book.positions, prices)
        breaches = (weight_breaches(values, nav.nav, limits)
                    + industry_breaches(values, nav.nav, daily.industries, limits)
                    + turnover_breaches(values, daily.mean_amount, limits))
        # Past the calendar it is not known whether today trades: no staleness verdicts.
        if self._covered(now.date()) and session_phase(now, "stock",
                                                        self.ctx.calendar).continuous:
            held = [s for s, q in book.positions.items() if q]
            stamps: dict[str, str] = self.ctx.client.hgetall(streams.PRICE_TIMES)  # type: ignore[assignment]
            breaches += stale_breaches(self.price_clock.times(held, raw, now, stamps), now,
                                       limits)
        for b in breaches:
            # Once a day per breach: its value (an age, a weight) moves on every check.
            self._alert("warning", f"limit: {b.kind.value} {b.subject}", b.detail, now,
                        key=f"limit-{b.kind.value}-{b.subject}", signature=b.kind.value)
        return breaches

    # -- inputs ------------------------------------------------------------------------
    def _book(self, now: datetime) -> Book | None:
        raw = self.ctx.client.get(self.keys["ledger"])
        try:
            book = book_from_ledger(None if raw is None else str(raw), self.keys["ledger"],
                                    self.cfg.account)
        except LedgerUnreadable as exc:
            self._alert("critical" if raw is not None else "warning", "ledger unreadable",
                        str(exc), now, key="ledger")
            return None
        self.gate.clear("ledger")
        return book

    def _daily(self, today: date, book: Book) -> DailyInputs:
        """Store data, reloaded once a day and when the set of holdings changes."""
        held = frozenset(s for s, q in book.positions.items() if q)
        if self.daily is None or self._daily_key != (today, held):
            quantities = pd.Series({s: float(q) for s, q in book.positions.items() if q},
                                   dtype=float)
            self.daily = load_daily(self.ctx.store, today, quantities, self.cfg)
            self._daily_key = (today, held)
        return self.daily

    # -- output ------------------------------------------------------------------------
    def _alert(self, severity: str, title: str, detail: str, now: datetime, *,
               key: str | None = None, signature: str = "") -> None:
        if not self.gate.should_send(key or title, signature or detail, now.date()):
            return
        title = self.alert_prefix + title
        logger.warning("risk alert ({}): {} - {}", severity, title, detail)
        send_alert(self.ctx.client, source=SOURCE, severity=severity, title=title,
                   detail=detail, ts=now)

    def _publish_nav(self, now: datetime, nav: NavBreakdown, obs: NavObservation,
                     share: float) -> None:
        snap = NavSnapshot(account=self.cfg.account, nav=nav.nav,
                           hwm=self.hwm.value if self.hwm else nav.nav, drawdown=obs.drawdown,
                           stock_value=nav.stock_value, cash=nav.cash,
                           futures_pnl=nav.futures_pnl, hedge_ratio=share, at=now)
        publish(self.ctx.client, streams.NAV, "nav", snap, source=SOURCE, ts=now)
        self._last_publish = time.monotonic()
        self.info = {"nav": str(nav.nav), "drawdown": round(obs.drawdown, 4),
                     "ladder_level": self.monitor.ladder.level}

    def _save(self) -> None:
        self.ctx.client.set(self.keys["state"],
                            state_json(self.published, self.monitor, self.in_flight))

    def _load(self) -> tuple[HighWaterMark | None, MonitorState, dict[str, str]]:
        raw_hwm = self.ctx.client.get(self.keys["hwm"])
        hwm = HighWaterMark.from_json(str(raw_hwm), self.keys["hwm"]) if raw_hwm else None
        raw_state = self.ctx.client.get(self.keys["state"])
        monitor, in_flight = parse_state(None if raw_state is None else str(raw_state),
                                         self.keys["state"])
        return hwm, monitor, in_flight


def _weekday_trade_date(now: datetime) -> date:
    """Today before the close on a weekday, else the next weekday."""
    day = now.date()
    if day.weekday() < 5 and now.time() < CLOSE:
        return day
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _index(raw: dict[str, str], cfg: RiskConfig, daily: DailyInputs) -> float:
    """CSI 1000 now: the live level when the feed has it, else the last close."""
    try:
        return float(Decimal(raw[cfg.index_symbol]))
    except (KeyError, ArithmeticError):
        return daily.index_closes[-1]
