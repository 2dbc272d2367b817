"""What the daemon needs from the market: daily data from the store, live prices from Redis.

`load_daily` reads the store once a day (closes, risk flags, turnover, industries, the
CSI 1000 history, the latest IM bars) and computes the book's beta. `live_prices` lays
the gateway's last prices over the closes: a price outside its daily limit is a bad
print and the close is used instead (before the day's close is stored, the day's
reference price: the ex-rights price on an ex-date).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

import pandas as pd

from exchange import classify
from marketdata.errors import MissingData
from marketdata.store import MarketStore
from risk.badprint import ex_date_references, price_outside_limits
from risk.beta import book_beta, holdings_returns
from risk.config import RiskConfig

CENT = Decimal("0.01")


@dataclass(frozen=True)
class FuturesBar:
    close: Decimal
    volume: float
    open_interest: float
    expiry: date | None = None  # the exchange's listed last trading day, when the store has it


@dataclass(frozen=True)
class DailyInputs:
    day: date  # the store's last day used
    closes: dict[str, Decimal]  # on `day`
    prev_closes: dict[str, Decimal]  # the last close before the live day (for bands)
    st: frozenset[str]
    mean_amount: dict[str, float]
    industries: dict[str, str]
    index_closes: list[float]  # CSI 1000 up to `day`, oldest first
    futures: dict[str, FuturesBar]  # IM bars on the last futures day
    beta: float = 1.0
    expiries: dict[str, date] = field(default_factory=dict)  # listed, of every recent contract
    # stocks going ex today -> their plain last close (the cum-rights price)
    cum_closes: dict[str, Decimal] = field(default_factory=dict)


@dataclass
class LivePrices:
    prices: dict[str, Decimal] = field(default_factory=dict)
    bad_prints: list[str] = field(default_factory=list)
    from_close: list[str] = field(default_factory=list)  # no usable live price


def load_daily(store: MarketStore, today: date, quantities: pd.Series,
               cfg: RiskConfig) -> DailyInputs:
    """Store data up to the latest day on or before `today`; `quantities`: shares held."""
    latest = store.latest_date()
    if latest is None:
        raise ValueError(f"store {store.root} holds no stock data; run `desk data import`")
    end = min(latest, today)
    lookback = max(cfg.beta.window, cfg.limits.turnover_window) + 2
    available = len([d for d in store.trade_dates() if d <= end])
    panel = store.load_panel(end, min(lookback, available),
                             ["close", "adj_factor", "amount", "risk_flag"])
    close = panel["close"]
    before = close[close.index < pd.Timestamp(today)]
    index = store.load_index(close.index[0].date(), end)["csi1000"].astype(float)
    bars = _recent_futures(store, end)
    references = _references(store, before, close, today)
    adjusted = close * panel["adj_factor"]
    weights = (quantities * close.iloc[-1].reindex(quantities.index)).dropna()
    beta = book_beta(holdings_returns(weights, adjusted), index.pct_change(), cfg.beta)
    return DailyInputs(
        day=end,
        closes=_last_row(close),
        prev_closes=references,
        cum_closes=_cum_rights(before, references),
        st=frozenset(str(s) for s, f in panel["risk_flag"].iloc[-1].items() if f in (1, 2)),
        mean_amount={str(s): float(v) for s, v in
                     panel["amount"].iloc[-cfg.limits.turnover_window:].mean().dropna().items()},
        industries={str(s): str(v) for s, v in panel.instruments["industry"].items()},
        index_closes=[float(x) for x in index.to_numpy()],
        futures=_futures(bars),
        beta=beta,
        expiries=listed_expiries(bars),
    )


def live_prices(raw: Mapping[str, str], symbols: list[str], futures: list[str],
                daily: DailyInputs, today: date, cum_rights: bool = False) -> LivePrices:
    """Prices for the held `symbols` and the `futures` contracts. `cum_rights`: the book
    has not taken today's corporate actions yet (`Book.awaits_corporate`), so a stock
    going ex today is valued at its cum-rights close, as the shares and cash it holds."""
    out = LivePrices()
    for symbol in symbols:
        if cum_rights and symbol in daily.cum_closes:
            out.prices[symbol] = daily.cum_closes[symbol]
            out.from_close.append(symbol)
            continue
        price = positive_price(raw.get(symbol))
        prev = daily.prev_closes.get(symbol)
        if price is not None and prev is not None and prev > 0:
            why = price_outside_limits(symbol, price, prev, today, st=symbol in daily.st)
            if why is not None:
                out.bad_prints.append(why)
                price = None
        if price is None:
            price = _fallback(daily, symbol, today)
            out.from_close.append(symbol)
        if price is not None:
            out.prices[symbol] = price
    for symbol in futures:
        price = positive_price(raw.get(symbol))
        bar = daily.futures.get(symbol)
        if price is None and bar is not None:
            price = bar.close
        if price is not None:
            out.prices[symbol] = price
    return out


def _fallback(daily: DailyInputs, symbol: str, today: date) -> Decimal | None:
    """The close, or before today's close is stored the day's reference: on an ex-date
    that is the ex-rights price, which the new shares and the dividend receivable in the
    book match (yesterday's close would raise the NAV and its high-water mark)."""
    if daily.day < today:
        return daily.prev_closes.get(symbol, daily.closes.get(symbol))
    return daily.closes.get(symbol)


def is_future(symbol: str) -> bool:
    try:
        return classify(symbol).is_future
    except ValueError:
        return False


def listed_expiries(bars: pd.DataFrame) -> dict[str, date]:
    """symbol -> listed last trading day, from futures bars with an `expiry` column."""
    if "expiry" not in bars.columns:
        return {}
    known = bars.dropna(subset=["expiry"]).groupby("symbol")["expiry"].last()
    return {str(s): pd.Timestamp(e).date() for s, e in known.items()}


def _recent_futures(store: MarketStore, end: date) -> pd.DataFrame:
    try:
        return store.load_futures(end - timedelta(days=10), end)
    except MissingData:  # no futures table: the daemon alerts on missing quotes
        return pd.DataFrame(columns=["date", "symbol", "close", "volume", "open_interest"])


def _futures(bars: pd.DataFrame) -> dict[str, FuturesBar]:
    if bars.empty:
        return {}
    last = bars[bars["date"] == bars["date"].max()]
    expiries = listed_expiries(bars)
    return {
        str(row.symbol): FuturesBar(Decimal(str(row.close)).quantize(Decimal("0.1")),
                                    float(row.volume), float(row.open_interest),  # type: ignore[arg-type]
                                    expiries.get(str(row.symbol)))
        for row in last.itertuples(index=False)
    }


def _references(store: MarketStore, before: pd.DataFrame, close: pd.DataFrame, today: date,
                ) -> dict[str, Decimal]:
    """Each stock's reference for today: the last close before today, ex-rights on its
    ex-date (the store's close when nothing precedes today: already ex)."""
    if before.empty:
        return _last_row(close)
    return ex_date_references(_last_row(before), store.corporate_actions(today, today), today)


def _cum_rights(before: pd.DataFrame, references: Mapping[str, Decimal],
                ) -> dict[str, Decimal]:
    """The plain last close of each stock whose reference today is not it (going ex)."""
    if before.empty:
        return {}
    last = _last_row(before)
    return {s: p for s, p in last.items() if references.get(s, p) != p}


def _last_row(frame: pd.DataFrame) -> dict[str, Decimal]:
    row = frame.iloc[-1].dropna()
    return {str(s): Decimal(str(v)).quantize(CENT) for s, v in row.items()}


def positive_price(raw: str | None) -> Decimal | None:
    """A price text from Redis as a positive finite Decimal, or None when unusable."""
    if raw is None:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    return value if value.is_finite() and value > 0 else None
