"""Which names a cell body reads from outside itself.

Responsibilities:
- The free names of a cell body: names it, or any function, lambda, class or
  comprehension nested in it, reads without the body binding them.
- The names the body reads at its top level before it first binds them
  (``orders = orders.dropna()``): once the body runs as a function such a read
  can only mean the outer value, so they count as free too.
- Source order: names are reported in the order they first appear.

Python's own ``symtable`` decides scoping, so every binding form (imports,
``for``/``with``/``except`` targets, walrus, ``match`` captures, ``del``,
``global``) is handled exactly as the compiler handles it.
"""

from __future__ import annotations

import ast
import symtable
from collections.abc import Iterable, Sequence

__all__ = ["read_before_bound", "scope_names"]

# Scopes whose bodies do not run at the cell's own level when the statement runs.
_DEFERRED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_COMPOUND: tuple[type[ast.stmt], ...] = (
    ast.If,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.Try,
    ast.With,
    ast.AsyncWith,
    ast.Match,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
)
if hasattr(ast, "TryStar"):  # Python 3.11+
    _COMPOUND = (*_COMPOUND, ast.TryStar)


def scope_names(
    source: str, tree: ast.Module, filename: str
) -> tuple[tuple[str, ...], frozenset[str]]:
    """Return the names ``tree`` (parsed from ``source``) reads but does not bind.

    A name bound anywhere at the body's top level is not free, with one
    exception: a name read at the top level before its first binding (see
    ``read_before_bound``). Names declared ``global`` are never free: they
    name the notebook namespace on purpose. Builtins are included; the caller
    decides which free names are assets.

    Args:
        source: The body's source text (``symtable`` needs text, not a tree).
        tree: ``ast.parse(source)``.
        filename: Used only in messages of the (already ruled out) syntax errors.

    Returns:
        The free names in order of first appearance in the source, and the
        subset of them that the body also binds (read before bound).
    """
    top = symtable.symtable(source, filename, "exec")
    bound = {
        s.get_name()
        for s in top.get_symbols()
        if s.is_local()
        or s.is_assigned()
        or s.is_imported()
        or s.is_namespace()
        or s.is_declared_global()
    }
    read: set[str] = set()
    _collect_global_reads(top, read)
    # Only a name the top level both reads and binds can be read before it is bound.
    read_and_bound = {
        s.get_name()
        for s in top.get_symbols()
        if s.is_referenced() and s.get_name() in bound and not s.is_declared_global()
    }
    early = read_before_bound(tree.body, read_and_bound)
    return _in_source_order((read - bound) | early, tree), frozenset(early)


def _collect_global_reads(table: symtable.SymbolTable, out: set[str]) -> None:
    for sym in table.get_symbols():
        if sym.is_referenced() and sym.is_global() and not sym.is_declared_global():
            out.add(sym.get_name())
    for child in table.get_children():
        _collect_global_reads(child, out)


def read_before_bound(stmts: Sequence[ast.stmt], local_names: Iterable[str]) -> set[str]:
    """Return the local names some top-level simple statement reads before any binding.

    Only reads that certainly run before the first binding count: reads in a
    top-level simple statement (not inside ``if``/``for``/``def`` and the like,
    nor in a lambda or generator), with no earlier top-level statement binding
    the name. ``x = x + 1`` as the first binding of ``x`` is such a read.
    """
    pending = set(local_names)  # candidates not yet bound by an earlier statement
    early: set[str] = set()
    for stmt in stmts:
        if not pending:
            break
        if not isinstance(stmt, _COMPOUND):
            hits = pending.intersection(_immediate_reads(stmt))
            if hits:
                walrus = {
                    n.target.id
                    for n in ast.walk(stmt)
                    if isinstance(n, ast.NamedExpr) and isinstance(n.target, ast.Name)
                }
                early |= hits - walrus
        pending -= _bindings(stmt)
    return early


def _immediate_reads(node: ast.AST) -> list[str]:
    """Names loaded at the node's own scope, when the node runs."""
    if isinstance(node, _DEFERRED):
        return []
    if isinstance(node, _COMPREHENSIONS):
        # Only the first iterable is evaluated in the enclosing scope.
        return _immediate_reads(node.generators[0].iter)
    if isinstance(node, ast.Name):
        return [node.id] if isinstance(node.ctx, ast.Load) else []
    names: list[str] = []
    if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
        names.append(node.target.id)
    for child in ast.iter_child_nodes(node):
        names.extend(_immediate_reads(child))
    return names


def _bindings(node: ast.AST) -> set[str]:
    """Names a statement binds at its own scope (nested scopes excluded)."""
    names: set[str] = set()
    _Binder(names).visit(node)
    return names


class _Binder(ast.NodeVisitor):
    def __init__(self, names: set[str]) -> None:
        self.names = names

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            self.names.add(node.id)

    def _visit_def(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        self.names.add(node.name)

    visit_FunctionDef = _visit_def
    visit_AsyncFunctionDef = _visit_def
    visit_ClassDef = _visit_def

    def visit_Lambda(self, node: ast.Lambda) -> None:
        return

    def _visit_comprehension(self, node: ast.AST) -> None:
        # A walrus inside a comprehension binds in the enclosing scope.
        for inner in ast.walk(node):
            if isinstance(inner, ast.NamedExpr) and isinstance(inner.target, ast.Name):
                self.names.add(inner.target.id)

    visit_ListComp = _visit_comprehension
    visit_SetComp = _visit_comprehension
    visit_DictComp = _visit_comprehension
    visit_GeneratorExp = _visit_comprehension

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.names.add(alias.asname or alias.name.split(".")[0])

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            if alias.name != "*":
                self.names.add(alias.asname or alias.name)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self.names.add(node.name)
        self.generic_visit(node)

    def visit_MatchAs(self, node: ast.MatchAs) -> None:
        if node.name:
            self.names.add(node.name)
        self.generic_visit(node)

    def visit_MatchStar(self, node: ast.MatchStar) -> None:
        if node.name:
            self.names.add(node.name)

    def visit_MatchMapping(self, node: ast.MatchMapping) -> None:
        if node.rest:
            self.names.add(node.rest)
        self.generic_visit(node)


def _in_source_order(names: set[str], tree: ast.Module) -> tuple[str, ...]:
    """Order names by their first read, so ``size = limit`` lists ``limit`` first."""
    first_read: dict[str, tuple[int, int, int]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in names:
            # Reads rank before other mentions (an augmented assignment's target).
            where = (0 if isinstance(node.ctx, ast.Load) else 1, node.lineno, node.col_offset)
            if node.id not in first_read or where < first_read[node.id]:
                first_read[node.id] = where
    far = (2, 0, 0)
    return tuple(sorted(names, key=lambda n: (first_read.get(n, far), n)))
