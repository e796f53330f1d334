"""Live run progress: a row per step with status, duration, metadata and retries.

Responsibilities:
- ``RunProgress``: a run listener and an anywidget. It starts with every
  planned step as a pending row, updates rows as events arrive, shows an
  overall progress bar, and lets a failed row expand to its trimmed traceback.
- Send rows to the page in batches: every event for small runs, at most every
  ``FLUSH_INTERVAL_S`` for large ones (and always at the end), so a run of
  thousands of partition steps does not flood the frontend.
- A static fallback (a text summary and an HTML table) for nbconvert and
  frontends without widgets.

The widget knows nothing of IPython or of how tracebacks are trimmed: the
caller passes the formatters (``nbassets.notebook.runs`` does).
"""

from __future__ import annotations

import html
import pathlib
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import anywidget
import traitlets

from nbassets.engine.events import ErrorInfo, EventType, RunEvent
from nbassets.widgets.themes import stylesheet

__all__ = ["PlannedStep", "RunProgress"]

STATIC = pathlib.Path(__file__).parent / "static"
FLUSH_INTERVAL_S = 0.1
# Up to this many rows every event reaches the page at once.
EAGER_ROWS = 60
MAX_LOG_LINES = 20

PlannedStep = tuple[str, str, str | None, str]  # step key, label, partition, kind


def _first_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


