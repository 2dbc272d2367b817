from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from exchange import Side
from marketdata.calendar import TradingCalendar
from orders.order import Offset
from risk.config import RiskConfig
from risk.contracts import ContractDays, listed_contracts
from risk.replay import run_replay, synthetic_futures
from risk.replay_io import ReplayInputError, read_futures, read_index, read_nav, scale_to_capital
from risk.replay_plot import plot_replay
from risk.replay_report import render_text, summary, write_outputs


def history(calendar: TradingCalendar, fall: float = 0.012) -> tuple[pd.DataFrame, pd.Series]:
    """40 flat days, 30 days falling `fall` a day (book 1.2x the index), 40 flat days."""
    days = pd.DatetimeIndex(calendar.trading_days(date(2024, 6, 3), date(2024, 12, 31))[:110])
    index_returns = np.r_[np.zeros(40), np.full(30, -fall), np.zeros(40)]
    index = pd.Series(5000 * np.cumprod(1 + index_returns), index=days)
    nav = 50_000_000 * np.cumprod(1 + 1.2 * index_returns)
    return pd.DataFrame({"nav": nav, "stock_value": nav}, index=days), index


def test_hedge_follows_the_ladder_and_the_books_balance(calendar: TradingCalendar,
                                                        cfg: RiskConfig) -> None:
    nav, index = history(calendar)
    result = run_replay(nav, index, None, cfg, calendar)
    daily = result.daily
    drawdown = 1 - daily["hedged_nav"] / daily["hedged_nav"].cummax()
    first = drawdown[drawdown >= 0.20].index[0]
    assert result.actions[0].day == first.date()
    assert (result.actions[0].side, result.actions[0].offset) == (Side.SELL, Offset.OPEN)
    assert (daily.loc[:first, "short_lots"].iloc[:-1] == 0).all()
    assert daily.loc[first, "ladder_ratio"] == 0.3
    # the hedged NAV is the book plus the futures P&L less fees, every day
    gap = daily["hedged_nav"] - daily["nav"] - (daily["futures_pnl"] - daily["fees"])
    assert gap.abs().max() < 1e-6
    assert result.hedged_max_drawdown < result.max_drawdown
    assert result.basis_paid > 0  # a short at a 12%/yr discount pays it as it converges


def test_basis_paid_matches_the_assumed_discount(calendar: TradingCalendar) -> None:
    """A flat index and a constant 12%/yr discount: the short pays ~12%/yr of its notional."""
    cfg = RiskConfig()
    days = pd.DatetimeIndex(calendar.trading_days(date(2024, 6, 3), date(2024, 9, 30)))
    index = pd.Series(5000.0, index=days)
    nav = pd.DataFrame({"nav": 50e6, "stock_value": 50e6}, index=days)
    nav.iloc[5:, 0] = 39e6  # one confirmed 22% drop on day 5-6: hedge 30%
    result = run_replay(nav, index, None, cfg, calendar)
    held = result.daily[result.daily["short_lots"] > 0]
    lots = int(held["short_lots"].iloc[0])
    calendar_days = (held.index[-1] - held.index[0]).days
    expected = lots * 200 * 5000 * 0.12 * calendar_days / 365
    assert result.basis_paid == pytest.approx(expected, rel=0.05)


def test_a_one_day_nav_spike_is_not_acted_on(calendar: TradingCalendar, cfg: RiskConfig) -> None:
    nav, index = history(calendar, fall=0.0)
    nav.iloc[50, 0] = nav.iloc[50, 0] * 0.7  # a bad print: -30% for one day
    result = run_replay(nav, index, None, cfg, calendar)
    assert result.actions == []
    assert [text for _, _, text in result.alerts if "bad print" in text]
    assert result.daily["ladder_ratio"].max() == 0.0


