"""`desk users unlock NAME` and `desk users list`: the login throttle from the shell, audited."""

from __future__ import annotations

import json

import redis
from click.testing import CliRunner, Result

from bus import streams
from services.cli.context import DeskContext
from services.cli.users_cmd import users_group
from services.console.config import ConsoleConfig
from services.console.throttle import LoginThrottle


def run(desk: DeskContext, *args: str) -> Result:
    return CliRunner().invoke(users_group, list(args), obj=desk)


def test_unlock_clears_the_throttle_and_is_audited(desk: DeskContext,
                                                   redis_client: redis.Redis) -> None:
    throttle = LoginThrottle(redis_client, ConsoleConfig())
    for _ in range(6):
        throttle.failed("root", "203.0.113.7")
    assert throttle.pair_wait_s("root", "203.0.113.7") > 0
    assert "6 failed login(s) from 1 address(es)" in run(desk, "list").output
    done = run(desk, "unlock", "root")
    assert done.exit_code == 0 and "cleared (1 address(es))" in done.output
    assert throttle.pair_wait_s("root", "203.0.113.7") == 0
    entry = json.loads(redis_client.xrange(streams.AUDIT)[-1][1]["body"])
    assert entry["action"] == "user.unlock" and entry["actor"].startswith("cli:")
    assert "203.0.113.7 (6 failures)" in entry["reason"]
    assert "failed login" not in run(desk, "list").output


def test_unlock_of_a_name_without_an_account_is_refused(desk: DeskContext,
                                                        redis_client: redis.Redis) -> None:
    refused = run(desk, "unlock", "nobody")
    assert refused.exit_code == 1 and "no user 'nobody'" in refused.output
    assert redis_client.xlen(streams.AUDIT) == 0
