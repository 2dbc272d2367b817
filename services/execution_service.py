"""The execution service: works approved orders through vnpy and the broker gateway.

Each step handles what is waiting on the `controls` stream (pause / resume / cancel /
amend, the halt switch), the `decisions` stream and the approval intake, then lets
the desk apply gateway events and decide the next child orders. A step blocks at
most `COMMAND_BLOCK_MS` waiting for a decision, so an approval reaches the gateway at
once. A decision only names an order: the service works the queue's own record, and
only when it is approved and audited (`WorkCheck`); a decision no honest queue
writes is dead-lettered and alerted as critical. No stream carries an order to work.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import redis
from loguru import logger

from bus import streams
from bus.bus import MessageRefused, Prefetching, StreamConsumer
from bus.messages import Decision, Envelope, ExecControl, ExecHalt
from bus.pinned import watch_and_read
from execution.approval.intake import intake_consumers
from execution.approval.intake_guard import IntakeGuard, StoreCloses
from execution.approval.lifecycle import IllegalTransition
from execution.approval.reference_data import ReferenceData
from execution.approval.work_check import AwaitingApprovals, StaleWork, WorkCheck
from execution.engine.home import prepare_vnpy_home
from marketdata.store import MarketStore
from orders.order import OrderRecord, OrderState
from services.paper_plan import sim_market_dir
from services.runtime import Service
from services.step_gc import StepCollector

if TYPE_CHECKING:
    from execution.worker.desk import ExecutionDesk

CONSUMER = "execution-1"  # stable, so a restart finishes its own pending commands
COMMAND_BLOCK_MS = 50


def _drain(consumer: StreamConsumer) -> None:
    """Handle everything waiting, not only one read's worth."""
    while consumer.poll(block=False) >= consumer.batch:
        pass


def _consumer(service: str) -> str:
    """`execution-1`, or `execution-1@B` for account B's service."""
    account = service.partition("@")[2]
    return f"{CONSUMER}@{account}" if account else CONSUMER


