"""`nbassets run`'s arguments in any order, one tag per `--tags`, and `--kernel` progress live.

Each runs the real command as a process.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.cli.helpers import environment, nbassets, write_notebook
from tests.cli.test_run import SETUP, ran

CELLS = [
    SETUP,
    ("raw", "%%asset\nran('raw')\nraw = [1, 2]"),
    ("total", "%%asset\nran('total')\ntotal = sum(raw)"),
    ("tagged", "%%asset\ndef tagged(context):\n"
               "    ran(','.join(f'{k}={v}' for k, v in sorted(context.run.tags.items())\n"
               "                 if '/' not in k))\n    return 0"),
]


def test_options_may_come_before_the_selection(tmp_path) -> None:
    path = write_notebook(tmp_path / "o.ipynb", *CELLS)
    done = nbassets("run", path, "--format", "json", "--executor", "in_process", "raw", "total")
    assert done.returncode == 0, done.stderr
    assert ran(tmp_path) == ["raw", "total"]
    steps = [json.loads(line).get("step") for line in done.stdout.splitlines()]
    assert "total" in steps


def test_each_tags_takes_one_pair_and_the_words_after_it_are_the_selection(tmp_path) -> None:
    path = write_notebook(tmp_path / "t.ipynb", *CELLS)
    done = nbassets("run", path, "--tags", "who=cron", "--tags", "team=data", "tagged")
    assert done.returncode == 0, done.stderr
    assert ran(tmp_path) == ["team=data,who=cron"]
    # The old spelling (several pairs after one --tags) is caught, with the fix.
    old = nbassets("run", path, "--tags", "who=cron", "team=data", "tagged")
    assert old.returncode == 2
    assert "'team=data' looks like a tag: give each its own --tags" in old.stderr
    assert ran(tmp_path) == ["team=data,who=cron"]
    # A tag: selection (with '=') is still a selection.
    by_tag = nbassets("run", path, "tag:nope=1")
    assert by_tag.returncode == 2 and "tag" in by_tag.stderr
    assert "looks like a tag" not in by_tag.stderr


@pytest.mark.kernel
def test_kernel_with_or_without_a_name_may_stand_anywhere(tmp_path, kernel_name) -> None:
    path = write_notebook(tmp_path / "k.ipynb", *CELLS)
    named = nbassets("run", path, "--kernel", kernel_name, "raw", "--format", "json")
    assert named.returncode == 0, named.stderr
    assert ran(tmp_path) == ["raw"]
    # A bare --kernel (the default kernel) followed by the selection: 'total' is no kernel.
    bare = nbassets("run", path, "--kernel", "+total", "--tags", "who=me")
    assert bare.returncode == 0, bare.stderr
    assert ran(tmp_path) == ["raw", "raw", "total"]
    unknown = nbassets("run", path, "--kernel=no-such-kernel-xyz", "raw")
    assert unknown.returncode == 2 and "no such Jupyter kernel" in unknown.stderr
    # A misspelt kernel after a bare --kernel is read as the selection: the error says so.
    typo = nbassets("run", path, "--kernel", "pyhton3")
    assert typo.returncode == 2
    assert "'pyhton3' after --kernel is no installed Jupyter kernel" in typo.stderr


GATED = [
    SETUP,
    ("first", "%%asset\nran('first')\nfirst = 1"),
    # Waits for the test to see first's progress line (up to 90 s, then fails).
    ("gate", "%%asset\nimport os, time\n"
             "deadline = time.monotonic() + 90\n"
             "while not os.path.exists('go') and time.monotonic() < deadline:\n"
             "    time.sleep(0.05)\n"
             "ran('gate' if os.path.exists('go') else 'gate-timed-out')\n"
             "gate = first + 1"),
]


@pytest.mark.kernel
def test_kernel_mode_prints_each_step_as_it_finishes(tmp_path, kernel_name) -> None:
    path = write_notebook(tmp_path / "g.ipynb", *GATED)
    process = subprocess.Popen(
        [sys.executable, "-m", "nbassets", "run", str(path), "first", "gate", "--kernel",
         kernel_name],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(),
    )
    lines = []
    assert process.stderr is not None
    for line in process.stderr:
        lines.append(line)
        if "first" in line and "✓" in line:
            (tmp_path / "go").touch()  # gate ends now, or after 90 s if the line came late
            break
    rest = process.communicate(timeout=180)[1]
    assert process.returncode == 0, "".join(lines) + rest
    # gate saw the file: first's line reached this process while gate was still running.
    assert ran(tmp_path) == ["first", "gate"]
    assert "gate" in rest and "2 materialized" in rest

