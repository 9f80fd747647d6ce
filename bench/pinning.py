"""One core for the micro-benchmarks: figures comparable between runs and
machines, and a baseline measured on the same core in the same run."""

from __future__ import annotations

import os


def pin_to_one_cpu(cpu: int | None = None) -> str:
    """Pin this process to `cpu` (default: the first it may use); says how."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned"
    cpu = cpu if cpu is not None else min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}"
