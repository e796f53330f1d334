"""Ops: functions with named inputs and outputs, Dagster's ``@op``.

Responsibilities:

* ``In`` / ``Out`` / ``DynamicOut`` and ``Nothing``: what an op takes and produces.
* ``OpDefinition`` (``@op``): the function, its inputs read from its parameters (types
  from annotations, defaults from Python defaults or ``In(default_value=)``), its
  outputs from ``out=``; callable directly as in a unit test, or inside a ``@graph``
  body where a call records a node (``nbassets.definitions.graphs``).
* ``alias`` / ``tag`` / ``with_hooks`` / ``with_retry_policy``: a configured call.

Running ops in a graph, with events and outputs, is ``nbassets.engine.op_runs``.
"""

from __future__ import annotations

import inspect
import keyword
import re
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar

from nbassets.definitions.dagster_types import DagsterType
from nbassets.definitions.docstrings import doc_sections
from nbassets.definitions.op_view import (
    InputDefinition,
    OpHandle,
    OutputDefinition,
    annotations_of,
    dagster_type_of,
)
from nbassets.definitions.signature import _is_resource_param
from nbassets.errors import InvalidDefinitionError, InvalidInvocationError

__all__ = [
    "DynamicOut",
    "DynamicOutput",
    "In",
    "Nothing",
    "OpDefinition",
    "Out",
    "op",
]

NO_DEFAULT: Any = inspect.Parameter.empty
_T = TypeVar("_T")


class Nothing:
    """The type of an input that orders an op after another without passing a value."""


def _check_type(dagster_type: Any) -> None:
    """Refuse an ``In``/``Out`` type that is neither a Python type nor a typing construct."""
    if dagster_type is None or dagster_type is Any or isinstance(dagster_type, DagsterType):
        return
    try:
        hash(dagster_type)
    except TypeError:
        raise InvalidDefinitionError(
            "Invalid type: dagster_type must be an instance of DagsterType or a Python type: "
            f"got {dagster_type}, which isn't hashable. Did you pass an instance of a type "
            "instead of the type?"
        ) from None
    if isinstance(dagster_type, type) or typing.get_origin(dagster_type) is not None:
        return
    if isinstance(dagster_type, (typing.TypeVar, str)) or not callable(dagster_type):
        raise InvalidDefinitionError(
            "Invalid type: dagster_type must be an instance of DagsterType or a Python type: "
            f"got {dagster_type}."
        )


def _check_tags(tags: Mapping[str, Any], owner: str) -> None:
    """Tags are stored as JSON: a value must survive the round trip unchanged."""
    import json

    for key, value in tags.items():
        if isinstance(value, str):
            continue
        try:
            encoded = json.dumps(value)
        except (TypeError, ValueError):
            raise InvalidDefinitionError(
                f"Could not JSON encode value {value!r} of tag '{key}' on {owner}: tag values "
                "are strings or JSON-encodable values."
            ) from None
        if json.loads(encoded) != value:
            raise InvalidDefinitionError(
                f'JSON encoding "{encoded}" of value "{value}" is not equivalent to original '
                f"value (tag '{key}' on {owner}); use a list or a dict."
            )


# Dagster's names for the scalar types whose defaults it checks when the op is defined.
_SCALARS = {int: "Int", str: "String", float: "Float", bool: "Bool"}


def _check_default(input_name: str, spec: In) -> None:
    """A scalar input's default must be of its type (checked when the op is defined)."""
    dagster_type, default = spec.dagster_type, spec.default_value
    type_name = _SCALARS.get(dagster_type) if isinstance(dagster_type, type) else None
    if type_name is not None and spec.has_default_value and not isinstance(default, dagster_type):
        raise InvalidDefinitionError(
            f"Type check failed for the default_value of InputDefinition {input_name} of type "
            f"{type_name}. Received value {default} of type {type(default)}",
            advice=f"Give a default of type {dagster_type.__name__}, or change the type.",
        )


@dataclass(frozen=True)
class In:
    """An op input: its type, description, default and metadata."""

    dagster_type: Any = None
    description: str | None = None
    default_value: Any = NO_DEFAULT
    metadata: Mapping[str, Any] = field(default_factory=dict)
    asset_key: Any = None
    asset_partitions: Any = None
    input_manager_key: str | None = None

    def __post_init__(self) -> None:
        _check_type(self.dagster_type)
        if self.has_default_value and self.dagster_type is Nothing:
            raise InvalidDefinitionError(
                "Setting a default_value is invalid on InputDefinitions of type Nothing",
                advice="An input of type Nothing carries no value; drop default_value=.",
            )

    @property
    def has_default_value(self) -> bool:
        return self.default_value is not NO_DEFAULT


