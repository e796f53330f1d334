"""Turning an ``%%asset`` cell body into a plain Python function.

Responsibilities:
- ``analyze_cell``: parse a body, decide its form (statements or a single
  ``def``), and report the facts a registration needs: the name it implies,
  its docstring, the free names that may be upstream assets, its parameters,
  and whether it reads the reserved locals ``context`` and ``config``.
- ``resolve_name``: the asset's name from ``%%asset NAME`` or the body.
- ``compile_cell``: the function itself, compiled from the AST (never from
  pasted strings) under a cell filename, with the user namespace as globals,
  so tracebacks show the cell's own lines and helpers resolve at run time.

Nothing here knows about IPython, the registry or the engine.

Value of a statements body, in order of precedence: the last statement when it
is an expression; the name the last statement assigns (``orders = ...``, also
annotated or augmented); otherwise whatever an explicit ``return`` returns
(``None`` if none runs). A leading string literal followed by other statements
is the docstring (the asset's default description), not the value.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import keyword
import types
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from nbassets.definitions.keys import AssetKey
from nbassets.errors import InvalidDefinitionError
from nbassets.notebook._scopes import scope_names
from nbassets.notebook.cell_traceback import register_cell_source

__all__ = [
    "RESERVED_LOCALS",
    "CellAnalysis",
    "analyze_cell",
    "compile_cell",
    "python_name",
    "resolve_name",
]

RESERVED_LOCALS = ("context", "config")
"""Names a cell body may read that are never upstream assets."""

_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef)
_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)

Form = Literal["statements", "function"]
ValueFrom = Literal["expression", "assignment", "return", "none"]


@dataclass(frozen=True)
class CellAnalysis:
    """What a cell body is, before anything is registered or run.

    Attributes:
        source: The body exactly as given.
        form: ``"function"`` when the body is a single ``def``, else ``"statements"``.
        inferred_name: The def's name, or the one name the last statement assigns.
        docstring: The leading string literal, or the function's docstring.
        free_names: Names the body reads without binding them, in source order
            (builtins and reserved locals included; the caller picks the assets).
        parameters: The def's parameter names in order (empty for statements).
        uses_context: The asset wants ``context`` (statements: the body reads
            it; function: its first parameter is named ``context``).
        uses_config: The asset wants ``config`` (read, or a parameter).
        value_from: Where a statements body's value comes from (``"return"`` for
            a function).
        rebound_names: Free names the body also assigns, read before assigned
            (``orders = orders.dropna()``); they must be inputs to run.
        first_line: The cell line number of the body's first line.
        cell_name: Used in messages only.
    """

    source: str
    form: Form
    inferred_name: str | None
    docstring: str | None
    free_names: tuple[str, ...]
    parameters: tuple[str, ...]
    uses_context: bool
    uses_config: bool
    value_from: ValueFrom
    rebound_names: tuple[str, ...] = ()
    first_line: int = 1
    cell_name: str | None = None
    tree: ast.Module = field(default_factory=lambda: ast.Module([], []), repr=False, compare=False)

    def input_candidates(self, resources: Iterable[str] = ()) -> tuple[str, ...]:
        """Return the names that may name upstream assets.

        For a function these are its parameters; for statements, its free names.
        Reserved locals and the given resource names are left out.
        """
        names = self.parameters if self.form == "function" else self.free_names
        skip = set(RESERVED_LOCALS) | set(resources)
        return tuple(n for n in names if n not in skip)


def analyze_cell(source: str, *, cell_name: str | None = None, first_line: int = 1) -> CellAnalysis:
    """Parse an ``%%asset`` body and describe it.

    Args:
        source: The cell body (without the ``%%asset`` line).
        cell_name: The asset's name if known, for messages.
        first_line: The cell line number of the body's first line. The magic
            passes 2: in Jupyter the ``%%asset`` line is line 1.

    Returns:
        The analysis; ``compile_cell`` turns it into a function.

    Raises:
        InvalidDefinitionError: The body does not parse (the message shows the
            cell line and a caret), is empty, or has a shape no asset can have.
    """
    if first_line < 1:
        raise InvalidDefinitionError(f"first_line counts from 1; got {first_line}.")
    where = _Where(source, first_line, cell_name)
    try:
        tree = ast.parse(source, filename=where.filename)
    except SyntaxError as exc:
        raise where.syntax_error(exc) from exc
    if not tree.body:
        raise InvalidDefinitionError(
            f"The %%asset cell{where.named} has no code. Write the statements that compute "
            "the asset, or a single def, below the %%asset line."
        )
    if len(tree.body) == 1 and isinstance(tree.body[0], _DEFS):
        return _analyze_function(source, tree, where)
    return _analyze_statements(source, tree, where)


def _analyze_function(source: str, tree: ast.Module, where: _Where) -> CellAnalysis:
    fn = tree.body[0]
    assert isinstance(fn, _DEFS)
    where.check_compiles(tree)
    a = fn.args
    params = [p.arg for p in (*a.posonlyargs, *a.args)]
    if a.vararg:
        params.append(a.vararg.arg)
    params += [p.arg for p in a.kwonlyargs]
    if a.kwarg:
        params.append(a.kwarg.arg)
    free, rebound = scope_names(source, tree, where.filename)
    return CellAnalysis(
        source=source,
        form="function",
        inferred_name=fn.name,
        docstring=ast.get_docstring(fn),
        free_names=free,
        parameters=tuple(params),
        # Dagster's rule: a first parameter named `context` receives the context.
        uses_context=bool(params) and params[0] == "context",
        uses_config="config" in params,
        value_from="return",
        rebound_names=tuple(n for n in free if n in rebound),
        first_line=where.first_line,
        cell_name=where.cell_name,
        tree=tree,
    )


def _analyze_statements(source: str, tree: ast.Module, where: _Where) -> CellAnalysis:
    stmts = tree.body
    last = stmts[-1]
    if isinstance(last, (*_DEFS, ast.ClassDef)):
        kind = "class" if isinstance(last, ast.ClassDef) else "def"
        raise InvalidDefinitionError(
            f"The %%asset cell{where.named} ends with `{kind} {last.name}` (cell line "
            f"{where.line(last.lineno)}) after other statements, so it has no value. The body "
            "is either statements that end in the value, or a single def: move the other "
            "statements (imports too) inside the function, or into an ordinary cell."
        )
    for node in _own_scope(stmts):
        if isinstance(node, (ast.Yield, ast.YieldFrom, ast.Await)):
            word = "await" if isinstance(node, ast.Await) else "yield"
            raise InvalidDefinitionError(
                f"`{word}` at the top of the %%asset cell{where.named} (cell line "
                f"{where.line(node.lineno)}) is not supported in the statements form. "
                "Write the body as a single def (or async def) instead."
            )
    where.check_compiles(_wrap(stmts, "__nbassets_cell__", [], 1))
    docstring = None
    if len(stmts) > 1 and _is_string(stmts[0]):
        docstring = inspect.cleandoc(stmts[0].value.value)  # type: ignore[attr-defined]
    value_from, name = _value_of(stmts)
    free, rebound = scope_names(source, tree, where.filename)
    return CellAnalysis(
        source=source,
        form="statements",
        inferred_name=name,
        docstring=docstring,
        free_names=free,
        parameters=(),
        uses_context="context" in free,
        uses_config="config" in free,
        value_from=value_from,
        rebound_names=tuple(n for n in free if n in rebound),
        first_line=where.first_line,
        cell_name=where.cell_name,
        tree=tree,
    )


def _value_of(stmts: Sequence[ast.stmt]) -> tuple[ValueFrom, str | None]:
    last = stmts[-1]
    if isinstance(last, ast.Expr):
        return "expression", None
    target: ast.expr | None = None
    if isinstance(last, ast.Assign) and len(last.targets) == 1:
        target = last.targets[0]
    elif isinstance(last, (ast.AnnAssign, ast.AugAssign)) and last.value is not None:
        target = last.target
    if isinstance(target, ast.Name):
        return "assignment", target.id
    if any(isinstance(n, ast.Return) for n in _own_scope(stmts)):
        return "return", None
    return "none", None


def _own_scope(stmts: Sequence[ast.stmt]) -> Iterable[ast.AST]:
    """Walk the statements without entering nested functions, lambdas or classes."""
    todo: list[ast.AST] = list(stmts)
    while todo:
        node = todo.pop()
        yield node
        if not isinstance(node, _NESTED):
            todo.extend(ast.iter_child_nodes(node))


def _is_string(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    )


def python_name(name: str) -> str:
    """Return the Python name an asset is bound under: its key's last part."""
    return name.rsplit("/", 1)[-1]


