"""Reading an asset function's parameters, as Dagster does.

Responsibilities:
- Sort each parameter into one role: the execution context, the config, a
  resource, or an input that receives an upstream asset's value.
- Report misuse (``*args``, an ``ins`` entry naming no parameter) with the fix.
- Fingerprint a function's code for the default code version.
"""

from __future__ import annotations

import hashlib
import inspect
import sys
import types
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, cast, get_args, get_origin

from nbassets.errors import InvalidDefinitionError, did_you_mean

if TYPE_CHECKING:
    from nbassets.definitions.config import Config

__all__ = ["ParameterRoles", "ResourceParam", "code_fingerprint", "read_parameters"]

_T = TypeVar("_T")
_RESOURCE_PARAM = "resource_param"

# Dagster's marker for a parameter that receives a resource of any type:
# `def check(db: ResourceParam[Connection])` gets resources["db"], not an asset's value.
ResourceParam = Annotated[_T, _RESOURCE_PARAM]


def _is_resource_param(annotation: Any) -> bool:
    return get_origin(annotation) is Annotated and _RESOURCE_PARAM in get_args(annotation)[1:]


_CONTEXT_TYPE_NAMES = frozenset({"AssetExecutionContext", "OpExecutionContext"})


@dataclass(frozen=True, slots=True)
class ParameterRoles:
    """Each parameter of an asset function, by role, in declaration order."""

    context: str | None
    config: tuple[str, type[Config]] | None
    resources: tuple[str, ...]
    inputs: tuple[str, ...]
    names: tuple[str, ...]


def _annotation_class(annotation: Any) -> type | None:
    return annotation if isinstance(annotation, type) else None


def _config_bases() -> tuple[type, type] | None:
    """``(Config, ConfigurableResource)`` once imported; until then no class can subclass them.

    Importing them pulls in pydantic, which would double the time of ``import nbassets``.
    """
    module = sys.modules.get("nbassets.definitions.config")
    if module is None:
        return None
    return module.Config, module.ConfigurableResource


_CONTEXT_SPELLINGS = frozenset({"_", "_context", "context_"})


def _is_context(param: inspect.Parameter) -> bool:
    if param.name == "context":
        return True
    ann = param.annotation
    name = ann if isinstance(ann, str) else getattr(ann, "__name__", "")
    return name in _CONTEXT_TYPE_NAMES


def signature_of(fn: Callable[..., Any]) -> inspect.Signature:
    try:
        return inspect.signature(fn, eval_str=True)
    except (NameError, TypeError, SyntaxError, AttributeError):
        pass
    # Some annotation cannot be evaluated here (a name defined elsewhere); evaluate
    # the others one by one, so a Config or resource annotation is still recognised.
    sig = inspect.signature(fn)
    namespace = getattr(inspect.unwrap(fn), "__globals__", {})
    params = []
    for param in sig.parameters.values():
        annotation = param.annotation
        if isinstance(annotation, str):
            try:
                annotation = eval(annotation, namespace)  # noqa: S307 - the user's own annotation
            except Exception:  # noqa: BLE001 - an unevaluable annotation stays a string
                annotation = param.annotation
        params.append(param.replace(annotation=annotation))
    return sig.replace(parameters=params)


def read_parameters(
    fn: Callable[..., Any],
    *,
    owner: str,
    ins: Mapping[str, Any] | None = None,
    resource_keys: Collection[str] = (),
) -> ParameterRoles:
    """Sort ``fn``'s parameters into context, config, resources and inputs.

    A parameter is a resource when annotated with a ``ConfigurableResource``
    subclass or ``ResourceParam[...]``, or named in ``resource_keys``; config when annotated with a
    ``Config`` subclass; the context when named ``context`` or annotated with
    the context type; otherwise an input.
    """
    if inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn):
        raise InvalidDefinitionError(
            f"Asset '{owner}' is an async function; nbassets runs assets synchronously and "
            "would store an un-awaited coroutine. Define it with plain `def` and run the "
            "async code inside it, e.g. `return asyncio.run(fetch())` (in Jupyter, where a "
            "loop is running, in a thread: `ThreadPoolExecutor().submit(asyncio.run, "
            "fetch()).result()`)."
        )
    sig = signature_of(fn)
    context: str | None = None
    config: tuple[str, type[Config]] | None = None
    resources: list[str] = []
    inputs: list[str] = []
    has_var_kwargs = False
    bases = _config_bases()
    for index, param in enumerate(sig.parameters.values()):
        if param.kind is inspect.Parameter.VAR_POSITIONAL:
            raise InvalidDefinitionError(
                f"Asset '{owner}' takes *{param.name}; an asset's parameters must be named, "
                "one per upstream asset. Name each input instead."
            )
        if param.kind is inspect.Parameter.VAR_KEYWORD:
            has_var_kwargs = True
            continue
        cls = _annotation_class(param.annotation) if bases is not None else None
        # As in Dagster, a first parameter named _, _context or context_ is the context too.
        first_spelling = index == 0 and param.name in _CONTEXT_SPELLINGS
        if (first_spelling or _is_context(param)) and context is None:
            context = param.name
        elif cls is not None and bases is not None and issubclass(cls, bases[0]):
            config = (param.name, cast("type[Config]", cls))
        elif (
            (cls is not None and bases is not None and issubclass(cls, bases[1]))
            or param.name in resource_keys
            or _is_resource_param(param.annotation)
        ):
            resources.append(param.name)
        else:
            inputs.append(param.name)
    for name in ins or ():
        if name not in inputs and has_var_kwargs:
            # As in Dagster: an input with no parameter of its own arrives in **kwargs.
            inputs.append(name)
        elif name not in inputs:
            hint = did_you_mean(name, inputs) or (
                f" Its inputs are: {', '.join(inputs)}." if inputs else " It has no inputs."
            )
            raise InvalidDefinitionError(
                f"Asset '{owner}' has ins['{name}'], but no parameter named '{name}'.{hint}"
            )
    return ParameterRoles(
        context=context,
        config=config,
        resources=tuple(resources),
        inputs=tuple(inputs),
        names=tuple(sig.parameters),
    )


def _feed_code(digest: Any, code: types.CodeType) -> None:
    digest.update(code.co_code)
    digest.update(repr(code.co_names).encode())
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            _feed_code(digest, const)
        else:
            digest.update(repr(const).encode())


def code_fingerprint(fn: Callable[..., Any]) -> str | None:
    """A short hash of ``fn``'s bytecode: the same for reformatted source, new for real edits.

    Bytecode leaves out line numbers and comments, so moving a cell does not make
    its asset stale. ``None`` when ``fn`` has no code object (a builtin).
    """
    code = getattr(inspect.unwrap(fn), "__code__", None)
    if code is None:
        return None
    digest = hashlib.blake2b(digest_size=8)
    _feed_code(digest, code)
    return digest.hexdigest()