@dataclass(frozen=True)
class Out:
    """An op output: its type, description and metadata."""

    dagster_type: Any = None
    description: str | None = None
    is_required: bool = True
    io_manager_key: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    code_version: str | None = None

    def __post_init__(self) -> None:
        _check_type(self.dagster_type)


@dataclass(frozen=True)
class DynamicOut(Out):
    """An output that yields any number of ``DynamicOutput``s, each with a mapping key."""


class DynamicOutput(Generic[_T]):
    """One value of a ``DynamicOut``, told apart from its siblings by ``mapping_key``.

    ``list[DynamicOutput[int]]`` as an op's return annotation makes its output dynamic.
    """

    __slots__ = ("mapping_key", "metadata", "output_name", "value")

    def __init__(
        self,
        value: Any,
        mapping_key: str,
        output_name: str = "result",
        metadata: Mapping[str, Any] | None = None,
    ) -> None:
        if not mapping_key or not mapping_key.replace("_", "a").isalnum():
            raise InvalidDefinitionError(
                f"DynamicOutput mapping_key {mapping_key!r} must be letters, digits and "
                "underscores: it becomes part of a step's name."
            )
        self.value = value
        self.mapping_key = mapping_key
        self.output_name = output_name
        self.metadata = dict(metadata or {})

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, DynamicOutput)
            and self.value == other.value
            and self.mapping_key == other.mapping_key
            and self.output_name == other.output_name
            and self.metadata == other.metadata
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"DynamicOutput(value={self.value!r}, mapping_key={self.mapping_key!r}, "
            f"output_name={self.output_name!r})"
        )


def _is_context_param(name: str) -> bool:
    return name in ("context", "_context", "_", "ctx")


def _is_config_or_resource(annotation: Any) -> bool:
    """A ``Config`` or ``ConfigurableResource`` parameter: the op's config or a resource."""
    import sys

    module = sys.modules.get("nbassets.definitions.config")
    if module is None or not isinstance(annotation, type):
        return False
    return issubclass(annotation, (module.Config, module.ConfigurableResource))


# Names Dagster keeps for itself (with Python's keywords); an input may not take one.
RESERVED_NAMES = frozenset(
    {
        "context",
        "conf",
        "config",
        "meta",
        "arg_dict",
        "dict",
        "input_arg_dict",
        "output_arg_dict",
        "int",
        "str",
        "float",
        "bool",
        "input",
        "output",
        "type",
    }
)


def _inputs_of(fn: Callable[..., Any], ins: Mapping[str, In], name: str) -> dict[str, In]:
    """Each input, in parameter order, with its type and default filled in."""
    for input_name in ins:
        if input_name in RESERVED_NAMES or keyword.iskeyword(input_name):
            raise InvalidDefinitionError(
                f'"{input_name}" is not a valid name in Dagster. It conflicts with a Dagster or '
                f"python reserved keyword. Rename input '{input_name}' of op '{name}'."
            )
    params = list(inspect.signature(fn).parameters.values())
    if params and _is_context_param(params[0].name):
        params = params[1:]
    hints = annotations_of(fn)
    found: dict[str, In] = {}
    takes_kwargs = False
    for param in params:
        if param.kind is inspect.Parameter.VAR_POSITIONAL:
            raise InvalidDefinitionError(
                f"@op '{name}' decorated function has positional vararg parameter "
                f"'*{param.name}'. @op decorated functions should only have keyword arguments "
                "that match input names and, if system information is required, a first "
                "positional parameter named 'context'.",
                advice="Name each input as a parameter of its own.",
            )
        if param.kind is inspect.Parameter.VAR_KEYWORD:
            takes_kwargs = True
            continue
        annotation = hints.get(param.name, NO_DEFAULT)
        if param.name not in ins and (
            _is_config_or_resource(annotation) or _is_resource_param(annotation)
        ):
            continue
        if annotation is None or annotation is type(None):
            raise InvalidDefinitionError(
                f"Input '{param.name}' of op '{name}' is annotated with Nothing (None): such an "
                "input carries no value. Declare it ins={'"
                f"{param.name}': In(Nothing)}} and drop the parameter."
            )
        given = ins.get(param.name, In())
        # An annotation that did not resolve stays a string: it names no type here.
        unresolved = isinstance(annotation, str)
        if given.dagster_type is None and not unresolved and _not_a_value_type(annotation):
            raise InvalidDefinitionError(
                f"Problem using type '{annotation}' from type annotation for argument "
                f"'{param.name}', correct the issue or explicitly set the dagster_type via In().",
                advice="Annotate it with the value's own type (a list, a dict, a class...).",
            )
        if given.dagster_type is None and annotation is not NO_DEFAULT and not unresolved:
            given = replace(given, dagster_type=annotation)
        if not given.has_default_value and param.default is not NO_DEFAULT:
            given = replace(given, default_value=param.default)
        _check_default(param.name, given)
        found[param.name] = given
    for input_name, spec in ins.items():
        if input_name in found:
            continue
        if spec.dagster_type is Nothing or takes_kwargs:
            found[input_name] = spec
            continue
        raise InvalidDefinitionError(
            f"Op '{name}' declares ins['{input_name}'], but its function has no parameter "
            f"'{input_name}'. Add the parameter or drop it from ins."
        )
    return found


