"""One ``%%asset`` or ``%%asset_check`` cell as the Dagster function a user would write.

Responsibilities:
- ``asset_function``: ``@dg.asset(...)`` with every option the cell's line
  gives (key, prefix, group, deps, ins, tags, metadata, kinds, owners,
  description, code version, partitions, retry policy, IO manager) over a
  function whose parameters are its inputs, ``context``, ``config`` and
  resources, and whose body is the cell's, its value returned.
- ``check_function``: ``@dg.asset_check(...)`` returning an ``AssetCheckResult``
  (a cell may give a bool).
- ``partitions_source``: a partitions definition as Dagster code.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Collection
from typing import Any

from nbassets.definitions.assets import AssetsDefinition
from nbassets.definitions.checks import AssetChecksDefinition
from nbassets.definitions.keys import AssetKey
from nbassets.export.problems import Problems
from nbassets.export.source_text import indent
from nbassets.notebook.cell_body import python_name
from nbassets.notebook.cell_options import parse_asset_line

__all__ = ["asset_function", "check_function", "literal", "partitions_source"]

_PLAIN_PARTITIONS = (
    "DailyPartitionsDefinition",
    "HourlyPartitionsDefinition",
    "WeeklyPartitionsDefinition",
    "MonthlyPartitionsDefinition",
    "StaticPartitionsDefinition",
)


def literal(value: Any) -> str:
    """``value`` as Python source, strings in double quotes as most code writes them."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, (set, frozenset)):
        return "{" + ", ".join(literal(v) for v in sorted(value, key=str)) + "}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    return repr(value)


def _key(key: AssetKey) -> str:
    return literal(key.path[0]) if len(key.path) == 1 else literal(list(key.path))


def partitions_source(definition: Any) -> str | None:
    """``dg.DailyPartitionsDefinition(start_date='2024-01-01')``; None when not plain."""
    name = type(definition).__name__
    if name not in _PLAIN_PARTITIONS:
        return None
    return "dg." + repr(definition)


def _body(cell: str) -> str:
    """The cell's body (the registry keeps it without the magic's line)."""
    return cell


def _returning(body: str, wrap: str = "{}") -> str:
    """The statements with their value returned (``wrap`` formats the returned expression)."""
    tree = ast.parse(body)
    lines = body.splitlines(keepends=True)
    last = tree.body[-1] if tree.body else None
    if isinstance(last, ast.Expr):
        first, end = last.lineno, last.end_lineno or last.lineno
        segment = ast.get_source_segment(body, last) or ""  # with its parentheses
        head = lines[first - 1][: last.col_offset]
        tail = lines[end - 1][last.end_col_offset or 0 :]
        new = head + "return " + wrap.format(segment) + tail.rstrip("\n") + "\n"
        return "".join(lines[: first - 1]) + new + "".join(lines[end:])
    text = body.rstrip("\n") + "\n"
    if isinstance(last, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        target = last.targets[-1] if isinstance(last, ast.Assign) else last.target
        if isinstance(target, ast.Name):
            text += "return " + wrap.format(target.id) + "\n"
    return text


def _annotate(def_source: str, wanted: dict[str, str]) -> str:
    """Add annotations to the def's parameters named in ``wanted`` that have none."""
    tree = ast.parse(def_source)
    fn = tree.body[0]
    assert isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))
    lines = def_source.splitlines(keepends=True)
    edits = []
    for arg in [*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs]:
        if arg.arg in wanted and arg.annotation is None:
            edits.append((arg.lineno, arg.col_offset + len(arg.arg), f": {wanted[arg.arg]}"))
    for line, col, text in sorted(edits, reverse=True):
        lines[line - 1] = lines[line - 1][:col] + text + lines[line - 1][col:]
    return "".join(lines)


def _kwargs(pairs: list[tuple[str, str]]) -> str:
    if not pairs:
        return ""
    one_line = ", ".join(f"{k}={v}" for k, v in pairs)
    if len(one_line) <= 70:
        return f"({one_line})"
    return "(\n" + "".join(f"    {k}={v},\n" for k, v in pairs) + ")"


