"""WCF/ServiceStack JSON dates: ``\\/Date(1505865600000-0000)\\/``, and the other forms clients send."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

_EPOCH = datetime(1970, 1, 1)
_WCF = re.compile(r"^\\?/Date\((-?\d+)([+-]\d{4})?\)\\?/$")


def to_wcf(value: datetime, *, offset: str = "-0000") -> str:
    """A naive UTC datetime as ``/Date(ms-0000)/`` (the escaping of '/' is the JSON writer's job)."""
    ms = round((value - _EPOCH).total_seconds() * 1000)
    return f"/Date({ms}{offset})/"


def to_ms(value: datetime) -> int:
    return round((value - _EPOCH).total_seconds() * 1000)


def parse_wcf(text: str) -> datetime | None:
    """``/Date(ms[+-hhmm])/`` as a naive UTC datetime; None if ``text`` is not in that form.

    The milliseconds are UTC by definition; the offset only says which zone the sender
    would show it in, so it does not change the instant.
    """
    match = _WCF.match(text.strip())
    if match is None:
        return None
    try:
        return _EPOCH + timedelta(milliseconds=int(match.group(1)))
    except OverflowError as exc:
        raise ValueError(f"{text} is outside the dates that can be kept") from exc


def parse_datetime(text: str) -> datetime:
    """A date or date-time in any form ServiceStack clients send, as naive UTC.

    Accepts WCF dates, ISO 8601 (with or without time, offset or 'Z'), and yyyyMMdd.
    Raises ValueError otherwise.
    """
    text = text.strip()
    wcf = parse_wcf(text)
    if wcf is not None:
        return wcf
    if re.fullmatch(r"\d{8}", text):
        return datetime.strptime(text, "%Y%m%d")
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is not None:
        try:
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
        except OverflowError as exc:
            raise ValueError(f"{text} is outside the dates that can be kept") from exc
    return parsed


def to_iso(value: datetime | date) -> str:
    if isinstance(value, datetime):
        text = value.isoformat(timespec="milliseconds")
        return text[:-4] if text.endswith(".000") else text
    return value.isoformat()
