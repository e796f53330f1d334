"""The messages between the kernel and the JupyterLab Assets panel (comm target ``nbassets``).

Responsibilities:
- The protocol version and the shapes of every message, in one place that the
  TypeScript side (``labextension/src/protocol.ts``) mirrors.
- Checking a request from the panel: a malformed one is answered with an error
  naming what is wrong, never raised into the kernel's log.

Kernel -> panel (every message carries ``"protocol": VERSION`` and ``"type"``):
- ``snapshot``: ``assets`` (every row, in order), ``run`` (the run going on or
  last finished, or null), ``notebook`` (what the kernel knows of cells).
- ``patch``: ``assets`` (rows that changed), ``removed`` (keys), ``order`` (every
  key, only when definitions changed), ``run``.
- ``reply``: answers request ``id``: ``ok``, ``message``, and per request
  ``keys`` (``select``), ``layout`` + ``statuses`` (``lineage``).

Finding the kernel's end: while nbassets is loaded, ``comm_info_request`` for
target ``nbassets`` lists at least the beacon comm (id ``nbassets-beacon``);
the panel then opens its own comm with ``{"protocol": VERSION}``.

Panel -> kernel: ``{"protocol": VERSION, "id": N, "request": NAME, ...}`` with
NAME one of ``REQUESTS``: ``refresh``; ``select`` (``selection``: selection
syntax); ``materialize`` (``keys`` + ``mode`` ``selected``/``downstream``/``upstream``, or
``selection``); ``materialize_stale``; ``accept`` (``keys``); ``lineage``
(``keys``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "MODES",
    "REQUESTS",
    "TARGET",
    "VERSION",
    "PanelRequest",
    "ProtocolError",
    "parse_request",
    "reply",
]

TARGET = "nbassets"
VERSION = 1
REQUESTS = ("refresh", "select", "materialize", "materialize_stale", "accept", "lineage")
MODES = ("selected", "downstream", "upstream")
# A panel request names at most this many keys; more is a bug or an attack, not a click.
MAX_KEYS = 10_000
MAX_SELECTION_CHARS = 2_000

RequestName = Literal["refresh", "select", "materialize", "materialize_stale", "accept", "lineage"]


class ProtocolError(ValueError):
    """Raised when a panel message is not a request this kernel understands."""


@dataclass(frozen=True, slots=True)
class PanelRequest:
    """A checked request: what the panel asked, with its id for the reply."""

    name: RequestName
    id: int | None = None
    keys: tuple[str, ...] = ()
    mode: str = "selected"
    selection: str | None = None


def _keys(data: dict[str, Any]) -> tuple[str, ...]:
    keys = data.get("keys", [])
    if not isinstance(keys, list) or not all(isinstance(k, str) and k for k in keys):
        raise ProtocolError("'keys' must be a list of asset keys written as strings.")
    if len(keys) > MAX_KEYS:
        raise ProtocolError(f"'keys' names {len(keys)} assets; at most {MAX_KEYS} per request.")
    return tuple(keys)


def _selection(data: dict[str, Any]) -> str | None:
    selection = data.get("selection")
    if selection is None:
        return None
    if not isinstance(selection, str):
        raise ProtocolError("'selection' must be a string in selection syntax, e.g. 'orders+'.")
    if len(selection) > MAX_SELECTION_CHARS:
        raise ProtocolError(f"'selection' is longer than {MAX_SELECTION_CHARS} characters.")
    return selection


def parse_request(data: Any) -> PanelRequest:
    """Check a message from the panel and return it as a ``PanelRequest``.

    Raises:
        ProtocolError: the message is not a dict, speaks another protocol version,
            names an unknown request, or carries arguments of the wrong type.
    """
    if not isinstance(data, dict):
        raise ProtocolError(f"A panel message must be a JSON object, not {type(data).__name__}.")
    version = data.get("protocol")
    if version != VERSION:
        raise ProtocolError(
            f"The Assets panel speaks protocol {version!r} and this kernel's nbassets speaks "
            f"{VERSION}. Install the same nbassets in the kernel's environment and in "
            "JupyterLab's, then reload the page."
        )
    request_id = data.get("id")
    if request_id is not None and (not isinstance(request_id, int) or isinstance(request_id, bool)):
        raise ProtocolError("'id' must be an integer.")
    name = data.get("request")
    if name not in REQUESTS:
        raise ProtocolError(f"Unknown request {name!r}; the kernel answers {', '.join(REQUESTS)}.")
    mode = data.get("mode", "selected")
    if mode not in MODES:
        raise ProtocolError(f"Unknown mode {mode!r}; use one of {', '.join(MODES)}.")
    keys = _keys(data)
    selection = _selection(data)
    if name in ("materialize", "accept", "lineage") and not keys and selection is None:
        raise ProtocolError(f"Request {name!r} needs 'keys' (or a 'selection').")
    if name == "select" and selection is None:
        raise ProtocolError("Request 'select' needs a 'selection'.")
    return PanelRequest(name, request_id, keys, mode, selection)


def reply(request_id: int | None, ok: bool, message: str = "", **data: Any) -> dict[str, Any]:
    """The answer to request ``request_id``."""
    return {
        "protocol": VERSION,
        "type": "reply",
        "id": request_id,
        "ok": ok,
        "message": message,
        **data,
    }