def _outputs_of(fn: Callable[..., Any], out: Any) -> dict[str, Out]:
    returns = annotations_of(fn).get("return", NO_DEFAULT)
    if isinstance(returns, str):
        returns = NO_DEFAULT  # an annotation that did not resolve names no type here
    if _origin_name(returns) == "DynamicOutput" or returns is DynamicOutput:
        raise InvalidInvocationError(
            "Op annotated with return type DynamicOutput. DynamicOutputs can only be returned "
            "in the context of a List. If only one output is needed, use the Output API.",
            advice="Annotate the return as list[DynamicOutput[...]].",
        )
    explicit = isinstance(out, Out) and out.dagster_type is not None
    if not explicit and _not_a_return_type(returns):
        raise InvalidDefinitionError(
            f"Problem using type '{returns}' from return type annotation, correct the issue or "
            "explicitly set the dagster_type via Out().",
            advice="Annotate the return with the value's own type, or Iterator[Output] for a "
            "generator.",
        )
    if out is None:
        out = DynamicOut() if _is_dynamic_list(returns) else Out()
    if isinstance(out, Out):
        if out.dagster_type is None and returns is not NO_DEFAULT:
            out = replace(out, dagster_type=_unwrap_output(returns))
        return {"result": _with_io_manager(out)}
    outs = dict(out)
    args = typing.get_args(returns) if returns is not NO_DEFAULT else ()
    if len(outs) > 1 and returns not in (NO_DEFAULT, None) and not _is_generator_type(returns):
        if typing.get_origin(returns) is not tuple:
            raise InvalidInvocationError(
                "Expected Tuple annotation for multiple outputs, but received non-tuple "
                f"annotation {returns}."
            )
        if len(args) != len(outs):
            raise InvalidInvocationError(
                "Expected Tuple annotation to have number of entries matching the number of "
                f"outputs for more than one output. Expected {len(outs)} outputs but "
                f"annotation has {len(args)}."
            )
    if len(outs) > 1 and len(args) == len(outs) and typing.get_origin(returns) is tuple:
        outs = {
            name: spec
            if spec.dagster_type is not None
            else replace(spec, dagster_type=_unwrap_output(arg))
            for (name, spec), arg in zip(outs.items(), args, strict=True)
        }
    return {name: _with_io_manager(spec) for name, spec in outs.items()}


def _not_a_value_type(annotation: Any) -> bool:
    """Annotations Dagster cannot type a value by: iterators, callables, unions of types."""
    if annotation is NO_DEFAULT:
        return False
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return len([a for a in typing.get_args(annotation) if a is not type(None)]) > 1
    return _origin_name(annotation) in ("Iterator", "Iterable", "Generator", "Callable")


def _not_a_return_type(annotation: Any) -> bool:
    # A generator's annotation (Iterator[Output], Generator[...]) says how it returns.
    if _origin_name(annotation) in ("Iterator", "Generator") or annotation in (
        typing.Iterator,
        typing.Generator,
    ):
        return False
    return _not_a_value_type(annotation)


def _origin_name(annotation: Any) -> str:
    return getattr(typing.get_origin(annotation), "__name__", "")


def _is_dynamic_list(annotation: Any) -> bool:
    """``list[DynamicOutput[...]]`` (or ``list[DynamicOutput]``): a dynamic output."""
    if typing.get_origin(annotation) is not list:
        return False
    args = typing.get_args(annotation)
    return bool(args) and (args[0] is DynamicOutput or _origin_name(args[0]) == "DynamicOutput")