def resolve_name(analysis: CellAnalysis, explicit: str | None) -> str:
    """Return the asset's name: ``explicit`` if given, else the one the body implies.

    Args:
        analysis: The analyzed body.
        explicit: NAME from ``%%asset NAME``; may be a multi-part key such as
            ``sales/orders`` (the bound Python name is then ``orders``).

    Raises:
        InvalidDefinitionError: No name can be found, or it is not usable as a
            key whose last part is a Python identifier.
    """
    if explicit is None:
        if analysis.inferred_name is None:
            raise InvalidDefinitionError(
                "This %%asset cell does not say which asset it defines. Name it in one of "
                "three ways: `%%asset NAME` on the first line; a body that is a single "
                "`def NAME(...)`; or a body whose last line assigns the value, `NAME = ...`."
            )
        check_asset_name(analysis.inferred_name)
        return analysis.inferred_name
    # Python reads identifiers in NFKC form (the ligature in `ﬁle` is `file`), so the
    # key must be the name downstream cells' code actually refers to.
    explicit = unicodedata.normalize("NFKC", explicit)
    check_asset_name(explicit)
    return explicit


def check_asset_name(name: str) -> None:
    """Raise ``InvalidDefinitionError`` unless ``name`` can name a cell's asset."""
    AssetKey.from_user_string(name)
    last = python_name(name)
    if not last.isidentifier() or keyword.iskeyword(last):
        raise InvalidDefinitionError(
            f"Asset name {name!r} cannot be bound in the notebook: its last part {last!r} "
            "must be a Python identifier (letters, digits and underscores, not a keyword)."
        )
    if last in RESERVED_LOCALS:
        raise InvalidDefinitionError(
            f"Asset name {name!r} is reserved: cell bodies read `{last}` as the run's "
            f"{last}. Choose another name."
        )
    if last in _NOTEBOOK_NAMES or hasattr(builtins, last) or _is_output_cache_name(last):
        raise InvalidDefinitionError(
            f"Asset name {name!r} would replace the notebook's own `{last}` (IPython's or "
            f"Python's), breaking later cells that use it. Choose another name, e.g. "
            f"{last.strip('_') or 'value'}_data."
        )


