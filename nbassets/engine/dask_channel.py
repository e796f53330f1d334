"""The side channel a Dask step answers the kernel on, while its values stay on the worker.

A step is one Dask task. Its result (the values it computed) stays on the worker;
what the kernel needs (the step's summary, and its log lines as they are written)
travels as Dask events: the worker calls ``Worker.log_event`` on the client's topic,
the scheduler forwards each event to the client subscribed to it, and the client's
event loop hands it to the run's inbox. An extra task reading the summary out of the
result would cost a second scheduling round per step (``python -m bench.dask_channels``
measures both against bare ``client.submit``).

Responsibilities:
- ``Inbox``: one run's queue of what arrives (summaries, live notices, futures that
  ended), read by the kernel's thread.
- ``open_inbox``: subscribe the client once, and route its events to a run's inbox.
- ``Channel`` (pickled with a step): publish from the worker.
- ``LiveNotices`` (on a worker): send a step's log lines and retry notices while
  it runs, batched per ``LIVE_INTERVAL`` (0.1 s; an event per line would cost the
  scheduler and the kernel more than the lines are worth).

Events are kept by the scheduler in a bounded log per topic (``distributed.admin.
low-level-log-length``, 1,000 by default), so a long-lived cluster holds at most that
many of one kernel's messages.
"""

from __future__ import annotations

import pickle
import queue
import threading
from collections.abc import Sequence
from typing import Any

__all__ = [
    "LIVE_INTERVAL",
    "Channel",
    "Inbox",
    "LiveNotices",
    "close_inbox",
    "open_inbox",
    "packed",
    "unpacked",
]

LIVE_INTERVAL = 0.1

_lock = threading.Lock()
_subscribed: set[str] = set()  # ids of the clients whose topic is routed here
_inboxes: dict[str, Inbox] = {}  # run token -> its inbox


class Inbox:
    """What one run's steps sent, in arrival order: ``(kind, task key, ...)`` tuples.

    Kinds: ``"summary"`` (the pickled ``Computed``), ``"notices"`` (the index of the
    first and the pickled list), ``"done"`` (the step's future, once it ended in
    any state).
    """

    def __init__(self, token: str) -> None:
        self.token = token
        # A Queue, not a SimpleQueue: its blocking get can be interrupted by Ctrl-C.
        self.items: queue.Queue[tuple[Any, ...]] = queue.Queue()

    def put(self, item: tuple[Any, ...]) -> None:
        self.items.put(item)

    def get(self) -> tuple[Any, ...]:
        return self.items.get()

    def future_ended(self, future: Any) -> None:
        """A ``Future.add_done_callback`` callback (on the client's callback thread)."""
        self.items.put(("done", future.key, future))


def _topic(client: Any) -> str:
    return f"nbassets-steps-{client.id}"


def _route(event: tuple[float, Any]) -> None:
    """On the client's event loop: hand one event to the inbox of its run."""
    token, *item = event[1]
    inbox = _inboxes.get(token)
    if inbox is not None:  # else the run ended (a cancelled step's late answer)
        inbox.put(tuple(item))


def open_inbox(client: Any, token: str) -> tuple[Inbox, Channel]:
    """Route ``client``'s step events for run ``token`` to a new inbox.

    The subscription is sent before any task of the run, on the same connection, so
    the scheduler knows of it before a step can publish.
    """
    inbox = Inbox(token)
    topic = _topic(client)
    with _lock:
        _inboxes[token] = inbox
        if client.id not in _subscribed:
            client.subscribe_topic(topic, _route)
            _subscribed.add(client.id)
    return inbox, Channel(topic, token)


def close_inbox(token: str) -> None:
    with _lock:
        _inboxes.pop(token, None)


def packed(value: Any) -> bytes:
    """``value`` pickled (by value with cloudpickle when plain pickle cannot)."""
    try:
        return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - e.g. an exception class defined in a notebook cell
        import cloudpickle

        return bytes(cloudpickle.dumps(value))


def unpacked(data: bytes) -> Any:
    return pickle.loads(data)  # noqa: S301 - our own workers' messages


class Channel:
    """Where a step's worker publishes: the client's topic, and the run's token."""

    __slots__ = ("token", "topic")

    def __init__(self, topic: str, token: str) -> None:
        self.topic = topic
        self.token = token

    def __getstate__(self) -> tuple[str, str]:
        return self.topic, self.token

    def __setstate__(self, state: tuple[str, str]) -> None:
        self.topic, self.token = state

    def publish(self, *item: Any) -> None:
        """On a worker: send ``item`` (msgpack-able: strings, ints, bytes) to the kernel."""
        from distributed import get_worker

        get_worker().log_event(self.topic, [self.token, *item])


class LiveNotices:
    """On a worker: send one step's notices to the kernel while the step runs.

    A notice waits up to ``LIVE_INTERVAL`` for the ones that follow it, then they
    go as one event, sent by the worker's event loop. A step that ends sooner
    sends none (its summary brings them), so short steps cost nothing more, and a
    step that logs in a tight loop sends one event per interval, not per line.
    """

    def __init__(self, channel: Channel, task_key: str, items: Sequence[Any]) -> None:
        from distributed import get_worker

        self.worker = get_worker()
        self.channel = channel
        self.task_key = task_key
        self.items = items
        self.sent = 0
        self.due = False
        self.closed = False
        self.lock = threading.Lock()

    def added(self) -> None:
        """A notice was appended to ``items`` (on the step's thread)."""
        with self.lock:
            if self.due or self.closed:
                return
            self.due = True
        loop = self.worker.loop
        loop.add_callback(loop.call_later, LIVE_INTERVAL, self.send)

    def close(self) -> None:
        """The step ended: what is left goes with its summary."""
        with self.lock:
            self.closed = True

    def send(self) -> None:
        """Send the notices not sent yet, as one event (on the worker's event loop)."""
        with self.lock:
            self.due = False
            start, end = self.sent, len(self.items)
            if self.closed or start == end:
                return
            batch = list(self.items[start:end])
            self.sent = end
        message = [self.channel.token, "notices", self.task_key, start, packed(batch)]
        self.worker.log_event(self.channel.topic, message)
