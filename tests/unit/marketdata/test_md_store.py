from __future__ import annotations

from datetime import date, time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from md_kit import snapshot

from marketdata.errors import MissingData
from marketdata.schema import STOCK_FIELDS, RiskFlag
from marketdata.store import MarketStore
from marketdata.synthetic import SyntheticMarket
from marketdata.writer import stage_minute_bars, stage_table


def test_empty_store(tmp_path: Path) -> None:
    store = MarketStore(tmp_path)
    assert store.latest_date() is None
    with pytest.raises(MissingData, match="holds no stock bars"):
        store.load_panel(date(2026, 11, 20), 5)
    with pytest.raises(MissingData, match="no index table"):
        store.load_index(date(2026, 11, 20), date(2026, 11, 20))


def test_panel_has_every_field_with_its_dtype(full_store: MarketStore,
                                              market: SyntheticMarket) -> None:
    panel = full_store.load_panel(market.days[-1], 60)
    assert list(panel.fields) == list(STOCK_FIELDS)
    assert len(panel.dates) == 60 and panel.dates[-1] == pd.Timestamp(market.days[-1])
    for name, spec in STOCK_FIELDS.items():
        frame = panel[name]
        assert frame.shape == (60, len(panel.symbols))
        assert str(frame.dtypes.iloc[0]) == spec.dtype, name
    assert list(panel.instruments.columns) == ["name", "exchange", "board", "industry",
                                               "list_date", "delist_date"]


def test_panel_matches_generated_values(full_store: MarketStore, market: SyntheticMarket) -> None:
    panel = full_store.load_panel(market.days[-1], 120, ["close", "risk_flag"])
    cols = [market.stocks.symbols.index(s) for s in panel.symbols]
    np.testing.assert_array_equal(panel["close"].to_numpy(), market.stocks.values["close"][:, cols])
    np.testing.assert_array_equal(panel["risk_flag"].to_numpy(),
                                  market.stocks.values["risk_flag"][:, cols])


def test_panel_symbols_are_those_listed_in_the_window(full_store: MarketStore,
                                                      market: SyntheticMarket) -> None:
    gone = market.instruments.dropna(subset=["delist_date"])
    assert not gone.empty
    first_gone = gone.sort_values("delist_date").iloc[0]
    after = full_store.load_panel(market.days[-1], 3)
    assert first_gone["symbol"] not in after.symbols


def test_panel_on_and_window(full_store: MarketStore, market: SyntheticMarket) -> None:
    panel = full_store.load_panel(market.days[-1], 20)
    day = panel.on(market.days[-5])
    assert list(day.columns) == list(STOCK_FIELDS)
    assert day["close"].equals(panel["close"].loc[pd.Timestamp(market.days[-5])])
    short = panel.window(market.days[-3], 5)
    assert list(short.dates) == list(panel.dates[-7:-2])
    with pytest.raises(KeyError, match="no field 'closing'"):
        panel["closing"]
    with pytest.raises(KeyError, match="no trade date 2026-11-21"):
        panel.on(date(2026, 11, 21))
    with pytest.raises(ValueError, match="asked for 50 trade dates"):
        panel.window(market.days[-1], 50)


def test_missing_data_is_named(full_store: MarketStore, market: SyntheticMarket) -> None:
    with pytest.raises(MissingData, match="through 2026-11-20; asked for 2026-11-23"):
        full_store.load_panel(date(2026, 11, 23), 5)
    with pytest.raises(MissingData, match="holds 120 trade date"):
        full_store.load_panel(market.days[-1], 250)
    with pytest.raises(KeyError, match="unknown stock fields"):
        full_store.load_panel(market.days[-1], 5, ["close", "pe"])
    with pytest.raises(MissingData, match="index series from"):
        full_store.load_index(date(2020, 1, 2), market.days[-1])


def test_index_and_futures_layout(full_store: MarketStore, market: SyntheticMarket) -> None:
    index = full_store.load_index(market.days[-10], market.days[-1])
    assert list(index.columns) == ["csi1000", "csi2000", "microcap"]
    assert len(index) == 10 and (index > 0).all().all()
    futures = full_store.load_futures(market.days[-1], market.days[-1])
    assert list(futures.columns) == ["date", "symbol", "open", "high", "low", "close", "volume",
                                     "open_interest", "expiry", "settlement"]
    assert list(futures["symbol"]) == ["IM2611.CFFEX", "IM2612.CFFEX", "IM2703.CFFEX",
                                       "IM2706.CFFEX"]


def test_minute_bars_reproduce_the_day(full_store: MarketStore, market: SyntheticMarket) -> None:
    day = market.days[-1]
    bars = full_store.minute_bars(day)
    panel = full_store.load_panel(day, 1)
    listed = panel.on(day)
    listed = listed[listed["listed"]]
    assert set(bars["symbol"]) == set(listed.index)
    assert str(bars["datetime"].dt.tz) == "Asia/Shanghai"
    times = bars[bars["symbol"] == listed.index[0]]["datetime"].dt.time
    assert len(times) == 240 and times.iloc[0] == time(9, 30) and times.iloc[-1] == time(14, 59)
    assert time(11, 30) not in set(times) and time(13, 0) in set(times)
    per = bars.groupby("symbol").agg(open=("open", "first"), high=("high", "max"),
                                     low=("low", "min"), close=("close", "last"),
                                     volume=("volume", "sum"))
    for name in ("open", "high", "low", "close", "volume"):
        np.testing.assert_allclose(per[name], listed.loc[per.index, name], rtol=0, atol=1e-9)
    assert (bars["high"] >= bars[["open", "close"]].max(axis=1)).all()
    assert (bars["low"] <= bars[["open", "close"]].min(axis=1)).all()


