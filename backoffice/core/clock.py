"""The one clock of the core: naive UTC, truncated to milliseconds.

Milliseconds because that is what every wire format round-trips; a stamp a client read and
sends back as a concurrency token must compare equal to the stored one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

# Where the clock is moved to (tests, and demonstrations of schedules): an offset from real time,
# so time still passes while it is set.
_shift = timedelta(0)


def now() -> datetime:
    stamp = datetime.now(UTC).replace(tzinfo=None) + _shift
    return stamp.replace(microsecond=stamp.microsecond // 1000 * 1000)


def set_now(moment: datetime | None) -> None:
    """Make ``now()`` read ``moment`` (naive UTC) from here on, ticking as usual; None puts it back."""
    global _shift
    _shift = timedelta(0) if moment is None else naive_utc(moment) - datetime.now(UTC).replace(tzinfo=None)


@contextmanager
def moved_to(moment: datetime) -> Iterator[None]:
    """The clock at ``moment`` for the duration of a block."""
    before = _shift
    set_now(moment)
    try:
        yield
    finally:
        globals()["_shift"] = before


def naive_utc(value: datetime) -> datetime:
    """A datetime as the core keeps it: UTC without tzinfo (an offset is converted, not dropped)."""
    if value.tzinfo is not None:
        try:
            value = value.astimezone(UTC).replace(tzinfo=None)
        except OverflowError as exc:  # e.g. 0001-01-01 at +01:00 is before the first representable day
            raise ValueError(f"{value.isoformat()} is outside the dates that can be kept") from exc
    return value


def parse_iso(text: str) -> datetime:
    """An ISO 8601 date or date-time, with or without an offset or 'Z', as naive UTC."""
    return naive_utc(datetime.fromisoformat(text.strip().replace("Z", "+00:00")))
