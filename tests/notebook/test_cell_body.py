from __future__ import annotations

import inspect

import pytest

from nbassets.errors import InvalidDefinitionError
from nbassets.notebook.cell_body import (
    analyze_cell,
    compile_cell,
    python_name,
    resolve_name,
)
from nbassets.notebook.cell_traceback import cell_filename

# (body, free names in order of first appearance)
FREE_NAME_CASES = [
    ("orders.groupby('day').amount.sum()", ("orders",)),
    ("len(rows)", ("len", "rows")),  # builtins are reported; the caller picks assets
    # comprehension locals are not free, what they read is
    ("[x * k for x in xs if x]", ("k", "xs")),
    ("{key: v for key, v in pairs.items()}", ("pairs",)),
    ("sum(a * b for a, b in zip(left, right))", ("sum", "zip", "left", "right")),
    # lambda parameters are not free
    ("f = lambda a: a + b\nf(c)", ("b", "c")),
    # a nested def: its free names count, its locals and the cell's own names do not
    ("def helper(a):\n    return a + rate\nvalue = helper(orders)", ("rate", "orders")),
    ("rate = 2\ndef scale(a):\n    return a * rate\nscale(orders)", ("orders",)),
    # every binding form
    (
        "import pandas as pd\n"
        "import os.path\n"
        "from math import sqrt as root\n"
        "for i in items:\n"
        "    pass\n"
        "with opener() as fh:\n"
        "    pass\n"
        "try:\n"
        "    pass\n"
        "except Err as e:\n"
        "    pass\n"
        "if (n := count) > 0:\n"
        "    pass\n"
        "[pd, os, root, i, fh, e, n]",
        ("items", "opener", "Err", "count"),
    ),
    ("[y := v for v in vals]\ny", ("vals",)),  # walrus binds in the cell
    ("match point:\n    case (px, py):\n        pass\npx + py", ("point",)),
    # `global` names the notebook namespace on purpose: never an input
    ("global counter\ncounter = counter + 1\ncounter", ()),
    # a class body is not visible from its methods
    (
        "class Holder:\n    size = limit\n    def get(self):\n        return size\nHolder",
        ("limit", "size"),
    ),
    (
        "def outer():\n"
        "    total = 0\n"
        "    def inner():\n"
        "        nonlocal total\n"
        "        total += step\n"
        "    inner()\n"
        "    return total\n"
        "outer()",
        ("step",),
    ),
    # assigned anywhere in the body: not free ...
    ("if flag:\n    label = 'a'\nelse:\n    label = 'b'\nlabel", ("flag",)),
    # ... unless read before the first assignment, which can only mean the outer value
    ("orders = orders.dropna()\norders", ("orders",)),
    ("print(total)\ntotal = 1", ("print", "total")),
    # the function form: decorators, defaults and body globals
    ("@cache\ndef orders(raw, n=limit):\n    return clean(raw)[:n]", ("cache", "limit", "clean")),
]


@pytest.mark.parametrize(("body", "expected"), FREE_NAME_CASES)
def test_free_names(body: str, expected: tuple[str, ...]) -> None:
    assert analyze_cell(body).free_names == expected


def test_names_read_before_assignment_are_reported_as_rebound() -> None:
    analysis = analyze_cell("orders = orders.dropna()\nrows = len(orders)\nrows")
    assert analysis.rebound_names == ("orders",)
    assert analyze_cell("orders = load()\norders").rebound_names == ()


@pytest.mark.parametrize(
    ("body", "value_from", "name"),
    [
        ("orders.amount.sum()", "expression", None),
        ("import pandas as pd\norders = pd.DataFrame()", "assignment", "orders"),
        ("orders: list[int] = [1, 2]", "assignment", "orders"),
        ("total = 0\ntotal += 5", "assignment", "total"),
        ("a, b = 1, 2", "none", None),
        ("a = b = 1", "none", None),
        ("if flag:\n    return 1\nelse:\n    return 2", "return", None),
        ("for i in range(3):\n    pass", "none", None),
    ],
)
def test_statements_value_and_inferred_name(body: str, value_from: str, name: str | None) -> None:
    analysis = analyze_cell(body)
    assert analysis.form == "statements"
    assert (analysis.value_from, analysis.inferred_name) == (value_from, name)
    assert analysis.parameters == ()


def test_leading_string_is_the_docstring_when_code_follows() -> None:
    analysis = analyze_cell('"""Orders per day.\n\n    Cleaned."""\norders = 1')
    assert analysis.docstring == "Orders per day.\n\nCleaned."
    lone = analyze_cell('"hello"')  # the only statement is the value, not a description
    assert (lone.docstring, lone.value_from) == (None, "expression")


