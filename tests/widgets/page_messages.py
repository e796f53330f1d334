"""Record what widgets send to the page, without a kernel.

Without a kernel ipywidgets' comms drop every message; widgets created inside
``recorded()`` get a comm that keeps each message (state updates and custom
messages alike), serialized to JSON as the kernel would send it.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

import comm
from comm.base_comm import BaseComm


class _RecordingComm(BaseComm):  # type: ignore[misc]
    log: list[dict[str, Any]] = []

    def publish_msg(self, msg_type: str, data: Any = None, metadata: Any = None,
                    buffers: Any = None, **keys: Any) -> None:
        if msg_type == "comm_msg":
            # A round trip through JSON: what the page would receive.
            message = json.loads(json.dumps(data, default=str))
            _RecordingComm.log.append({**message, "comm_id": self.comm_id})


@contextlib.contextmanager
def recorded() -> Iterator[list[dict[str, Any]]]:
    """Yield the list of ``comm_msg`` payloads widgets made in the block send."""
    saved = comm.create_comm
    log: list[dict[str, Any]] = []
    _RecordingComm.log = log
    comm.create_comm = _RecordingComm
    try:
        yield log
    finally:
        comm.create_comm = saved


def sent_by(log: list[dict[str, Any]], widget: Any) -> list[dict[str, Any]]:
    """The messages in ``log`` that ``widget`` sent."""
    return [m for m in log if m["comm_id"] == widget.comm.comm_id]


def status_patches(log: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The lineage status patches in ``log`` (node id -> status), in order."""
    return [
        m["content"]["statuses"]
        for m in log
        if m.get("method") == "custom" and m["content"].get("type") == "statuses"
    ]


def full_status_updates(log: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Every time the whole ``statuses`` mapping was sent as widget state."""
    return [
        m["state"]["statuses"]
        for m in log
        if m.get("method") == "update" and "statuses" in m.get("state", {})
    ]
