"""The file cache of exchange_calendars' sessions: the library's answer, or nothing.

A hostile or broken file (garbage, another key, unsorted days) is never used."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from marketdata.calendar import _ask_library
from marketdata.calendar_cache import cache_file, cache_key, read_cached, write_cached

KEY = "XSHG|1990-12-19|exchange_calendars 0|2026-12-03"
LIBRARY = ((date(2026, 1, 5), date(2026, 1, 6), date(2026, 1, 7)), date(2026, 1, 5),
           date(2026, 12, 31))


def test_a_written_answer_is_read_back(tmp_path: Path) -> None:
    path = tmp_path / "c" / "sessions.json"
    write_cached(path, KEY, LIBRARY)
    assert read_cached(path, KEY) == LIBRARY
    assert read_cached(path, KEY.replace("2026-12-03", "2026-12-04")) is None  # a new day


def _hostile(path: Path, **change: object) -> None:
    body = {"key": KEY, "first": LIBRARY[1].toordinal(), "last": LIBRARY[2].toordinal(),
            "sessions": [d.toordinal() for d in LIBRARY[0]], **change}
    path.write_text(json.dumps(body), encoding="utf-8")


@pytest.mark.parametrize("change", [
    {"sessions": []}, {"sessions": [739000, 738999]}, {"sessions": [739000, 739000]},
    {"sessions": ["x"]}, {"sessions": [10**9]}, {"first": 1}, {"last": 1}, {"key": "other"},
    {"sessions": None}, {"first": None},
], ids=str)
def test_a_file_that_does_not_hold_a_sorted_answer_for_the_key_is_ignored(
        tmp_path: Path, change: dict[str, object]) -> None:
    path = tmp_path / "sessions.json"
    _hostile(path, **change)
    assert read_cached(path, KEY) is None


@pytest.mark.parametrize("text", ["", "{", "[]", "null", "\x00\xff", '{"key": "' + KEY + '"}'])
def test_garbage_is_ignored(tmp_path: Path, text: str) -> None:
    path = tmp_path / "sessions.json"
    path.write_text(text, encoding="utf-8", errors="surrogateescape")
    assert read_cached(path, KEY) is None


def test_a_path_that_is_a_directory_is_no_error(tmp_path: Path) -> None:
    (tmp_path / "sessions.json").mkdir()
    write_cached(tmp_path / "sessions.json", KEY, LIBRARY)
    assert read_cached(tmp_path / "sessions.json", KEY) is None
    assert os.listdir(tmp_path) == ["sessions.json"]  # no temporary file left behind


def test_the_key_names_the_version_and_today(monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    key = cache_key("XSHG", "1990-12-19")
    assert key is not None and key.startswith("XSHG|1990-12-19|exchange_calendars 4.")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_file() == tmp_path / "smallcap-desk" / "exchange-sessions.json"


def test_the_second_process_reads_the_library_answer_without_the_library(
        tmp_path: Path) -> None:
    probe = ("import sys; from marketdata.calendar import library_sessions; s = library_sessions();"
             " print(len(s[0]), s[0][0], s[0][-1], s[1], s[2],"
             " 'exchange_calendars' in sys.modules)")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    runs = [subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                           check=True, env=env).stdout.split() for _ in range(2)]
    sessions, first, last = _ask_library()
    answer = [str(len(sessions)), str(sessions[0]), str(sessions[-1]), str(first), str(last)]
    assert runs[0] == [*answer, "True"]
    assert runs[1] == [*answer, "False"]
