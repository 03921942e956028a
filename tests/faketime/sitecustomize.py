"""Loaded (as `sitecustomize`) by every Python process of the date check, tests/run_on_dates.sh, and nowhere else.

libfaketime moves the wall clock. It must leave the monotonic clock alone (FAKETIME_DONT_FAKE_MONOTONIC=1): with a
faked monotonic clock every timed wait on a lock (threading.Event.wait, queue.get) waits for ever, because Python
computes the deadline on the faked clock and the kernel waits on the real one. With the real monotonic clock,
libfaketime 0.9.10 instead breaks `time.sleep`, which Python 3.11 makes an absolute monotonic clock_nanosleep
(EINVAL). So here time.sleep waits on an Event, which sleeps the same time through a path libfaketime leaves alone.
"""

import os
import threading
import time

if os.environ.get("FAKETIME"):

    def _sleep(seconds: float) -> None:
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        threading.Event().wait(seconds)

    time.sleep = _sleep