class ExecutionService(Service):
    name = "execution"
    paced = True

    def setup(self) -> None:
        ctx = self.ctx
        # vnpy fixes its folder and replaces loguru's sinks when first imported: prepare
        # its home first, then import everything that touches vnpy.
        engine_dir = self._engine_dir()
        prepare_vnpy_home(engine_dir)
        from execution.fencing import ReplicaAck
        from execution.gateway.sim.gateway import SimDeps
        from execution.gateway.sim.source import StoreTapeSource
        from execution.worker.desk import DeskDeps, ExecutionDesk
        from execution.worker.profiles import StoreProfiles

        cfg = ctx.settings.execution
        uses_sim = "sim" in (cfg.stock_gateway.name, cfg.futures_gateway.name)
        # On the stepped clock each step matches the simulated exchange itself.
        sim = SimDeps(ctx.client, ctx.clock, StoreTapeSource(self._market_store()), cfg.sim,
                      cfg.initial_cash, auto_match=not self.stepped) if uses_sim else None
        deps = DeskDeps(
            client=ctx.client, clock=ctx.clock, queue=ctx.queue, cfg=cfg, data_dir=engine_dir,
            sim=sim, profile=StoreProfiles(ctx.store, cfg.profile_days), env=dict(os.environ),
            wait=self._standby_wait,
            lease_ack=ReplicaAck(ctx.settings.redis.replicas_to_ack,
                                 ctx.settings.redis.ack_timeout_ms),  # the fencing token's
        )
        self._new_desk: Callable[[], ExecutionDesk] = lambda: ExecutionDesk(deps)
        self.desk: ExecutionDesk | None = None
        self.desk = self._new_desk()
        self.desk.start()  # a standby waits in here (`_standby_wait`)
        self.info.pop("lease", None)
        self._watch(self.desk)
        # Each account's service reads every control and decision in a group of its own
        # (`execution`, `execution@B`) and works only its account's orders.
        group = self.name
        self.controls = StreamConsumer(
            ctx.client, streams.CONTROLS, group, CONSUMER,
            {"exec.control": self._control, "exec.halt": self._halt},
        )
        self.decisions = StreamConsumer(
            ctx.client, streams.DECISIONS, group, CONSUMER,
            # The work check's and the START's reads go out with the consumer's duplicate
            # check, after a WATCH of the order and the halt: the START and the first
            # child's record then go in one MULTI/EXEC (nothing on a change since).
            {"decision": Prefetching(self._decision_reads, self._decision,
                                     watch=self._decision_watch)},
            block_ms=COMMAND_BLOCK_MS,
        )
        self.work_check = WorkCheck(ctx.queue)
        self._start_approved()
        guard = IntakeGuard(ctx.calendar, ctx.clock,
                            StoreCloses(ReferenceData(ctx.store), ctx.calendar))
        # The intake is the desk's, shared: whichever account's service reads a batch
        # files all of its orders (one consumer name per service in the shared group).
        self.intake = intake_consumers(ctx.client, ctx.queue, _consumer(self.name), guard)
        # Set up: from now on garbage is collected at the end of steps, not inside an
        # approval (`services.step_gc`).
        self.collector = StepCollector()
        self.collector.start()

    def _standby_wait(self, seconds: float) -> None:
        """A standby waiting for the account's lease: beating, and stopping when told."""
        self.info["lease"] = "standby: another execution service holds the account's lease"
        deadline = time.monotonic() + seconds
        while True:
            self.pulse()
            left = deadline - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(left, 0.25))

    def _engine_dir(self) -> Path:
        """Where this service's vnpy keeps its files: `<data_dir>/vnpy` for the first
        account, `<data_dir>/accounts/<account>/vnpy` for another, so two broker
        sessions never share a gateway's session files."""
        account = self.ctx.settings.execution.account
        if account == self.ctx.queue.account:
            return self.ctx.data_dir
        return self.ctx.data_dir / "accounts" / account

    def _market_store(self) -> MarketStore:
        """What the simulated exchange trades on: the desk's own store, unless the
        market is kept apart (`execution.sim.market_dir`, a run over several days,
        where the desk's store only gets each day in the evening as from a vendor)."""
        market_dir = sim_market_dir(self.ctx.settings)
        return MarketStore(market_dir) if market_dir else self.ctx.store

    def step(self) -> None:
        self._roll_day()
        desk = self._desk()
        events = self._match_exchange(desk) if self.stepped else None
        self.controls.poll(block=False)  # a halt first: it may stop what a decision starts
        if self.stepped:  # every decision of the step now: another account's must not
            _drain(self.decisions)  # push this account's to the next step
        else:
            self.decisions.poll(block=True)
        for consumer in self.intake:
            consumer.poll(block=False)
        if self.stepped:  # each step, not each wall second: the run must not depend on load
            desk.parents.refresh()
            self.watch.poll()
        desk.step(events)
        if not self.stepped:
            self.watch.poll_due()  # orders added since: their prices from now on
        self.info = {"parents": len(desk.parents.workers), "halted": desk.parents.halted,
                     "links": {link.name: link.up for link in desk.links},
                     "handler_errors": desk.bridge.handler_errors}
        self.collector.idle()  # nothing in hand: the next decision finds no collection due

    def _roll_day(self) -> None:
        """A service left running overnight starts the new trading day afresh."""
        desk = self._desk()
        today = self.ctx.clock.now().date()
        if desk.day == today or desk.parents.workers:
            return
        logger.info("new day {}: restarting the execution desk", today)
        self.collector.stop()  # yesterday's desk was frozen: unfreeze it to free it
        desk.stop()
        self.desk = None
        self.desk = self._new_desk()
        self.desk.start()
        self._watch(self.desk)
        self._start_approved()
        self.collector.start()

    def _match_exchange(self, desk: ExecutionDesk) -> list[Any]:
        """Stepped clock: match the simulated exchange up to this step's time, then
        take every event it pushed, so the step sees all that happened by now."""
        from execution.gateway.sim.gateway import SimGateway

        for link in desk.links:
            gateway = desk.bridge.gateway(link.name)
            if isinstance(gateway, SimGateway) and gateway.connected:
                try:
                    gateway.advance()
                except Exception as exc:  # as the matcher thread: alert, keep the desk up
                    logger.exception("simulated matching of {} failed", link.name)
                    desk.alert("critical", f"simulated matching of {link.name} failed",
                               repr(exc)[:500])
        return desk.bridge.barrier()

    def _watch(self, desk: ExecutionDesk) -> None:
        """Subscribe today's order and held symbols from the start: prices before approval."""
        from execution.worker.watch import watch_for  # imports vnpy: after prepare_vnpy_home

        self.watch = watch_for(desk)

    def teardown(self) -> None:
        collector = getattr(self, "collector", None)
        if collector is not None:
            collector.stop()
        desk = getattr(self, "desk", None)
        if desk is not None:
            desk.stop()

    def _desk(self) -> ExecutionDesk:
        if self.desk is None:
            raise RuntimeError("execution service used before setup()")
        return self.desk

    def _decision_watch(self, env: Envelope) -> list[str]:
        body = env.body
        assert isinstance(body, Decision)
        return self._desk().parents.start_watch(body.order_id) if body.action == "approve" \
            else []

    def _decision_reads(self, env: Envelope) -> list[tuple[Any, ...]]:
        body = env.body
        assert isinstance(body, Decision)
        return self._approval_reads(body) if body.action == "approve" else []

    def _approval_reads(self, body: Decision) -> list[tuple[Any, ...]]:
        """The work check's reads, then the START's (`ParentLifecycle.start_reads`)."""
        return [*WorkCheck.reads(body), *self._desk().parents.start_reads(body.order_id)]

    def _decision(self, env: Envelope, replies: list[Any], pipe: Any = None) -> None:
        body = env.body
        assert isinstance(body, Decision)
        if body.action != "approve":  # starts nothing; the record already says so
            if self.ctx.queue.get(body.order_id) is None:
                raise MessageRefused(f"{body.action} of {body.order_id}: no such order")
            return
        self._check_and_start(body, env.source, replies, pipe)

    def _start_approved(self) -> None:
        """Approved orders not started yet (their bell rang during a halt, or before a
        restart): each goes through the same check as a bell on the bus."""
        if self.ctx.queue.halted():
            return
        for record in self.ctx.queue.list_orders(self._desk().day, [OrderState.APPROVED]):
            if not self._mine(record):
                continue
            version = record.order.version
            users = [a.user for a in record.approvals if a.version == version]
            if not users:
                continue
            bell = Decision(order_id=record.order_id, action="approve", user=users[-1],
                            version=version)
            with contextlib.suppress(MessageRefused):  # alerted as critical already
                self._check_and_start(bell, "the approved orders waiting in the queue")

    def _check_and_start(self, body: Decision, source: str,
                         replies: list[Any] | None = None, pipe: Any = None) -> None:
        """`replies`: `_approval_reads`, when they came with the bus's own; `pipe`: the
        pipeline that WATCHed the order and the halt before them. The work check and the
        START then run on what was read under that WATCH; an order (or the halt) changed
        before the START's EXEC is read again, under a new WATCH, and checked again."""
        with contextlib.ExitStack() as again:
            while True:
                checked = len(WorkCheck.reads(body))
                record = self._verified(body, source, replies[:checked] if replies else None)
                if record is None:
                    return
                watched = (pipe, replies[checked:]) if pipe is not None and replies else None
                try:
                    self._start(record, watched)
                    return
                except redis.WatchError:
                    logger.info("order {} changed before its START: read again", body.order_id)
                pipe = again.enter_context(self.work_check.raw.pipeline(transaction=True))
                replies = watch_and_read(pipe, self._desk().parents.start_watch(body.order_id),
                                         self._approval_reads(body))

    def _verified(self, body: Decision, source: str,
                  replies: list[Any] | None) -> OrderRecord | None:
        """The record to work, None when there is nothing to do yet (or any more)."""
        try:
            return (self.work_check.verified(body) if replies is None
                    else self.work_check.verified_from(body, replies))
        except AwaitingApprovals as exc:
            logger.info("{}", exc)
        except StaleWork as exc:  # e.g. cancelled or edited before the service took it
            logger.warning("approved order {} not started: {}", body.order_id, exc)
        except MessageRefused as exc:
            self._desk().alert("critical", f"forged or stale approval refused: {body.order_id}",
                               f"{exc} (source {source[:64]!r})")
            raise
        return None

    def _mine(self, record: OrderRecord) -> bool:
        """Is this order for this service's account (`services/accounts.py`)?"""
        return self.ctx.queue.account_of(record.order) == self.ctx.settings.execution.account

    def _start(self, record: OrderRecord, watched: tuple[Any, list[Any]] | None = None) -> None:
        if not self._mine(record):
            return  # another account's: its own execution service works it
        parents = self._desk().parents
        if record.state is not OrderState.APPROVED and record.order_id in parents.workers:
            return  # the last approval's bell after the first one's: already working
        try:
            parents.work(record, watched)
        except IllegalTransition as exc:  # e.g. cancelled before the service took it
            logger.warning("approved order {} not started: {}", record.order_id, exc)

    def _control(self, env: Envelope) -> None:
        body = env.body
        assert isinstance(body, ExecControl)
        record = self.ctx.queue.get(body.order_id)
        if record is None:
            raise MessageRefused(f"{body.command} of {body.order_id}: no such order")
        if not self._mine(record):
            return
        try:
            self._desk().parents.control(body.order_id, body.command, body.user, body.reason)
        except IllegalTransition as exc:
            self._desk().alert("warning", f"{body.command} of {body.order_id} not done", str(exc))

    def _halt(self, env: Envelope) -> None:
        body = env.body
        assert isinstance(body, ExecHalt)
        # The queue sets or clears the halt key with the message: a message saying
        # otherwise was not sent by it (a forged "lift" must not restart trading).
        if body.halted != bool(self.ctx.client.exists(streams.HALT)):
            raise MessageRefused(f"exec.halt halted={body.halted} does not match {streams.HALT}")
        self._desk().parents.halt(body.halted, f"{body.user}: {body.reason}")
        if not body.halted:
            self._start_approved()  # what was approved before the halt and waits
