"""Exported modules against real Dagster: they validate, load, and give nbassets' values."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.cli.helpers import ROOT, environment, nbassets, write_notebook
from tests.export.helpers import load_module, nbassets_values

dg = pytest.importorskip("dagster")

pytestmark = [
    # Dagster warns about its own beta/preview parameters and its dependencies' deprecations.
    pytest.mark.filterwarnings("ignore::Warning:dagster.*"),
    pytest.mark.filterwarnings("ignore:.*is currently in (beta|preview):Warning"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]

NOTEBOOKS = ROOT / "notebooks"


@pytest.fixture
def notebooks(tmp_path, monkeypatch):
    """A copy of notebooks/ (the quickstart reads data/orders.csv relative to it), as cwd."""
    copy = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, copy)
    monkeypatch.chdir(copy)
    return copy


def export(notebook: Path, output: Path, *extra: str) -> Path:
    done = nbassets("export", "dagster", notebook, "-o", output, *extra)
    assert done.returncode == 0, done.stderr
    return output


def validate_with_dagster_cli(path: Path) -> None:
    done = subprocess.run(
        [str(Path(sys.executable).parent / "dagster"), "definitions", "validate", "-f", str(path)],
        capture_output=True, text=True, cwd=path.parent, env=environment(), check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "All code locations passed validation" in done.stdout + done.stderr


def test_quickstart(notebooks, shell):
    path = export(notebooks / "quickstart.ipynb", notebooks / "quickstart_defs.py")
    text = path.read_text()
    # Readable: the cell's own lines, one decorated function per asset, the value returned.
    assert '@dg.asset(group_name="sales", kinds={"pandas"}, code_version=' in text
    assert "def top_customers(orders):\n" in text
    assert "    return daily_revenue\n" in text
    assert "@dg.asset_check(asset=\"orders\", name=\"prices_positive\")" in text
    assert "%" not in text.replace("%Y", "")  # no magics left
    validate_with_dagster_cli(path)
    module = load_module(path)
    dg.Definitions.validate_loadable(module.defs)
    result = dg.materialize([*module.defs.assets, *module.defs.asset_checks])
    assert result.success
    checks = result.get_asset_check_evaluations()
    assert [(c.check_name, c.passed) for c in checks] == [("prices_positive", True)]
    ours = nbassets_values(shell, notebooks / "quickstart.ipynb")
    for name in ("orders", "daily_revenue", "top_customers", "basket_size"):
        theirs = result.output_for_node(name)
        if isinstance(theirs, pd.DataFrame):
            pd.testing.assert_frame_equal(theirs, ours[name])
        else:
            pd.testing.assert_series_equal(theirs, ours[name])


def test_partitions_notebook(notebooks, shell):
    path = export(notebooks / "partitions.ipynb", notebooks / "partitions_defs.py")
    validate_with_dagster_cli(path)
    module = load_module(path)
    dg.Definitions.validate_loadable(module.defs)
    graph = module.defs.resolve_asset_graph()
    weekly = graph.get(dg.AssetKey("weekly_revenue")).partitions_def
    assert weekly.get_partition_keys()[0] == "2024-01-07"
    assert weekly.get_partition_keys()[-1] == "2024-03-24"
    assets = list(module.defs.assets)
    with dg.DagsterInstance.ephemeral() as instance:
        _compare_partitions(assets, instance, shell, notebooks)


def _compare_partitions(assets, instance, shell, notebooks):
    week = [f"2024-01-{day:02d}" for day in range(7, 14)]
    for day in week:
        done = dg.materialize(
            assets, instance=instance, partition_key=day, selection="daily_events"
        )
        assert done.success
    weekly_run = dg.materialize(
        assets, instance=instance, partition_key="2024-01-07", selection="weekly_revenue"
    )
    web = dg.materialize(assets, instance=instance, partition_key="web", selection="channel_sales")
    from nbassets.engine.materialize import materialize as run

    nbassets_values(
        shell, notebooks / "partitions.ipynb", selection="daily_events",
        partition_key_range=(week[0], week[-1]),
    )
    registry = shell.registry
    run(registry=registry, selection="weekly_revenue", partition_key="2024-01-07")
    run(registry=registry, selection="channel_sales", partition_key="web")
    assert weekly_run.output_for_node("weekly_revenue") == registry.value(
        "weekly_revenue", partition="2024-01-07"
    )
    assert web.output_for_node("channel_sales") == registry.value("channel_sales", partition="web")
    last = dg.materialize(
        assets, instance=instance, partition_key=week[-1], selection="daily_events"
    )
    pd.testing.assert_frame_equal(
        last.output_for_node("daily_events"), registry.value("daily_events", partition=week[-1])
    )


CHECKS_CONFIG_RESOURCES = [
    "%load_ext nbassets",
    (
        "setup",
        "from nbassets import AssetCheckResult, Config, ConfigurableResource\n\n\n"
        "class Scale(Config):\n    factor: int = 2\n\n\n"
        "class Labeller(ConfigurableResource):\n    prefix: str\n\n"
        "    def label(self, n):\n        return f'{self.prefix}-{n}'\n\n\n"
        "labeller = Labeller(prefix='p')\n"
        "labeller",
    ),
    ("numbers", "%%asset --config Scale\nnumbers = [n * config.factor for n in range(4)]"),
    (
        "labels",
        "%%asset --resources labeller --group g --tags team=data --metadata source=test "
        "--owners team:data --retries 2 --code-version v7 --kinds python "
        '--description "Labels for the numbers"\n'
        "labels = [labeller.label(n) for n in numbers]",
    ),
    ("not-empty", "%%asset_check numbers not_empty --blocking\nlen(numbers) > 0"),
    (
        "prefixed",
        "%%asset_check labels prefixed\n"
        "AssetCheckResult(\n"
        "    passed=all(x.startswith('p-') for x in labels), metadata={'n': len(labels)}\n"
        ")",
    ),
    (
        "summary",
        "%%asset --key-prefix warehouse\n"
        "def summary(context, labels):\n"
        "    context.log.info('summarizing')\n"
        "    return ','.join(labels)",
    ),
]

RUN_CONFIG = {"ops": {"numbers": {"config": {"factor": 3}}}}


def test_checks_config_and_resources(tmp_path, shell, monkeypatch):
    monkeypatch.chdir(tmp_path)
    notebook = write_notebook(tmp_path / "ccr.ipynb", *CHECKS_CONFIG_RESOURCES)
    path = export(notebook, tmp_path / "ccr_defs.py")
    text = path.read_text()
    assert "def labels(numbers, labeller: dg.ResourceParam[Any]):" in text
    assert "def numbers(config: Scale):" in text
    assert '"labeller": labeller,' in text
    validate_with_dagster_cli(path)
    module = load_module(path)
    dg.Definitions.validate_loadable(module.defs)
    graph = module.defs.resolve_asset_graph()
    labels = graph.get(dg.AssetKey("labels"))
    assert labels.group_name == "g"
    assert labels.tags == {"team": "data", "dagster/kind/python": ""}
    assert labels.metadata == {"source": "test"}
    assert labels.owners == ["team:data"]
    assert labels.code_version == "v7"
    assert labels.description == "Labels for the numbers"
    assets_def = graph.assets_def_for_key(dg.AssetKey("labels"))
    assert assets_def.op.retry_policy == dg.RetryPolicy(max_retries=2)
    assert graph.get(dg.AssetKey(["warehouse", "summary"])).parent_keys == {dg.AssetKey("labels")}
    result = dg.materialize(
        [*module.defs.assets, *module.defs.asset_checks],
        resources=module.defs.resources,
        run_config=RUN_CONFIG,
    )
    assert result.success
    verdicts = {c.check_name: c.passed for c in result.get_asset_check_evaluations()}
    assert verdicts == {"not_empty": True, "prefixed": True}
    ours = nbassets_values(shell, notebook, run_config=RUN_CONFIG)
    assert result.output_for_node("numbers") == ours["numbers"] == [0, 3, 6, 9]
    assert result.output_for_node("labels") == ours["labels"]
    assert result.output_for_node("warehouse__summary") == ours["warehouse/summary"]


def test_dagster_asset_materialize_from_the_shell(tmp_path):
    notebook = write_notebook(tmp_path / "ccr.ipynb", *CHECKS_CONFIG_RESOURCES)
    path = export(notebook, tmp_path / "ccr_defs.py")
    home = tmp_path / "dagster_home"
    home.mkdir()
    env = {**environment(), "DAGSTER_HOME": str(home)}
    dagster = str(Path(sys.executable).parent / "dagster")

    def materialize(selection: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [dagster, "asset", "materialize", "-f", str(path), "--select", selection],
            capture_output=True, text=True, cwd=tmp_path, env=env, check=False, timeout=300,
        )

    first = materialize("numbers")
    assert first.returncode == 0, first.stdout + first.stderr
    # The filesystem IO manager kept numbers, so labels alone loads it from storage.
    second = materialize("labels")
    assert second.returncode == 0, second.stdout + second.stderr
    stored = list(home.rglob("labels"))
    assert stored, "labels was not written by the filesystem IO manager"
    import pickle

    assert pickle.loads(stored[0].read_bytes()) == ["p-0", "p-2", "p-4", "p-6"]


def test_what_cannot_be_exported_is_named_and_nothing_is_written(tmp_path):
    notebook = write_notebook(
        tmp_path / "bad.ipynb",
        "%load_ext nbassets",
        ("tools", "import os\n!echo hello\n"),
        ("orders", "%%asset --resources db\norders = db.read()"),
        "import nbassets\nnbassets.get_registry().resources['db'] = object()",
    )
    target = tmp_path / "out.py"
    target.write_text("# keep me\n")
    done = nbassets("export", "dagster", notebook, "-o", target)
    assert done.returncode == 2
    assert "Cannot export to Dagster (nothing was written)" in done.stderr
    assert "cell 1 (id tools), line 2: `!echo hello` is IPython syntax" in done.stderr
    assert "cell 2 (id orders) (%%asset orders): resource 'db' must be a variable" in done.stderr
    assert target.read_text() == "# keep me\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.py")] == []


def test_dg_defs_folder(tmp_path, monkeypatch):
    project = tmp_path / "project"
    package = project / "mydefs"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (project / "pyproject.toml").write_text('[project]\nname = "mydefs"\nversion = "0"\n')
    notebook = write_notebook(tmp_path / "ccr.ipynb", *CHECKS_CONFIG_RESOURCES)
    path = export(notebook, package / "notebook_assets.py", "--dg-defs")
    assert "@dg.definitions\ndef defs() -> dg.Definitions:\n    return dg.Definitions(" in (
        path.read_text()
    )
    monkeypatch.syspath_prepend(str(project))
    import mydefs

    defs = dg.load_defs(mydefs)
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert keys == {"numbers", "labels", "warehouse/summary"}
    assert set(defs.resources) == {"io_manager", "labeller"}


def test_assets_export_magic_and_to_dagster(shell, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shell.ok("from nbassets import Config\nimport math\nOFFSET = 10")
    shell.ok("%%asset\nbase = [1, 4, 9]")
    shell.ok("%%asset\nroots = [math.sqrt(x) + OFFSET for x in base]")
    shell.ok("%materialize")
    shell.ok("%%asset_check roots small\nmax(roots) < 100")
    shell.ok(f"%assets export dagster {tmp_path / 'session.py'}")
    text = (tmp_path / "session.py").read_text()
    assert "OFFSET = 10" in text and "%materialize" not in text
    module = load_module(tmp_path / "session.py")
    result = dg.materialize([*module.defs.assets, *module.defs.asset_checks])
    assert result.output_for_node("roots") == shell.registry.value("roots") == [11.0, 12.0, 13.0]
    import nbassets.export

    defs = nbassets.export.to_dagster()
    assert isinstance(defs, dg.Definitions)
    again = dg.materialize([*defs.assets, *defs.asset_checks])
    assert again.output_for_node("roots") == [11.0, 12.0, 13.0]
    assert [c.passed for c in again.get_asset_check_evaluations()] == [True]
    error = shell.error("%assets export parquet x.py")
    assert "Usage: %assets export dagster PATH.py" in str(error)


def test_dagster_is_imported_only_by_the_export():
    code = (
        "import sys, nbassets, nbassets.cli.main, nbassets.export\n"
        "import nbassets.export.notebook_export\n"
        "print('dagster' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment(),
        check=False,
    )
    assert done.stdout.strip() == "False", done.stderr
    assert os.environ.get("DAGSTER_HOME") is None or True


KEYS_INS_DEPS = [
    "%load_ext nbassets",
    ("raw", "%%asset sales/raw --group sales\nraw = [5, 3, 8]"),
    ("audit", "%%asset --deps sales/raw\naudit = 'checked'"),
    ("picked", "%%asset --ins values=sales/raw --key-prefix mart\npicked = max(values)"),
    (
        "slow",
        "%%asset --retries 3 --retry-delay 0.5 --partitions static:a,b\n"
        "def slow(context):\n    '''One value per letter.'''\n    return context.partition_key * 2",
    ),
    ("both", "%%asset\nboth = (picked, audit)"),
]


def test_keys_ins_deps_and_the_graph_match_nbassets(tmp_path, shell):
    notebook = write_notebook(tmp_path / "kid.ipynb", *KEYS_INS_DEPS)
    path = export(notebook, tmp_path / "kid_defs.py")
    text = path.read_text()
    assert '@dg.asset(\n    key=["sales", "raw"],' in text or 'key=["sales", "raw"]' in text
    assert 'ins={"values": dg.AssetIn(["sales", "raw"])}' in text
    assert 'deps=[dg.AssetKey(["sales", "raw"])]' in text
    module = load_module(path)
    dg.Definitions.validate_loadable(module.defs)
    graph = module.defs.resolve_asset_graph()
    ours = nbassets_values(shell, notebook, selection="not key:slow")
    registry = shell.registry
    theirs_keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert theirs_keys == {k.to_user_string() for k in registry.keys()}
    for key in registry.keys():
        node = graph.get(dg.AssetKey(list(key.path)))
        parents = {p.to_user_string() for p in node.parent_keys}
        assert parents == {p.to_user_string() for p in registry.graph.parents(key)}, key
    slow = graph.get(dg.AssetKey("slow"))
    assert slow.partitions_def.get_partition_keys() == ["a", "b"]
    assert slow.description == "One value per letter."
    assert graph.assets_def_for_key(dg.AssetKey("slow")).op.retry_policy == dg.RetryPolicy(
        max_retries=3, delay=0.5
    )
    result = dg.materialize(
        [a for a in module.defs.assets if a.key != dg.AssetKey("slow")]
    )
    assert result.output_for_node("mart__picked") == ours["mart/picked"] == 8
    assert result.output_for_node("both") == ours["both"] == (8, "checked")
