"""The daily report: everything the end of day found, gathered, then written as files.

`<data_dir>/reports/<date>.html` is self-contained (inline CSS, the NAV chart as an
inline PNG, no script, no external link) and `<date>.txt` is the short version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from execution.eod.alert_log import AlertLine
from execution.eod.chart_scale import RungLine
from execution.eod.facts import OrderLine, OrderTotals
from execution.eod.fairness import SharedLine
from execution.eod.hedges import HedgeLine
from execution.eod.history import History, period_shades
from execution.eod.liquidity_section import LiquiditySection, liquidity_lines
from execution.eod.nav_chart import png_data_url
from execution.eod.nav_points import HedgeMark, history_points
from execution.eod.nav_series import NavRecord
from execution.eod.prices import ClosingPrices
from execution.eod.reconcile import Reconciliation
from marketdata.clock import EXCHANGE_TZ

TEMPLATES = Path(__file__).resolve().parent


@dataclass(frozen=True)
class DailyReport:
    day: date
    account: str
    generated_at: datetime
    orders: list[OrderLine]
    totals: OrderTotals
    fills: int  # trades booked
    broker_fees: Decimal | None  # None: the broker does not report fees per trade
    hedges: list[HedgeLine]
    nav: NavRecord | None
    history: list[NavRecord]
    prices: ClosingPrices
    alerts: list[AlertLine]
    reconciliation: Reconciliation
    nav_error: str = ""
    rungs: tuple[RungLine, ...] = ()  # the hedge ladder, drawn when in the chart's range
    liquidity: LiquiditySection | None = None  # execution/eod/liquidity_section.py
    timeline: History | None = None  # every day so far with its trading and hedge
    shared: list[SharedLine] = field(default_factory=list)  # execution/eod/fairness.py
    undone: list[OrderLine] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "undone", [o for o in self.orders if o.left])


def write_report(report: DailyReport, reports_dir: Path) -> tuple[Path, Path]:
    """Write `<date>.html` and `<date>.txt`; returns their paths."""
    reports_dir.mkdir(parents=True, exist_ok=True)
    html = reports_dir / f"{report.day.isoformat()}.html"
    text = reports_dir / f"{report.day.isoformat()}.txt"
    html.write_text(render_html(report), encoding="utf-8")
    text.write_text(render_text(report), encoding="utf-8")
    return html, text


def render_html(report: DailyReport) -> str:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    env.filters["money"] = money
    env.filters["bps"] = bps
    env.filters["pct"] = pct
    env.filters["fall"] = fall
    return env.get_template("report.html").render(r=report, chart=nav_chart(report))


def render_text(report: DailyReport) -> str:
    t, rec = report.totals, report.reconciliation
    lines = [
        f"End of day {report.day} - account {report.account}",
        f"Orders: {t.proposed} proposed, {t.approved} approved, {t.rejected} rejected, "
        f"{t.expired} expired, {t.cancelled} cancelled, {t.filled} filled",
        f"Traded: bought {t.bought_shares:,} shares for {money(t.bought_value)}, sold "
        f"{t.sold_shares:,} for {money(t.sold_value)}; futures {t.hedge_lots} lots "
        f"({money(t.hedge_value)}); {report.fills} fills, fees {money(t.fees)}",
        f"Stock slippage vs reference: {money(t.slippage_cost)} ({bps(t.slippage_bps)})",
    ]
    lines.append(_nav_text(report))
    lines.append(f"Reconciliation with {rec.source}: "
                 + ("clean" if rec.clean else f"{len(rec.breaks)} break(s)"))
    lines += [f"  BREAK {b.line()}" for b in rec.breaks]
    lines += [f"  note: {n}" for n in rec.notes]
    lines += [f"Left undone: {o.order_id} {o.side} {o.symbol} {o.left:,} - {o.why_left}"
              for o in report.undone]
    lines += shared_text(report.shared)
    lines += [_hedge_text(h) for h in report.hedges]
    lines += liquidity_lines(report.liquidity)
    lines += _history_text(report.timeline)
    severe = [a for a in report.alerts if a.severity != "info"]
    lines.append(f"Alerts: {len(report.alerts)} ({len(severe)} warning or critical)")
    return "\n".join(lines) + "\n"


def _nav_text(report: DailyReport) -> str:
    nav = report.nav
    if nav is None:
        return f"NAV: not recorded - {report.nav_error}"
    return (f"NAV {money(nav.nav)} (stocks {money(nav.stock_value)}, cash {money(nav.cash)}, "
            f"futures P&L {money(nav.futures_pnl)}); intraday high-water mark {money(nav.hwm)}, "
            f"drawdown {fall(nav.drawdown)} from it")


def _history_text(timeline: History | None) -> list[str]:
    if timeline is None:
        return []
    s = timeline.summary()
    stamp = money(s.stamp_duty) if s.stamp_duty is not None else "n/a"
    lines = [f"History: {s.days} day(s) {s.first} to {s.last}; max drawdown "
             f"{fall(s.max_drawdown)} on {s.max_drawdown_day}; {s.days_hedged} day(s) hedged; "
             f"turnover {money(s.turnover)}; fees {money(s.fees)} (stamp duty {stamp}); "
             f"slippage {money(s.slippage)}"]
    lines += [f"  {p.label}" for p in timeline.periods()]
    return lines + [f"  UNREADABLE {e}" for e in timeline.errors]


def shared_text(shared: list[SharedLine]) -> list[str]:
    """The section "Shared with other accounts": one line per stock and side."""
    if not shared:
        return []
    notes = {line.note for line in shared}
    common = notes.pop() if len(notes) == 1 else ""  # e.g. no bars at all: said once
    lines = ["Shared with other accounts (average price vs the market VWAP over the parents' "
             "windows; + bps = worse for the account)" + (f" - {common}:" if common else ":")]
    for line in shared:
        vwap = f"VWAP {line.market_vwap} ({line.market_volume:,} shares)" \
            if line.market_vwap is not None else (line.note if not common else "VWAP n/a")
        each = "; ".join(f"{a.account} {a.filled:,} at {a.average_price} ({bps(a.vs_vwap_bps)})"
                         for a in line.accounts)
        lines.append(f"  {line.side} {line.symbol} {line.window_label}: {vwap}; {each}")
    return lines


def _hedge_text(hedge: HedgeLine) -> str:
    held = f"Hedge: short {hedge.short_lots} {hedge.symbol}"
    if hedge.annual_basis is None:
        return f"{held} (basis not known: {hedge.note})"
    return (f"{held}, basis {pct(hedge.annual_basis)}/yr, about "
            f"{money(hedge.monthly_cost)}/month")


def nav_chart(report: DailyReport) -> str:
    """The console's chart of the whole NAV history (daily closes), as an inline PNG
    data URL ('' with no history); the day's hedge orders are marked at its close."""
    at_close = datetime.combine(report.day, time(15, 0), EXCHANGE_TZ)
    marks = [HedgeMark(at_close, f"{o.side} {o.quantity} {o.symbol}", o.side == "sell")
             for o in report.orders if o.kind == "hedge"]
    shades = period_shades(report.timeline.periods()) if report.timeline else []
    return png_data_url(history_points(report.history), report.rungs, marks, shades=shades)


def money(value: Decimal | None) -> str:
    return "n/a" if value is None else f"{value:,.2f}"


def bps(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.1f} bps"


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2%}"


def fall(drawdown: float | None) -> str:
    """A drawdown as the console and `desk risk status` write it: 0.0026 -> '-0.26%'."""
    if drawdown is None:
        return "n/a"
    return "0.00%" if round(drawdown * 100, 2) == 0 else f"-{drawdown:.2%}"