def test_report_plot_and_files(calendar: TradingCalendar, cfg: RiskConfig, tmp_path: Path) -> None:
    nav, index = history(calendar)
    result = run_replay(nav, index, None, cfg, calendar)
    text = render_text(result)
    assert "sell open" in text and "Max drawdown" in text
    figures = summary(result)
    assert figures["hedge_actions"] == len(result.actions)
    paths = write_outputs(result, tmp_path)
    assert pd.read_csv(paths["actions.csv"]).shape[0] == len(result.actions)
    png = plot_replay(result, cfg, tmp_path / "replay.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_synthetic_futures_are_listed_contracts_at_the_discount(calendar: TradingCalendar) -> None:
    index = pd.Series([5000.0], index=pd.DatetimeIndex(["2024-02-05"]))
    frame = synthetic_futures(index, calendar, 0.12)
    assert list(frame["symbol"]) == ["IM2402.CFFEX", "IM2403.CFFEX", "IM2406.CFFEX",
                                     "IM2409.CFFEX"]
    march = frame.set_index("symbol").loc["IM2403.CFFEX", "close"]
    assert march == pytest.approx(5000 * (1 - 0.12 * 39 / 365), abs=0.2)


def test_input_files_are_read_and_errors_name_the_file(tmp_path: Path) -> None:
    nav_file = tmp_path / "nav.csv"
    nav_file.write_text("date,nav\n2024-01-02,100\n2024-01-03,99.5\n")
    assert list(read_nav(nav_file)["stock_value"]) == [100.0, 99.5]
    index_file = tmp_path / "index.csv"
    index_file.write_text("date,csi1000\n2024-01-02,5000\n")
    assert read_index(index_file).iloc[0] == 5000.0
    fut_file = tmp_path / "fut.csv"
    fut_file.write_text("date,symbol,close\n2024-01-02,IM2401,4990.2\n")
    assert read_futures(fut_file)["symbol"].iloc[0] == "IM2401.CFFEX"
    bad = tmp_path / "bad.csv"
    bad.write_text("day,nav\n2024-01-02,100\n")
    with pytest.raises(ReplayInputError, match=r"bad.csv: missing column\(s\) \['date'\]"):
        read_nav(bad)
    bad.write_text("date,nav\n2024-01-02,100\n2024-01-02,101\n")
    with pytest.raises(ReplayInputError, match="2024-01-02 appears more than once"):
        read_nav(bad)
    bad.write_text("date,nav\n2024-01-02,-3\n")
    with pytest.raises(ReplayInputError, match="'nav' must be a positive number"):
        read_nav(bad)
    with pytest.raises(ReplayInputError, match="no such file"):
        read_nav(tmp_path / "missing.csv")


# -- across the year end, listed expiries, a NAV in units -------------------------------

EXPIRIES = {"IM2612": "2026-12-18", "IM2701": "2027-01-15", "IM2702": "2027-02-19",
            "IM2703": "2027-03-19", "IM2704": "2027-04-16", "IM2705": "2027-05-21",
            "IM2706": "2027-06-18",
            "IM2709": "2027-09-17"}


def year_end(calendar: TradingCalendar) -> tuple[pd.DataFrame, pd.Series]:
    """Oct 2026 - Mar 2027 (weekdays past the calendar): a slide from Nov 10, then a drift
    down that keeps making new lows (the hedge stays on)."""
    known = calendar.trading_days(date(2026, 10, 9), date(2026, 12, 31))
    later = pd.bdate_range("2027-01-04", "2027-03-31")
    days = pd.DatetimeIndex([*map(pd.Timestamp, known), *later])
    returns = np.where((days >= "2026-11-10") & (days < "2026-12-29"), -0.011, 0.0)
    returns = np.where(days >= "2026-12-29", -0.002, returns)
    index = pd.Series(6000 * np.cumprod(1 + returns), index=days)
    nav = np.cumprod(1 + 1.2 * returns)  # in units: 1.00 ...
    return pd.DataFrame({"nav": nav, "stock_value": nav}, index=days), index


def listed_futures(index: pd.Series, calendar: TradingCalendar,
                   with_expiry: bool = True) -> pd.DataFrame:
    """The contracts listed each day (as the exchange lists them) at a 12%/yr discount."""
    listing = ContractDays(calendar, {f"{c}.CFFEX": date.fromisoformat(e)
                                      for c, e in EXPIRIES.items()})
    rows = []
    for stamp, level in index.items():
        for contract in listed_contracts(stamp.date(), listing):
            days = (contract.expiry - stamp.date()).days
            close = round(level * (1 - 0.12 * days / 365) / 0.2) * 0.2
            rows.append((stamp, contract.symbol, round(close, 1), 50_000.0, 80_000.0,
                         pd.Timestamp(contract.expiry)))
    frame = pd.DataFrame(rows, columns=["date", "symbol", "close", "volume", "open_interest",
                                        "expiry"])
    return frame if with_expiry else frame.drop(columns=["expiry"])


def test_a_nav_in_units_is_refused_and_scaled_with_capital(
        calendar: TradingCalendar, cfg: RiskConfig, tmp_path: Path) -> None:
    nav, index = year_end(calendar)
    with pytest.raises(ReplayInputError, match=r"peaks at 1\.00.*less than one IM lot.*"
                                                r"--capital CNY"):
        run_replay(nav, index, None, cfg, calendar)
    scaled = scale_to_capital(nav, 50_000_000)
    assert scaled["nav"].iloc[0] == pytest.approx(50_000_000)
    assert scaled["stock_value"].iloc[-1] == pytest.approx(50_000_000 * nav["nav"].iloc[-1])
    with pytest.raises(ReplayInputError, match="positive"):
        scale_to_capital(nav, 0)


def test_listed_expiries_hedge_and_roll_across_2027(calendar: TradingCalendar,
                                                    cfg: RiskConfig, tmp_path: Path) -> None:
    nav, index = year_end(calendar)
    path = tmp_path / "im.csv"
    listed_futures(index, calendar).to_csv(path, index=False)
    futures = read_futures(path)
    assert futures["expiry"].notna().all()
    result = run_replay(scale_to_capital(nav, 50_000_000), index, futures, cfg, calendar)
    opens = [a for a in result.actions if a.offset is Offset.OPEN]
    closes = [a for a in result.actions if a.offset is Offset.CLOSE]
    assert opens[0].day.month == 12 and opens[0].day.year == 2026
    assert opens[0].symbol == "IM2612.CFFEX"
    expiry = {f"{code}.CFFEX": date.fromisoformat(e) for code, e in EXPIRIES.items()}
    assert closes and all(a.day < expiry[a.symbol] for a in closes)
    assert any(a.day.year == 2027 and "roll" in a.reason for a in closes)  # past the calendar
    held = result.daily[result.daily.index >= pd.Timestamp(opens[0].day)]
    assert (held["short_lots"] > 0).all()  # hedged every day from the first hedge
    for stamp, row in held.iterrows():
        assert stamp.date() < expiry[row["contract"]]
    assert not [text for _, sev, text in result.alerts if sev == "critical"]


def test_without_expiries_past_the_calendar_the_replay_holds_and_alerts(
        calendar: TradingCalendar, cfg: RiskConfig) -> None:
    nav, index = year_end(calendar)
    result = run_replay(scale_to_capital(nav, 50_000_000), index,
                        listed_futures(index, calendar, with_expiry=False), cfg, calendar)
    assert len(result.daily) == len(index)  # ran to the end
    texts = [text for _, _, text in result.alerts]
    assert any(t.startswith("IM2703.CFFEX left out: IM2703.CFFEX: last trading day unknown")
               for t in texts)
    assert sum("left out" in t and "IM2703" in t for t in texts) == 1  # once, not every day
    held = [t for t in texts if t.startswith("hedge not planned, position held")]
    assert held and "no usable IM contract" in held[0]


def test_without_a_futures_file_expiries_past_the_calendar_are_assumed(
        calendar: TradingCalendar, cfg: RiskConfig) -> None:
    nav, index = year_end(calendar)
    result = run_replay(scale_to_capital(nav, 50_000_000), index, None, cfg, calendar)
    [note] = [t for _, _, t in result.alerts if t.startswith("no futures file")]
    assert "IM2703.CFFEX" in note and "assumed on their third Friday" in note
    assert any(a.day.year == 2027 for a in result.actions)


def test_the_futures_file_expiry_column_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "im.csv"
    path.write_text("date,symbol,close,expiry\n2027-01-04,IM2701,5990.2,2027-01-15\n"
                    "2027-01-05,IM2701,5991.0,2027-01-22\n")
    with pytest.raises(ReplayInputError, match=r"IM2701\.CFFEX has more than one expiry"):
        read_futures(path)
    path.write_text("date,symbol,close,expiry\n2027-01-18,IM2701,5990.2,2027-01-15\n")
    with pytest.raises(ReplayInputError, match="after its expiry 2027-01-15"):
        read_futures(path)
    path.write_text("date,symbol,close,expiry\n2027-01-04,IM2701,5990.2,soon\n")
    with pytest.raises(ReplayInputError, match="'expiry' is not dates"):
        read_futures(path)
