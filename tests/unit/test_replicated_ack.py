"""WAIT after an approval, against a real embedded Redis that has no replica."""

from __future__ import annotations

import pytest
import redis

from services.replicated_ack import ApprovalNotReplicated, wait_for_replicas


def test_single_server_default_needs_no_replica(redis_client: redis.Redis) -> None:
    redis_client.set("approval:x", "1")
    assert wait_for_replicas(redis_client, 0, 100, "batch b1 order 600000") == 0


def test_missing_replica_is_a_clear_error_and_the_write_stays(
    redis_client: redis.Redis,
) -> None:
    redis_client.set("approval:x", "1")
    with pytest.raises(ApprovalNotReplicated, match="not yet on a replica: batch b1"):
        wait_for_replicas(redis_client, 1, 50, "batch b1 order 600000")
    assert redis_client.get("approval:x") == "1"
