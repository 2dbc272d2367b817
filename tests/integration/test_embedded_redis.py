"""The desk's own Redis: a Unix socket (no TCP port at all), AOF that survives a restart."""

from __future__ import annotations

from pathlib import Path

import redis

from services.redis_server import EmbeddedRedis


def test_listens_on_no_tcp_port_and_persists(tmp_path: Path) -> None:
    server = EmbeddedRedis(tmp_path)
    assert server.start() is True
    try:
        assert server.start() is False  # already running: reused, not started twice
        client = redis.Redis.from_url(server.url, decode_responses=True)
        assert client.config_get("port")["port"] == "0"
        assert client.config_get("appendonly")["appendonly"] == "yes"
        client.xadd("desk:batches", {"k": "v"})
    finally:
        server.stop()
    server.stop()  # safe twice
    assert not server.is_running()
    again = EmbeddedRedis(tmp_path)
    again.start()
    try:
        client = redis.Redis.from_url(again.url, decode_responses=True)
        assert client.xlen("desk:batches") == 1
    finally:
        again.stop()


def test_long_data_dir_falls_back_to_a_short_socket_path(tmp_path: Path) -> None:
    deep = tmp_path / ("d" * 90)
    server = EmbeddedRedis(deep)
    assert len(str(server.socket)) <= 100
    server.start()
    try:
        assert server.is_running()
    finally:
        server.stop()
