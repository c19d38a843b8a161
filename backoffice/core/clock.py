"""The one clock of the core: naive UTC, truncated to milliseconds.

Milliseconds because that is what every wire format round-trips; a stamp a client read and
sends back as a concurrency token must compare equal to the stored one.
"""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    stamp = datetime.now(UTC).replace(tzinfo=None)
    return stamp.replace(microsecond=stamp.microsecond // 1000 * 1000)


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
