"""The store's manifest and its all-or-nothing write transaction.

Data files are never modified in place: a write puts new files under fresh names and
then swaps `manifest.json` atomically (write, fsync, rename). Readers only open the
files the manifest names, so they see the store either before or after a write. Files
of the previous generation are kept for readers still holding the old manifest; older
ones, and leftovers of an interrupted write, are deleted at the next commit.
"""

from __future__ import annotations

import fcntl
import json
import os
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from marketdata.errors import StoreCorrupt

MANIFEST_NAME = "manifest.json"
LOCK_NAME = ".write.lock"
FORMAT_VERSION = 1
DATA_DIRS = ("stocks", "tables", "minute")


@dataclass
class Manifest:
    tables: dict[str, str] = field(default_factory=dict)  # table name -> file
    stocks: dict[str, dict[str, object]] = field(default_factory=dict)  # "YYYY-MM" -> file, dates
    minute: dict[str, str] = field(default_factory=dict)  # ISO date -> file
    meta: dict[str, str] = field(default_factory=dict)
    previous_files: list[str] = field(default_factory=list)

    def stock_dates(self) -> list[date]:
        days: list[date] = []
        for key in sorted(self.stocks):
            days.extend(date.fromisoformat(str(d)) for d in self.partition_dates(key))
        return days

    def partition_dates(self, key: str) -> list[str]:
        dates = self.stocks[key]["dates"]
        assert isinstance(dates, list)
        return [str(d) for d in dates]

    def partition_file(self, key: str) -> str:
        return str(self.stocks[key]["file"])

    def referenced(self) -> set[str]:
        files = set(self.tables.values()) | set(self.minute.values())
        return files | {self.partition_file(k) for k in self.stocks}

    def to_json(self) -> str:
        return json.dumps(
            {"format": FORMAT_VERSION, "tables": self.tables, "stocks": self.stocks,
             "minute": self.minute, "meta": self.meta, "previous_files": self.previous_files},
            indent=1, sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str, where: Path) -> Manifest:
        try:
            raw = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise _damaged(where, f"is truncated or not JSON ({exc})") from None
        if not isinstance(raw, dict):
            raise _damaged(where, f"is not a JSON object (found {type(raw).__name__})")
        if raw.get("format") != FORMAT_VERSION:
            raise StoreCorrupt(f"{where}: format {raw.get('format')!r}, expected {FORMAT_VERSION}")
        return cls(tables=_section(raw, "tables", str, where),
                   stocks=_section(raw, "stocks", dict, where),
                   minute=_section(raw, "minute", str, where),
                   meta=_section(raw, "meta", str, where),
                   previous_files=_file_list(raw, where))


_REPAIR = "restore the store from a backup or re-import it (docs/data.md)"


def _damaged(where: Path, why: str) -> StoreCorrupt:
    return StoreCorrupt(f"store manifest {where} {why}; {_REPAIR}")


def _section(raw: dict[str, Any], name: str, kind: type, where: Path) -> dict[str, Any]:
    """One mapping of the manifest, checked: a damaged entry must not surface as a KeyError."""
    if name not in raw:
        raise _damaged(where, f"lacks {name!r}")
    section = raw[name]
    if not isinstance(section, dict):
        raise _damaged(where, f"has a malformed {name!r} (not a mapping)")
    for key, value in section.items():
        if not isinstance(value, kind) or (name == "stocks" and not _partition_ok(value)):
            raise _damaged(where, f"entry {key!r} of {name!r} is malformed")
    return section


def _partition_ok(entry: Any) -> bool:
    return isinstance(entry.get("file"), str) and isinstance(entry.get("dates"), list)


def _file_list(raw: dict[str, Any], where: Path) -> list[str]:
    files = raw.get("previous_files")
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise _damaged(where, "lacks a list of 'previous_files'")
    return files


def read_manifest(root: Path) -> Manifest:
    path = root / MANIFEST_NAME
    if not path.is_file():
        return Manifest()
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _damaged(path, f"is not UTF-8 text (byte at offset {exc.start})") from None
    except OSError as exc:
        raise _damaged(path, f"cannot be read ({exc.strerror or exc})") from None
    return Manifest.from_json(text, path)


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class StoreTransaction:
    """Exclusive writer: stage files with `write_table`, then `commit` or `abort`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self._lock = open(root / LOCK_NAME, "a+")  # noqa: SIM115 - held until commit/abort
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        self.manifest = read_manifest(root)
        self._before = self.manifest.referenced()
        self._staged: list[Path] = []

    def write_table(self, folder: str, stem: str, table: pa.Table, compression: str) -> str:
        """Write `table` under a fresh name in `folder`; return its path relative to the root."""
        rel = f"{folder}/{stem}.{uuid.uuid4().hex[:12]}.parquet"
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        self._staged.append(path)
        pq.write_table(table, path, compression=compression)
        _fsync_path(path)
        return rel

    def commit(self) -> None:
        try:
            self.manifest.previous_files = sorted(self._before - self.manifest.referenced())
            tmp = self.root / (MANIFEST_NAME + ".tmp")
            with open(tmp, "w", encoding="utf-8") as fh:
                fh.write(self.manifest.to_json())
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.root / MANIFEST_NAME)
            _fsync_path(self.root)
            self._collect_garbage()
        finally:
            self._release()

    def abort(self) -> None:
        try:
            for path in self._staged:
                path.unlink(missing_ok=True)
        finally:
            self._release()

    def _collect_garbage(self) -> None:
        keep = self.manifest.referenced() | set(self.manifest.previous_files)
        for folder in DATA_DIRS:
            base = self.root / folder
            if not base.is_dir():
                continue
            for path in base.iterdir():
                if f"{folder}/{path.name}" not in keep:
                    path.unlink(missing_ok=True)

    def _release(self) -> None:
        if not self._lock.closed:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()

    def __enter__(self) -> StoreTransaction:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()
