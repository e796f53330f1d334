"""The whole Dagster module: setup code, assets, checks and ``Definitions``.

Responsibilities:
- Give every exported function a Python name that clashes with nothing.
- Find the name of each ``@asset`` written in a plain cell (it is in the setup
  code already) so ``Definitions`` can list it.
- Hand resources over: each resource an asset uses must be a variable the
  setup code defines, given to ``Definitions`` by name; the IO manager is
  Dagster's ``FilesystemIOManager``.
- ``dg_defs``: for a ``dg`` project's ``defs/`` folder, where assets and
  checks are found at module level and resources come from a
  ``@dg.definitions`` function.
"""

from __future__ import annotations

import keyword
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nbassets.definitions.assets import AssetsDefinition
from nbassets.export.asset_code import asset_function, check_function, literal
from nbassets.export.problems import Problems
from nbassets.export.setup_code import SetupBlock, top_level_names
from nbassets.graph.registry import Registry

__all__ = ["ModuleParts", "module_source"]

_LAST = float("inf")  # a cell whose position is unknown goes after the ones we know


@dataclass(frozen=True)
class ModuleParts:
    """What a module is made of, before it is written as text."""

    title: str
    setup: Sequence[SetupBlock]
    labels: Mapping[str | None, str]  # cell id -> "cell 5 (id orders)"
    positions: Mapping[str | None, float]  # cell id -> its index in the notebook
    namespace: Mapping[str, Any]


def _identifier(name: str) -> str:
    text = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
    if not text or text[0].isdigit() or keyword.iskeyword(text):
        text = "_" + text
    return text


def _unique(wanted: str, taken: set[str]) -> str:
    name, number = wanted, 2
    while name in taken:
        name = f"{wanted}_{number}"
        number += 1
    taken.add(name)
    return name


def _bound_name(value: Any, namespace: Mapping[str, Any]) -> str | None:
    for name, bound in namespace.items():
        if bound is value and not name.startswith("_"):
            return name
    return None


def _list(names: Sequence[str], pad: str) -> str:
    one_line = "[" + ", ".join(names) + "]"
    if len(one_line) <= 80:
        return one_line
    return "[\n" + "".join(f"{pad}        {name},\n" for name in names) + pad + "    ]"


def _mapping(items: Sequence[str], pad: str) -> str:
    return "{\n" + "".join(f"{pad}    {item},\n" for item in items) + pad + "}"


def _header(title: str, dg_defs: bool) -> str:
    how = (
        "Written for the defs/ folder of a `dg` project (`dg check defs`, `dg dev`):\n"
        "dg loads what the `defs` function at the end returns."
        if dg_defs
        else "Run it with `dagster dev -f THIS_FILE`, or materialize from a shell with\n"
        "`dagster asset materialize -f THIS_FILE --select '*'`."
    )
    return (
        f'"""Dagster assets exported from {title} by nbassets.\n\n{how}\n"""\n\n'
        "from typing import Any\n\nimport dagster as dg\n"
    )


def module_source(
    registry: Registry, parts: ModuleParts, problems: Problems, *, dg_defs: bool = False
) -> str:
    """The module's text; problems are noted in ``problems`` (the caller raises)."""
    setup_names: set[str] = set()
    for block in parts.setup:
        setup_names |= top_level_names(block.code)
    taken = set(setup_names) | {"dg", "Any", "defs", "resources"}
    functions: list[tuple[float, str]] = []
    asset_names: list[str] = []
    check_names: list[str] = []
    resources: dict[str, str] = {}
    seen: set[int] = set()
    for key in registry.keys():
        entry = registry.definition_for(key)
        if not isinstance(entry, AssetsDefinition) or id(entry) in seen:
            continue
        seen.add(id(entry))
        if entry.origin.get("source") is None:
            name = _bound_name(entry, parts.namespace)
            if name is None or name not in setup_names:
                problems.add(
                    f"asset {key.to_user_string()}",
                    "defined outside the notebook's cells (in an imported module?); import it "
                    "in a setup cell under a name",
                )
            else:
                asset_names.append(name)
            continue
        label = parts.labels.get(entry.origin.get("cell_id"), f"asset {key.to_user_string()}")
        function = _unique(_identifier(key.path[-1]), taken)
        code = asset_function(entry, label, function, setup_names, problems)
        if code is not None:
            functions.append((parts.positions.get(entry.origin.get("cell_id"), _LAST), code))
            asset_names.append(function)
        for resource in sorted(entry.required_resource_keys | set(entry.io_manager_keys.values())):
            if resource == "io_manager":
                continue
            if resource not in setup_names:
                problems.add(
                    f"{label} (%%asset {key.to_user_string()})",
                    f"resource '{resource}' must be a variable a setup cell defines "
                    f"({resource} = ...), so the module can give it to Dagster",
                )
            resources[resource] = resource
    for check in registry.checks:
        if check.origin.get("source") is None:
            name = _bound_name(check, parts.namespace)
            if name is not None and name in setup_names:
                check_names.append(name)
            continue
        label = parts.labels.get(check.origin.get("cell_id"), f"check {check.name}")
        function = _unique(_identifier(check.name), taken)
        code = check_function(check, label, function, problems)
        if code is not None:
            functions.append((parts.positions.get(check.origin.get("cell_id"), _LAST), code))
            check_names.append(function)
    body = [(block.position, f"# From {block.label}\n{block.code}") for block in parts.setup]
    body += functions
    body.sort(key=lambda item: item[0])  # stable: equal positions keep their order
    chunks = [_header(parts.title, dg_defs), *(text for _, text in body)]
    resource_items = ['"io_manager": dg.FilesystemIOManager()'] + [
        f"{literal(k)}: {v}" for k, v in sorted(resources.items())
    ]
    pad = "    " if dg_defs else ""
    lines = [f"{pad}defs = dg.Definitions(", f"{pad}    assets={_list(asset_names, pad)},"]
    if check_names:
        lines.append(f"{pad}    asset_checks={_list(check_names, pad)},")
    lines.append(f"{pad}    resources={_mapping(resource_items, pad + '    ')},")
    lines.append(f"{pad})")
    if dg_defs:
        # dg reads a module's @dg.definitions function instead of its module-level assets.
        lines[0] = lines[0].replace("defs = ", "return ")
        lines.insert(0, "@dg.definitions\ndef defs() -> dg.Definitions:")
    chunks.append("\n".join(lines) + "\n")
    return "\n\n".join(c.rstrip("\n") + "\n" for c in chunks)
