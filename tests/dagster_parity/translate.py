"""Load one of Dagster's test modules against nbassets, statement by statement.

The import swap, all of it:

* ``import dagster as dg`` / ``import dagster`` bind the ``nbassets`` module;
* ``from dagster import X`` binds ``nbassets.X``;
* a name imported from an internal module path that nbassets exports publicly
  (``from dagster._core.definitions import AssetSelection``) binds nbassets' name:
  Dagster's tests often import public classes from where they are defined;
* two helpers of ``dagster._core.test_utils`` that only set warning filters
  (``raise_exception_on_warnings``, ``ignore_warning``) get equivalents of ours:
  they are test tooling, not Dagster behaviour;
* every other Dagster module (``dagster._core...``, ``dagster_shared``...) is an
  internal: its names are bound to markers that raise ``InternalNeeded`` when used,
  and so is ``dg._anything``;
* ``dagster_tests.*`` (Dagster's test helpers) import from the sdist through this
  same swap, and a name imported from one brings along the internals it reaches.

Each top-level statement runs on its own, so one failing definition does not hide
the module's other tests. A test is then judged by the module-level names it reaches
(its body, decorators, fixtures by parameter name, transitively through helpers):
reaching an internal makes it out of scope (skipped with the internal's name);
reaching a public name nbassets lacks, or a definition that failed, fails it before
it runs with that reason. Everything else runs as written.
"""

from __future__ import annotations
import __future__

import ast
import builtins
import functools
import sys
import types
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbassets

PUBLIC_MODULE = "dagster"
# Dagster's test helpers, imported from the sdist through this same swap (SdistTestsFinder).
HELPERS_PACKAGE = "dagster_tests"
# Every translated module by name, so a name imported from a helper brings its verdict.
_LOADED: dict[str, LoadedModule] = {}


def _is_dagster_module(dotted: str) -> bool:
    top = dotted.split(".")[0]
    return top.startswith(PUBLIC_MODULE) and top != HELPERS_PACKAGE


def _raise_exception_on_warnings() -> None:
    warnings.simplefilter("error")


