"""`MarketStore`: the one home of the desk's market data (Parquet files + a manifest).

Layout under `root` (see docs/data.md): `manifest.json`, `stocks/YYYY-MM.*.parquet`
(daily stock fields, one dense file per month), `tables/` (instruments, financial
reports, index series, IM futures bars), `minute/` (optional stored minute bars).
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from marketdata.corporate import BadCorporateAction, CorporateAction, parse_actions
from marketdata.errors import MissingData, StoreCorrupt
from marketdata.manifest import Manifest, StoreTransaction, read_manifest
from marketdata.minute import synthesize_minute_bars
from marketdata.panel_io import assemble_panel, check_fields, read_daily_fields
from marketdata.pointintime import latest_reports
from marketdata.schema import INDEX_COLUMNS, STOCK_FIELDS, Panel
from marketdata.writer import with_ns_dates

_MINUTE_SOURCE_FIELDS = ["open", "high", "low", "close", "volume", "amount", "listed"]


class MarketStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._tables: dict[str, pd.DataFrame] = {}  # files are immutable: cache by file name
        self._derived: dict[str, pd.DataFrame] = {}

    # -- reading -----------------------------------------------------------------
    def manifest(self) -> Manifest:
        return read_manifest(self.root)

    def trade_dates(self) -> list[date]:
        return self.manifest().stock_dates()

    def latest_date(self) -> date | None:
        days = self.trade_dates()
        return days[-1] if days else None

    def instruments(self) -> pd.DataFrame:
        """Index vt_symbol; columns name exchange board industry list_date delist_date."""
        return self._table(self.manifest(), "instruments").set_index("symbol")

    def financials(self) -> pd.DataFrame:
        """Financial reports (long): symbol period_end report_date and the report fields."""
        return self._table(self.manifest(), "financials")

    def _reports(self, manifest: Manifest) -> pd.DataFrame:
        """Financial reports ready for point-in-time lookups (cached per file)."""
        raw = self._table(manifest, "financials")
        key = f"reports:{manifest.tables['financials']}"
        if key not in self._derived:
            self._derived = {key: latest_reports(raw)}
        return self._derived[key]

    def load_panel(self, end: date, lookback: int, fields: list[str] | None = None) -> Panel:
        """All (or the named) stock fields for the `lookback` trade dates ending at `end`."""
        names = check_fields(fields)
        manifest = self.manifest()
        days = manifest.stock_dates()
        self._require_through(days, end, "stock bars")
        stop = bisect_right(days, end)
        if lookback < 1 or stop < lookback:
            raise MissingData(
                f"store {self.root} holds {stop} trade date(s) up to {end.isoformat()}"
                f"{f' (from {days[0].isoformat()})' if days else ''}; asked for a lookback "
                f"of {lookback}"
            )
        window = days[stop - lookback : stop]
        instruments = self._table(manifest, "instruments").set_index("symbol")
        needs_reports = any(STOCK_FIELDS[n].source == "financials" for n in names)
        reports = self._reports(manifest) if needs_reports else None
        return assemble_panel(self.root, manifest, window, instruments, reports, names)

    def load_index(self, start: date, end: date) -> pd.DataFrame:
        """Index closes by trade date: columns csi1000 csi2000 microcap."""
        table = self._table(self.manifest(), "index")
        frame = table.set_index(pd.DatetimeIndex(table["date"], name="date"))
        self._require_range([d.date() for d in frame.index], start, end, "index series")
        return frame.loc[pd.Timestamp(start) : pd.Timestamp(end), list(INDEX_COLUMNS)]

    def load_futures(self, start: date, end: date) -> pd.DataFrame:
        """IM futures bars, long: date symbol open high low close volume open_interest expiry
        settlement (blank in stores written before the column existed)."""
        table = self._table(self.manifest(), "futures")
        if "settlement" not in table.columns:
            table = table.assign(settlement=float("nan"))
        days = sorted(set(table["date"].dt.date))
        self._require_range(days, start, end, "IM futures bars")
        rows = (table["date"] >= pd.Timestamp(start)) & (table["date"] <= pd.Timestamp(end))
        return table[rows].reset_index(drop=True)

    def corporate_actions(self, start: date, end: date) -> list[CorporateAction]:
        """Checked corporate actions with an ex-date or a pay / list date in [start, end];
        none for a store written before the table existed (its prices are unadjusted)."""
        manifest = self.manifest()
        if "corporate_actions" not in manifest.tables:
            return []
        table = self._table(manifest, "corporate_actions")
        lo, hi = pd.Timestamp(start), pd.Timestamp(end)
        later = (table["pay_date"] >= lo) | (table["list_date"] >= lo) | (table["ex_date"] >= lo)
        near = (table["ex_date"] <= hi) & later
        try:
            return parse_actions(table[near])
        except BadCorporateAction as exc:
            raise StoreCorrupt(f"store {self.root}: {exc}") from exc

    def minute_bars(self, day: date, symbols: list[str] | None = None) -> pd.DataFrame:
        """One bar per minute, 09:30-11:30 and 13:00-15:00; stored or derived from the day bar."""
        manifest = self.manifest()
        if day.isoformat() in manifest.minute:
            bars = self._read(manifest.minute[day.isoformat()])
            return bars if symbols is None else bars[bars["symbol"].isin(symbols)]
        if day not in set(manifest.stock_dates()):
            raise MissingData(f"store {self.root} has no stock bars for {day.isoformat()}")
        instruments = self._table(manifest, "instruments").set_index("symbol")
        wanted = pd.Index(sorted(instruments.index if symbols is None else symbols))
        values = read_daily_fields(self.root, manifest, [day], wanted, _MINUTE_SOURCE_FIELDS)
        listed = values.pop("listed")[0]
        if symbols is not None and not listed.all():
            absent = list(wanted[~listed])
            raise MissingData(f"no {day.isoformat()} bar for {absent[:10]} in store {self.root}")
        day_bars = pd.DataFrame({k: v[0] for k, v in values.items()}, index=wanted)[listed]
        return synthesize_minute_bars(day, day_bars)

    # -- writing -----------------------------------------------------------------
    def transaction(self) -> StoreTransaction:
        """An exclusive, all-or-nothing write (see `marketdata.writer`)."""
        return StoreTransaction(self.root)

    # -- helpers -----------------------------------------------------------------
    def _table(self, manifest: Manifest, name: str) -> pd.DataFrame:
        if name not in manifest.tables:
            raise MissingData(f"store {self.root} has no {name} table; run `desk data import`")
        rel = manifest.tables[name]
        if rel not in self._tables:
            stale = [k for k in self._tables if k.startswith(f"tables/{name}.")]
            for key in stale:
                del self._tables[key]
            self._tables[rel] = self._read(rel)
        return self._tables[rel]

    def _read(self, rel: str) -> pd.DataFrame:
        try:  # one file: ParquetFile, not read_table (which imports pyarrow.dataset)
            table: pa.Table = pq.ParquetFile(self.root / rel).read()
        except (OSError, pa.ArrowInvalid) as exc:
            raise StoreCorrupt(f"store file {self.root / rel} unreadable: {exc}") from exc
        return with_ns_dates(table.to_pandas())

    def _require_through(self, days: list[date], end: date, what: str) -> None:
        if not days:
            raise MissingData(f"store {self.root} holds no {what}; run `desk data import`")
        if end > days[-1]:
            raise MissingData(
                f"store {self.root} holds {what} through {days[-1].isoformat()}; "
                f"asked for {end.isoformat()}"
            )

    def _require_range(self, days: list[date], start: date, end: date, what: str) -> None:
        self._require_through(days, end, what)
        if start < days[0]:
            raise MissingData(
                f"store {self.root} holds {what} from {days[0].isoformat()}; "
                f"asked from {start.isoformat()}"
            )