def test_single_def_is_the_function_form() -> None:
    body = (
        "# loads events\n"
        "@decorate\n"
        "def events(context, orders, *rest, limit=3, **extra):\n"
        '    """Raw events."""\n'
        "    return orders\n"
    )
    analysis = analyze_cell(body)
    assert analysis.form == "function"
    assert analysis.inferred_name == "events"
    assert analysis.docstring == "Raw events."
    assert analysis.parameters == ("context", "orders", "rest", "limit", "extra")
    assert analysis.uses_context and not analysis.uses_config
    assert analysis.input_candidates() == ("orders", "rest", "limit", "extra")


def test_async_def_is_the_function_form() -> None:
    assert analyze_cell("async def fetch(url):\n    return url").form == "function"


def test_context_must_be_the_first_parameter_to_receive_the_context() -> None:
    analysis = analyze_cell("def a(orders, context, config):\n    return 1")
    assert not analysis.uses_context
    assert analysis.uses_config


def test_reserved_locals_in_statements() -> None:
    analysis = analyze_cell("context.log.info('x')\nconfig.limit + rows")
    assert analysis.uses_context and analysis.uses_config
    assert analysis.input_candidates(resources=["rows"]) == ()
    assert analysis.input_candidates() == ("rows",)
    assigned = analyze_cell("context = 3\ncontext")
    assert not assigned.uses_context


def test_syntax_error_shows_cell_line_and_caret() -> None:
    body = "import pandas as pd\norders = pd.read_csv('a.csv'\n"
    with pytest.raises(InvalidDefinitionError) as info:
        analyze_cell(body, cell_name="orders", first_line=2)
    message = str(info.value)
    assert message.startswith(
        "Syntax error in the %%asset cell for 'orders', cell line 3: '(' was never closed"
    )
    assert message.splitlines()[1:] == [
        "    orders = pd.read_csv('a.csv'",
        "                        ^",
    ]


def test_errors_the_compiler_finds_also_point_at_the_cell_line() -> None:
    with pytest.raises(InvalidDefinitionError, match=r"cell line 4: no binding for nonlocal 'q'"):
        analyze_cell("a = 1\nnonlocal q\n", first_line=3)


def test_bare_top_level_return_is_allowed() -> None:
    analysis = analyze_cell("if rows:\n    return rows\nreturn []")
    assert analysis.value_from == "return"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("# just a comment\n", r"has no code"),
        (
            "import pandas as pd\ndef orders():\n    return pd.DataFrame()",
            r"ends with `def orders` \(cell line 2\) after other statements.*move the other",
        ),
        ("x = 1\nclass Model:\n    pass", r"ends with `class Model`"),
        ("for row in rows:\n    yield row", r"`yield` at the top.*\(cell line 2\).*single def"),
        ("await fetch()", r"`await` at the top"),
    ],
)
def test_shapes_no_asset_can_have(body: str, message: str) -> None:
    with pytest.raises(InvalidDefinitionError, match=message):
        analyze_cell(body)


def test_resolve_name() -> None:
    assert resolve_name(analyze_cell("1"), "sales/orders") == "sales/orders"
    assert resolve_name(analyze_cell("def events():\n    return 1"), None) == "events"
    assert resolve_name(analyze_cell("orders = 1"), None) == "orders"
    assert resolve_name(analyze_cell("def events():\n    return 1"), "renamed") == "renamed"
    assert python_name("sales/orders") == "orders"


def test_resolve_name_without_a_name_explains_the_three_ways() -> None:
    with pytest.raises(InvalidDefinitionError) as info:
        resolve_name(analyze_cell("orders.amount.sum()"), None)
    message = str(info.value)
    assert "`%%asset NAME`" in message
    assert "`def NAME(...)`" in message
    assert "`NAME = ...`" in message


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("sales//orders", r"non-empty strings"),
        ("sales/2024", r"last part '2024' must be a Python identifier"),
        ("class", r"not a keyword"),
        ("context", r"reserved"),
    ],
)
def test_resolve_name_rejects_unusable_names(name: str, message: str) -> None:
    with pytest.raises(InvalidDefinitionError, match=message):
        resolve_name(analyze_cell("1"), name)


def _compile(body: str, ns: dict[str, object], inputs: list[str] | None = None, **kw: object):  # type: ignore[no-untyped-def]
    analysis = analyze_cell(body, first_line=2)
    name = resolve_name(analysis, kw.pop("name", None))  # type: ignore[arg-type]
    return compile_cell(
        analysis,
        inputs=inputs or [],
        user_ns=ns,
        filename=cell_filename(name),
        name=name,
        **kw,  # type: ignore[arg-type]
    )


