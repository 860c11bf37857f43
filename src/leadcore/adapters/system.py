"""The real clock and id generator."""

from __future__ import annotations

import os
import random
import threading
import time
from datetime import UTC, datetime

# The random bits of ids come from a generator seeded by the OS, and seeded afresh in every
# forked child, so two processes never share a sequence; one os.urandom call per id was
# the most expensive step of making one.
_bits = random.Random(os.urandom(32))
os.register_at_fork(after_in_child=lambda: _bits.seed(os.urandom(32)))


class SystemClock:
    """The machine's clock, in UTC."""

    def now(self) -> datetime:
        """Return the current time, time-zone aware, in UTC."""
        return datetime.now(UTC)


class Uuid7Generator:
    """Time-ordered UUIDs (version 7), so that new ids land at the end of an index."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_ms = 0
        self._seq = 0

    def new_id(self) -> str:
        """Return a new UUIDv7 string; ids made in one process are strictly increasing."""
        with self._lock:
            ms = time.time_ns() // 1_000_000
            if ms <= self._last_ms:
                ms = self._last_ms
                self._seq += 1
                if self._seq > 0xFFF:  # 4096 ids in one millisecond: borrow the next one
                    ms += 1
                    self._seq = 0
            else:
                self._seq = 0
            self._last_ms = ms
            seq = self._seq
        rand = _bits.getrandbits(62)
        value = (ms << 80) | (0x7 << 76) | (seq << 64) | (0b10 << 62) | rand
        digits = f"{value:032x}"
        return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"
