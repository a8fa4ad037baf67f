"""Native thread counts for tests: /proc/self/task lists every thread of the process (the C++
producer, FFmpeg's decoder threads, onnxruntime's pools, Python threads), where
``threading.active_count()`` sees Python threads only."""
from __future__ import annotations

import os
import time

HAVE_PROC_TASKS = os.path.isdir("/proc/self/task")


def native_thread_count() -> int:
    return len(os.listdir("/proc/self/task"))


def wait_for_thread_count(at_most: int, timeout: float = 2.0) -> int:
    """Polls (bounded) until at most `at_most` threads are left, and returns the last count.

    A joined thread can stay listed for a moment after its join returns, and FFmpeg joins its
    frame threads when the decoder is freed; polling absorbs that without a fixed sleep.
    """
    deadline = time.monotonic() + timeout
    while True:
        n = native_thread_count()
        if n <= at_most or time.monotonic() >= deadline:
            return n
        time.sleep(0.005)
