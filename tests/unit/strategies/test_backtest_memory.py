"""`reuse_freed_memory`: large temporaries reuse freed blocks instead of faulting in
fresh pages (in a child process: the setting lasts for the process)."""

from __future__ import annotations

import gc
import json
import subprocess
import sys

from strategies.backtest.memory import no_collections

_CHILD = """
import json, resource, sys
import numpy as np
from strategies.backtest.memory import reuse_freed_memory, small_pages
small_pages()  # both modes on 4 KB pages: the fault counts compare pages touched
changed = reuse_freed_memory() if sys.argv[1] == "reuse" else False
base = np.ones((1000, 5400))
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    scratch = base * 2.0
    del scratch
faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
print(json.dumps({"changed": changed, "faults": faults}))
"""


def _run(mode: str) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-c", _CHILD, mode], capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout)


def test_freed_blocks_serve_the_next_temporaries() -> None:
    plain, reused = _run("plain"), _run("reuse")
    assert reused["changed"] is True
    # 20 temporaries of 43 MB: each faulted in anew by default, once with reuse.
    assert int(reused["faults"]) * 4 < int(plain["faults"])


_HUGE = """
import json
import numpy as np
from strategies.backtest.memory import reuse_freed_memory
np._core.multiarray._set_madvise_hugepage(True)  # numpy's default on Linux
reuse_freed_memory()
print(json.dumps(bool(np._core.multiarray._get_madvise_hugepage())))
"""


def test_one_shot_arrays_ask_for_no_huge_pages() -> None:
    out = subprocess.run([sys.executable, "-c", _HUGE], capture_output=True, text=True,
                         check=True)
    assert json.loads(out.stdout) is False


def test_no_collections_inside_and_the_collector_back_after() -> None:
    assert gc.isenabled()
    with no_collections():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with no_collections():
            pass
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()
