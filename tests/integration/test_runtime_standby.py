"""A service that waits in its setup (a standby execution service waiting for its
account's lease) shows a heartbeat meanwhile and stops at the first SIGTERM, instead of
looking dead in `desk status` and holding systemd's stop until its timeout."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import redis

from bus import streams
from marketdata.clock import WallClock
from services.runtime import EXIT_STOPPED_NOW, Runner, Service, ServiceContext
from services.settings_loader import DEFAULT_CONFIG, load_settings


class Standby(Service):
    name = "standby-probe"

    def setup(self) -> None:
        while True:  # as AccountLease.take() waits, through the service's pulse
            self.info["lease"] = "standby: waiting for the account's lease"
            self.pulse()
            time.sleep(0.05)


def test_a_waiting_setup_beats_and_stops_at_the_first_sigterm(
        redis_client: redis.Redis, tmp_path: Path) -> None:
    settings = load_settings(DEFAULT_CONFIG).model_copy(update={"data_dir": tmp_path})
    ctx = ServiceContext(settings=settings, client=redis_client, clock=WallClock(),
                         data_dir=tmp_path)
    runner = Runner(Standby(ctx), heartbeat_interval_s=0.1)
    codes: list[int] = []
    thread = threading.Thread(target=lambda: codes.append(runner.run()))
    thread.start()
    key = streams.HEARTBEAT.format(service="standby-probe")
    deadline = time.monotonic() + 10
    while not redis_client.exists(key):
        assert time.monotonic() < deadline, "no heartbeat while waiting in setup"
        time.sleep(0.05)
    beat = json.loads(redis_client.get(key) or "{}")
    assert beat["state"] == "starting" and "standby" in beat["info"]["lease"]
    runner.request_stop()  # what the first SIGTERM does
    thread.join(5)
    assert not thread.is_alive() and codes == [EXIT_STOPPED_NOW]
