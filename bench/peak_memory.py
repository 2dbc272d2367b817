"""Peak memory of one benchmark process: its own, not its parent's.

A bench child is a fresh interpreter (`subprocess` of `sys.executable`), but its
`getrusage(RUSAGE_SELF).ru_maxrss` still starts at the parent's size: at exec Linux
keeps the high-water mark of the address space it replaces (the parent's own under
vfork, a copy of its resident pages under fork) as the process's floor, so a child of
a parent that built a 1 GB store reports >= 1 GB whatever it does (and the parent's
`RUSAGE_CHILDREN` takes the largest such figure). `VmHWM` in /proc/self/status is the
high-water mark of the address space exec created: what this program touched, the
interpreter and its imports included. A child reads it just before it reports.

    python bench/peak_memory.py --allocate 200   # touch 200 MB, print both figures
"""

from __future__ import annotations

import argparse
import json
import resource
from pathlib import Path

STATUS = Path("/proc/self/status")


def own_peak_mb(status: Path = STATUS) -> float:
    """This process's peak resident set since its exec, in MiB (VmHWM)."""
    for line in status.read_text().splitlines():
        if line.startswith("VmHWM:"):
            value, unit = line.split()[1:3]
            if unit != "kB":
                raise ValueError(f"VmHWM in {unit!r}, expected kB")
            return int(value) / 1024
    raise RuntimeError(f"no VmHWM line in {status}: peak memory needs Linux's /proc")


def inherited_peak_mb() -> float:
    """`ru_maxrss` of RUSAGE_SELF in MiB: what a bench child used to report (it counts
    the parent's size at the spawn); kept to show the difference."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def touch(megabytes: int) -> bytes:
    """`megabytes` MiB of resident memory (written, so every page is really there)."""
    return b"\x01" * (megabytes << 20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--allocate", type=int, default=0, metavar="MB")
    args = parser.parse_args()
    held = touch(args.allocate)
    print(json.dumps({"own_peak_mb": own_peak_mb(), "ru_maxrss_mb": inherited_peak_mb(),
                      "held_mb": len(held) >> 20}))


if __name__ == "__main__":
    main()
