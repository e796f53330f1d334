"""Reading and writing the times that time partitions are keyed by.

Responsibilities:
- ``get_timezone``: an IANA name to a ``ZoneInfo``, with "did you mean" on a typo.
- ``coerce_datetime``: the start/end values users pass (str, date, datetime) to
  aware datetimes in the partitions' timezone.
- ``compile_format`` / ``split_format``: fast formatters for ``strftime`` formats
  made of ``%Y %m %d %H %M %S`` (``strftime`` itself costs microseconds per key).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from nbassets.errors import PartitionError, did_you_mean

__all__ = ["coerce_datetime", "compile_format", "example_key", "get_timezone", "split_format"]

_FIELDS = {
    "Y": "{0.year:04d}",
    "m": "{0.month:02d}",
    "d": "{0.day:02d}",
    "H": "{0.hour:02d}",
    "M": "{0.minute:02d}",
    "S": "{0.second:02d}",
    "%": "%",
}
_FALLBACK_FORMATS = ("%Y-%m-%d", "%Y-%m-%d-%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M")


def get_timezone(name: str) -> tzinfo:
    """Return the ``ZoneInfo`` for an IANA name, or raise a ``PartitionError`` that suggests one."""
    if not isinstance(name, str) or not name:
        raise PartitionError(f"A timezone must be an IANA name such as 'UTC'; got {name!r}.")
    try:
        return ZoneInfo("UTC" if name.upper() == "UTC" else name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        import zoneinfo

        hint = did_you_mean(name, zoneinfo.available_timezones())
        raise PartitionError(
            f"Unknown timezone {name!r}; use an IANA name such as 'UTC' or "
            f"'America/New_York'.{hint}"
        ) from exc


def compile_format(fmt: str) -> Callable[[datetime], str]:
    # strftime costs microseconds per call; a str.format template over the same
    # fields is several times faster, which matters for 10,000+ keys.
    pieces: list[str] = []
    pos = 0
    for match in re.finditer(r"%(.)", fmt):
        code = match.group(1)
        if code not in _FIELDS:
            return lambda value: value.strftime(fmt)
        pieces.append(fmt[pos : match.start()].replace("{", "{{").replace("}", "}}"))
        pieces.append(_FIELDS[code])
        pos = match.end()
    pieces.append(fmt[pos:].replace("{", "{{").replace("}", "}}"))
    return "".join(pieces).format


def split_format(fmt: str) -> tuple[Callable[[datetime], str], Callable[[datetime], str]] | None:
    """Split ``fmt`` into a date-only part and a following time-only part, if it has that shape."""
    codes = [(m.start(), m.group(1)) for m in re.finditer(r"%(.)", fmt)]
    time_at = next((pos for pos, code in codes if code in "HM"), None)
    if time_at is None or any(
        (code not in "Ymd%") if pos < time_at else (code not in "HM%") for pos, code in codes
    ):
        return None
    return compile_format(fmt[:time_at]), compile_format(fmt[time_at:])


def example_key(fmt: str) -> str:
    return datetime(2024, 1, 1).strftime(fmt)


def coerce_datetime(value: Any, what: str, fmt: str, tz: tzinfo) -> datetime:
    """Turn a str, date or datetime into an aware datetime in ``tz``.

    A string is read with ``fmt`` first, then as a plain date or ISO datetime. A naive
    value is a wall-clock time in ``tz``; an aware one is converted to ``tz``.

    Raises:
        PartitionError: The value is of another type or does not parse.
    """
    if isinstance(value, datetime):
        return value.replace(tzinfo=tz) if value.tzinfo is None else value.astimezone(tz)
    if isinstance(value, date):
        return datetime.combine(value, time()).replace(tzinfo=tz)
    if not isinstance(value, str):
        raise PartitionError(
            f"{what} must be a string or a datetime; got {value!r} ({type(value).__name__})."
        )
    for candidate in (fmt, *_FALLBACK_FORMATS):
        try:
            parsed = datetime.strptime(value, candidate)
        except ValueError:
            continue
        return coerce_datetime(parsed, what, fmt, tz)
    try:
        iso = datetime.fromisoformat(value)
    except ValueError:
        pass
    else:
        return coerce_datetime(iso, what, fmt, tz)
    raise PartitionError(
        f"{what} {value!r} does not match the format {fmt!r} (for example {example_key(fmt)!r})."
    )
