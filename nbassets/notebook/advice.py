"""The notebook's advice for an engine error: magics instead of Python calls.

Responsibilities:
- ``notebook_message(error)``: the error's problem followed by advice a
  notebook user can act on (``%materialize orders``, ``Define `db = ...```),
  built from the error's fields (``asset``, ``upstream``, ``partition``,
  ``names``); errors with no notebook phrasing keep their own message.
- ``usage_error(error)``: that message as IPython's ``UsageError`` (no traceback).

The engine phrases its messages for the Python API; nothing here parses them.
"""

from __future__ import annotations

from IPython.core.error import UsageError

from nbassets.errors import (
    InvalidInvocationError,
    MissingResourceError,
    MissingUpstreamError,
    NbAssetsError,
    PartitionRequiredError,
)

__all__ = ["notebook_advice", "notebook_message", "usage_error"]


def notebook_advice(error: NbAssetsError) -> str | None:
    """How to fix ``error`` with the magics, or ``None`` when its own advice fits."""
    asset = error.asset.to_user_string() if error.asset is not None else None
    if isinstance(error, MissingResourceError) and error.names:
        name = error.names[0]
        return (
            f"Define `{name} = ...` in a cell above (a variable named like the resource), or "
            f"set nbassets.get_registry().resources['{name}'], then run again."
        )
    if isinstance(error, MissingUpstreamError) and asset is not None:
        if error.upstream is not None:
            if not error.materializable:
                return None
            upstream = error.upstream.to_user_string()
            return (
                f"Materialize it first (%materialize {upstream}), or select it too "
                f"(%materialize +{asset})."
            )
        if error.names:
            return (
                f"Materialize them first: %materialize {asset} --partitions "
                f"{error.names[0]}...{error.names[-1]}"
            )
        partition = getattr(error, "partition", None)
        option = f" --partition {partition}" if partition is not None else ""
        return f"Materialize it first: %materialize {asset}{option}"
    if isinstance(error, PartitionRequiredError) and asset is not None:
        if error.partition is not None:
            return f"For example %assets value {asset} --partition {error.partition}."
        return f"%materialize {asset} --partition KEY (--partitions START...END for a range)."
    if isinstance(error, InvalidInvocationError) and asset is not None:
        return f"Materialize it: %materialize {asset}"
    return None


def notebook_message(error: NbAssetsError) -> str:
    """``error``'s message with the notebook's advice in place of the Python API's."""
    if isinstance(error, MissingUpstreamError) and error.missing:
        return "\n".join(dict.fromkeys(notebook_message(e) for e in error.missing))
    advice = notebook_advice(error)
    if advice is None or not error.problem:
        return str(error)
    return f"{error.problem} {advice}"


def usage_error(error: NbAssetsError) -> UsageError:
    """``error`` as a ``UsageError`` saying what to do in the notebook."""
    return UsageError(notebook_message(error))