# Names IPython and nbassets put in the notebook namespace.
_NOTEBOOK_NAMES = frozenset(
    ["In", "Out", "get_ipython", "exit", "quit", "nbassets", "display", "_ih", "_oh", "_dh"]
)


def _is_output_cache_name(name: str) -> bool:
    """``_``, ``__``, ``_5``, ``_i5``, ``_ii``...: IPython's output and input caches."""
    stripped = name.lstrip("_")
    return (
        not stripped
        or (
            name.startswith("_")
            and (
                stripped.isdigit()
                or stripped in ("i", "ii", "iii")
                or (stripped.startswith("i") and stripped[1:].isdigit())
            )
        )
        or (name.startswith("__") and name.endswith("__"))
    )


def compile_cell(
    analysis: CellAnalysis,
    *,
    inputs: Sequence[str],
    user_ns: dict[str, Any],
    filename: str,
    name: str | None = None,
    resources: Sequence[str] = (),
    first_line: int | None = None,
) -> Callable[..., Any]:
    """Build the asset function a cell body defines.

    Statements form: a new function whose parameters are ``context`` (only if
    the body reads it), then ``inputs`` in order, then ``config`` (only if the
    body reads it), then ``resources``. Its globals are ``user_ns`` itself, so
    imports and helpers there are looked up each time it runs; nothing is added
    to ``user_ns``. It returns the body's value (see the module docstring).

    Function form: the ``def`` is executed with ``user_ns`` as globals
    (decorators and defaults run then) and the resulting object is returned;
    ``inputs``, ``name`` and ``resources`` are not used, its parameters rule.

    Either way the code is compiled under ``filename`` with line numbers of
    the cell, and the body is registered in ``linecache`` under that name.

    Args:
        analysis: From ``analyze_cell``.
        inputs: Names of the upstream values the body reads (free names that
            are assets, and ``--ins`` locals), in the order to pass them.
        user_ns: The notebook namespace.
        filename: Usually ``cell_filename(name)``.
        name: The asset's name; the function is named after its last part
            (default: the inferred name, else ``asset``).
        resources: Resource names the body reads as locals (``--resources``).
        first_line: Overrides ``analysis.first_line``.

    Raises:
        InvalidDefinitionError: An input or resource name is unusable, or the
            body reassigns a name it reads that is not an input.
    """
    line0 = analysis.first_line if first_line is None else first_line
    # Re-parsing behind blank lines gives a fresh tree at cell line numbers, far
    # cheaper than copying the analysis' tree and renumbering it.
    tree = ast.parse("\n" * (line0 - 1) + analysis.source, filename=filename)
    register_cell_source(filename, analysis.source, first_line=line0)
    if analysis.form == "function":
        return _define_function(tree, user_ns, filename)

    params = ["context"] if analysis.uses_context else []
    params += list(inputs)
    params += ["config"] if analysis.uses_config else []
    params += list(resources)
    _check_parameters(params)
    for local in analysis.rebound_names:
        if local not in params:
            raise InvalidDefinitionError(_rebound_message(analysis, local))

    stmts: list[ast.stmt] = list(tree.body)
    last = stmts[-1]
    if analysis.value_from == "expression":
        assert isinstance(last, ast.Expr)
        stmts[-1] = ast.copy_location(ast.Return(value=last.value), last)
    elif analysis.value_from == "assignment":
        assert analysis.inferred_name is not None
        value = ast.copy_location(ast.Name(id=analysis.inferred_name, ctx=ast.Load()), last)
        stmts.append(ast.copy_location(ast.Return(value=value), last))
    fn_name = python_name(name) if name else (analysis.inferred_name or "asset")
    module = _wrap(stmts, fn_name, params, line0)
    code = compile(module, filename, "exec", dont_inherit=True)
    body_code = next(
        c for c in code.co_consts if isinstance(c, types.CodeType) and c.co_name == fn_name
    )
    # FunctionType, not exec: exec would write the function and __builtins__ into user_ns.
    function = types.FunctionType(body_code, user_ns, fn_name)
    function.__qualname__ = fn_name
    function.__doc__ = analysis.docstring
    return function


