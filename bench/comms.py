"""A comm that counts what a widget would send to the page, for benchmarks without a kernel.

Without a kernel ipywidgets uses a comm that drops every message before it is
serialized; this one serializes each message as ipykernel would (JSON), so
benchmarks pay and measure the real cost of talking to the page.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

import comm
from comm.base_comm import BaseComm


class CountingComm(BaseComm):  # type: ignore[misc]
    """Serializes every message; adds its size to ``sent``."""

    sent = {"bytes": 0, "messages": 0}

    def publish_msg(self, msg_type: str, data: Any = None, metadata: Any = None,
                    buffers: Any = None, **keys: Any) -> None:
        size = len(json.dumps(data, default=str)) + sum(len(b) for b in buffers or ())
        CountingComm.sent["bytes"] += size
        CountingComm.sent["messages"] += 1


@contextlib.contextmanager
def counting_comms() -> Iterator[dict[str, int]]:
    """Widgets created in the block send through ``CountingComm``; yields the counters."""
    saved = comm.create_comm
    CountingComm.sent = {"bytes": 0, "messages": 0}
    comm.create_comm = CountingComm
    try:
        yield CountingComm.sent
    finally:
        comm.create_comm = saved
