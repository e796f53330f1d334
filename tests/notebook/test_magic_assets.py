"""`%assets` and its subcommands through a real IPython shell."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError

from nbassets import AssetKey

K = AssetKey


def formats(value):
    return repr(value), value._repr_html_()


def test_catalog_as_text_and_html(sales):
    catalog = sales.ok("%assets")
    text, page = formats(catalog)
    assert text.splitlines()[0] == "3 assets"
    assert text.splitlines()[1].split() == [
        "key", "group", "kinds", "status", "last", "run", "duration", "partitions"
    ]
    assert text.splitlines()[3].split()[:4] == ["orders", "sales", "pandas", "materialized"]
    assert "<table>" in page and '<td style="text-align:left">revenue</td>' in page
    # Each column has one alignment, header included: text left, durations right.
    assert '<th style="text-align:left">key</th>' in page
    assert '<th style="text-align:right">duration</th>' in page
    start = text.splitlines()[1].index("duration")
    cells = [line[start : start + len("duration")] for line in text.splitlines()[3:]]
    assert all(c.startswith(" ") and c.endswith("s") for c in cells), cells  # "  0.001s"


def test_catalog_escapes_user_strings(shell):
    # Kinds and tags are refused with such characters (as Dagster does); a key part is not.
    shell.ok("from nbassets import AssetKey, asset")
    shell.ok("@asset(key=AssetKey(['<b>x']))\ndef odd():\n    return 1")
    page = shell.ok("%assets")._repr_html_()
    assert "&lt;b&gt;x" in page and "<b>x" not in page


def test_show_says_why_stale_with_the_code_diff(sales):
    sales.ok("%%asset --group sales --kinds pandas --no-run\norders = [3, 4, 6]")
    sales.ok("%materialize orders")
    sales.ok("%%asset --no-run\nrevenue = sum(orders) * 2")
    view = sales.ok("%assets show revenue")
    text = repr(view)
    assert "status: stale" in text
    assert "stale because:" in text
    assert "-revenue = sum(orders)" in text and "+revenue = sum(orders) * 2" in text
    report = repr(sales.ok("%assets show report"))
    assert "stale because: upstream 'revenue'" in report
    assert "<b>Stale because</b>" in view._repr_html_()


def test_show_reports_an_upstream_rematerialized_after(sales):
    # Equal data (the same data version) leaves revenue fresh; other data does not.
    sales.ok("%materialize orders")
    assert "status: materialized" in repr(sales.ok("%assets show revenue"))
    sales.ip.user_ns["offset"] = 1
    line = "%%asset --group sales --kinds pandas --code-version same\n"
    sales.ok(line + "orders = [3, 4, 5 + offset]")
    sales.ok("%materialize revenue")
    sales.ok(line + "orders = [3, 4, 5]")
    assert "upstream 'orders' was materialized after it" in repr(sales.ok("%assets show revenue"))


def test_value_history_remove_reset(sales, capsys):
    assert sales.ok("%assets value revenue") == 12
    sales.ok("%materialize revenue")
    history = repr(sales.ok("%assets history revenue"))
    assert history.splitlines()[0] == "History of revenue: 2 materialization(s)"
    sales.ok("%assets remove report")
    assert "Removed report." in capsys.readouterr().out
    assert "report" not in sales.ns and K("report") not in sales.registry
    sales.ok("%assets reset")
    assert "Removed all 2 assets and their values." in capsys.readouterr().out
    assert len(sales.registry) == 0
    assert repr(sales.ok("%assets")) == "No assets defined yet: write an %%asset cell."


def test_accept_marks_fresh_without_running(sales, capsys):
    sales.ok("%%asset --group sales --no-run\nrevenue = sum(list(orders))")
    assert sales.registry.status(K("revenue")) == "stale"
    sales.ok("%assets accept revenue")
    assert "revenue is marked fresh" in capsys.readouterr().out
    assert sales.registry.status(K("revenue")) == "materialized"


def test_config_autorun(shell, capsys):
    shell.ok("%assets config")
    shell.ok("%assets config autorun=off")
    shell.ok("%assets config autorun=on")
    assert capsys.readouterr().out.split() == ["autorun=on", "autorun=off", "autorun=on"]


def test_debug_binds_inputs_and_offers_the_body(sales, capsys):
    sales.ns.pop("orders")
    sales.ok("%assets debug revenue")
    assert sales.ns["orders"] == [3, 4, 5]
    assert "Bound the inputs of revenue: orders." in capsys.readouterr().out
    # A terminal pre-fills the next prompt; Jupyter gets a new cell (tested with a kernel).
    assert sales.ip.rl_next_input.strip() == "revenue = sum(orders)"


def test_debug_of_a_function_says_what_to_call(shell, capsys):
    shell.ok("%%asset\nbase = 2")
    shell.ok("%%asset\ndef twice(base):\n    return base * 2")
    capsys.readouterr()
    shell.ok("%assets debug twice")
    assert "Call twice(base) to step into it." in capsys.readouterr().out


def test_lineage_text_or_svg(sales):
    view = sales.ok("%assets lineage")
    assert repr(view).splitlines() == [
        "orders [materialized]",
        "revenue [materialized]  <- orders",
        "report [materialized]  <- revenue",
    ]
    svg = getattr(view, "_repr_svg_", None)
    if svg is not None:  # graphviz's dot is installed
        assert "<svg" in svg()
    assert repr(sales.ok("%assets lineage revenue+")).count("\n") == 1


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("shwo orders", "Unknown %assets command 'shwo'. Did you mean 'show'?"),
        ("show", "%assets show takes one asset key"),
        ("show ordrs", "Unknown asset 'ordrs'"),
        ("value", "%assets value takes one asset key"),
        ("value orders --partition", "the partition key is missing"),
        ("config autorun=maybe", "autorun takes on or off; got 'maybe'"),
        ("config speed=on", "unknown setting 'speed'"),
        ("lineage 'orders+*'", "Invalid selection"),
        ("persist --keep 0", "N must be a whole number of 1 or more"),
        ("wipe", "Turn it on first: %assets persist [DIR]"),
        ("value orders --version", "the version id is missing"),
    ],
)
def test_mistakes(sales, line, message):
    error = sales.error(f"%assets {line}")
    assert isinstance(error, UsageError)
    assert message in str(error)


def test_value_of_an_unmaterialized_asset_says_what_to_do(shell):
    shell.ok("%%asset --no-run\nlater = 1")
    error = shell.error("%assets value later")
    assert "Materialize it first: %materialize later" in str(error)