def test_statements_become_a_function_of_the_inputs() -> None:
    ns: dict[str, object] = {}
    fn = _compile("doubled = [x * 2 for x in orders]", ns, ["orders"])
    assert fn([1, 2]) == [2, 4]
    assert fn.__name__ == fn.__qualname__ == "doubled"
    assert list(inspect.signature(fn).parameters) == ["orders"]


def test_last_expression_is_the_value() -> None:
    fn = _compile("total = sum(orders)\ntotal * 10", {}, ["orders"], name="scaled")
    assert fn([1, 2]) == 30


def test_explicit_return_anywhere() -> None:
    body = "if not orders:\n    return 'none'\nfor o in orders:\n    if o < 0:\n        return o\n"
    fn = _compile(body, {}, ["orders"], name="first_negative")
    assert fn([]) == "none"
    assert fn([1, -4, -5]) == -4
    assert fn([1]) is None


def test_import_in_the_body_resolves_inside_the_function_only() -> None:
    ns: dict[str, object] = {}
    fn = _compile("import pandas as pd\nframe = pd.DataFrame({'a': rows})", ns, ["rows"])
    frame = fn([1, 2, 3])
    assert frame["a"].sum() == 6
    assert ns == {}


def test_helpers_resolve_in_the_user_namespace_at_run_time() -> None:
    ns: dict[str, object] = {"rate": lambda: 2}
    fn = _compile("scaled = [o * rate() for o in orders]", ns, ["orders"])
    assert fn([1, 2]) == [2, 4]
    ns["rate"] = lambda: 10  # re-running the helper's cell changes the asset's result
    assert fn([1, 2]) == [10, 20]
    assert set(ns) == {"rate"}


def test_parameters_are_context_inputs_config_then_resources() -> None:
    body = "context.log(config.limit)\nrows = db.query(orders, customers)"
    fn = _compile(body, {}, ["orders", "customers"], resources=["db"])
    assert list(inspect.signature(fn).parameters) == [
        "context",
        "orders",
        "customers",
        "config",
        "db",
    ]


def test_docstring_becomes_the_function_docstring() -> None:
    fn = _compile('"""Daily orders."""\norders = [1]', {})
    assert fn.__doc__ == "Daily orders."
    assert fn() == [1]


def test_rebound_name_works_when_it_is_an_input() -> None:
    fn = _compile("orders = [o for o in orders if o]\norders", {}, ["orders"], name="clean")
    assert fn([0, 1, 2]) == [1, 2]


def test_rebound_name_that_is_not_an_input_is_an_error() -> None:
    with pytest.raises(
        InvalidDefinitionError,
        match=r"reads 'limit' \(cell line 3\) before it assigns 'limit', and 'limit' is not an "
        r"upstream asset",
    ):
        _compile("x = 1\nlimit = limit * 2\nlimit", {"limit": 3}, name="doubled")


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        (["orders", "orders"], r"'orders' is passed to the asset body twice"),
        (["context"], r"'context' is passed to the asset body twice"),
        (["not-a-name"], r"must be Python identifiers"),
    ],
)
def test_unusable_inputs(inputs: list[str], message: str) -> None:
    with pytest.raises(InvalidDefinitionError, match=message):
        _compile("context\norders", {}, inputs, name="a")


def test_function_form_defines_the_def_with_user_ns_as_globals() -> None:
    ns: dict[str, object] = {"factor": 3}
    body = "def tripled(orders):\n    return [o * factor for o in orders]\n"
    fn = _compile(body, ns)
    assert fn([1]) == [3]
    assert fn.__globals__ is ns
    assert set(ns) == {"factor"}  # neither the def nor __builtins__ leaked in
    ns["factor"] = 5
    assert fn([1]) == [5]


def test_function_form_runs_decorators_from_the_namespace() -> None:
    def shout(f):  # type: ignore[no-untyped-def]
        return lambda *a: str(f(*a)).upper()

    fn = _compile("@shout\ndef greeting(name):\n    return 'hi ' + name", {"shout": shout})
    assert fn("ada") == "HI ADA"


def test_compiling_does_not_change_the_analysis() -> None:
    analysis = analyze_cell("orders = 1\norders")
    compile_cell(analysis, inputs=[], user_ns={}, filename=cell_filename("orders"))
    again = compile_cell(analysis, inputs=[], user_ns={}, filename=cell_filename("orders"))
    assert again() == 1
    assert analysis.tree.body[0].lineno == 1
