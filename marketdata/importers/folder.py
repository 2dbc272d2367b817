"""Import a folder in the documented layout (docs/data.md, "Import layout").

    PATH/instruments.csv        symbol name industry list_date [delist_date]
    PATH/daily/YYYY-MM-DD.csv   one file per trade date of stock bars
    PATH/index.csv              date csi1000 csi2000 microcap
    PATH/futures.csv            date symbol open high low close volume open_interest expiry
    PATH/financials.csv         symbol period_end report_date net_profit_ttm equity ...

Any file may be `.parquet` instead of `.csv`; every file is optional except that a
folder must contain at least one of them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd

from marketdata.calendar import TradingCalendar
from marketdata.errors import DataProblem, Severity
from marketdata.importers.batch import DayFile, ImportBatch, ImportReport, commit_batch
from marketdata.importers.dayfile import parse_day_file
from marketdata.importers.files import SUFFIXES, read_frame
from marketdata.importers.tables import (
    parse_financials,
    parse_futures,
    parse_index,
    parse_instruments,
)
from marketdata.store import MarketStore

Parser = Callable[[pd.DataFrame, str], tuple[pd.DataFrame, list[DataProblem]]]
TABLE_FILES: dict[str, Parser] = {
    "index": parse_index,
    "futures": parse_futures,
    "financials": parse_financials,
}


def _find(folder: Path, stem: str) -> list[Path]:
    candidates = [folder / f"{stem}{suffix}" for suffix in SUFFIXES]
    return [path for path in candidates if path.is_file()]


def _day_of(path: Path) -> date | None:
    for text in (path.stem, f"{path.stem[:4]}-{path.stem[4:6]}-{path.stem[6:]}"):
        try:
            return date.fromisoformat(text)
        except ValueError:
            continue
    return None


def _read_days(folder: Path, batch: ImportBatch) -> None:
    daily = folder / "daily"
    if not daily.is_dir():
        return
    for path in sorted(daily.iterdir()):
        label = f"daily/{path.name}"
        day = _day_of(path)
        if path.suffix not in SUFFIXES or day is None:
            batch.problems.append(DataProblem(
                Severity.ERROR, "bad_file_name",
                "day files must be named YYYY-MM-DD.csv or YYYY-MM-DD.parquet", file=label))
            continue
        frame, problems = read_frame(path, label)
        batch.problems.extend(problems)
        if frame is not None:
            rows, problems = parse_day_file(frame, day, label)
            batch.problems.extend(problems)
            batch.days.append(DayFile(day, label, rows))


def _read_table(folder: Path, stem: str, parse: Parser, batch: ImportBatch) -> pd.DataFrame | None:
    paths = _find(folder, stem)
    if len(paths) > 1:
        batch.problems.append(DataProblem(Severity.ERROR, "ambiguous_file",
                                          f"both {paths[0].name} and {paths[1].name}; keep one",
                                          file=paths[0].name))
    if not paths:
        return None
    frame, problems = read_frame(paths[0], paths[0].name)
    batch.problems.extend(problems)
    if frame is None:
        return None
    parsed, problems = parse(frame, paths[0].name)
    batch.problems.extend(problems)
    return parsed


def read_folder(folder: Path) -> ImportBatch:
    """Parse every file of the layout; parsing problems are collected, not raised."""
    batch = ImportBatch(source=str(folder))
    if not folder.is_dir():
        batch.problems.append(DataProblem(Severity.ERROR, "not_a_folder",
                                          "import expects a folder in the documented layout",
                                          file=str(folder)))
        return batch
    batch.instruments = _read_table(folder, "instruments", parse_instruments, batch)
    for stem, parse in TABLE_FILES.items():
        table = _read_table(folder, stem, parse, batch)
        if table is not None:
            batch.tables[stem] = table
    _read_days(folder, batch)
    if batch.instruments is None and not batch.tables and not batch.days and not batch.problems:
        batch.problems.append(DataProblem(
            Severity.ERROR, "empty_import",
            "no instruments, daily/, index, futures or financials file found (see docs/data.md)",
            file=str(folder)))
    return batch


def import_folder(store: MarketStore, calendar: TradingCalendar, folder: Path) -> ImportReport:
    """Validate and import `folder` whole, or raise ImportRejected leaving the store unchanged."""
    return commit_batch(store, calendar, read_folder(folder))
