"""The one clock of the core: naive UTC, truncated to milliseconds.

Milliseconds because that is what every wire format round-trips; a stamp a client read and
sends back as a concurrency token must compare equal to the stored one.
"""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    stamp = datetime.now(UTC).replace(tzinfo=None)
    return stamp.replace(microsecond=stamp.microsecond // 1000 * 1000)