def _define_function(
    tree: ast.Module, user_ns: dict[str, Any], filename: str
) -> Callable[..., Any]:
    fn = tree.body[0]
    assert isinstance(fn, _DEFS)
    code = compile(tree, filename, "exec", dont_inherit=True)
    scratch: dict[str, Any] = {}
    had_builtins = "__builtins__" in user_ns
    try:
        # Separate locals keep the def out of user_ns; the function's globals are user_ns.
        exec(code, user_ns, scratch)
    finally:
        if not had_builtins:
            user_ns.pop("__builtins__", None)
    defined: Callable[..., Any] = scratch[fn.name]
    return defined


def _check_parameters(params: Sequence[str]) -> None:
    seen: set[str] = set()
    for p in params:
        if not p.isidentifier() or keyword.iskeyword(p):
            raise InvalidDefinitionError(
                f"Cannot pass {p!r} to an asset body: input and resource names must be Python "
                "identifiers. Map a key to a local name with --ins local=key/path."
            )
        if p in seen:
            raise InvalidDefinitionError(
                f"{p!r} is passed to the asset body twice (as an input, a resource or a "
                "reserved local). Give each input and resource its own name."
            )
        seen.add(p)


def _rebound_message(analysis: CellAnalysis, local: str) -> str:
    line = min(
        n.lineno for n in ast.walk(analysis.tree) if isinstance(n, ast.Name) and n.id == local
    )
    return (
        f"The cell reads {local!r} (cell line {line + analysis.first_line - 1}) before it "
        f"assigns {local!r}, and {local!r} is not an upstream asset. In an %%asset body every "
        "name the body assigns is the asset's own local variable, so this read would fail; "
        f"give the new value another name, e.g. `{local}_2 = ...`."
    )


