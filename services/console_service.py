"""The console as a desk service: uvicorn in a thread, the approval policies in `step`.

It listens on 127.0.0.1 unless configured otherwise (TLS belongs to a reverse proxy
in front: docs/console.md). In paper mode its first start creates an `admin` account
and prints the generated password once.
"""

from __future__ import annotations

import threading
import time

import uvicorn
from loguru import logger

from execution.approval.policies import run_policies
from execution.approval.reference_data import ReferenceData
from services.console.account_pick import account_specs
from services.console.app import create_app
from services.console.forwarded import server_config
from services.console.users import UserStore, bootstrap_admin
from services.replicated_ack import AckPolicy
from services.runtime import Service

LOOPBACK = ("127.0.0.1", "::1", "localhost")
START_TIMEOUT_S = 10.0


class ConsoleService(Service):
    name = "console"

    def setup(self) -> None:
        ctx, settings = self.ctx, self.ctx.settings
        cfg = settings.console
        users = UserStore(ctx.client)
        bootstrap_admin(users, paper=settings.mode == "paper", at=ctx.clock.now(),
                        announce=lambda text: print(text, flush=True))
        if not users.list():
            logger.error("console: no user accounts; create one with 'desk users add'")
        if cfg.host not in LOOPBACK:
            logger.warning("console listens on {}: put a TLS reverse proxy in front", cfg.host)
        app = create_app(ctx.client, ctx.queue, ctx.clock, console=cfg,
                         approval=settings.approval, risk=settings.risk,
                         account=settings.execution.account, data_dir=ctx.data_dir,
                         reference=ReferenceData(ctx.store), calendar=ctx.calendar,
                         calendar_warning_days=settings.data.calendar_warning_days,
                         ack=AckPolicy.of(settings.redis), accounts=account_specs(settings))
        self.server = uvicorn.Server(server_config(app, cfg))
        self.thread = threading.Thread(target=self.server.run, name="console-http", daemon=True)
        self.thread.start()
        self._wait_started()
        self._next_policy_run = 0.0
        logger.info("console on http://{}:{}", cfg.host, cfg.port)

    def _wait_started(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(
                    f"console did not start on {self.ctx.settings.console.host}:"
                    f"{self.ctx.settings.console.port} (port in use?)"
                )
            time.sleep(0.05)

    def step(self) -> None:
        """Apply what the approval policies say is due (expiry, auto-approval)."""
        now = time.monotonic()
        if now >= self._next_policy_run:
            self._next_policy_run = now + self.ctx.settings.console.policy_interval_s
            for line in run_policies(self.ctx.queue, self.ctx.clock, self.ctx.settings.approval):
                logger.info(line)
            self.info["policies_at"] = self.ctx.clock.now().isoformat()
        time.sleep(0.2)

    def teardown(self) -> None:
        server = getattr(self, "server", None)
        if server is not None:
            server.should_exit = True
            self.thread.join(timeout=5)