class RunProgress(anywidget.AnyWidget):
    """Progress of one run, updated live from its events.

    Example:
        >>> view = RunProgress([("orders", "orders", None, "asset")])
        >>> materialize(selection=["orders"], listeners=[view]); view.finish()
    """

    _esm = STATIC / "progress.js"
    _css = stylesheet("progress.css")

    rows = traitlets.List(traitlets.Dict()).tag(sync=True)
    total = traitlets.Int(0).tag(sync=True)
    summary = traitlets.Unicode("").tag(sync=True)
    finished = traitlets.Bool(False).tag(sync=True)

    def __init__(
        self,
        steps: Iterable[PlannedStep] = (),
        *,
        format_error: Callable[[ErrorInfo], str] | None = None,
        format_metadata: Callable[[Mapping[str, Any]], str] | None = None,
        **kwargs: Any,
    ) -> None:
        """Build the view with one pending row per planned step.

        Args:
            steps: The run's steps in plan order: (step key, label, partition, kind).
            format_error: Turns a failure into the traceback a row expands to;
                the full engine traceback when not given.
            format_metadata: Turns materialization metadata into one short line.
            **kwargs: Passed to ``anywidget.AnyWidget``.
        """
        self._rows: dict[str, dict[str, Any]] = {}
        for key, label, partition, kind in steps:
            self._rows[key] = self._row(key, label, partition, kind)
        self._format_error = format_error or (lambda info: info.to_string())
        self._format_metadata = format_metadata or (
            lambda md: ", ".join(f"{k}={v.value}" for k, v in md.items())
        )
        self._started = time.perf_counter()
        self._clock: dict[str, float] = {}
        self._last_flush = 0.0
        self.text_fallback = ""
        super().__init__(total=len(self._rows), **kwargs)
        self._flush(force=True)

    @staticmethod
    def _row(key: str, label: str, partition: str | None, kind: str) -> dict[str, Any]:
        return {
            "id": key,
            "label": label,
            "partition": partition or "",
            "kind": kind,
            "status": "pending",
            "duration": None,
            "metadata": "",
            "retries": 0,
            "error": "",
            "traceback": "",
            "logs": [],
        }

    def __repr__(self) -> str:
        done = sum(r["status"] not in ("pending", "running") for r in self._rows.values())
        return f"<RunProgress: {done}/{len(self._rows)} steps>"

    def _get(self, event: RunEvent) -> dict[str, Any]:
        key = event.step_key or ""
        row = self._rows.get(key)
        if row is None:
            label = key.split("[", 1)[0]
            row = self._rows[key] = self._row(key, label, event.partition, "asset")
            self.total = len(self._rows)
        return row

    def __call__(self, event: RunEvent) -> None:
        """Take one run event (register the view as a run listener)."""
        kind = event.event_type
        if event.step_key is None:
            if kind in (EventType.RUN_SUCCESS, EventType.RUN_FAILURE, EventType.RUN_CANCELED):
                self.finish()
            return
        row = self._get(event)
        if kind is EventType.STEP_START:
            row["status"] = "running"
            self._clock[row["id"]] = time.perf_counter()
        elif kind is EventType.STEP_SUCCESS:
            row["status"] = "success"
            row["duration"] = round(float(event.data), 4)
        elif kind is EventType.STEP_FAILURE:
            row["status"] = "failed"
            started = self._clock.get(row["id"])
            if started is not None:
                row["duration"] = round(time.perf_counter() - started, 4)
            info: ErrorInfo = event.data.error
            row["error"] = info.message
            row["traceback"] = self._format_error(info)
        elif kind is EventType.STEP_SKIPPED:
            row["status"] = "skipped"
            row["error"] = str(event.data.reason)
        elif kind is EventType.STEP_UP_FOR_RETRY:
            row["retries"] += 1
            row["error"] = event.message
        elif kind is EventType.ASSET_MATERIALIZATION:
            row["metadata"] = self._format_metadata(event.data.metadata)
        elif kind is EventType.ASSET_CHECK_EVALUATION:
            check = event.data
            verdict = "passed" if check.passed else "FAILED"
            note = f"check {check.check_name} {verdict}"
            row["metadata"] = f"{row['metadata']}, {note}" if row["metadata"] else note
        elif kind is EventType.LOG:
            if len(row["logs"]) < MAX_LOG_LINES:
                row["logs"] = [*row["logs"], f"{event.data.level.lower()}: {event.data.message}"]
        else:
            return
        self._flush(force=kind in (EventType.STEP_FAILURE,))

    def _flush(self, *, force: bool = False) -> None:
        now = time.perf_counter()
        if not force and len(self._rows) > EAGER_ROWS and now - self._last_flush < FLUSH_INTERVAL_S:
            return
        self._last_flush = now
        # New dicts: traitlets compares old and new values to decide whether to sync.
        rows = [{**r, "logs": list(r["logs"])} for r in self._rows.values()]
        with self.hold_sync():
            self.rows = rows
            self.summary = self._summary()

    def counts(self) -> dict[str, int]:
        """How many steps are in each status."""
        out: dict[str, int] = {}
        for row in self._rows.values():
            out[row["status"]] = out.get(row["status"], 0) + 1
        return out

    def _summary(self) -> str:
        counts = self.counts()
        parts = [f"{counts.get('success', 0)} materialized"]
        parts += [f"{counts[s]} {s}" for s in ("failed", "skipped") if counts.get(s)]
        pending = counts.get("pending", 0) + counts.get("running", 0)
        if pending and not self.finished:
            parts.append(f"{pending} to go")
        elapsed = time.perf_counter() - self._started
        return ", ".join(parts) + f" in {elapsed:.2f}s"

    def finish(self) -> None:
        """Mark the run over and send the final rows (idempotent)."""
        if self.finished:
            return
        for row in self._rows.values():
            if row["status"] == "running":
                row["status"] = "canceled"
        with self.hold_sync():
            self.finished = True
            self._flush(force=True)

    def _repr_html(self) -> str:
        body = "".join(
            "<tr>"
            f"<td>{html.escape(r['label'])}"
            + (f" [{html.escape(r['partition'])}]" if r["partition"] else "")
            + f"</td><td>{html.escape(r['status'])}</td>"
            f"<td>{'' if r['duration'] is None else format(r['duration'], '.3f') + 's'}</td>"
            f"<td>{html.escape(r['metadata'] or r['error'])}</td>"
            "</tr>"
            for r in self._rows.values()
        )
        return (
            "<div class='nbassets-progress'><table><thead><tr><th>step</th><th>status</th>"
            f"<th>duration</th><th>details</th></tr></thead><tbody>{body}</tbody></table>"
            f"<p>{html.escape(self.summary)}</p></div>"
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]] | None:
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, metadata = bundle
        text = self.text_fallback or self.summary
        return {**data, "text/plain": text, "text/html": self._repr_html()}, metadata