def test_minute_bars_do_not_depend_on_the_other_symbols(full_store: MarketStore,
                                                        market: SyntheticMarket) -> None:
    day = market.days[-1]
    everything = full_store.minute_bars(day)
    symbol = str(everything["symbol"].iloc[-1])
    alone = full_store.minute_bars(day, [symbol]).reset_index(drop=True)
    pd.testing.assert_frame_equal(
        alone, everything[everything["symbol"] == symbol].reset_index(drop=True))
    with pytest.raises(MissingData, match="no 2026-11-20 bar"):
        full_store.minute_bars(day, ["600000.SZSE" if symbol != "600000.SZSE" else "1"])


def test_stored_minute_bars_win(partial_store: MarketStore, market: SyntheticMarket) -> None:
    day = market.days[-2]
    bars = partial_store.minute_bars(day).head(240).assign(volume=1.0)
    with partial_store.transaction() as tx:
        stage_minute_bars(tx, day.isoformat(), bars)
    assert (partial_store.minute_bars(day)["volume"] == 1.0).all()


def test_failed_write_leaves_the_store_unchanged(partial_store: MarketStore) -> None:
    before = snapshot(partial_store)
    with pytest.raises(RuntimeError), partial_store.transaction() as tx:
        stage_table(tx, "index", pd.DataFrame({"date": [pd.Timestamp("2030-01-02")],
                                               "csi1000": [1.0], "csi2000": [1.0],
                                               "microcap": [1.0]}))
        raise RuntimeError("crash in the middle of a write")
    assert snapshot(partial_store) == before


def test_commit_keeps_one_old_generation_and_collects_leftovers(partial_store: MarketStore,
                                                                market: SyntheticMarket) -> None:
    stray = partial_store.root / "tables" / "index.deadbeef0000.parquet"
    stray.write_bytes(b"left by a crashed import")
    old_index = partial_store.manifest().tables["index"]
    frame = partial_store.load_index(market.days[0], market.days[-2]).reset_index()
    for _ in range(2):
        with partial_store.transaction() as tx:
            stage_table(tx, "index", frame)
    files = {str(p.relative_to(partial_store.root)) for p in partial_store.root.rglob("*.parquet")}
    assert not stray.exists() and old_index not in files
    assert partial_store.manifest().previous_files[0] in files


def test_suspended_and_not_listed_conventions(full_store: MarketStore,
                                              market: SyntheticMarket) -> None:
    panel = full_store.load_panel(market.days[-1], 120)
    halted = panel["suspended"].to_numpy()
    assert halted.any()
    for name in ("open", "high", "low", "close"):
        np.testing.assert_array_equal(panel[name].to_numpy()[halted],
                                      panel["prev_close"].to_numpy()[halted])
    assert (panel["volume"].to_numpy()[halted] == 0).all()
    absent = ~panel["listed"].to_numpy()
    assert absent.any() and np.isnan(panel["close"].to_numpy()[absent]).all()
    assert (panel["risk_flag"].to_numpy()[absent] == RiskFlag.NORMAL).all()


def test_a_store_written_before_the_settlement_column_reads_with_it_blank(
    full_store: MarketStore, market: SyntheticMarket, tmp_path: Path
) -> None:
    """A server's store from before the column must still load (limits then fall back)."""
    import shutil

    copy = tmp_path / "old-store"
    shutil.copytree(full_store.root, copy)
    rel = MarketStore(copy).manifest().tables["futures"]
    old = pd.read_parquet(copy / rel).drop(columns=["settlement"])
    old.to_parquet(copy / rel)
    futures = MarketStore(copy).load_futures(market.days[-1], market.days[-1])
    assert "settlement" in futures.columns and futures["settlement"].isna().all()


@pytest.mark.parametrize(("damage", "why"), [
    (lambda text: text[:200], "truncated or not JSON"),
    (lambda text: "[1, 2]", "not a JSON object"),
    (lambda text: '{"format": 1, "tables": {}}', "lacks 'stocks'"),
    (lambda text: text.replace('"stocks": {', '"stocks": {"2026-13": 5, ', 1),
     "entry '2026-13' of 'stocks' is malformed"),
])
def test_a_damaged_manifest_is_one_sentence_naming_it(tmp_path: Path, partial_store: MarketStore,
                                                      damage: object, why: str) -> None:
    from marketdata.errors import StoreCorrupt

    path = partial_store.root / "manifest.json"
    path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")  # type: ignore[operator]
    with pytest.raises(StoreCorrupt) as err:
        partial_store.trade_dates()
    message = str(err.value)
    assert message.startswith(f"store manifest {path} ") and why in message, message
    assert "\n" not in message and "restore" in message


def test_a_non_utf8_manifest_is_one_sentence(partial_store: MarketStore) -> None:
    from marketdata.errors import StoreCorrupt

    path = partial_store.root / "manifest.json"
    path.write_bytes(b"\xff" + path.read_bytes())
    with pytest.raises(StoreCorrupt, match="not UTF-8 text"):
        partial_store.manifest()


def test_a_corrupt_table_file_names_the_file(partial_store: MarketStore) -> None:
    from marketdata.errors import StoreCorrupt

    rel = partial_store.manifest().tables["instruments"]
    (partial_store.root / rel).write_bytes(b"PAR1 not really")
    with pytest.raises(StoreCorrupt) as err:
        MarketStore(partial_store.root).instruments()
    assert str(partial_store.root / rel) in str(err.value) and "\n" not in str(err.value)
