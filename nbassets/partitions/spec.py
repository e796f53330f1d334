"""The ``--partitions SPEC`` mini-language of the ``%%asset`` magic.

Responsibilities:
- ``parse_partitions_spec``: a spec string to a ``PartitionsDefinition``, with an
  error that says which part is wrong and what was expected.
- The inverse lives on the definitions: ``definition.to_spec()``, and
  ``parse_partitions_spec(d.to_spec()) == d`` whenever ``to_spec`` gives a string.

Grammar::

    daily:START[:END]      START, END as YYYY-MM-DD
    weekly:START[:END]     weeks start on Sunday; monthly: on the 1st
    monthly:START[:END]
    hourly:START[:END]     YYYY-MM-DD-HH:MM, or YYYY-MM-DD for midnight
    static:KEY,KEY,...     surrounding spaces of each key are dropped
    dynamic:NAME

All times are UTC. START follows Dagster: the first partition starts at the first
period boundary at or after it.

END is INCLUSIVE, unlike Dagster's exclusive ``end_date``: the last partition is the
one covering the last moment of END, where a date covers its whole day and a
``YYYY-MM-DD-HH:MM`` its hour. So ``daily:2024-01-01:2024-12-31`` has 366
partitions (2024 is a leap year), ``monthly:2024-01-01:2024-12-01`` and
``monthly:2024-01-01:2024-12-31`` both end with December, and
``hourly:2024-01-01:2024-01-01`` has 24. This reads the way people write ranges, and
lets ``to_spec`` write the last partition's own key as END.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

from nbassets.errors import PartitionError, did_you_mean
from nbassets.partitions.definitions import PartitionsDefinition, StaticPartitionsDefinition
from nbassets.partitions.dynamic import DynamicPartitionsDefinition
from nbassets.partitions.time_window_kinds import (
    DailyPartitionsDefinition,
    HourlyPartitionsDefinition,
    MonthlyPartitionsDefinition,
    WeeklyPartitionsDefinition,
    _Kind,
)

__all__ = ["SPEC_KINDS", "parse_partitions_spec"]

_TIME_KINDS: dict[str, Callable[..., _Kind]] = {
    "daily": DailyPartitionsDefinition,
    "hourly": HourlyPartitionsDefinition,
    "weekly": WeeklyPartitionsDefinition,
    "monthly": MonthlyPartitionsDefinition,
}
SPEC_KINDS = ("daily", "hourly", "weekly", "monthly", "static", "dynamic")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:-(\d{2}):(\d{2}))?")
_EXAMPLES = {
    "daily": "daily:2024-01-01 or daily:2024-01-01:2024-12-31",
    "weekly": "weekly:2024-01-07 or weekly:2024-01-07:2024-12-29",
    "monthly": "monthly:2024-01-01 or monthly:2024-01-01:2024-12-01",
    "hourly": "hourly:2024-01-01-00:00 or hourly:2024-01-01:2024-01-31",
    "static": "static:a,b,c",
    "dynamic": "dynamic:fruits",
}


def parse_partitions_spec(spec: str) -> PartitionsDefinition:
    """Parse a ``--partitions`` spec such as ``daily:2024-01-01`` or ``static:a,b,c``.

    Args:
        spec: The spec string; see the module docstring for the grammar.

    Returns:
        The partitions definition the spec describes.

    Raises:
        PartitionError: The spec is malformed; the message names the offending
            part, the expected format, and an example.
    """
    if not isinstance(spec, str):
        raise PartitionError(f"A partitions spec must be a string; got {spec!r}.")
    text = spec.strip()
    kind, colon, body = text.partition(":")
    kind = kind.strip().lower()
    if kind not in SPEC_KINDS:
        hint = did_you_mean(kind, SPEC_KINDS) if kind else ""
        raise PartitionError(
            f"Unknown partitions kind {kind!r} in spec {spec!r}.{hint} Expected one of "
            f"{', '.join(SPEC_KINDS)}, e.g. {_EXAMPLES['daily']}."
        )
    if not colon or not body.strip():
        what = {"static": "a comma-separated list of keys", "dynamic": "a name"}.get(
            kind, "a START date"
        )
        raise PartitionError(
            f"Partitions spec {spec!r} needs {what} after '{kind}:', e.g. {_EXAMPLES[kind]}."
        )
    if kind == "static":
        return _parse_static(spec, body)
    if kind == "dynamic":
        return DynamicPartitionsDefinition(body.strip())
    try:
        return _parse_time(spec, kind, body.strip())
    except OverflowError as error:
        raise PartitionError(
            f"Partitions spec {spec!r} reaches past 9999-12-31, the last date Python can "
            "represent; end it earlier."
        ) from error


def _parse_static(spec: str, body: str) -> StaticPartitionsDefinition:
    keys = [part.strip() for part in body.split(",")]
    for i, key in enumerate(keys):
        if not key:
            raise PartitionError(
                f"Key {i + 1} of {len(keys)} in partitions spec {spec!r} is empty; write the keys "
                f"separated by single commas, e.g. {_EXAMPLES['static']}."
            )
    try:
        return StaticPartitionsDefinition(keys)
    except PartitionError as exc:
        raise PartitionError(f"In partitions spec {spec!r}: {exc}") from exc


def _read_moment(
    spec: str, kind: str, body: str, pos: int, part: str
) -> tuple[datetime, bool, int]:
    """Read START or END at ``pos``: (the moment, whether it had a time, where it ended)."""
    expected = "YYYY-MM-DD-HH:MM or YYYY-MM-DD" if kind == "hourly" else "YYYY-MM-DD"
    match = _DATE.match(body, pos)
    token = body[pos:] if match is None else match.group(0)
    if match is None:
        raise PartitionError(
            f"{part} {token!r} in partitions spec {spec!r} is not a date; expected {expected} "
            f"(e.g. {_EXAMPLES[kind]})."
        )
    year, month, day, hour, minute = match.groups()
    has_time = hour is not None
    if has_time and kind != "hourly":
        raise PartitionError(
            f"{part} {token!r} in partitions spec {spec!r} has a time of day, but {kind} "
            f"partitions take a date only: {expected} (e.g. {_EXAMPLES[kind]})."
        )
    try:
        moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0))
    except ValueError as exc:
        raise PartitionError(
            f"{part} {token!r} in partitions spec {spec!r} is not a real date or time ({exc}); "
            f"expected {expected}."
        ) from exc
    return moment, has_time, match.end()


def _parse_time(spec: str, kind: str, body: str) -> PartitionsDefinition:
    cls = _TIME_KINDS[kind]
    start, _, pos = _read_moment(spec, kind, body, 0, "START")
    if pos == len(body):
        return cls(start_date=start)
    if body[pos] != ":":
        raise PartitionError(
            f"Unexpected {body[pos:]!r} after START in partitions spec {spec!r}; expected "
            f"':END' or nothing (e.g. {_EXAMPLES[kind]})."
        )
    end, end_has_time, pos = _read_moment(spec, kind, body, pos + 1, "END")
    if pos != len(body):
        raise PartitionError(
            f"Unexpected {body[pos:]!r} after END in partitions spec {spec!r}; the spec ends "
            f"after END (e.g. {_EXAMPLES[kind]})."
        )
    if end < start:
        raise PartitionError(
            f"END {end:%Y-%m-%d} comes before START {start:%Y-%m-%d} in partitions spec {spec!r}; "
            "END is the last partition included, so it must be on or after START."
        )
    # END is inclusive: find the window covering END's last moment and end after it.
    last_moment = end + (timedelta(hours=1) if end_has_time else timedelta(days=1))
    last_moment -= timedelta(microseconds=1)
    unbounded = cls(start_date=start)
    n = unbounded.index_at(last_moment)
    if n < 0:
        raise PartitionError(
            f"Partitions spec {spec!r} has no partitions: the first {kind} partition starts "
            f"{unbounded.key_at_index(0)}, after END. Move END to {unbounded.key_at_index(0)} "
            "or later."
        )
    return cls(start_date=start, end_date=unbounded.window_at_index(n).end)
