"""`%%asset` through a real IPython shell: forms, names, dependencies, options, autorun."""

from __future__ import annotations

import pandas as pd
import pytest
from IPython.core.error import UsageError

from nbassets import AssetKey
from nbassets.notebook.failures import RunFailedError

K = AssetKey


# Body forms and naming -------------------------------------------------------------------


def test_statements_form_binds_and_displays_the_value(shell, capsys):
    shown = shell.shown(
        "%%asset --group sales\n"
        "import pandas as pd\n"
        "orders = pd.DataFrame({'day': [1, 1, 2], 'amount': [3.0, 4.0, 5.0]})"
    )
    # display() gets the DataFrame itself, so Jupyter shows its usual table (and Out[N],
    # which would keep every run's value alive, does not hold it).
    assert isinstance(shown, pd.DataFrame)
    assert shell.ns["orders"] is shown
    assert "pd" not in shell.ns  # the body's imports stay local
    out = capsys.readouterr().out
    assert "orders · materialized in " in out and "DataFrame 3x2" in out


def test_last_expression_is_the_value_and_upstreams_are_in_the_summary(shell, capsys):
    shell.ok("%%asset\nbase = 20")
    assert shell.shown("%%asset doubled\nbase * 2") == 40
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert line.startswith("doubled · materialized in ") and line.endswith("int · upstream: base")


def test_function_form_takes_upstreams_from_parameters(shell):
    shell.ok("%%asset\nbase = 3")
    value = shell.shown('%%asset\ndef tripled(base):\n    """Three times."""\n    return base * 3')
    assert value == 9
    assert shell.registry.graph.parents(K("tripled")) == (K("base"),)
    assert shell.registry.definition_for("tripled").descriptions_by_key[K("tripled")] == (
        "Three times."
    )


def test_explicit_return_in_statements(shell):
    assert shell.shown("%%asset ret\nif True:\n    return 5\nx = 1") == 5


def test_multi_part_name_binds_the_last_part(shell, capsys):
    shell.ok("%%asset sales/raw\n4")
    assert shell.ns["raw"] == 4
    assert shell.registry.keys() == [K(["sales", "raw"])]


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("%%asset\nprint('hi')", "does not say which asset it defines"),
        ("%%asset context\n1", "Asset name 'context' is reserved"),
        ("%%asset 2x\n1", "must be a Python identifier"),
        ("%%asset\n# only a comment", "has no code"),
        ("%%asset\nx = (1 +", r"Syntax error in the %%asset cell, cell line 2"),
        ("%%asset\nx = 1\ndef f():\n    pass", "ends with `def f`"),
        ("%%asset a b\n1", "Unexpected 'b'"),
    ],
)
def test_naming_and_body_mistakes_are_usage_errors(shell, cell, message):
    error = shell.error(cell)
    assert isinstance(error, UsageError)
    assert message in str(error)
    assert len(shell.registry) == 0


# Dependencies -------------------------------------------------------------------------------


def test_free_names_that_are_assets_are_upstreams_and_others_are_not(shell):
    shell.ok("%%asset\na = 2")
    shell.ok("%%asset\nb = 3")
    shell.ok("def helper(v):\n    return v * 10")
    # `a` in the comprehension and `b` in the lambda are locals; `helper` is a notebook name.
    shell.ok("%%asset\nf = lambda b: b\nc = helper(a) + sum(a for a in [1]) + f(1)")
    assert shell.registry.graph.parents(K("c")) == (K("a"),)
    assert shell.ns["c"] == 22


def test_names_assigned_in_the_body_are_not_upstreams(shell):
    shell.ok("%%asset\na = 2")
    shell.ok("%%asset\na_local = 1\na2 = a_local + 1")
    shell.ok("%%asset\nfor a in range(3):\n    pass\nlast = a")
    assert shell.registry.graph.parents(K("a2")) == ()
    assert shell.registry.graph.parents(K("last")) == ()
    assert shell.ns["last"] == 2


def test_helpers_resolve_at_run_time(shell):
    shell.ok("def rate():\n    return 2")
    shell.ok("%%asset --no-run\nprice = 10 * rate()")
    shell.ok("def rate():\n    return 3")
    shell.ok("%materialize price")
    assert shell.ns["price"] == 30


def test_ins_maps_a_local_to_any_key_and_deps_add_ordering(shell):
    shell.ok("%%asset sales/raw\n4")
    shell.ok("%%asset --ins r=sales/raw\ncooked = r * 3")
    assert shell.ns["cooked"] == 12
    shell.ok("%%asset --deps cooked\nafter = 1")
    assert shell.registry.graph.parents(K("after")) == (K("cooked"),)


def test_an_ambiguous_name_says_which_ins_to_write(shell):
    shell.ok("%%asset eu/orders\n1")
    shell.ok("%%asset us/orders\n2")
    error = shell.error("%%asset\ntotal = orders")
    assert isinstance(error, UsageError)
    assert "--ins orders=eu/orders" in str(error)


