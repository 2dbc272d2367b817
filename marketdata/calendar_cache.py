"""A file cache of the sessions exchange_calendars computes.

Importing the library costs 0.1-0.5 s in every process that builds a calendar (each
`desk` command, each service start); what it returns changes only with its version and
with the day (its default end is a year from today). So the sessions are kept in one
file under the user's cache directory, keyed by both. Best effort: a file that cannot be
read, belongs to another key or does not hold sorted sessions is ignored (and rewritten);
a directory that cannot be written leaves the library to be asked every time.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import itertools
import json
import os
import tempfile
import time
from datetime import date
from pathlib import Path

Library = tuple[tuple[date, ...], date, date]  # sessions, first covered, last covered
CACHE_NAME = Path("smallcap-desk") / "exchange-sessions.json"


def cache_file() -> Path | None:
    """$XDG_CACHE_HOME (or ~/.cache)/smallcap-desk/exchange-sessions.json; None without a home."""
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except (RuntimeError, KeyError):  # no home directory (a service user may have none)
            return None
    return Path(base) / CACHE_NAME


def cache_key(calendar: str, first: str) -> str | None:
    """What the library's answer depends on: the calendar asked for, its version, today."""
    try:
        version = importlib.metadata.version("exchange_calendars")
    except importlib.metadata.PackageNotFoundError:
        return None
    today = date(*time.localtime()[:3])  # the library's default end is local today + 1 year
    return f"{calendar}|{first}|exchange_calendars {version}|{today.isoformat()}"


def read_cached(path: Path | None, key: str | None) -> Library | None:
    if path is None or key is None:
        return None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(raw, dict) or raw.get("key") != key:
            return None
        sessions = tuple(date.fromordinal(int(n)) for n in raw["sessions"])
        first, last = date.fromordinal(int(raw["first"])), date.fromordinal(int(raw["last"]))
    except (OSError, ValueError, TypeError, KeyError, OverflowError):
        return None
    ordered = all(a < b for a, b in itertools.pairwise(sessions))
    if not sessions or not ordered or sessions[0] != first or sessions[-1] > last:
        return None
    return sessions, first, last


def write_cached(path: Path | None, key: str | None, library: Library) -> None:
    """Replace the file atomically (a reader never sees half of it); errors are ignored."""
    if path is None or key is None:
        return
    sessions, first, last = library
    body = json.dumps({"key": key, "first": first.toordinal(), "last": last.toordinal(),
                       "sessions": [d.toordinal() for d in sessions]})
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".sessions-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(body)
            os.replace(tmp, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