def asset_function(
    definition: AssetsDefinition,
    label: str,
    function_name: str,
    setup_names: Collection[str],
    problems: Problems,
) -> str | None:
    """The ``@dg.asset`` function for an ``%%asset`` cell; None (and a problem) if it cannot be."""
    origin = definition.origin
    cell, line, form = origin["source"], origin.get("line", ""), origin.get("form")
    options = parse_asset_line(line)
    key = next(iter(definition.keys))
    where = f"{label} (%%asset {key.to_user_string()})"
    pairs: list[tuple[str, str]] = []
    if function_name != key.path[-1] or len(key.path) > 1:
        pairs.append(("key", _key(key)))
    output = definition.outputs[0]
    if output.group_name != "default":
        pairs.append(("group_name", literal(output.group_name)))
    inputs = {i.name: i.key for i in definition.inputs}
    ins = {local: k for local, k in inputs.items() if k != AssetKey([local])}
    if ins:
        mapped = ", ".join(f"{literal(n)}: dg.AssetIn({_key(k)})" for n, k in ins.items())
        pairs.append(("ins", "{" + mapped + "}"))
    if definition.deps:
        deps = (
            _key(d.asset_key) if len(d.asset_key.path) == 1 else f"dg.AssetKey({_key(d.asset_key)})"
            for d in definition.deps
        )
        pairs.append(("deps", "[" + ", ".join(deps) + "]"))
    if options.description:
        pairs.append(("description", literal(options.description)))
    for name, value in (("tags", options.tags), ("metadata", options.metadata)):
        if value:
            pairs.append((name, literal(dict(value))))
    if options.kinds:
        pairs.append(("kinds", literal(set(options.kinds))))
    if options.owners:
        pairs.append(("owners", literal(list(options.owners))))
    if options.partitions is not None:
        if options.partitions in setup_names:
            pairs.append(("partitions_def", options.partitions))
        else:
            source = partitions_source(definition.partitions_def)
            if source is None:
                problems.add(
                    where,
                    f"--partitions {options.partitions}: define the PartitionsDefinition in a "
                    "setup cell and name it (--partitions NAME), so the module can too",
                )
                return None
            pairs.append(("partitions_def", source))
    if options.retries:
        delay = f", delay={options.retry_delay!r}" if options.retry_delay else ""
        pairs.append(("retry_policy", f"dg.RetryPolicy(max_retries={options.retries}{delay})"))
    if options.io_manager:
        pairs.append(("io_manager_key", literal(options.io_manager)))
    pairs.append(("code_version", literal(definition.effective_code_version(key))))
    annotations: dict[str, str] = {}
    if options.config is not None:
        if options.config.split(".")[0] not in setup_names:
            problems.add(where, f"--config {options.config} is not defined in a setup cell")
            return None
        annotations["config"] = options.config
    for resource in options.resources:
        annotations[resource] = "dg.ResourceParam[Any]"
    decorator = "@dg.asset" + _kwargs(pairs)
    if form == "function":
        source = _annotate(_body(cell).strip("\n") + "\n", annotations)
        tree = ast.parse(source)
        fn = tree.body[0]
        assert isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))
        if fn.decorator_list:
            problems.add(where, "a decorated def in an %%asset cell; write it without decorators")
            return None
        if fn.name != function_name:
            lines = source.splitlines(keepends=True)
            lines[fn.lineno - 1] = lines[fn.lineno - 1].replace(
                f"def {fn.name}", f"def {function_name}", 1
            )
            source = "".join(lines)
        return decorator + "\n" + source
    body = _body(cell)
    params = ["context: dg.AssetExecutionContext"] if _reads(body, "context") else []
    params += list(inputs)
    params += [f"{name}: {kind}" for name, kind in annotations.items()]
    return f"{decorator}\ndef {function_name}({', '.join(params)}):\n" + indent(
        _returning(body.strip("\n") + "\n")
    )


def _reads(body: str, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(ast.parse(body)))


def check_function(
    check: AssetChecksDefinition, label: str, function_name: str, problems: Problems
) -> str | None:
    """The ``@dg.asset_check`` function for an ``%%asset_check`` cell."""
    cell = check.origin["source"]
    body = _body(cell).strip("\n") + "\n"
    local = python_name(check.asset_key.to_user_string())
    pairs = [("asset", _key(check.asset_key)), ("name", literal(check.name))]
    if check.blocking:
        pairs.append(("blocking", "True"))
    description = getattr(check.spec, "description", None)
    if description and not _docstring(body):
        pairs.append(("description", literal(description)))
    decorator = "@dg.asset_check" + _kwargs(pairs)
    tree = ast.parse(body)
    if len(tree.body) == 1 and isinstance(tree.body[0], (ast.FunctionDef, ast.AsyncFunctionDef)):
        problems.add(
            f"{label} (%%asset_check {check.check_key.to_user_string()})",
            "a check written as a def; write its body as statements ending in the verdict",
        )
        return None
    last = tree.body[-1] if tree.body else None
    gives_result = (
        isinstance(last, ast.Expr)
        and isinstance(last.value, ast.Call)
        and "AssetCheckResult" in ast.unparse(last.value.func)
    )
    is_bool = (
        isinstance(last, ast.Expr)
        and isinstance(last.value, ast.Call)
        and isinstance(last.value.func, ast.Name)
        and last.value.func.id == "bool"
    )
    wrap = "dg.AssetCheckResult(passed={})" if is_bool else "dg.AssetCheckResult(passed=bool({}))"
    wrap = "{}" if gives_result else wrap
    return f"{decorator}\ndef {function_name}({local}):\n" + indent(_returning(body, wrap))


def _docstring(body: str) -> bool:
    tree = ast.parse(body)
    return ast.get_docstring(tree) is not None and len(tree.body) > 1