def generic_output_names(fn: Callable[..., Any], outs: Mapping[str, Out]) -> frozenset[str]:
    """The outputs annotated ``Output[...]``: their function must return ``Output`` objects."""
    returns = annotations_of(fn).get("return", NO_DEFAULT)
    names = list(outs)
    if _origin_name(returns) == "Output":
        return frozenset(names[:1]) if len(names) == 1 else frozenset()
    if typing.get_origin(returns) is tuple and len(names) > 1:
        args = typing.get_args(returns)
        return frozenset(
            n for n, a in zip(names, args, strict=False) if _origin_name(a) == "Output"
        )
    return frozenset()


def _is_generator_type(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    return getattr(origin, "__name__", "") in ("Iterator", "Generator", "Iterable")


def _unwrap_output(annotation: Any) -> Any:
    """``Output[int]``, ``list[DynamicOutput[int]]`` and ``Iterator[Output[int]]`` are ``int``."""
    if _is_dynamic_list(annotation):
        annotation = typing.get_args(annotation)[0]
        if annotation is DynamicOutput:
            return None
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is not None and getattr(origin, "__name__", "") in ("Output", "DynamicOutput"):
        return args[0] if args else None
    if origin is not None and getattr(origin, "__name__", "") in ("Iterator", "Generator"):
        return None
    return annotation


def _with_io_manager(spec: Out) -> Out:
    return spec if spec.io_manager_key else replace(spec, io_manager_key="io_manager")


class OpDefinition:
    """A function with named inputs and outputs, run inside a graph or called directly."""

    def __init__(
        self,
        compute_fn: Callable[..., Any] | None = None,
        name: str | None = None,
        ins: Mapping[str, In] | None = None,
        outs: Mapping[str, Out] | None = None,
        description: str | None = None,
        config_schema: Any = None,
        required_resource_keys: Iterable[str] | None = None,
        tags: Mapping[str, Any] | None = None,
        version: str | None = None,
        retry_policy: Any = None,
        code_version: str | None = None,
        pool: str | None = None,
        *,
        fn: Callable[..., Any] | None = None,
        out: Any = None,
        decorated: bool = False,
    ) -> None:
        compute_fn = compute_fn if compute_fn is not None else fn
        self._declared_ins = list(ins or {})
        if not callable(compute_fn):
            raise InvalidDefinitionError("OpDefinition needs compute_fn, the op's function.")
        self.compute_fn = compute_fn
        self.name = name or compute_fn.__name__
        self.decorated = decorated
        if decorated:
            self.ins = _inputs_of(compute_fn, dict(ins or {}), self.name)
            self.outs = _outputs_of(compute_fn, outs if outs is not None else out)
            self.generic_outputs = generic_output_names(compute_fn, self.outs)
            self._describe_from_docstring(compute_fn.__doc__)
            if code_version or version:
                self.outs = {
                    n: o if o.code_version else replace(o, code_version=code_version or version)
                    for n, o in self.outs.items()
                }
        else:
            # Dagster's explicit form: compute_fn(context, inputs) yields Outputs.
            self.generic_outputs = frozenset()
            self.ins = dict(ins or {})
            self.outs = {
                n: _with_io_manager(o) for n, o in (outs if outs is not None else {}).items()
            }
        self.description = description or inspect.getdoc(compute_fn)
        self.tags = dict(tags or {})
        _check_tags(self.tags, f"op '{self.name}'")
        self.required_resource_keys = frozenset(required_resource_keys or ())
        if config_schema is not None:
            from nbassets.definitions.config_schema import check_config_schema

            check_config_schema(config_schema)
        self.config_schema = config_schema
        self.retry_policy = retry_policy
        self.version = code_version or version
        if pool is not None and not re.fullmatch(r"\S+", pool):
            raise InvalidDefinitionError(
                f'Pool "{pool}" is not a valid pool name. It must match the regex ^\\S+$ '
                "(no spaces)."
            )
        self.pool = pool
        params = list(inspect.signature(compute_fn).parameters)
        self.takes_context = decorated and bool(params) and _is_context_param(params[0])
        if not decorated:
            self.takes_context = True
        # The function's own name and docstring, as Dagster keeps them (name= renames the op).
        self.__name__ = getattr(compute_fn, "__name__", self.name)
        self.__doc__ = compute_fn.__doc__
        self.__wrapped__ = compute_fn

    def _describe_from_docstring(self, doc: str | None) -> None:
        """Descriptions from the docstring's Args/Returns, where In/Out give none."""
        if not doc:
            return
        docs = doc_sections(doc)
        self.ins = {
            name: replace(spec, description=docs.params[name])
            if spec.description is None and name in docs.params
            else spec
            for name, spec in self.ins.items()
        }
        if len(self.outs) == 1 and docs.returns:
            name, spec = next(iter(self.outs.items()))
            if spec.description is None:
                self.outs = {name: replace(spec, description=docs.returns)}

    # Dagster's introspection ---------------------------------------------------------

    @property
    def fn(self) -> Callable[..., Any]:
        return self.compute_fn

    @property
    def input_names(self) -> list[str]:
        return list(self.ins)

    @property
    def positional_inputs(self) -> list[str]:
        return list(self.ins)

    @property
    def input_defs(self) -> list[InputDefinition]:
        """The inputs, those declared in ``ins=`` first (Dagster's order)."""
        declared = [n for n in self._declared_ins if n in self.ins]
        order = declared + [n for n in self.ins if n not in declared]
        return [
            InputDefinition(
                name,
                dagster_type_of(_annotation(self.ins[name])),
                dict(self.ins[name].metadata),
                self.ins[name].asset_key,
                self.ins[name].description,
            )
            for name in order
        ]

    @property
    def output_defs(self) -> list[OutputDefinition]:
        return [
            OutputDefinition(
                name,
                dagster_type_of(_annotation(spec)),
                dict(spec.metadata),
                spec.description,
                spec.code_version,
                spec.io_manager_key or "io_manager",
                spec.is_required,
                isinstance(spec, DynamicOut),
            )
            for name, spec in self.outs.items()
        ]

    @property
    def output_dict(self) -> dict[str, OutputDefinition]:
        return {d.name: d for d in self.output_defs}

    @property
    def input_dict(self) -> dict[str, InputDefinition]:
        return {d.name: d for d in self.input_defs}

    def input_def_named(self, name: str) -> InputDefinition:
        return self.input_dict[name]

    def output_def_named(self, name: str) -> OutputDefinition:
        return self.output_dict[name]

    def has_output(self, name: str) -> bool:
        return name in self.outs

    @property
    def op(self) -> OpHandle:
        return OpHandle(
            self.name,
            self.tags,
            description=self.description,
            version=self.version,
            retry_policy=self.retry_policy,
            pool=self.pool,
            required_resource_keys=self.required_resource_keys,
            input_defs=tuple(self.input_defs),
            output_defs=tuple(self.output_defs),
        )

    # Configured calls inside a graph ---------------------------------------------------

    def alias(self, name: str) -> Any:
        from nbassets.definitions.graphs import PendingInvocation, check_node_name

        return PendingInvocation(self, alias_name=check_node_name(name))

    def tag(self, tags: Mapping[str, Any]) -> Any:
        from nbassets.definitions.graphs import PendingInvocation

        return PendingInvocation(self, tags=tags)

    def with_hooks(self, hook_defs: Iterable[Any]) -> Any:
        from nbassets.definitions.graphs import PendingInvocation

        return PendingInvocation(self, hooks=frozenset(hook_defs))

    def with_retry_policy(self, retry_policy: Any) -> Any:
        from nbassets.definitions.graphs import PendingInvocation

        return PendingInvocation(self, retry_policy=retry_policy)

    # Calls -----------------------------------------------------------------------------

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from nbassets.definitions.graphs import current_composition, invoke_in_composition

        if current_composition() is not None:
            return invoke_in_composition(self, args, kwargs)
        from nbassets.engine.op_runs import invoke_op_directly

        return invoke_op_directly(self, args, kwargs)

    def __repr__(self) -> str:
        return f"<OpDefinition {self.name}>"


def _annotation(spec: In | Out) -> Any:
    return spec.dagster_type if spec.dagster_type is not None else NO_DEFAULT


def op(
    compute_fn: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    description: str | None = None,
    ins: Mapping[str, In] | None = None,
    out: Out | Mapping[str, Out] | None = None,
    config_schema: Any = None,
    required_resource_keys: Iterable[str] | None = None,
    tags: Mapping[str, Any] | None = None,
    retry_policy: Any = None,
    code_version: str | None = None,
    version: str | None = None,
    pool: str | None = None,
) -> Any:
    """Define an op from a function, as Dagster's ``@op``."""

    def build(fn: Callable[..., Any]) -> OpDefinition:
        if isinstance(fn, OpDefinition):
            fn = fn.compute_fn
        return OpDefinition(
            fn,
            name=name,
            ins=ins,
            out=out,
            description=description,
            tags=tags,
            required_resource_keys=required_resource_keys,
            config_schema=config_schema,
            retry_policy=retry_policy,
            code_version=code_version or version,
            pool=pool,
            decorated=True,
        )

    return build(compute_fn) if compute_fn is not None else build