def test_a_cell_that_reads_its_own_asset_is_refused(shell):
    shell.ok("%%asset\nclean = 1")
    error = shell.error("%%asset\nclean = clean + 1")
    assert isinstance(error, UsageError)
    assert "%%asset clean_clean" in str(error)
    assert shell.ns["clean"] == 1


# Options ------------------------------------------------------------------------------------


def test_every_descriptive_option_lands_on_the_definition(shell):
    shell.ok(
        "%%asset opt --group g1 --key-prefix sales eu --tags team=x tier=1 "
        "--metadata rows=3 ratio=0.5 source=csv --kinds pandas --owners me@x.com "
        "--description 'Two words' --code-version v1 --retries 2 --retry-delay 0\n1"
    )
    key = K(["sales", "eu", "opt"])
    node = shell.registry.graph.node(key)
    definition = shell.registry.definition_for(key)
    assert (node.group_name, dict(node.tags), set(node.kinds), tuple(node.owners)) == (
        "g1",
        {"team": "x", "tier": "1"},
        {"pandas"},
        ("me@x.com",),
    )
    assert definition.metadata_by_key[key] == {"rows": 3, "ratio": 0.5, "source": "csv"}
    assert definition.descriptions_by_key[key] == "Two words"
    assert definition.code_versions_by_key[key] == "v1"
    assert (definition.retry_policy.max_retries, definition.retry_policy.delay) == (2, 0.0)


def test_retries_rerun_the_body(shell, capsys):
    shell.ok("attempts = []")
    shell.ok(
        "%%asset --retries 2\n"
        "def flaky():\n"
        "    attempts.append(1)\n"
        "    if len(attempts) < 3:\n"
        "        raise RuntimeError('not yet')\n"
        "    return len(attempts)"
    )
    assert shell.ns["flaky"] == 3
    assert capsys.readouterr().out.count("↻ flaky") == 2


def test_config_option_gives_the_body_config(shell):
    shell.ok("from nbassets import Config\nclass Scale(Config):\n    factor: int = 2")
    shell.ok("%%asset\nnums = [1, 2]")
    shown = shell.shown("%%asset --config Scale\nscaled = [n * config.factor for n in nums]")
    assert shown == [2, 4]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("--config Nope", "no 'Nope' in the notebook namespace"),
        ("--config nums", "must name a Config subclass"),
        ("--bogus", "Unknown option '--bogus'"),
        ("--group 'a b'", "'a b' is not a valid asset group name"),
        ("--retries x", "--retries expects a whole number"),
        ("--retry-delay 1", "--retry-delay 1 needs --retries N"),
        ("--tags nokv", "--tags expects k=v pairs; got 'nokv'"),
        ("--group a --group b", "--group is given twice"),
        ("--partitions weird:x", "Unknown partitions kind 'weird'"),
        ("--ins 3=a", "--ins expects Python identifiers"),
        ("--no-run=yes", "--no-run is a flag"),
    ],
)
def test_option_mistakes_name_the_token(shell, line, message):
    shell.ok("%%asset\nnums = [1]")
    error = shell.error(f"%%asset {line}\nq = 1")
    assert isinstance(error, UsageError)
    assert message in str(error)
    assert shell.registry.keys() == [K("nums")]


def test_resources_come_from_the_notebook(shell):
    shell.ok("class Db:\n    def get(self):\n        return 7\ndb = Db()")
    assert shell.shown("%%asset --resources db\ndef from_db(db):\n    return db.get()") == 7
    assert shell.shown("%%asset --resources db\nfrom_db2 = db.get() + 1") == 8


def test_a_missing_resource_says_how_to_provide_it(shell):
    error = shell.error("%%asset --resources store\nfrom_store = store.get()")
    assert isinstance(error, UsageError)
    assert "Define `store = ...` in a cell above" in str(error)


def test_io_manager_option_uses_that_resource(shell, tmp_path):
    shell.ns["fs"] = __import__("nbassets").FilesystemIOManager(base_dir=str(tmp_path))
    shell.ok("%%asset --io-manager fs\nstored = [1, 2]")
    assert any(tmp_path.rglob("*stored*"))


def test_partitioned_assets_are_defined_not_run(shell, capsys):
    shell.ok("%%asset --partitions static:a,b\ndef parted(context):\n    return 1")
    assert "%materialize parted --partition KEY" in capsys.readouterr().out
    assert shell.registry.status(K("parted")) == "missing"


def test_partitions_from_a_definition_in_the_namespace(shell):
    shell.ok("from nbassets import StaticPartitionsDefinition\nregions = "
             "StaticPartitionsDefinition(['eu', 'us'])")
    shell.ok("%%asset --partitions regions\ndef by_region(context):\n    return 1")
    assert shell.registry.definition_for("by_region").partitions_def.get_partition_keys() == [
        "eu",
        "us",
    ]