def _wrap(stmts: Sequence[ast.stmt], name: str, params: Sequence[str], lineno: int) -> ast.Module:
    """Return a module holding ``def name(*params): *stmts`` (statements unchanged)."""
    # Locations are set on the few new nodes by hand: fix_missing_locations would
    # walk the whole body.
    args = ast.arguments(
        posonlyargs=[],
        args=[ast.arg(arg=p, lineno=lineno, col_offset=0) for p in params],
        vararg=None,
        kwonlyargs=[],
        kw_defaults=[],
        kwarg=None,
        defaults=[],
    )
    fn = ast.FunctionDef(
        name=name, args=args, body=list(stmts), decorator_list=[], returns=None, type_comment=None
    )
    if "type_params" in ast.FunctionDef._fields:  # Python 3.12+
        fn.type_params = []  # type: ignore[attr-defined]
    fn.lineno, fn.col_offset = lineno, 0
    fn.end_lineno, fn.end_col_offset = stmts[-1].end_lineno, stmts[-1].end_col_offset
    return ast.Module(body=[fn], type_ignores=[])


class _Where:
    """Where a body sits in its cell, for messages that point at cell lines."""

    def __init__(self, source: str, first_line: int, cell_name: str | None) -> None:
        self.source = source
        self.first_line = first_line
        self.cell_name = cell_name
        self.filename = f"<asset {cell_name}>" if cell_name else "<asset cell>"
        self.named = f" for {cell_name!r}" if cell_name else ""

    def line(self, body_line: int) -> int:
        return body_line + self.first_line - 1

    def check_compiles(self, module: ast.Module) -> None:
        """Surface errors only the compiler finds (``nonlocal``, misplaced ``await``)."""
        try:
            compile(module, self.filename, "exec", dont_inherit=True)
        except SyntaxError as exc:
            raise self.syntax_error(exc) from exc

    def syntax_error(self, exc: SyntaxError) -> InvalidDefinitionError:
        lines = self.source.splitlines() or [""]
        body_line = min(max(exc.lineno or 1, 1), len(lines))
        text = lines[body_line - 1]
        message = (
            f"Syntax error in the %%asset cell{self.named}, cell line {self.line(body_line)}: "
            f"{exc.msg}\n    {text}"
        )
        if exc.offset and exc.lineno == body_line:
            start = min(max(exc.offset, 1), len(text) + 1)
            width = 1
            if exc.end_offset and exc.end_lineno == exc.lineno and exc.end_offset > start:
                width = exc.end_offset - start
            # Keep tabs so the caret lines up under the same characters.
            pad = "".join(c if c == "\t" else " " for c in text[: start - 1])
            message += f"\n    {pad}{'^' * width}"
        return InvalidDefinitionError(message)
