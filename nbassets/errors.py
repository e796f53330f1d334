"""Errors nbassets raises, all under one base.

Every message says what failed, shows the offending value, and says how to fix it.

Hierarchy::

    NbAssetsError
    ├── InvalidDefinitionError        a definition's arguments are wrong
    │   ├── CycleError                a definition would close a dependency cycle
    │   ├── DuplicateKeyError         two definitions produce one key in one run
    │   └── UnshippableStepError      a step cannot be sent to a Dask worker (unpicklable)
    ├── SelectionError                a selection cannot be resolved
    │   ├── SelectionSyntaxError      a selection string does not parse
    │   ├── InvalidSubsetError        a job selects part of what runs only whole
    │   └── UnknownAssetError         a selection or lookup names no defined asset
    ├── ConfigError                   run config does not validate against a Config class
    ├── MissingResourceError          an asset needs a resource the run was not given
    ├── MissingUpstreamError          an unselected upstream has no stored value
    ├── InvalidInvocationError        an API was called in a way it does not support
    ├── TypeCheckError                a value failed its input's or output's type check
    ├── PartitionError                a partition key or partitions spec is invalid
    │   └── PartitionRequiredError    a partitioned asset was used without a partition
    └── RunFailedError                a notebook run finished with failed steps

Dagster's names are the same classes: ``DagsterInvalidDefinitionError`` is
``InvalidDefinitionError``, ``DagsterInvalidConfigError`` is ``ConfigError``, and both
``DagsterInvariantViolationError`` and ``DagsterInvalidInvocationError`` are
``InvalidInvocationError``, ``DagsterInvalidSubsetError`` is ``InvalidSubsetError``;
``DagsterTypeCheckDidNotPass`` is ``TypeCheckError``.

Exceptions raised by the user's own asset code are never wrapped: with
``raise_on_error=True`` the user's exception reaches them as it was raised.

Errors carry data as well as a message: ``problem`` (what failed) and
``advice`` (how to fix it, phrased for the Python API; ``str(error)`` is both),
and, where they apply, ``asset``, ``upstream``, ``partition`` and ``names``.
The notebook layer rewrites the advice for the magics from these fields
(``nbassets.notebook.advice``), never by parsing the message. To add a class
(Dagster's names, say), subclass the nearest one and keep its fields.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nbassets.definitions.keys import AssetKey

__all__ = [
    "ConfigError",
    "CycleError",
    "DagsterInvalidConfigError",
    "DagsterInvalidDefinitionError",
    "DagsterInvalidInvocationError",
    "DagsterInvalidSubsetError",
    "DagsterInvariantViolationError",
    "DagsterTypeCheckDidNotPass",
    "DuplicateKeyError",
    "InvalidDefinitionError",
    "InvalidInvocationError",
    "InvalidSubsetError",
    "MissingResourceError",
    "MissingUpstreamError",
    "NbAssetsError",
    "PartitionDefinitionError",
    "PartitionError",
    "PartitionRequiredError",
    "RunFailedError",
    "SelectionError",
    "SelectionSyntaxError",
    "TypeCheckError",
    "UnknownAssetError",
    "UnshippableStepError",
    "did_you_mean",
]


class NbAssetsError(Exception):
    """Base class of every error nbassets raises on purpose.

    Args:
        problem: What failed, with the offending value.
        advice: How to fix it, for a caller of the Python API.
        asset: The asset the error is about.
        upstream: The upstream asset involved (a missing input, say).
        partition: The partition involved.
        names: Other names involved (missing resources, say).
    """

    def __init__(
        self,
        problem: str = "",
        *,
        advice: str = "",
        asset: AssetKey | None = None,
        upstream: AssetKey | None = None,
        partition: str | None = None,
        names: Iterable[str] = (),
    ) -> None:
        super().__init__(f"{problem} {advice}" if problem and advice else problem or advice)
        self.problem = problem
        self.advice = advice
        self.asset = asset
        self.upstream = upstream
        self.partition = partition
        self.names = tuple(names)


class InvalidDefinitionError(NbAssetsError):
    """Raised when an asset, check or spec is defined with invalid arguments."""


class CycleError(InvalidDefinitionError):
    """Raised when a definition would make an asset depend on itself."""


class DuplicateKeyError(InvalidDefinitionError):
    """Raised when two definitions given to one run produce the same asset key."""


class UnshippableStepError(InvalidDefinitionError):
    """Raised before a Dask run starts when a step cannot be pickled to a worker.

    The message names the asset and the object (function, config or resource).
    """


class SelectionError(NbAssetsError):
    """Raised when a selection cannot be resolved against the asset graph."""


class SelectionSyntaxError(SelectionError):
    """Raised when a selection string does not follow either selection grammar."""


class InvalidSubsetError(SelectionError):
    """Raised when a job selects some assets of a definition that can only run whole."""


class UnknownAssetError(SelectionError, LookupError):
    """Raised when a selection, or a lookup by key, names an asset that is not defined."""

    def __str__(self) -> str:
        # LookupError would quote the message; show it as written.
        return str(self.args[0]) if self.args else ""


class ConfigError(NbAssetsError):
    """Raised when run config for an asset does not validate against its Config class."""


class MissingResourceError(InvalidDefinitionError):
    """Raised when an asset requires a resource that the run was not given.

    An ``InvalidDefinitionError``, as Dagster raises ``DagsterInvalidDefinitionError``.
    """


class MissingUpstreamError(NbAssetsError):
    """Raised when an unselected upstream asset has no stored value to load.

    ``asset`` is what cannot run (or whose value was asked for), ``upstream``
    the input without a value (``None`` when it is ``asset``'s own value),
    ``materializable`` whether materializing ``upstream`` would fix it, and
    ``missing`` every such error when a plan found several.
    """

    def __init__(
        self,
        problem: str = "",
        *,
        missing: Iterable[MissingUpstreamError] = (),
        materializable: bool = False,
        **fields: Any,
    ) -> None:
        self.missing = tuple(missing)
        self.materializable = materializable
        if self.missing and not problem:
            # The first carries the fields; the message lists them all.
            first = self.missing[0]
            self.materializable = first.materializable
            fields = {
                "asset": first.asset,
                "upstream": first.upstream,
                "partition": first.partition,
                "names": first.names,
                **fields,
            }
            problem = "\n".join(dict.fromkeys(str(e) for e in self.missing))
        super().__init__(problem, **fields)


class InvalidInvocationError(NbAssetsError):
    """Raised when an API is called in a way it does not support."""


# Dagster's names for the same situations, so code from Dagster's docs that catches
# them runs: each is the very class nbassets raises, inside the NbAssetsError tree.
DagsterInvariantViolationError = InvalidInvocationError
DagsterInvalidInvocationError = InvalidInvocationError
DagsterInvalidDefinitionError = InvalidDefinitionError
DagsterInvalidConfigError = ConfigError
DagsterInvalidSubsetError = InvalidSubsetError


class TypeCheckError(NbAssetsError):
    """Raised when an op's or asset's output (or input) fails its type check."""


DagsterTypeCheckDidNotPass = TypeCheckError


class PartitionError(NbAssetsError, ValueError):
    """Raised when a partition key, range or partitions spec is invalid.

    A ``ValueError`` too, as the errors Dagster's partition mappings raise.
    """


class PartitionDefinitionError(PartitionError, InvalidDefinitionError):
    """Raised when a partitions definition cannot be built from what it was given.

    A ``DagsterInvalidDefinitionError`` too, as Dagster raises for these.
    """


class RunFailedError(NbAssetsError):
    """Raised by ``%materialize``, ``%%asset`` and ``%%asset_check`` when user code raised.

    ``result`` is the run's ``ExecuteInProcessResult`` (``None`` for a check run
    outside the engine).
    """

    def __init__(self, message: str, result: Any = None) -> None:
        super().__init__(message)
        self.result = result


class PartitionRequiredError(PartitionError):
    """Raised when a partitioned asset is run or read without saying which partitions.

    ``asset`` is the partitioned asset; ``partition`` an example key, when known.
    """


def did_you_mean(name: str, candidates: Iterable[str], *, limit: int = 3) -> str:
    """Return `` Did you mean 'x'?`` (leading space) or an empty string.

    Close matches come first; a candidate that merely contains the name follows,
    so ``ordr`` finds ``orders`` and ``revenue`` finds ``daily_revenue``.
    """
    pool = sorted(set(candidates))
    matches = difflib.get_close_matches(name, pool, n=limit, cutoff=0.6)
    for candidate in pool:
        if len(matches) >= limit:
            break
        if name and name.lower() in candidate.lower() and candidate not in matches:
            matches.append(candidate)
    if not matches:
        return ""
    quoted = ", ".join(f"'{m}'" for m in matches[:limit])
    return f" Did you mean {quoted}?"
