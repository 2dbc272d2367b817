"""`desk data fetch`: one trade date from the configured vendors into the store.

Each source is tried in order (the first is the primary, the rest fallbacks); a source
that cannot deliver, or whose day the importer rejects (partial, inconsistent), is
reported and the next is tried. What a source delivered is written as an import folder
under `<data_dir>/<data.fetch.staging_dir>/<source>/<date>/` (kept: it is what was
imported) and imported by `import_folder`: the same validation, all or nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from marketdata.calendar import TradingCalendar
from marketdata.errors import MarketDataError
from marketdata.importers import import_folder
from marketdata.importers.batch import ImportReport
from marketdata.store import MarketStore
from marketdata.vendors.codes import UnknownVendorCode
from marketdata.vendors.config import FetchConfig, VendorSource
from marketdata.vendors.errors import FetchFailed, VendorUnavailable
from marketdata.vendors.prior import prior_day
from marketdata.vendors.sources import DayAdapter, make_adapter
from marketdata.vendors.tushare import VendorDay

AdapterFactory = Callable[[VendorSource, Mapping[str, str]], DayAdapter]


@dataclass(frozen=True)
class Fetched:
    source: str
    folder: Path
    report: ImportReport
    failures: list[tuple[str, str]] = field(default_factory=list)  # sources tried before


def write_folder(vday: VendorDay, folder: Path) -> Path:
    """The day in the import layout of docs/data.md."""
    (folder / "daily").mkdir(parents=True, exist_ok=True)
    vday.instruments.to_csv(folder / "instruments.csv", index=False)
    vday.daily.to_csv(folder / "daily" / f"{vday.day.isoformat()}.csv", index=False)
    vday.index.to_csv(folder / "index.csv", index=False)
    vday.futures.to_csv(folder / "futures.csv", index=False)
    stale = folder / "financials.csv"  # a re-fetch into the same folder must not keep it
    stale.unlink(missing_ok=True)
    if not vday.financials.empty:
        vday.financials.to_csv(stale, index=False)
    return folder


def fetch_day(store: MarketStore, calendar: TradingCalendar, cfg: FetchConfig, day: date,
              staging: Path, env: Mapping[str, str], source: str | None = None,
              factory: AdapterFactory = make_adapter) -> Fetched:
    if source is not None and source not in cfg.sources:
        raise FetchFailed(day.isoformat(), [(source, f"no such source; configured: "
                                                     f"{sorted(cfg.sources) or 'none'}")])
    names = cfg.chosen(source)
    if not names:
        raise FetchFailed(day.isoformat(), [("(none)", "no source configured in data.fetch")])
    failures: list[tuple[str, str]] = []
    for name in names:
        try:
            adapter = factory(cfg.sources[name], env)
            # Reports announced the evening before reach the vendor overnight.
            since = calendar.previous_trading_day(day)
            vday = adapter.fetch_day(day, prior_day(store, calendar, day), since)
            folder = write_folder(vday, staging / name / day.isoformat())
            return Fetched(name, folder, import_folder(store, calendar, folder), failures)
        except (MarketDataError, UnknownVendorCode, VendorUnavailable) as exc:
            failures.append((name, str(exc)))
    raise FetchFailed(day.isoformat(), failures)
