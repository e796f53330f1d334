"""Text progress of a run, for any frontend: one line per finished step.

Responsibilities:
- Print a line as each step succeeds, fails, is skipped or retried, with its
  duration and a short metadata summary, and log lines from ``context.log``.
- Name each step as the user does (``sales/orders``, ``orders:check``), not by
  the engine's step key, and count checks apart from materialized assets.
- Summarize the run at the end ("3 materialized, 1 failed, 2 skipped in 0.41 s").
- ``dashboard_line``: the line a run on a Dask cluster starts with, naming its
  dashboard (a terminal has no widget to show the link in).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping
from typing import Any, TextIO

from nbassets.definitions.metadata import MetadataValue
from nbassets.engine.events import EventType, RunEvent

__all__ = ["TextProgress", "dashboard_line", "metadata_summary"]


def dashboard_line(executor: Any) -> str | None:
    """``Running on Dask; dashboard: URL`` for a Dask run, ``None`` for any other."""
    if getattr(executor, "name", None) != "dask":
        return None
    link = getattr(executor, "dashboard_link", None)
    return f"Running on Dask; dashboard: {link}" if link else "Running on Dask (no dashboard)"


def metadata_summary(metadata: Mapping[str, MetadataValue], limit: int = 4) -> str:
    """``rows=3, path=/tmp/x`` for the first few scalar entries."""
    parts = []
    for name, entry in metadata.items():
        if entry.type_name in ("int", "float", "text", "bool", "path", "url"):
            text = str(entry.value)
            parts.append(f"{name}={text if len(text) <= 40 else text[:39] + '…'}")
        if len(parts) == limit:
            break
    return ", ".join(parts)


class TextProgress:
    """A run listener that writes progress lines to a stream as events arrive."""

    _MARKS = {"success": "✓", "failed": "✗", "skipped": "↷", "retry": "↻"}

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        show_logs: bool = True,
        labels: Callable[[], Mapping[str, str]] | None = None,
    ) -> None:
        self.stream = stream or sys.stdout
        # Called only when a step fails or is skipped before saying its name.
        self._more_labels = labels
        self.show_logs = show_logs
        self.counts = {"success": 0, "failed": 0, "skipped": 0}
        self.checks = {"passed": 0, "failed": 0}
        self._metadata: dict[str, str] = {}
        # Step key -> the name the user knows; step events carry only the engine's key.
        self._labels: dict[str, str] = {}
        self._check_steps: set[str] = set()
        self._asset_steps: set[str] = set()
        self._started = time.perf_counter()

    def _write(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()

    def _label(self, event: RunEvent) -> str:
        step = event.step_key or ""
        if step not in self._labels and self._more_labels is not None:
            self._labels = {**self._more_labels(), **self._labels}
            self._more_labels = None
        # A step per partition is keyed "node[partition]"; the label names the asset.
        base = step.split("[", 1)[0]
        label = self._labels.get(step) or self._labels.get(base, base)
        return f"{label} [partition {event.partition}]" if event.partition else label

    def __call__(self, event: RunEvent) -> None:
        kind = event.event_type
        step = event.step_key or ""
        if kind is EventType.ASSET_MATERIALIZATION:
            self._asset_steps.add(step)
            self._labels.setdefault(step, event.data.asset_key.to_user_string())
            summary = metadata_summary(event.data.metadata)
            if summary:
                self._metadata[step] = summary
        elif kind is EventType.STEP_SUCCESS:
            if step in self._check_steps:
                return  # the check's verdict line already said how it went
            self.counts["success"] += 1
            extra = self._metadata.pop(step, "")
            self._write(
                f"{self._MARKS['success']} {self._label(event)}  {event.data:.3f}s"
                + (f"  {extra}" if extra else "")
            )
        elif kind is EventType.STEP_FAILURE:
            self.counts["failed"] += 1
            error = event.data.error
            self._write(f"{self._MARKS['failed']} {self._label(event)}  failed: {error.message}")
        elif kind is EventType.STEP_SKIPPED:
            self.counts["skipped"] += 1
            reason = event.data.reason
            self._write(f"{self._MARKS['skipped']} {self._label(event)}  skipped: {reason}")
        elif kind is EventType.STEP_UP_FOR_RETRY:
            self._write(f"{self._MARKS['retry']} {self._label(event)}  {event.message}")
        elif kind is EventType.ASSET_CHECK_EVALUATION:
            check = event.data
            name = f"{check.asset_key.to_user_string()}:{check.check_name}"
            if step and step not in self._asset_steps:
                # A check step (not a check an asset reports in its own result).
                self._check_steps.add(step)
                self._labels[step] = name
            passed = bool(check.passed)
            self.checks["passed" if passed else "failed"] += 1
            verdict = "passed" if passed else "FAILED"
            self._write(f"  check {name} {verdict}")
        elif kind is EventType.LOG and self.show_logs:
            log = event.data
            self._write(f"  [{self._label(event)}] {log.level.lower()}: {log.message}")
        elif kind is EventType.RUN_CANCELED:
            self._write("Run canceled: the values materialized so far are kept.")

    def summary(self) -> str:
        elapsed = time.perf_counter() - self._started
        parts = [f"{self.counts['success']} materialized"]
        parts += [f"{n} {k}" for k, n in self.counts.items() if k != "success" and n]
        parts += [f"{n} check(s) {k}" for k, n in self.checks.items() if n]
        return ", ".join(parts) + f" in {elapsed:.2f}s"


def describe_value(value: Any) -> str:
    """A short description of a value for summary lines: type and shape."""
    shape = getattr(value, "shape", None)
    name = type(value).__name__
    if shape:
        return f"{name} {'x'.join(str(n) for n in shape)}"
    if shape is not None:
        return name
    try:
        return f"{name} of {len(value)}"
    except TypeError:
        return name
