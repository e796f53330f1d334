"""The kernel end of the JupyterLab Assets panel: one comm per open panel.

Responsibilities:
- ``install``/``uninstall``: while the extension is loaded, register the comm
  target ``nbassets`` and keep a beacon: a comm of that target that nobody
  opened, which the panel finds with a ``comm_info_request`` (no comm_open
  goes to frontends that do not know the target, and no error is logged for
  a kernel without nbassets). Flush pending patches after every cell.
- ``PanelChannel``: send a snapshot when a panel connects, then only the rows
  that changed, from registry and run events. Patches are rate-limited by a
  token bucket: up to ``BURST`` go at once (so a slow step shows "running"
  while it runs, even though the kernel is too busy for any timer), then one
  per ``FLUSH_INTERVAL_S``; the end of a run always goes at once. A 1,000-step
  run sends a handful of messages, not thousands.
- Answer the panel's requests (refresh, select, materialize, accept, lineage)
  with a reply naming what went wrong rather than an exception in the log.
"""

from __future__ import annotations

import asyncio
import io
import json
import time
from collections.abc import Callable
from typing import Any

from nbassets.definitions.keys import AssetKey
from nbassets.engine.events import EventType, RunEvent
from nbassets.graph.registry import Registry, RegistryEvent, get_registry
from nbassets.notebook.panel_protocol import (
    TARGET,
    VERSION,
    PanelRequest,
    ProtocolError,
    parse_request,
    reply,
)
from nbassets.notebook.panel_summary import summaries, summarize

__all__ = ["BURST", "FLUSH_INTERVAL_S", "PanelChannel", "channels", "install", "uninstall"]

FLUSH_INTERVAL_S = 0.25
BURST = 3
BEACON_ID = "nbassets-beacon"
# dot takes about a third of a second per 1,000 nodes; a "compact" lineage stays far below.
MAX_LINEAGE_NODES = 400
_STEP_ENDS = {
    EventType.STEP_SUCCESS: "done",
    EventType.STEP_FAILURE: "failed",
    EventType.STEP_SKIPPED: "skipped",
}
_RUN_ENDS = {
    EventType.RUN_SUCCESS: "succeeded",
    EventType.RUN_FAILURE: "failed",
    EventType.RUN_CANCELED: "canceled",
}

_channels: list[PanelChannel] = []


