"""The micro-cap crash (seed 7, as in test_risk_scenarios) replayed with each hedge
instrument on the same path and a Black-76 MO put chain (chain_kit): hedged against
unhedged drawdown, cost paid, and the hostile chain file. `pytest -s` prints the figures."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from exchange import Side
from marketdata.calendar import TradingCalendar
from marketdata.synthetic import RegimePlan
from risk.config import HedgeConfig, HedgeInstrument, RiskConfig
from risk.replay import ReplayResult, run_replay
from risk.replay_compare import run_instruments
from risk.replay_io import ReplayInputError
from risk.replay_options import is_option
from risk.replay_options_io import ChainRow, read_chain
from tests.unit.risk.chain_kit import put_chain_rows, surface_chain_rows, write_chain
from tests.unit.risk.test_risk_scenarios import csi1000, market, smallest_book

# What the ladder promises on this path, for each instrument: its top rung hedges 100%
# of the beta-weighted book from a 30% drawdown, so the hedged drawdown stays at least
# one point below the unhedged one (futures measured 34.53% -> 32.41%).
AT_LEAST = 0.01


@pytest.fixture(scope="module")
def crash(calendar: TradingCalendar, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    m = market(calendar, RegimePlan(rotation_at=None, crash_at=0.5))
    index = csi1000(m)
    path = write_chain(tmp_path_factory.mktemp("chain") / "chain.csv",
                       put_chain_rows(index, m.futures))
    return m, index, read_chain(path)


@pytest.fixture(scope="module")
def results(crash, calendar: TradingCalendar) -> dict[str, ReplayResult]:  # type: ignore[no-untyped-def]
    m, index, chain = crash
    return run_instruments(smallest_book(m), index, m.futures, RiskConfig(), calendar, chain)


def premiums(result: ReplayResult) -> Decimal:
    return sum((a.price * a.lots * 100 for a in result.actions
                if is_option(a.symbol) and a.side is Side.BUY), Decimal(0))


def test_each_instrument_against_the_unhedged_book(results: dict[str, ReplayResult]) -> None:
    assert list(results) == ["futures", "options", "cheapest"]
    unhedged = {r.max_drawdown for r in results.values()}
    assert len(unhedged) == 1  # the same path
    for name, r in results.items():
        print(f"\n{name}: max drawdown unhedged {r.max_drawdown:.2%}, hedged "
              f"{r.hedged_max_drawdown:.2%}; final NAV {r.daily['nav'].iloc[-1]:,.0f} -> "
              f"{r.daily['hedged_nav'].iloc[-1]:,.0f}; basis paid CNY {r.basis_paid:,.0f}, "
              f"premium paid CNY {r.premium_paid:,.0f}, futures P&L CNY {r.futures_pnl:,.0f}, "
              f"options P&L CNY {r.options_pnl:,.0f}")
        assert r.hedged_max_drawdown <= r.max_drawdown - AT_LEAST, name
        # hedged NAV = book + futures P&L - fees + options P&L (net of their fees)
        daily = r.daily
        rebuilt = daily["nav"] + daily["futures_pnl"] - daily["fees"] + daily["options_pnl"]
        assert (rebuilt - daily["hedged_nav"]).abs().max() < 0.01, name
        # the premium paid is the sum of the premiums of the puts bought
        assert Decimal(str(round(r.premium_paid, 2))) == premiums(r), name


def test_futures_only_ignores_the_chain(results: dict[str, ReplayResult], crash,  # type: ignore[no-untyped-def]
                                        calendar: TradingCalendar) -> None:
    m, index, _ = crash
    plain = run_replay(smallest_book(m), index, m.futures, RiskConfig(), calendar)
    futures = results["futures"]
    assert futures.premium_paid == 0 and not any(is_option(a.symbol) for a in futures.actions)
    assert futures.hedged_max_drawdown == plain.hedged_max_drawdown
    assert futures.basis_paid == plain.basis_paid


def test_options_only_buys_puts_and_pays_no_basis(results: dict[str, ReplayResult]) -> None:
    options = results["options"]
    assert options.basis_paid == 0 and options.futures_pnl == 0
    assert all(is_option(a.symbol) for a in options.actions)
    assert options.premium_paid > 0
    # the loss is bounded by what was paid: premiums plus fees
    fees = float(options.daily["option_fees"].iloc[-1])
    assert options.options_pnl >= -(options.premium_paid + fees)
    # the first rung reached buys puts whose delta covers the rung's ratio (within a lot)
    first = options.daily[options.daily["ladder_ratio"] > 0].index[0]
    day = options.daily.loc[first]
    assert day["put_lots"] > 0
    assert abs(day["hedged_share"] - day["ladder_ratio"]) < 0.01


def test_cheapest_takes_the_cheaper_at_each_ladder_move(results: dict[str, ReplayResult]) -> None:
    cheapest = results["cheapest"]
    opened = [a for a in cheapest.actions if a.cost_note and "cheapest:" in a.cost_note]
    assert opened
    for action in opened:
        want_puts = "cheapest: puts" in action.cost_note
        assert is_option(action.symbol) == want_puts, action
    kinds = {is_option(a.symbol) for a in opened}
    assert kinds == {True, False}  # puts at the blown-out discount, futures once it closed
    assert cheapest.premium_paid > 0 and cheapest.basis_paid != 0


def test_a_mix_is_replayed_when_configured(crash, calendar: TradingCalendar) -> None:  # type: ignore[no-untyped-def]
    m, index, chain = crash
    cfg = RiskConfig(hedge=HedgeConfig(instrument=HedgeInstrument.MIX, mix_put_share=0.5))
    mixed = run_instruments(smallest_book(m), index, m.futures, cfg, calendar, chain)["mix"]
    first_day = min(a.day for a in mixed.actions)
    symbols = {a.symbol for a in mixed.actions if a.day == first_day}
    assert any(is_option(s) for s in symbols) and any(not is_option(s) for s in symbols)
    assert mixed.hedged_max_drawdown < mixed.max_drawdown


# -- the chain file as hostile input ---------------------------------------------------
GOOD = "date,symbol,bid,ask,settle,iv\n2024-02-05,MO2403-P-5000,100.2,101.0,100.6,0.31\n"


def write(tmp_path: Path, text: str, name: str = "chain.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_chain_reads(tmp_path: Path) -> None:
    rows = read_chain(write(tmp_path, GOOD))
    assert rows == [ChainRow(rows[0].day, rows[0].contract, Decimal("100.2"), Decimal("101.0"),
                             Decimal("100.6"), 0.31, 2)]
    assert rows[0].symbol == "MO2403-P-5000.CFFEX"


@pytest.mark.parametrize(("line", "where"), [
    ("2024-02-30,MO2403-P-5000,1,2,1.5,", "chain.csv:3: column 'date'"),
    ("2024-02-06,IM2403,1,2,1.5,", "chain.csv:3: column 'symbol'"),
    ("2024-02-06,MO2403-P-5000.SSE,1,2,1.5,", "chain.csv:3: column 'symbol'"),
    ("2024-02-06,MO2403-P-5000,abc,2,1.5,", "chain.csv:3: column 'bid'"),
    ("2024-02-06,MO2403-P-5000,3,2,1.5,", "chain.csv:3: column 'bid': above the ask"),
    ("2024-02-06,MO2403-P-5000,1,nan,1.5,", "chain.csv:3: column 'ask'"),
    ("2024-02-06,MO2403-P-5000,1,2,-1.5,", "chain.csv:3: column 'settle'"),
    ("2024-02-06,MO2403-P-5000,1,2,0,", "chain.csv:3: column 'settle': must be positive"),
    ("2024-02-06,MO2403-P-5000,1,2,1.5,inf", "chain.csv:3: column 'iv'"),
    ("2024-02-06,MO2403-P-5000,1,2,1.5,7", "chain.csv:3: column 'iv'"),
    ("2024-02-05,MO2403-P-5000,1,2,1.5,", "chain.csv:3: column 'symbol': MO2403-P-5000.CFFEX "
                                          "on 2024-02-05 again (first on line 2)"),
    ("2024-02-06,MO2403-P-5000,1,2", "chain.csv:3: 4 fields"),
    ("2024-02-06,MO2403-P-5000,1,2,1.5," + "9" * 1200, "chain.csv:3: line longer"),
])
def test_a_malformed_row_names_file_line_and_column(tmp_path: Path, line: str,
                                                    where: str) -> None:
    with pytest.raises(ReplayInputError) as caught:
        read_chain(write(tmp_path, GOOD + line + "\n"))
    assert where in str(caught.value)


def test_a_chain_without_a_column_or_rows_or_in_another_encoding(tmp_path: Path) -> None:
    with pytest.raises(ReplayInputError, match=r"chain.csv:1: missing column\(s\) \['settle'\]"):
        read_chain(write(tmp_path, "date,symbol,bid,ask\n"))
    with pytest.raises(ReplayInputError, match="no rows after the header"):
        read_chain(write(tmp_path, "date,symbol,bid,ask,settle\n"))
    path = tmp_path / "gbk.csv"
    path.write_bytes("date,symbol,bid,ask,settle\n2024-02-05,期权,1,2,1\n".encode("gbk"))
    with pytest.raises(ReplayInputError, match="not UTF-8"):
        read_chain(path)
    with pytest.raises(ReplayInputError, match=r"must be a \.csv"):
        read_chain(write(tmp_path, GOOD, "chain.parquet"))


def test_on_the_desks_own_surface_puts_bought_in_the_spike_deepen_the_drawdown(
        calendar: TradingCalendar, tmp_path: Path) -> None:
    """marketdata.option_chain: volatility tied to the near discount. Puts bought while
    it spikes lose most of their value when the discount collapses (2024-03-26): the
    options-only hedge deepens the drawdown, and `cheapest`, seeing that the puts cost
    more per 30 days at each rung, stays with futures."""
    m = market(calendar, RegimePlan(rotation_at=None, crash_at=0.5))
    index = csi1000(m)
    chain = read_chain(write_chain(tmp_path / "surface.csv",
                                   surface_chain_rows(index, m.futures, calendar)))
    runs = run_instruments(smallest_book(m), index, m.futures, RiskConfig(), calendar, chain)
    for name, r in runs.items():
        print(f"\nsurface, {name}: max drawdown unhedged {r.max_drawdown:.2%}, hedged "
              f"{r.hedged_max_drawdown:.2%}; final NAV {r.daily['hedged_nav'].iloc[-1]:,.0f}; "
              f"basis paid CNY {r.basis_paid:,.0f}, premium paid CNY {r.premium_paid:,.0f}")
    options, cheapest, futures = runs["options"], runs["cheapest"], runs["futures"]
    assert options.hedged_max_drawdown > options.max_drawdown
    fees = float(options.daily["option_fees"].iloc[-1])
    assert options.options_pnl >= -(options.premium_paid + fees)
    assert Decimal(str(round(options.premium_paid, 2))) == premiums(options)
    decided = [a for a in cheapest.actions if "cheapest:" in a.cost_note]
    assert decided and all("cheapest: futures" in a.cost_note and "puts: buy" in a.cost_note
                           for a in decided)
    assert cheapest.premium_paid == 0
    assert cheapest.hedged_max_drawdown == futures.hedged_max_drawdown < futures.max_drawdown
