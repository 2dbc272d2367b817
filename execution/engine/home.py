"""Where vnpy keeps its files, and keeping its import from disturbing the desk.

vnpy decides its TRADER_DIR when `vnpy.trader.utility` is first imported: the current
directory if it holds `.vntrader`, else $HOME. Its logger module then removes every
loguru sink (the desk's too) and adds its own console and file sinks. So the desk
imports vnpy from inside `<data_dir>/vnpy` with a settings file that turns vnpy's own
sinks off, and keeps loguru's existing sinks through that import. If vnpy was
imported earlier (by a test, say), the engine's directory is still redirected, so
`MainEngine()` changes into the desk's folder, not $HOME.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

VNPY_SETTINGS = {
    "log.active": False,  # the bridge logs vnpy's log events itself
    "log.console": False,
    "log.file": False,
    "database.timezone": "Asia/Shanghai",
}


@contextmanager
def _loguru_sinks_kept() -> Iterator[None]:
    from loguru._logger import Logger

    original = Logger.remove
    Logger.remove = lambda self, handler_id=None: None  # type: ignore[method-assign]
    try:
        yield
    finally:
        Logger.remove = original  # type: ignore[method-assign]


def prepare_vnpy_home(data_dir: Path) -> Path:
    """Make `<data_dir>/vnpy` vnpy's TRADER_DIR; returns it. Call before importing vnpy."""
    home = (Path(data_dir) / "vnpy").resolve()
    temp = home / ".vntrader"
    temp.mkdir(parents=True, exist_ok=True)
    settings = temp / "vt_setting.json"
    if not settings.exists():
        settings.write_text(json.dumps(VNPY_SETTINGS, indent=2), encoding="utf-8")
    if "vnpy.trader.utility" not in sys.modules:
        previous = os.getcwd()
        os.chdir(home)
        try:
            with _loguru_sinks_kept():
                importlib.import_module("vnpy.trader.engine")
        finally:
            os.chdir(previous)
    _redirect(home, temp)
    return home


def _redirect(home: Path, temp: Path) -> None:
    utility = importlib.import_module("vnpy.trader.utility")
    engine = importlib.import_module("vnpy.trader.engine")
    setattr(utility, "TRADER_DIR", home)  # noqa: B010 - module globals vnpy reads later
    setattr(utility, "TEMP_DIR", temp)  # noqa: B010
    setattr(engine, "TRADER_DIR", home)  # noqa: B010