def channels() -> list[PanelChannel]:
    """The panels connected to this kernel now."""
    return list(_channels)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class PanelChannel:
    """One panel's comm: snapshot, debounced patches, and its requests.

    Args:
        comm: An open comm (``comm.base_comm.BaseComm`` or a test double with
            ``send``, ``on_msg``, ``on_close`` and ``close``).
        registry: The registry the panel shows.
        user_ns: The notebook namespace runs bind values into.
        clock: Seconds, monotonic; tests pass a fake.
    """

    def __init__(
        self,
        comm: Any,
        registry: Registry,
        user_ns: dict[str, Any],
        *,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.comm = comm
        self.registry = registry
        self.user_ns = user_ns
        self.clock = clock
        self.messages_sent = 0
        self.bytes_sent = 0
        self._sent: dict[str, dict[str, Any]] = {}
        self._dirty_all = False
        self._dirty: set[AssetKey] = set()
        self._structure = False
        self._run: dict[str, Any] | None = None
        self._run_dirty = False
        self._last_flush = float("-inf")
        self._tokens = float(BURST)
        self._refilled_at = clock()
        self._timer: asyncio.TimerHandle | None = None
        self._steps: dict[str, tuple[AssetKey, ...]] = {}
        self._unsubscribe: Callable[[], None] | None = registry.subscribe(self._on_event)
        comm.on_msg(self._on_msg)
        comm.on_close(lambda _msg: self.close())
        _channels.append(self)
        self.send_snapshot()

    # Sending -----------------------------------------------------------------------------

    def _send(self, data: dict[str, Any]) -> None:
        self.messages_sent += 1
        self.bytes_sent += len(json.dumps(data, separators=(",", ":"), default=str))
        self.comm.send(data)

    def send_snapshot(self) -> None:
        """Send every row (and forget any pending patch: the snapshot holds it)."""
        rows = summaries(self.registry)
        self._sent = {row["key"]: row for row in rows}
        self._dirty_all = self._structure = self._run_dirty = False
        self._dirty.clear()
        self._last_flush = self.clock()
        self._send(
            {
                "protocol": VERSION,
                "type": "snapshot",
                "assets": rows,
                "run": self._run,
            }
        )

    def flush(self) -> None:
        """Send what changed since the last message, if anything did."""
        self._cancel_timer()
        if not (self._dirty_all or self._dirty or self._run_dirty):
            return
        registry = self.registry
        if self._dirty_all:
            rows = summaries(registry)
        else:
            rows = [summarize(registry, k) for k in registry.keys() if k in self._dirty]
        changed = [row for row in rows if self._sent.get(row["key"]) != row]
        message: dict[str, Any] = {"protocol": VERSION, "type": "patch", "assets": changed}
        worth_sending = bool(changed) or self._structure or self._run_dirty
        if self._structure:
            keys = [row["key"] for row in rows]
            present = set(keys)
            removed = [k for k in self._sent if k not in present]
            message["order"] = keys
            message["removed"] = removed
            for key in removed:
                del self._sent[key]
        if self._run_dirty:
            message["run"] = self._run
        self._sent.update((row["key"], row) for row in changed)
        self._dirty_all = self._structure = self._run_dirty = False
        self._dirty.clear()
        self._last_flush = self.clock()
        if worth_sending:
            self._send(message)

    def _soon(self, *, now: bool = False) -> None:
        """Flush at once while the bucket has a token (or ``now``); else a little later."""
        clock = self.clock()
        self._tokens = min(
            float(BURST), self._tokens + (clock - self._refilled_at) / FLUSH_INTERVAL_S
        )
        self._refilled_at = clock
        if now or self._tokens >= 1.0:
            self._tokens = max(0.0, self._tokens - 1.0)
            self.flush()
            return
        loop = _running_loop()
        if self._timer is None and loop is not None:
            # Fires once the kernel is free again; during a long synchronous run the
            # next event flushes inline once a token has come back.
            wait = (1.0 - self._tokens) * FLUSH_INTERVAL_S
            self._timer = loop.call_later(wait, self.flush)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    # Events ------------------------------------------------------------------------------

    def _keys_of_step(self, step_key: str) -> tuple[AssetKey, ...]:
        # Engine step keys are the op name, "op[partition]" for one partition.
        if not self._steps:
            graph = self.registry.graph
            for key in graph.keys:
                op = graph.node(key).op
                if op:
                    self._steps[op] = (*self._steps.get(op, ()), key)
        return self._steps.get(step_key.split("[", 1)[0], ())

    def _on_event(self, event: Any) -> None:
        if isinstance(event, RegistryEvent):
            if (
                event.kind == "status"
                and self._run is not None
                and (self._run["state"] == "running")
            ):
                # Mid-run, the step events name what changed; the run's end refreshes all
                # (staleness downstream), so a 1,000-step run does not re-read 1,000 rows
                # per patch.
                return
            self._dirty_all = True
            if event.kind != "status":
                self._structure = True
                self._steps = {}
            self._soon()
        elif isinstance(event, RunEvent):
            self._on_run_event(event)

    def _planned_steps(self, run_id: str) -> int | None:
        """How many steps the run plans: its record is written just before it starts."""
        for record in reversed(self.registry.instance.runs[-3:]):
            if record.run_id == run_id:
                return len(record.step_keys)
        return None

    def _on_run_event(self, event: RunEvent) -> None:
        kind = event.event_type
        if kind is EventType.RUN_START:
            self._run = {
                "run_id": event.run_id,
                "started": event.timestamp,
                "total": self._planned_steps(event.run_id),
                "done": 0,
                "failed": 0,
                "skipped": 0,
                "running": [],
                "state": "running",
            }
            self._run_dirty = True
            return  # the first step's start follows at once and carries the run
        elif self._run is None or self._run["run_id"] != event.run_id:
            return  # a run that started before this panel connected: rows still update
        elif kind is EventType.STEP_START:
            self._run["running"] = [*self._run["running"], event.step_key]
            self._dirty.update(self._keys_of_step(event.step_key or ""))
        elif kind in _STEP_ENDS:
            self._run[_STEP_ENDS[kind]] += 1
            self._run["running"] = [s for s in self._run["running"] if s != event.step_key]
            self._dirty.update(self._keys_of_step(event.step_key or ""))
        elif kind in _RUN_ENDS:
            self._run = {
                **self._run,
                "state": _RUN_ENDS[kind],
                "running": [],
                "finished": event.timestamp,
            }
            self._run_dirty = self._dirty_all = True
            self._soon(now=True)
            return
        else:
            return
        self._run_dirty = True
        self._soon()

    # Requests ----------------------------------------------------------------------------

    def _on_msg(self, msg: dict[str, Any]) -> None:
        data = msg.get("content", {}).get("data")
        try:
            request = parse_request(data)
        except ProtocolError as error:
            request_id = data.get("id") if isinstance(data, dict) else None
            self._send(
                reply(request_id if isinstance(request_id, int) else None, False, str(error))
            )
            return
        self.handle(request)

    def handle(self, request: PanelRequest) -> None:
        """Answer one request; a failure becomes a reply saying why."""
        from IPython.core.error import UsageError

        from nbassets.errors import NbAssetsError

        answer: dict[str, Any] | None = None
        try:
            answer = getattr(self, f"_request_{request.name}")(request)
        except (NbAssetsError, UsageError, KeyError, ValueError) as error:
            answer = reply(request.id, False, _message(error))
        except KeyboardInterrupt:
            answer = reply(request.id, False, "Interrupted; finished values are kept.")
            raise
        finally:
            self.flush()
            if answer is not None:
                self._send(answer)

    def _resolve(self, request: PanelRequest) -> list[AssetKey]:
        """The keys a request names, in graph order (a selection is resolved here)."""
        registry = self.registry
        if request.selection is not None and not request.keys:
            from nbassets.graph.selection import coerce_selection

            chosen = coerce_selection(request.selection).resolve(registry.graph)
        else:
            chosen = {registry.resolve_key(k) for k in request.keys}
        return [k for k in registry.keys() if k in chosen]

    def _request_refresh(self, request: PanelRequest) -> dict[str, Any]:
        self.send_snapshot()
        return reply(request.id, True)

    def _request_select(self, request: PanelRequest) -> dict[str, Any]:
        keys = self._resolve(request)
        return reply(request.id, True, keys=[k.to_user_string() for k in keys])

    def _request_materialize(self, request: PanelRequest) -> dict[str, Any]:
        from nbassets.graph.topology import downstream_closure, upstream_closure

        roots = self._resolve(request)
        chosen = set(roots)
        if request.mode == "downstream":
            chosen |= downstream_closure(self.registry.graph, roots)
        elif request.mode == "upstream":
            chosen |= upstream_closure(self.registry.graph, roots)
        return self._run_keys(request, chosen)

    def _request_materialize_stale(self, request: PanelRequest) -> dict[str, Any]:
        from nbassets.notebook.runs import out_of_date

        stale = out_of_date(self.registry)
        if not stale:
            return reply(request.id, True, "Everything is up to date: nothing to run.")
        return self._run_keys(request, set(stale))

    def _run_keys(self, request: PanelRequest, chosen: set[AssetKey]) -> dict[str, Any]:
        from nbassets.definitions.assets import AssetsDefinition
        from nbassets.notebook.runs import run_in_notebook, with_missing_upstreams

        registry = self.registry
        runnable = {k for k in chosen if isinstance(registry.definition_for(k), AssetsDefinition)}
        if not runnable:
            return reply(request.id, False, "Nothing to run: no materializable asset chosen.")
        for key in list(runnable):
            runnable |= with_missing_upstreams(registry, key)
        ordered = [k for k in registry.keys() if k in runnable]
        stream = io.StringIO()
        result = run_in_notebook(
            registry,
            self.user_ns,
            selection=ordered,
            progress="text",
            stream=stream,
            raise_on_error=False,
        )
        lines = [line for line in stream.getvalue().splitlines() if line.strip()]
        done = len(result.get_step_success_events())
        failed = len(result.get_step_failure_events())
        summary = f"{done} step(s) materialized" + (f", {failed} failed" if failed else "")
        return reply(request.id, result.success, summary, log=lines[-50:])

    def _request_accept(self, request: PanelRequest) -> dict[str, Any]:
        keys = self._resolve(request)
        for key in keys:
            self.registry.accept(key)
        return reply(request.id, True, f"Accepted {len(keys)} asset(s) as fresh.")

    def _request_lineage(self, request: PanelRequest) -> dict[str, Any]:
        from nbassets.widgets.layout import compute_layout
        from nbassets.widgets.statuses import status_table

        keys = self._resolve(request)
        if len(keys) > MAX_LINEAGE_NODES:
            return reply(
                request.id,
                False,
                f"The selection has {len(keys)} assets; the panel draws at most "
                f"{MAX_LINEAGE_NODES}. Narrow the filter, or use %assets lineage in a cell.",
            )
        layout = compute_layout(self.registry.graph, keys)
        statuses = {node.id: self.registry.status(node.key) for node in layout.nodes}
        return reply(
            request.id,
            True,
            layout=layout.to_json(),
            statuses=statuses,
            styles=status_table(),
        )

    # Closing -----------------------------------------------------------------------------

    def close(self) -> None:
        """Stop listening (idempotent); called when either side closes the comm."""
        self._cancel_timer()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self in _channels:
            _channels.remove(self)


def _message(error: BaseException) -> str:
    if isinstance(error, KeyError) and error.args:
        return str(error.args[0])
    return str(error)


def _open(comm: Any, msg: dict[str, Any], shell: Any) -> None:
    data = msg.get("content", {}).get("data") or {}
    version = data.get("protocol") if isinstance(data, dict) else None
    if version != VERSION:
        comm.send(
            reply(
                None,
                False,
                f"The Assets panel speaks protocol {version!r} and this kernel's nbassets "
                f"speaks {VERSION}. Install the same nbassets in the kernel's environment and "
                "in JupyterLab's, then reload the page.",
            )
        )
        comm.close()
        return
    PanelChannel(comm, get_registry(), shell.user_ns)


def _flush_all(*_args: Any) -> None:
    for channel in channels():
        channel.flush()


def install(shell: Any) -> list[tuple[str, Any]]:
    """Register the ``nbassets`` comm target; return the IPython hooks to unregister later.

    Outside a kernel (a terminal IPython) there is no comm manager: nothing to do.
    """
    kernel = getattr(shell, "kernel", None)
    manager = getattr(kernel, "comm_manager", None)
    if manager is None:
        return []
    from comm import create_comm

    manager.register_target(TARGET, lambda comm, msg: _open(comm, msg, shell))
    # primary=False: the comm is only registered here, no comm_open is sent anywhere.
    beacon = create_comm(comm_id=BEACON_ID, primary=False, target_name=TARGET)
    manager.register_comm(beacon)
    shell.events.register("post_execute", _flush_all)
    return [("post_execute", _flush_all)]


def uninstall(shell: Any) -> None:
    """Close every panel channel and unregister the comm target."""
    for channel in channels():
        channel.close()
        channel.comm.close()
    manager = getattr(getattr(shell, "kernel", None), "comm_manager", None)
    if manager is not None and TARGET in getattr(manager, "targets", {}):
        manager.unregister_target(TARGET, None)
        # Dropped, not closed: closing would send a comm_close no frontend expects.
        manager.comms.pop(BEACON_ID, None)
