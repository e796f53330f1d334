"""`nbassets run` as a real process on notebooks the tests write: every exit code."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest

from tests.cli.helpers import environment, nbassets, write_notebook

# Each asset appends its name to ran.txt, so a test sees what ran and in what order.
SETUP = """\
%load_ext nbassets
from pathlib import Path

def ran(name):
    with open("ran.txt", "a") as log:
        log.write(name + "\\n")
"""

# raw --> clean --> report
#   \--> side
PIPELINE = [
    SETUP,
    "# md A markdown cell shifts the code cells' indexes",
    ("raw", "%%asset\nran('raw')\nraw = [3, 1, 2]"),
    ("clean", "%%asset\nran('clean')\nclean = sorted(raw)"),
    ("report", "%%asset\nran('report')\nreport = {'total': sum(clean)}"),
    ("side", "%%asset\nran('side')\nside = len(raw)"),
    ("look", "%materialize\nreport"),
]


def ran(path):
    log = path / "ran.txt"
    return log.read_text().split() if log.exists() else []


@pytest.fixture
def pipeline(tmp_path):
    return write_notebook(tmp_path / "pipe.ipynb", *PIPELINE)


def test_runs_everything_missing_and_exits_0(pipeline, tmp_path):
    done = nbassets("run", pipeline)
    assert done.returncode == 0, done.stderr
    # %materialize in the notebook did not fire: each asset ran once, in graph order.
    assert ran(tmp_path) == ["raw", "clean", "report", "side"]
    lines = done.stderr.splitlines()
    assert lines[0].startswith("Defined 4 asset(s) from pipe.ipynb")
    assert [line.split()[:2] for line in lines[1:5]] == [
        ["✓", "raw"], ["✓", "clean"], ["✓", "report"], ["✓", "side"],
    ]
    assert lines[-1].startswith("4 materialized in ")
    assert done.stdout == ""


def test_selection_runs_only_what_it_names(pipeline, tmp_path):
    done = nbassets("run", pipeline, "+clean")
    assert done.returncode == 0, done.stderr
    assert ran(tmp_path) == ["raw", "clean"]


def test_the_cwd_option_decides_where_relative_paths_go(pipeline, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert nbassets("run", pipeline, "raw", "--cwd", elsewhere).returncode == 0
    assert ran(elsewhere) == ["raw"] and ran(tmp_path) == []


def test_list_and_dry_run_run_nothing(pipeline, tmp_path):
    listed = nbassets("run", pipeline, "--list")
    assert listed.returncode == 0, listed.stderr
    rows = [line.split() for line in listed.stdout.splitlines()]
    assert rows[0] == ["asset", "group", "status"]
    assert rows[1:] == [[k, "default", "missing"] for k in ("raw", "clean", "report", "side")]
    plan = nbassets("run", pipeline, "*report", "--dry-run")
    assert plan.returncode == 0, plan.stderr
    lines = plan.stdout.splitlines()
    assert lines[0] == "Plan: 3 step(s)"
    assert lines[1].split() == ["1.", "raw"]
    assert lines[3].split() == ["3.", "report", "<-", "clean", "(this", "run)"]
    assert ran(tmp_path) == []


def test_an_upstream_with_no_stored_value_is_a_usage_error(pipeline, tmp_path):
    # Nothing is stored between processes (no persistent store): report needs clean.
    for args in (["report"], ["report", "--dry-run"]):
        done = nbassets("run", pipeline, *args)
        assert done.returncode == 2
        assert "upstream 'clean' is not selected and has no stored value" in done.stderr
    assert ran(tmp_path) == []


def test_json_lines_parse_and_tell_the_run(pipeline):
    done = nbassets("run", pipeline, "--format", "json")
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    kinds = [e["event"] for e in events]
    assert kinds[0] == "RUN_START" and kinds[-1] == "RUN_SUCCESS"
    done_steps = [e["step"] for e in events if e["event"] == "STEP_SUCCESS"]
    assert done_steps == ["raw", "clean", "report", "side"]
    assert all(isinstance(e["duration"], float) for e in events if e["event"] == "STEP_SUCCESS")
    listed = nbassets("run", pipeline, "--list", "--format", "json")
    assert [json.loads(line)["asset"] for line in listed.stdout.splitlines()] == [
        "raw", "clean", "report", "side",
    ]


def test_a_failing_step_exits_1_with_the_cell_traceback(tmp_path):
    path = write_notebook(
        tmp_path / "fail.ipynb",
        SETUP,
        ("raw", "%%asset\nraw = [3, 1, 2]"),
        ("broken", "%%asset\nhalf = len(raw)\nbroken = raw[half * 10]"),
        ("after", "%%asset\nafter = broken + 1"),
        ("other", "%%asset\nother = sum(raw)"),
    )
    done = nbassets("run", path, "--format", "json")
    assert done.returncode == 1
    # The traceback is the user's own line, in the cell named by its notebook index.
    assert "cell 2 %%asset broken, line 3" in done.stderr
    assert "broken = raw[half * 10]" in done.stderr
    assert "IndexError: list index out of range" in done.stderr
    assert "nbassets/engine" not in done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    by_step = {e["step"]: e for e in events if e["event"] in ("STEP_FAILURE", "STEP_SKIPPED")}
    assert by_step["broken"]["error_type"] == "IndexError"
    assert "broken" in by_step["after"]["reason"]
    assert [e["step"] for e in events if e["event"] == "STEP_SUCCESS"] == ["raw", "other"]
    assert "2 materialized, 1 failed, 1 skipped" in done.stderr.splitlines()[-1]


def test_a_blocking_check_that_fails_exits_1_and_a_warning_check_does_not(tmp_path):
    cells = [
        SETUP,
        ("raw", "%%asset\nraw = [3, -1, 2]"),
        ("positive", "%%asset_check raw positive --blocking\nall(x > 0 for x in raw)"),
        ("total", "%%asset\ntotal = sum(raw)"),
    ]
    blocking = nbassets("run", write_notebook(tmp_path / "b.ipynb", *cells))
    assert blocking.returncode == 1, blocking.stderr
    assert "check raw:positive FAILED" in blocking.stderr
    assert "total" in blocking.stderr.split("Skipped:")[1]
    cells[2] = ("positive", "%%asset_check raw positive\nall(x > 0 for x in raw)")
    warning = nbassets("run", write_notebook(tmp_path / "w.ipynb", *cells))
    assert warning.returncode == 0, warning.stderr
    assert "check raw:positive FAILED" in warning.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ordres+"], "Did you mean 'orders'?"),
        (["key:orders and"], "expected"),
        (["--frobnicate"], "unrecognized arguments: --frobnicate"),
        (["orders", "--config", "{nope"], "--config is not valid JSON"),
        (["orders", "--partition", "a", "--partitions", "a...b"], "not both"),
        (["orders", "--tags", "oops"], "k=v"),
    ],
)
def test_bad_usage_exits_2_and_says_what_to_fix(tmp_path, args, message):
    path = write_notebook(tmp_path / "u.ipynb", SETUP, "%%asset\norders = [1]")
    done = nbassets("run", path, *args)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert ran(tmp_path) == []


def test_a_missing_or_broken_notebook_file_exits_2(tmp_path):
    missing = nbassets("run", tmp_path / "nope.ipynb")
    assert missing.returncode == 2 and "No notebook at" in missing.stderr
    (tmp_path / "bad.ipynb").write_text("{not json")
    broken = nbassets("run", tmp_path / "bad.ipynb")
    assert broken.returncode == 2 and "not a readable notebook" in broken.stderr


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("x = 1\nimport nonexistent_module_xyz", "ModuleNotFoundError"),
        ("%%asset\norders = [1]\n)", "Syntax error in the %%asset cell, cell line 3"),
        ("%%asset --group\norders = [1]", "UsageError"),
    ],
)
def test_a_definition_cell_that_raises_exits_3_naming_the_cell(tmp_path, cell, expected):
    path = write_notebook(tmp_path / "d.ipynb", SETUP, "# md", ("bad", cell), "%%asset\nlater = 1")
    done = nbassets("run", path)
    assert done.returncode == 3, done.stderr
    assert "cell 2 (id bad) raised while defining" in done.stderr
    assert expected in done.stderr


def test_interrupted_exits_130_and_says_so(tmp_path):
    path = write_notebook(
        tmp_path / "slow.ipynb",
        SETUP,
        "%%asset\nran('fast')\nfast = 1",
        "%%asset\nimport time\nran('slow')\ntime.sleep(60)\nslow = fast",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "nbassets", "run", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(),
    )
    deadline = time.monotonic() + 60
    while "slow" not in ran(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "Interrupted: 1 materialized" in err


def test_cell_ids_come_from_the_file(tmp_path):
    path = write_notebook(
        tmp_path / "ids.ipynb", SETUP, ("my-orders-cell", "%%asset\norders = [1]")
    )
    code = (
        "from nbassets.cli.headless import define_notebook\n"
        "from nbassets.notebook.notebook_file import read_notebook\n"
        "from nbassets.graph.registry import get_registry\n"
        f"define_notebook(read_notebook({str(path)!r}))\n"
        "print(get_registry().definition_for('orders').origin['cell_id'])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment(),
        cwd=tmp_path, check=False,
    )
    assert done.stdout.strip() == "my-orders-cell", done.stderr


@pytest.mark.kernel
def test_kernel_mode_runs_the_cells_in_a_jupyter_kernel(tmp_path, kernel_name):
    path = write_notebook(
        tmp_path / "k.ipynb",
        SETUP,
        "import sys\nin_kernel = 'ipykernel' in sys.modules",
        ("raw", "%%asset\nran('raw')\nraw = [1, 2] if in_kernel else None"),
        ("total", "%%asset\nran('total')\ntotal = sum(raw)"),
        ("broken", "%%asset\nbroken = total / 0"),
    )
    done = nbassets("run", path, "+total", "--kernel", kernel_name, "--format", "json")
    assert done.returncode == 0, done.stderr
    assert ran(tmp_path) == ["raw", "total"]
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert [e["step"] for e in events if e["event"] == "STEP_SUCCESS"] == ["raw", "total"]
    failed = nbassets("run", path, "--kernel", kernel_name)
    assert failed.returncode == 1
    assert "cell 4 %%asset broken, line 2" in failed.stderr
    assert "ZeroDivisionError" in failed.stderr
    unknown = nbassets("run", path, "--kernel=no-such-kernel-xyz")
    assert unknown.returncode == 2 and "no such Jupyter kernel" in unknown.stderr


def test_the_magic_options_partitions_config_tags_executor(tmp_path):
    path = write_notebook(
        tmp_path / "opts.ipynb",
        SETUP,
        "from nbassets import Config\n\nclass Scale(Config):\n    factor: int = 1",
        ("daily", "%%asset --partitions daily:2024-01-01:2024-01-31\n"
                  "def daily(context):\n    ran(context.partition_key)\n    return 1"),
        ("scaled", "%%asset --config Scale\nran(f'scaled={config.factor}')\nscaled = 1"),
        ("tagged", "%%asset\ndef tagged(context):\n    ran('tag=' + context.run.tags['who'])\n"
                   "    return 0"),
    )
    days = nbassets("run", path, "daily", "--partitions", "2024-01-02...2024-01-04")
    assert days.returncode == 0, days.stderr
    assert ran(tmp_path) == ["2024-01-02", "2024-01-03", "2024-01-04"]
    one = nbassets("run", path, "daily", "--partition", "2024-01-31", "--executor", "threads:2")
    assert one.returncode == 0, one.stderr
    assert ran(tmp_path)[-1] == "2024-01-31"
    config = nbassets("run", path, "scaled", "--config", '{"factor": 7}')
    assert config.returncode == 0, config.stderr
    assert ran(tmp_path)[-1] == "scaled=7"
    tags = nbassets("run", path, "tagged", "--tags", "who=cron")
    assert tags.returncode == 0, tags.stderr
    assert ran(tmp_path)[-1] == "tag=cron"
    bad_day = nbassets("run", path, "daily", "--partition", "2023-12-31")
    assert bad_day.returncode == 2 and "2023-12-31" in bad_day.stderr


def test_a_second_run_with_a_store_recomputes_nothing_fresh(pipeline, tmp_path):
    pytest.importorskip("nbassets.storage.persistence")
    store = tmp_path / "elsewhere-store"
    first = nbassets("run", pipeline, "--store", store)
    assert first.returncode == 0, first.stderr
    second = nbassets("run", pipeline, "--store", store)
    assert second.returncode == 0, second.stderr
    assert "Everything is up to date" in second.stderr
    assert ran(tmp_path) == ["raw", "clean", "report", "side"]
    # report alone: clean is loaded from the store, not recomputed.
    third = nbassets("run", pipeline, "report", "--store", store)
    assert third.returncode == 0, third.stderr
    assert ran(tmp_path) == ["raw", "clean", "report", "side", "report"]


def test_the_notebooks_own_store_is_used_without_naming_it(pipeline, tmp_path):
    pytest.importorskip("nbassets.storage.persistence")
    own = tmp_path / ".nbassets" / "pipe"  # where %assets persist puts pipe.ipynb's store
    assert nbassets("run", pipeline, "--store", own).returncode == 0
    again = nbassets("run", pipeline)
    assert again.returncode == 0, again.stderr
    assert "Everything is up to date" in again.stderr
    assert ran(tmp_path) == ["raw", "clean", "report", "side"]


def test_store_with_kernel_is_refused(pipeline, tmp_path):
    done = nbassets("run", pipeline, "--store", tmp_path / "s", "--kernel")
    assert done.returncode == 2
    assert "--store works without --kernel only" in done.stderr