def _ignore_warning(message_substr: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorator(test: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(test)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            warnings.filterwarnings("ignore", message=message_substr)
            return test(*args, **kwargs)

        return wrapper

    return decorator


HARNESS_EQUIVALENTS: dict[str, Any] = {
    "dagster._core.test_utils.raise_exception_on_warnings": _raise_exception_on_warnings,
    "dagster._core.test_utils.ignore_warning": _ignore_warning,
}


class InternalNeeded(Exception):
    """Raised when a test's code touches a Dagster internal."""


class _Internal:
    """Stands for a name imported from a Dagster internal module."""

    def __init__(self, dotted: str) -> None:
        self._dotted = dotted

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise InternalNeeded(f"needs Dagster internal {self._dotted}")

    __call__ = __getitem__ = __iter__ = __enter__ = _refuse

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return _Internal(f"{self._dotted}.{name}")

    def __mro_entries__(self, bases: tuple[Any, ...]) -> tuple[type, ...]:
        raise InternalNeeded(f"needs Dagster internal {self._dotted}")


@dataclass
class Verdict:
    """What the loader found about one module-level name."""

    kind: str  # "internal" | "missing" | "broken"
    reason: str


@dataclass
class LoadedModule:
    """A translated test module and what each of its top-level names reaches."""

    module: types.ModuleType
    uses: dict[str, set[str]] = field(default_factory=dict)
    verdicts: dict[str, Verdict] = field(default_factory=dict)

    def verdict_for(self, start: set[str]) -> Verdict | None:
        """The first internal, else missing or broken, name reachable from ``start``."""
        seen: set[str] = set()
        stack = sorted(start)
        found: list[Verdict] = []
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            if name in self.verdicts:
                found.append(self.verdicts[name])
            stack.extend(sorted(self.uses.get(name, set()) - seen))
        for kind in ("internal", "missing", "broken"):
            for verdict in found:
                if verdict.kind == kind:
                    return verdict
        return None


def _bound_names(node: ast.stmt) -> set[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in node.names}
    names: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
            names.add(sub.id)
    return names


def _used_names(node: ast.AST, dagster_aliases: set[str], prefix: str) -> set[str]:
    """Names read in ``node``, with ``dg.X`` recorded as the pseudo-name ``prefix+X``."""
    used: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            used.add(sub.id)
        elif isinstance(sub, ast.arg):
            used.add(sub.arg)  # a fixture is reached by its parameter's name
        elif (
            isinstance(sub, ast.Attribute)
            and isinstance(sub.value, ast.Name)
            and sub.value.id in dagster_aliases
        ):
            used.add(prefix + sub.attr)
    return used


def _placeholder(name: str, reason: str) -> Any:
    def broken() -> None:
        raise AssertionError(reason)

    broken.__name__ = broken.__qualname__ = name
    return broken


def _future_flags(tree: ast.Module) -> int:
    flags = 0
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            for alias in node.names:
                flags |= getattr(__future__, alias.name).compiler_flag
    return flags


def _take_helper_verdicts(node: ast.stmt, loaded: LoadedModule) -> None:
    """A name imported from a translated helper module brings what that name reaches."""
    if not isinstance(node, ast.ImportFrom) or node.level or node.module not in _LOADED:
        return
    helper = _LOADED[node.module]
    for alias in node.names:
        verdict = helper.verdict_for({alias.name})
        if verdict is not None:
            loaded.verdicts.setdefault(alias.asname or alias.name, verdict)


def load(path: Path, module_name: str, *, package: bool = False) -> LoadedModule:
    """Translate and run the test module at ``path`` under ``module_name``.

    With ``package`` the module is a package (``path`` is its ``__init__.py``), so its
    submodules import, and relative imports resolve, as they would from the sdist.
    """
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    module = types.ModuleType(module_name)
    module.__file__ = str(path)
    module.__package__ = module_name if package else module_name.rpartition(".")[0]
    if package:
        module.__path__ = [str(path.parent)]
    # Registered like any imported module: code under test finds a function's module
    # through sys.modules (load_assets_from_current_module, inspect.getmodule).
    sys.modules[module_name] = module
    namespace = module.__dict__
    loaded = LoadedModule(module)
    _LOADED[module_name] = loaded
    aliases: set[str] = set()
    prefix = "\0dg."  # cannot clash with a Python identifier
    # Each statement is compiled on its own: give it the module's own __future__
    # flags, not this file's (its `annotations` import would turn every annotation
    # of Dagster's tests into a string).
    flags = _future_flags(tree)

    def run(node: ast.stmt) -> None:
        code = compile(ast.Module([node], []), str(path), "exec", flags=flags, dont_inherit=True)
        exec(code, namespace)

    for node in tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                if alias.name == PUBLIC_MODULE:
                    namespace[bound] = nbassets
                    aliases.add(bound)
                elif _is_dagster_module(alias.name):
                    namespace[bound] = _Internal(alias.name)
                    loaded.verdicts[bound] = Verdict("internal", f"needs {alias.name}")
                else:
                    run(node)
            continue
        if isinstance(node, ast.ImportFrom) and _is_dagster_module(node.module or ""):
            for alias in node.names:
                bound = alias.asname or alias.name
                public = node.module == PUBLIC_MODULE and not alias.name.startswith("_")
                if public and hasattr(nbassets, alias.name):
                    namespace[bound] = getattr(nbassets, alias.name)
                elif public:
                    loaded.verdicts[bound] = Verdict(
                        "missing", f"nbassets lacks Dagster's public name {alias.name}"
                    )
                elif hasattr(nbassets, alias.name) and not alias.name.startswith("_"):
                    namespace[bound] = getattr(nbassets, alias.name)
                elif f"{node.module}.{alias.name}" in HARNESS_EQUIVALENTS:
                    namespace[bound] = HARNESS_EQUIVALENTS[f"{node.module}.{alias.name}"]
                else:
                    dotted = f"{node.module}.{alias.name}"
                    namespace[bound] = _Internal(dotted)
                    loaded.verdicts[bound] = Verdict("internal", f"needs {dotted}")
            continue
        bound = _bound_names(node)
        uses = _used_names(node, aliases, prefix)
        for name in bound:
            loaded.uses.setdefault(name, set()).update(uses - {name})
        try:
            run(node)
        except InternalNeeded as exc:
            verdict = Verdict("internal", str(exc))
        except Exception as exc:  # noqa: BLE001 - reported per test, not swallowed
            verdict = Verdict("broken", f"line {node.lineno} failed: {type(exc).__name__}: {exc}")
        else:
            _take_helper_verdicts(node, loaded)
            continue
        for name in bound:
            loaded.verdicts.setdefault(name, verdict)
            if name.startswith(("test", "Test")) and name not in namespace:
                namespace[name] = _placeholder(name, verdict.reason)

    for name in {u for used in loaded.uses.values() for u in used if u.startswith(prefix)}:
        attribute = name[len(prefix) :]
        if attribute.startswith("_"):
            loaded.verdicts[name] = Verdict("internal", f"needs dagster.{attribute}")
        elif not hasattr(nbassets, attribute):
            loaded.verdicts[name] = Verdict(
                "missing", f"nbassets lacks Dagster's public name {attribute}"
            )
    for name in list(loaded.uses):
        loaded.uses[name] = {u for u in loaded.uses[name] if not hasattr(builtins, u)}
    return loaded


def iter_test_names(loaded: LoadedModule) -> Iterator[str]:
    """Top-level names pytest would collect (for listings)."""
    for name in loaded.module.__dict__:
        if name.startswith(("test", "Test")):
            yield name


class SdistTestsFinder:
    """Imports ``dagster_tests.*`` helper modules (test packages of Dagster's tests, such
    as ``asset_package``) from the sdist, through the same import swap."""

    def __init__(self, root: Path) -> None:
        self.root = root  # the sdist's dagster_tests folder

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        import importlib.machinery

        if fullname != "dagster_tests" and not fullname.startswith("dagster_tests."):
            return None
        base = self.root.parent.joinpath(*fullname.split("."))
        if (base / "__init__.py").exists():
            return importlib.machinery.ModuleSpec(
                fullname, _SdistLoader(base / "__init__.py", package=True), is_package=True
            )
        if base.with_suffix(".py").exists():
            return importlib.machinery.ModuleSpec(
                fullname, _SdistLoader(base.with_suffix(".py"), package=False)
            )
        return None


class _SdistLoader:
    def __init__(self, path: Path, package: bool) -> None:
        self.path = path
        self.package = package

    def create_module(self, spec: Any) -> types.ModuleType:
        return load(self.path, spec.name, package=self.package).module

    def exec_module(self, module: types.ModuleType) -> None:
        """Already run by ``create_module`` (``load`` runs it statement by statement)."""
