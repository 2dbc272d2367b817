"""What every `desk` command shares: settings, data directory, Redis, store, clock."""

from __future__ import annotations

import atexit
from pathlib import Path
from typing import TYPE_CHECKING

import click

# Everything heavy (settings and their models, pandas through the store, redis) is
# imported when a command first asks for it: `desk --help` and `desk status` start fast.
if TYPE_CHECKING:
    import redis

    from execution.approval.queue import OrderQueue
    from marketdata.calendar import TradingCalendar
    from marketdata.clock import Clock
    from marketdata.store import MarketStore
    from services.settings import DeskSettings


class DeskContext:
    """Lazily built: a command that needs no Redis never starts one."""

    def __init__(self, config_file: str | None, data_dir: str | None) -> None:
        self._config_file = config_file
        self._data_dir = data_dir
        self._settings: DeskSettings | None = None
        self._client: redis.Redis | None = None
        self._store: MarketStore | None = None
        self._calendar: TradingCalendar | None = None

    @property
    def settings(self) -> DeskSettings:
        if self._settings is None:
            from services.settings_loader import ConfigError, load_settings

            try:
                loaded = load_settings(self._config_file)
            except ConfigError as exc:
                raise click.ClickException(str(exc)) from None
            if self._data_dir:
                loaded = loaded.model_copy(update={"data_dir": Path(self._data_dir)})
            self._settings = loaded
        return self._settings

    @property
    def data_dir(self) -> Path:
        return Path(self.settings.data_dir)

    @property
    def store(self) -> MarketStore:
        if self._store is None:
            from services.desk_data import open_store  # no redis, no bus

            self._store = open_store(self.settings, self.data_dir)
        return self._store

    @property
    def calendar(self) -> TradingCalendar:
        if self._calendar is None:
            from services.desk_data import open_calendar

            self._calendar = open_calendar(self.settings)
        return self._calendar

    def client(self) -> redis.Redis:
        """The desk's Redis; starts the embedded one for this command if none runs."""
        if self._client is None:
            from services.connect import connect, embedded_for

            server = embedded_for(self.settings)
            if server is not None and server.start():
                atexit.register(server.stop)
            self._client = connect(self.settings)
        return self._client

    @property
    def clock(self) -> Clock:
        from marketdata.clock import WallClock
        from services.clock_setup import ClockNotStarted, shared_clock

        try:
            return shared_clock(self.client(), self.settings)
        except ClockNotStarted:
            return WallClock()

    def queue(self) -> OrderQueue:
        from services.accounts import desk_queue

        queue: OrderQueue = desk_queue(self.client(), self.clock, self.settings)
        return queue


pass_desk = click.make_pass_decorator(DeskContext)
