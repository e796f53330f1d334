"""Live run progress: a row per step with status, duration, metadata and retries.

Responsibilities:
- ``RunProgress``: a run listener and an anywidget. It starts with every
  planned step as a pending row, updates rows as events arrive, shows an
  overall progress bar, and lets a failed row expand to its trimmed traceback.
- Checks are rows of their own, counted apart from assets: a failed check is a
  failure (✗) whose details are its description and metadata.
- Send the page only what changed: each flush is one message holding the rows
  changed since the last one (every event for small runs, at most every
  ``FLUSH_INTERVAL_S`` for large ones, always at the end). The synced ``rows``
  trait (what a new view starts from, and what a saved notebook keeps) is set
  when the run ends; for runs of more than ``LIGHT_ROWS`` steps it keeps only the
  rows worth reading (failures, skips, the last finished), so a backfill of
  thousands of partitions stays light on the page and in the saved notebook.
- A static fallback (a text summary and an HTML table) for nbconvert and
  frontends without widgets.

The widget knows nothing of IPython or of how tracebacks are trimmed: the
caller passes the formatters (``nbassets.notebook.runs`` does).
"""

from __future__ import annotations

import html
import pathlib
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import anywidget
import traitlets

from nbassets.engine.events import AssetCheckEvaluation, ErrorInfo, EventType, RunEvent
from nbassets.widgets.themes import stylesheet

__all__ = ["PlannedStep", "RunProgress"]

STATIC = pathlib.Path(__file__).parent / "static"
FLUSH_INTERVAL_S = 0.1
# Up to this many rows every event reaches the page at once.
EAGER_ROWS = 60
# Runs with more steps show (and keep) only the rows worth reading, not every row.
LIGHT_ROWS = 200
RECENT_ROWS = 30
MAX_LOG_LINES = 20
_FINISHED = frozenset({"success", "passed"})
_KEPT = frozenset({"failed", "skipped", "canceled", "warning", "running"})

