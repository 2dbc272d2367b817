"""The START brings the parent's children back in its own transaction: the reads see
the state the START made, and a parent re-approved after an amendment, taken on by a
restarted desk that did not adopt it, numbers its next child after its old ones."""

from __future__ import annotations

from datetime import time as dtime
from pathlib import Path

import pytest
import redis

from bus import streams
from execution.approval.lifecycle import Action, IllegalTransition
from orders.order import OrderRecord, OrderState
from tests.unit.execution.deskkit import approve, make_order, sim_day


def test_the_start_reads_run_in_its_transaction(redis_client: redis.Redis,
                                                tmp_path: Path) -> None:
    with sim_day(redis_client, tmp_path) as day:
        approve(day.queue, make_order("s1", 5_000))
        key = streams.ORDER.format(order_id="s1")
        record, replies = day.queue.start("s1", actor="execution", reason="taken",
                                          reads=[("GET", key), ("SMEMBERS", "no-such-set")])
        assert record.state is OrderState.WORKING
        assert OrderRecord.from_json(replies[0]).state is OrderState.WORKING
        assert replies[1] == set()


def test_a_refused_start_reads_nothing_and_changes_nothing(redis_client: redis.Redis,
                                                           tmp_path: Path) -> None:
    with sim_day(redis_client, tmp_path) as day:
        approve(day.queue, make_order("s2", 5_000))
        day.queue.halt(actor="admin", reason="drill")
        with pytest.raises(IllegalTransition, match="halted"):
            day.queue.start("s2", actor="execution", reason="taken", reads=[("GET", "x")])
        assert day.queue.require("s2").state is OrderState.APPROVED


def test_a_reapproved_parent_on_a_restarted_desk_numbers_children_after_its_old_ones(
    redis_client: redis.Redis, tmp_path: Path,
) -> None:
    with sim_day(redis_client, tmp_path) as day:
        day.run(dtime(9, 31))
        day.desk.parents.work(approve(day.queue, make_order("am", 60_000)))
        day.run(dtime(9, 40))
        day.desk.parents.control("am", "amend", "trader", "smaller")
        day.run(dtime(9, 42))
        old = {c.slice_no for c in day.desk.book.of("am")}
        assert old and day.queue.require("am").state is OrderState.PAUSED
        done = day.queue.require("am").filled_quantity
        day.queue.apply("am", Action.EDIT, actor="trader", edit={"quantity": done + 5_000})
        day.desk.stop()  # restarted: the new desk did not adopt "am" (not live now)
        day.desk = day.new_desk()
        day.desk.start()
        assert "am" not in day.desk.parents.workers
        day.desk.parents.work(day.queue.apply("am", Action.APPROVE, actor="checker"))
        day.run(dtime(10, 20))  # ahead of schedule until then
        slices = [c.slice_no for c in day.desk.book.of("am")]
        assert set(slices) >= old  # the old children came with the START
        new = [s for s in slices if s not in old]
        assert new and min(new) == max(old) + 1
