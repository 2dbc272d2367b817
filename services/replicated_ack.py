"""Acknowledge an approval to the trader only once a replica holds it.

The queue writes an approval in one MULTI on the primary. Redis replicates
asynchronously, so a failover right after that write could lose it; WAIT blocks until
the given number of replicas acknowledged every write made so far on this connection.
If too few did in time, the trader is told the approval is on the primary only — the
write is not undone, and a retry is safe because the queue's version check refuses to
apply the same approval twice.
"""

from __future__ import annotations

import redis

from errors import RetryLater


class ApprovalNotReplicated(RetryLater):
    """The approval is on the primary but too few replicas confirmed it in time."""


def wait_for_replicas(client: redis.Redis, replicas: int, timeout_ms: int, what: str) -> int:
    """Block until `replicas` replicas hold this connection's writes; return how many do.

    `replicas` 0 is the single-server default: no round trip at all.
    """
    if replicas <= 0:
        return 0
    acked = int(client.execute_command("WAIT", replicas, timeout_ms))
    if acked < replicas:
        raise ApprovalNotReplicated(
            f"approval written on the primary but not yet on a replica: {what} "
            f"({acked} of {replicas} replicas confirmed within {timeout_ms} ms); "
            "check the replica and Sentinel, then retry — a retry cannot double it"
        )
    return acked
