"""Replay a history of NAV, CSI 1000 and IM prices through the hedge policy.

Day by day, at the close: mark the shorts held, judge the hedged NAV (bad prints are
not acted on), move the high-water mark and the ladder, size the hedge with the beta
known that day, and fill the plan's legs at the day's close (fees from the dated fee
table). The hedged NAV is the input NAV plus the futures P&L less fees, i.e. the hedge
is an overlay whose P&L sits in cash.

Basis paid: the short's P&L splits into -lots x 200 x (change in the index) and
-lots x 200 x (change in F - S); the second part, with its sign flipped, is the basis
paid (positive when a discount converges).

With an option chain (`chain`, `risk.replay_options_io`) the step plans the whole
protection (`risk.protection`: futures, puts or both as `risk.hedge.instrument` says)
and the hedged NAV adds the puts' P&L (`risk.replay_options.OptionBook`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

import pandas as pd

from exchange import RuleNotModelled, Side, WeekdaysBeyondCalendar, future_fee, future_spec
from orders.order import Offset
from risk.badprint import judge_nav
from risk.basis import Quote
from risk.beta import book_beta, stock_returns
from risk.config import RiskConfig
from risk.contracts import ContractDays, ExpiryCalendar, listed_contracts
from risk.drawdown import max_drawdown
from risk.hedge_choice import PutQuote
from risk.hedge_plan import HedgeInputs, HedgeLeg, HedgePlan, plan_hedge
from risk.ladder import LadderState, on_close
from risk.market_inputs import listed_expiries
from risk.protection import ProtectionPlan, plan_protection
from risk.put_plan import coverage
from risk.replay_io import ReplayInputError
from risk.replay_options import OptionBook, is_option, put_quotes
from risk.replay_options_io import ChainRow
from risk.replay_state import Book, ReplayDay, quotes_on
from risk.sizing import hedge_lots, on_tick

UNLIMITED = Decimal("Infinity")


@dataclass(frozen=True)
class HedgeAction:
    day: date
    symbol: str
    side: Side
    offset: Offset
    lots: int
    orders: int  # after splitting into orders of at most max_lots_per_order
    price: Decimal
    annual_basis: float | None  # of the contract opened (None for closes)
    reason: str
    cost_note: str = ""


@dataclass
class ReplayResult:
    daily: pd.DataFrame
    actions: list[HedgeAction] = field(default_factory=list)
    alerts: list[tuple[date, str, str]] = field(default_factory=list)  # day, severity, text

    @property
    def max_drawdown(self) -> float:
        return max_drawdown(self.daily["nav"])

    @property
    def hedged_max_drawdown(self) -> float:
        return max_drawdown(self.daily["hedged_nav"])

    @property
    def basis_paid(self) -> float:
        return float(self.daily["basis_paid"].iloc[-1])

    @property
    def fees(self) -> float:
        return float(self.daily["fees"].iloc[-1])

    @property
    def futures_pnl(self) -> float:
        return float(self.daily["futures_pnl"].iloc[-1])

    @property
    def premium_paid(self) -> float:
        return float(self.daily["premium_paid"].iloc[-1])

    @property
    def options_pnl(self) -> float:
        return float(self.daily["options_pnl"].iloc[-1])


def synthetic_futures(
    index: pd.Series, calendar: ExpiryCalendar, annual_discount: float, product: str = "IM"
) -> pd.DataFrame:
    """Listed contracts priced at a constant annualised discount to the index.

    Simulated, so past the calendar's end a contract is assumed to expire on its plain
    third Friday (`WeekdaysBeyondCalendar`); `expiry` carries the date used.
    """
    tick = future_spec(f"{product}2601.CFFEX").tick
    assumed = ContractDays(_assumed_beyond(calendar))
    rows = []
    for day, level in zip(_days(index.index), index.to_numpy(dtype=float), strict=True):
        for contract in listed_contracts(day, assumed, product):
            days = (contract.expiry - day).days
            price = on_tick(level * (1 - annual_discount * days / 365), tick)
            rows.append((pd.Timestamp(day), contract.symbol, float(price), 1.0, 1.0,
                         pd.Timestamp(contract.expiry)))
    return pd.DataFrame(rows, columns=["date", "symbol", "close", "volume", "open_interest",
                                       "expiry"])


def _assumed_beyond(calendar: ExpiryCalendar) -> ExpiryCalendar:
    covered = getattr(calendar, "covered_through", None)
    return calendar if covered is None else WeekdaysBeyondCalendar(calendar)  # type: ignore[arg-type]


def require_one_lot(nav: pd.DataFrame, index: pd.Series, cfg: RiskConfig) -> None:
    """Refuse a book too small for one IM lot even at the top rung (a NAV in units)."""
    spec = future_spec(f"{cfg.futures.product}2601.CFFEX")
    top = max(rung.hedge_ratio for rung in cfg.ladder)
    largest = float(nav["stock_value"].max())
    level = float(index.max())
    lots = hedge_lots(Decimal(str(round(largest, 2))), cfg.beta.cap, top,
                      Decimal(str(round(level, 1))), spec.multiplier)
    if lots >= 1:
        return
    raise ReplayInputError(
        f"replay: the NAV series peaks at {float(nav['nav'].max()):,.2f} (stock value "
        f"{largest:,.2f}): even the top rung's {top:.0%} hedge is less than one "
        f"{cfg.futures.product} lot (one lot is about CNY {level * spec.multiplier:,.0f} at "
        f"CSI 1000 {level:,.0f}). The replay needs the book in CNY: a NAV in units "
        "(1.00 ...) can be scaled with --capital CNY (the first NAV becomes that capital)."
    )


def run_replay(
    nav: pd.DataFrame,
    index: pd.Series,
    futures: pd.DataFrame | None,
    cfg: RiskConfig,
    calendar: ExpiryCalendar,
    chain: Sequence[ChainRow] | None = None,
    betas: pd.Series | None = None,
) -> ReplayResult:
    """`nav`: columns nav, stock_value; `index`: CSI 1000 closes; both by trade date;
    `chain`: MO quotes (with it the protection follows `cfg.risk.hedge`).

    `betas`: the beta known each day, computed by the caller as the daemon does
    (`risk.beta.live_beta`, the backtest's hedge); without it the beta is
    `book_beta` of the stocks' own returns (`stock_returns`: cash excluded)."""
    dates = nav.index.intersection(index.index).sort_values()
    if len(dates) < 2:
        raise ValueError(f"replay: NAV and index share {len(dates)} date(s); need at least 2")
    nav, index = nav.loc[dates], index.loc[dates]
    require_one_lot(nav, index, cfg)
    notes: list[tuple[date, str, str]] = []
    if futures is None:
        futures = synthetic_futures(index, calendar, cfg.replay_assumed_discount,
                                    cfg.futures.product)
        notes += _assumed_expiries(futures, calendar, _days(dates)[0])
    days = ContractDays(calendar, listed_expiries(futures))
    run = _Run(cfg, days, nav, index, futures, chain,
               None if betas is None else betas.reindex(dates))
    run.alerts += notes
    for i in range(len(dates)):
        run.step(i)
    run.alerts += [(run.days[-1], "critical", why) for why in days.mismatches().values()]
    daily = pd.DataFrame([r.__dict__ for r in run.rows]).set_index("date")
    return ReplayResult(daily, run.actions, run.alerts)


def _assumed_expiries(futures: pd.DataFrame, calendar: ExpiryCalendar,
                      first: date) -> list[tuple[date, str, str]]:
    covered = getattr(calendar, "covered_through", None)
    if covered is None:
        return []
    expiries = futures.groupby("symbol")["expiry"].first()
    beyond = sorted(str(s) for s, e in expiries.items() if pd.Timestamp(e).date() > covered)
    if not beyond:
        return []
    return [(first, "warning", f"no futures file: {', '.join(beyond)} expire past the trading "
                               f"calendar's end ({covered}); assumed on their third Friday")]


class _Run:
    def __init__(self, cfg: RiskConfig, calendar: ContractDays, nav: pd.DataFrame,
                 index: pd.Series, futures: pd.DataFrame,
                 chain: Sequence[ChainRow] | None, betas: pd.Series | None) -> None:
        self.cfg, self.calendar = cfg, calendar
        self.left_out: set[str] = set()  # contracts already reported as unusable
        self.days = _days(nav.index)
        self.navs = nav["nav"].to_numpy(dtype=float)
        self.exposures = nav["stock_value"].to_numpy(dtype=float)
        self.levels = index.to_numpy(dtype=float)
        # The stocks' returns, not the NAV's: cash would dilute the beta (live uses stocks).
        self.stock_returns = stock_returns(nav["nav"], nav["stock_value"])
        self.betas = betas
        self.index_returns = index.pct_change()
        self.futures = {day: rows for day, rows in _by_day(futures)}
        self.book = Book(multiplier=future_spec(f"{cfg.futures.product}2601.CFFEX").multiplier)
        self.ladder = LadderState()
        self.hwm: Decimal | None = None
        self.last_accepted: Decimal | None = None
        self.suspect: Decimal | None = None
        self.rows: list[ReplayDay] = []
        self.actions: list[HedgeAction] = []
        self.alerts: list[tuple[date, str, str]] = []
        self.chain: dict[date, list[ChainRow]] | None = None
        if chain is not None:
            self.chain = {}
            for row in chain:
                self.chain.setdefault(row.day, []).append(row)
        self.options = OptionBook()
        self.last_puts: dict[str, PutQuote] = {}
        self.puts: dict[str, PutQuote] = {}

    def step(self, i: int) -> None:
        day, level = self.days[i], float(self.levels[i])
        quoted = quotes_on(self.futures.get(day), self.calendar, self.book.last_prices,
                           set(self.book.lots), day)
        for symbol, why in quoted.skipped.items():
            if symbol not in self.left_out:  # once per contract, not every day
                self.left_out.add(symbol)
                self.alerts.append((day, "warning", f"{symbol} left out: {why}"))
        quotes = quoted.quotes
        self.book.mark(quotes, level)
        puts = self._puts(day, quotes, level)
        hedged = _cents(self.navs[i]) + self.book.net_pnl + self.options.net_pnl
        bound = self.cfg.bad_print.nav_jump_daily
        check = judge_nav(hedged, self.last_accepted, self.suspect, bound)
        self.suspect = check.suspect
        beta = self._beta(i)
        if check.accepted:
            self._act(i, hedged, quotes, beta, puts)
        else:
            self.alerts.append((day, "warning", f"bad print: hedged NAV moved {check.move:+.1%} "
                                                "in one day; not acted on until confirmed"))
        ratio = self.ladder.hedge_ratio(self.cfg.ladder)
        row = self.book.row(pd.Timestamp(day), float(self.navs[i]), level, beta, ratio,
                            float(self.exposures[i]), self.calendar)
        opt = self.options
        share = row.hedged_share + self._put_share(level, beta, float(self.exposures[i]))
        self.rows.append(replace(row, hedged_nav=row.hedged_nav + float(opt.net_pnl),
                                 hedged_share=share,
                                 put_lots=opt.total_lots, options_value=float(opt.value),
                                 premium_paid=float(opt.premium_paid),
                                 options_pnl=float(opt.net_pnl),
                                 option_fees=float(opt.fees)))

    def _beta(self, i: int) -> float:
        given = math.nan if self.betas is None else float(self.betas.iloc[i])
        if not math.isnan(given):  # computed by the caller as live does (NaN: not that day)
            return given
        return book_beta(self.stock_returns.iloc[: i + 1], self.index_returns.iloc[: i + 1],
                         self.cfg.beta)

    def _put_share(self, level: float, beta: float, exposure: float) -> float:
        """What the puts held cover of beta x exposure, by their delta today."""
        held = {s: n for s, n in self.options.lots.items() if s in self.puts}
        if not held or exposure <= 0:
            return 0.0
        return float(coverage(held, self.puts, level)) / (beta * exposure)

    def _puts(self, day: date, quotes: list[Quote], level: float) -> list[PutQuote]:
        """Settle the puts expiring today, mark the others, and the day's put quotes."""
        if self.chain is None:
            return []
        rows = self.chain.get(day, [])
        for symbol, lots, value in self.options.settle_expired(day, level):
            self.actions.append(HedgeAction(day, symbol, Side.SELL, Offset.CLOSE, lots, 0,
                                            Decimal(0), None,
                                            f"expired at CSI 1000 {level:,.2f}: paid CNY "
                                            f"{value:,.0f}"))
        self.options.mark(rows)
        got = put_quotes(rows, day, self.calendar, quotes, level, self.cfg.hedge.rate,
                         self.last_puts, set(self.options.lots))
        for symbol, why in got.skipped.items():
            if symbol not in self.left_out:
                self.left_out.add(symbol)
                self.alerts.append((day, "warning", f"{symbol} left out: {why}"))
        self.puts = {q.symbol: q for q in got.quotes}
        return got.quotes

    def _act(self, i: int, hedged: Decimal, quotes: list[Quote], beta: float,
             puts: list[PutQuote]) -> None:
        day = self.days[i]
        self.last_accepted = hedged
        self.hwm = hedged if self.hwm is None else max(self.hwm, hedged)
        drawdown = max(0.0, float((self.hwm - hedged) / self.hwm))
        before = self.ladder.level
        closes = [float(x) for x in self.levels[: i + 1]]
        self.ladder = on_close(self.ladder, self.cfg, drawdown, day, closes)
        moved = self.ladder.level != before
        inputs = HedgeInputs(day, self.ladder.hedge_ratio(self.cfg.ladder), beta,
                             _cents(self.exposures[i]), dict(self.book.lots), quotes,
                             float(self.levels[i]), UNLIMITED, force=moved,
                             rising=self.ladder.level > before)
        try:
            plan: HedgePlan | ProtectionPlan = (
                plan_hedge(inputs, self.cfg, self.calendar, self.book.multiplier)
                if self.chain is None else
                plan_protection(inputs, puts, self.options.lots, self.cfg, self.calendar,
                                self.book.multiplier))
        except ValueError as exc:  # no usable contract: hold what is held, say so
            self.alerts.append((day, "critical", f"hedge not planned, position held: {exc}"))
            return
        self._fill(day, plan, reason=self.ladder.reason if moved else "")

    def _fill(self, day: date, plan: HedgePlan | ProtectionPlan, reason: str) -> None:
        self.alerts += [(day, note.severity, note.title) for note in plan.alerts]
        grouped: dict[tuple[str, Side, Offset, Decimal], list[int]] = {}
        for leg in plan.legs:
            grouped.setdefault((leg.symbol, leg.side, leg.offset, leg.price), []).append(leg.lots)
            self._trade(leg, day)
        why = "; ".join(part for part in (reason, plan.reason) if part)
        chosen = plan.futures.chosen if isinstance(plan, ProtectionPlan) else plan.chosen
        for (symbol, side, offset, price), parts in grouped.items():
            opening = offset is Offset.OPEN
            basis = chosen.annual_basis if opening and chosen and not is_option(symbol) else None
            self.actions.append(HedgeAction(
                day, symbol, side, offset, sum(parts), len(parts), price, basis, why,
                plan.cost_note if opening else ""))

    def _trade(self, leg: HedgeLeg, day: date) -> None:
        if is_option(leg.symbol):
            self.options.trade(self.puts[leg.symbol], leg.side, leg.lots, leg.price, day)
            return
        fee = _fee(leg.symbol, leg.offset, leg.lots, leg.price, day)
        self.book.trade(leg.symbol, leg.side, leg.lots, leg.price, fee)


def _by_day(futures: pd.DataFrame) -> list[tuple[date, pd.DataFrame]]:
    stamps = pd.DatetimeIndex(futures["date"])
    return [(pd.Timestamp(key).date(), rows) for key, rows in futures.groupby(stamps)]


def _days(index: pd.Index) -> list[date]:
    return [stamp.date() for stamp in pd.DatetimeIndex(index)]


def _cents(value: float) -> Decimal:
    return Decimal(str(round(float(value), 2)))


def _fee(symbol: str, offset: Offset, lots: int, price: Decimal, day: date) -> Decimal:
    try:
        return future_fee(symbol, offset.value, lots, price, day)
    except RuleNotModelled:  # a synthetic contract before IM listed: its first fee rates
        return future_fee(symbol, offset.value, lots, price, future_spec(symbol).listed)