PlannedStep = tuple[str, str, str | None, str]  # step key, label, partition, kind


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
    done = traitlets.Int(0).tag(sync=True)
    light_rows = traitlets.Int(LIGHT_ROWS).tag(sync=True)
    summary = traitlets.Unicode("").tag(sync=True)
    finished = traitlets.Bool(False).tag(sync=True)
    # Names this widget's row store in the page, which the front end fills from the
    # model's messages before any view exists (a view may render after a run began).
    uid = traitlets.Unicode("").tag(sync=True)
    # The Dask dashboard of the cluster the run executes on ("" for other executors).
    dashboard = traitlets.Unicode("").tag(sync=True)

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
        self._changed: dict[str, None] = {}
        self._last_flush = 0.0
        self.text_fallback = ""
        super().__init__(
            total=len(self._rows),
            rows=self._snapshot(),
            summary=self._summary(),
            uid=uuid.uuid4().hex,
            **kwargs,
        )

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
        return f"<RunProgress: {self._done()}/{len(self._rows)} steps>"

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
            # A check step's row already holds its verdict.
            if row["status"] == "running":
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
            row = self._check(row, event.data)
        elif kind is EventType.LOG:
            if len(row["logs"]) >= MAX_LOG_LINES:
                return
            row["logs"] = [*row["logs"], f"{event.data.level.lower()}: {event.data.message}"]
        else:
            return
        self._changed[row["id"]] = None
        self._flush(force=kind is EventType.STEP_FAILURE)

    def _check(self, row: dict[str, Any], check: AssetCheckEvaluation) -> dict[str, Any]:
        """The row of a check's verdict: the check step's own, or a new one under its asset."""
        name = f"{check.asset_key.to_user_string()}:{check.check_name}"
        if row["kind"] != "check":
            # An asset reporting a check in its own result: the check gets its own row.
            key = f"{row['id']}:{check.check_name}"
            row = self._rows.setdefault(
                key, self._row(key, name, row["partition"] or None, "check")
            )
            self.total = len(self._rows)
        if check.passed:
            row["status"] = "passed"
        else:
            warn = getattr(check.severity, "value", str(check.severity)) == "WARN"
            row["status"] = "warning" if warn else "failed"
            row["error"] = f"check {name} failed" + (
                f": {check.description}" if check.description else ""
            )
            row["traceback"] = "\n".join(
                f"{k}: {getattr(v, 'value', v)}" for k, v in check.metadata.items()
            )
        row["metadata"] = (check.description or "") if check.passed else ""
        return row

    def _flush(self, *, force: bool = False) -> None:
        now = time.perf_counter()
        if not force and len(self._rows) > EAGER_ROWS and now - self._last_flush < FLUSH_INTERVAL_S:
            return
        self._last_flush = now
        changed = [self._copy(self._rows[key]) for key in self._changed]
        self._changed = {}
        with self.hold_sync():
            self.done = self._done()
            self.summary = self._summary()
        if changed:
            self.send({"type": "rows", "rows": changed})

    @staticmethod
    def _copy(row: dict[str, Any]) -> dict[str, Any]:
        # New dicts: traitlets compares old and new values to decide whether to sync.
        return {**row, "logs": list(row["logs"])}

    def _snapshot(self) -> list[dict[str, Any]]:
        """The rows a view starts from: all of a short run; the ones worth reading of a long one."""
        rows = list(self._rows.values())
        if len(rows) <= LIGHT_ROWS:
            return [self._copy(r) for r in rows]
        finished = [r for r in rows if r["status"] in _FINISHED][-RECENT_ROWS:]
        keep = {id(r) for r in finished}
        return [self._copy(r) for r in rows if r["status"] in _KEPT or id(r) in keep]

    def counts(self) -> dict[str, int]:
        """How many steps are in each status."""
        out: dict[str, int] = {}
        for row in self._rows.values():
            out[row["status"]] = out.get(row["status"], 0) + 1
        return out

    def _done(self) -> int:
        return sum(r["status"] not in ("pending", "running") for r in self._rows.values())

    def _summary(self) -> str:
        assets: dict[str, int] = {}
        checks: dict[str, int] = {}
        for row in self._rows.values():
            counts = checks if row["kind"] == "check" else assets
            counts[row["status"]] = counts.get(row["status"], 0) + 1
        parts = [f"{assets.get('success', 0)} materialized"]
        parts += [f"{assets[s]} {s}" for s in ("failed", "skipped") if assets.get(s)]
        verdicts = [f"{checks[s]} {s}" for s in ("passed", "failed", "warning") if checks.get(s)]
        if verdicts:
            parts.append(f"checks: {', '.join(verdicts)}")
        pending = sum(
            counts.get("pending", 0) + counts.get("running", 0) for counts in (assets, checks)
        )
        if pending and not self.finished:
            parts.append(f"{pending} to go")
        elapsed = time.perf_counter() - self._started
        return ", ".join(parts) + f" in {elapsed:.2f}s"

    def finish(self) -> None:
        """Mark the run over and send the final rows (idempotent)."""
        if self.finished:
            return
        for key, row in self._rows.items():
            if row["status"] == "running":
                row["status"] = "canceled"
                self._changed[key] = None
        self._changed = {}
        with self.hold_sync():
            self.finished = True
            self.rows = self._snapshot()
            self.done = self._done()
            self.summary = self._summary()

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
            f"<p>{html.escape(self.summary)}</p>{self._dashboard_html()}</div>"
        )

    def _dashboard_html(self) -> str:
        if not self.dashboard:
            return ""
        link = html.escape(self.dashboard, quote=True)
        return f"<p><a href='{link}' target='_blank' rel='noopener'>Dask dashboard</a></p>"

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]] | None:
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, metadata = bundle
        text = self.text_fallback or self.summary
        return {**data, "text/plain": text, "text/html": self._repr_html()}, metadata