# Autorun ------------------------------------------------------------------------------------


def test_no_run_defines_without_running(shell, capsys):
    assert shell.ok("%%asset --no-run\nlater = 1") is None
    assert "Defined later (--no-run: %materialize later runs it)" in capsys.readouterr().out
    assert "later" not in shell.ns
    assert shell.registry.status(K("later")) == "missing"


def test_autorun_materializes_missing_upstreams_first(shell, capsys):
    shell.ok("%%asset --no-run\nm1 = 5")
    shell.ok("%%asset --no-run\nm2 = m1 * 2")
    capsys.readouterr()
    assert shell.shown("%%asset\nm3 = m2 + 1") == 11
    out = capsys.readouterr().out
    assert out.index("✓ m1") < out.index("✓ m2") < out.index("✓ m3")
    assert "3 materialized" in out


def test_autorun_off_defines_only(shell, capsys):
    shell.ok("%assets config autorun=off")
    assert shell.ok("%%asset\nquiet = 1") is None
    assert "autorun is off" in capsys.readouterr().out


# Re-running, renaming, code versions, staleness ---------------------------------------------


def test_a_renamed_cell_removes_the_asset_it_defined_before(shell, capsys):
    shell.ok("%%asset\nfirst = 1", cell_id="c1")
    shell.ok("%%asset\nsecond = 2", cell_id="c1")
    assert shell.registry.keys() == [K("second")]
    assert "first" not in shell.ns
    assert "Removed first: this cell defined it before" in capsys.readouterr().out


def test_without_a_cell_id_both_assets_stay(shell):
    shell.ok("%%asset\nfirst = 1")
    shell.ok("%%asset\nsecond = 2")
    assert shell.registry.keys() == [K("first"), K("second")]


def test_code_version_ignores_comments_and_formatting(shell):
    shell.ok("%%asset\nv = 1 + 2")
    before = shell.registry.definition_for("v").code_versions_by_key[K("v")]
    shell.ok("%%asset\n# a comment\nv = (1 +\n     2)")
    assert shell.registry.definition_for("v").code_versions_by_key[K("v")] == before
    shell.ok("%%asset --no-run\nv = 1 + 3")
    assert shell.registry.definition_for("v").code_versions_by_key[K("v")] != before


def test_redefinition_makes_downstream_stale_at_once_with_the_reason(shell, capsys):
    shell.ok("%%asset\na = 1")
    shell.ok("%%asset\nb = a + 1")
    shell.ok("%%asset\nc = b + 1")
    capsys.readouterr()
    shell.ok("%%asset --no-run\na = 10")
    out = capsys.readouterr().out
    assert "Now stale downstream: b, c. Run %materialize to bring them up to date." in out
    assert shell.registry.status(K("b")) == "stale"
    assert shell.registry.stale_reasons("a") and "code" in shell.registry.stale_reasons("a")[0]


def test_a_failing_definition_leaves_the_registry_as_it_was(shell):
    shell.ok("%%asset\na = 1", cell_id="c1")
    shell.ok("%%asset\nb = a", cell_id="c2")
    version = shell.registry.definition_for("b").code_versions_by_key[K("b")]
    for bad in ("%%asset\nb = (", "%%asset --nope\nb = 2", "%%asset --config Nope\nb = 2"):
        assert isinstance(shell.error(bad, cell_id="c2"), UsageError)
    assert shell.registry.keys() == [K("a"), K("b")]
    assert shell.registry.definition_for("b").code_versions_by_key[K("b")] == version
    assert shell.registry.status(K("b")) == "materialized"


def test_a_cycle_is_refused(shell):
    shell.ok("%%asset\na = 1")
    shell.ok("%%asset\nb = a")
    error = shell.error("%%asset a\nb")
    assert isinstance(error, UsageError)
    assert "would create a cycle: a -> b -> a" in str(error)


# Failures -----------------------------------------------------------------------------------


def test_an_exception_shows_the_cells_own_lines(shell, capsys):
    shell.ok("def helper(v):\n    return v / 0")
    shell.ok("%%asset\nbase = 1")
    capsys.readouterr()
    result = shell.run("%%asset\n# comment\nx = 1\nderived = helper(base)")
    assert isinstance(result.error_in_exec, RunFailedError)
    out = capsys.readouterr().out
    assert "✗ derived  failed: ZeroDivisionError: division by zero" in out
    assert "%%asset derived, line 4, in derived" in out
    assert "derived = helper(base)" in out
    assert ", line 2, in helper" in out  # the user's helper, from an ordinary cell
    assert "nbassets/engine" not in out and "site-packages" not in out
    assert "derived" not in shell.ns


def test_a_failed_rerun_keeps_the_last_good_value_bound(shell):
    shell.ok("%%asset\nfine = 1")
    shell.error("%%asset\nfine = 1 / 0")
    assert shell.ns["fine"] == 1  # the last good value stays bound
    assert shell.registry.status(K("fine")) == "failed"
