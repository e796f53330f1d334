"""Fetch Dagster's pinned source distribution once and keep its test modules.

The tests themselves are never committed here: they are read from the sdist on PyPI,
through pip (the ordinary client, so a mirror or proxy configured for pip applies),
verified against the pinned sha256 and kept in a cache directory. A second run reads
the cache and needs no network.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

DAGSTER_VERSION = "1.13.28"
SDIST_NAME = f"dagster-{DAGSTER_VERSION}.tar.gz"
SDIST_SHA256 = "24adb18e56f02c33f0d87a3a492658307feb368a8083cac2db710ea99b6807f3"


class SdistUnavailable(Exception):
    """Raised when the sdist is neither cached nor downloadable; says how to fix it."""


def cache_dir() -> Path:
    """The cache: $NBASSETS_PARITY_CACHE, else ~/.cache/nbassets/dagster-parity."""
    configured = os.environ.get("NBASSETS_PARITY_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "nbassets" / "dagster-parity"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _download(target: Path) -> None:
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        command = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--no-binary",
            ":all:",
            f"dagster=={DAGSTER_VERSION}",
            "-d",
            tmp,
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SdistUnavailable(f"`{' '.join(command)}` did not finish: {exc}") from exc
        downloaded = Path(tmp) / SDIST_NAME
        if done.returncode != 0 or not downloaded.exists():
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            raise SdistUnavailable(
                f"pip could not download {SDIST_NAME} from PyPI: {' | '.join(tail)}"
            )
        if _sha256(downloaded) != SDIST_SHA256:
            raise SdistUnavailable(f"{SDIST_NAME} from PyPI does not match the pinned sha256")
        os.replace(downloaded, target)


def dagster_tests_root() -> Path:
    """The extracted ``dagster_tests`` folder of the pinned sdist, downloading if needed.

    Raises:
        SdistUnavailable: offline with an empty cache, or a corrupt download. The
            message names the cache directory and ``NBASSETS_PARITY_SDIST``, which
            points at a local copy of the sdist instead.
    """
    root = cache_dir()
    extracted = root / f"dagster-{DAGSTER_VERSION}"
    if (extracted / "dagster_tests").is_dir():
        return extracted / "dagster_tests"
    root.mkdir(parents=True, exist_ok=True)
    archive = Path(os.environ.get("NBASSETS_PARITY_SDIST") or root / SDIST_NAME)
    try:
        if not archive.exists():
            _download(archive)
        if _sha256(archive) != SDIST_SHA256:
            raise SdistUnavailable(f"{archive} does not match the pinned sha256; delete it")
        with tempfile.TemporaryDirectory(dir=root) as tmp, tarfile.open(archive) as tar:
            members = [
                m
                for m in tar.getmembers()
                if m.isfile() and "/dagster_tests/" in m.name and ".." not in m.name
            ]
            # The "data" filter refuses links and absolute paths (Python >= 3.10.12).
            safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
            tar.extractall(tmp, members=members, **safe)
            if not extracted.exists():
                os.replace(Path(tmp) / f"dagster-{DAGSTER_VERSION}", extracted)
    except SdistUnavailable as exc:
        raise SdistUnavailable(
            f"{exc}. The Dagster parity tests need {SDIST_NAME} once (cache: {root}); "
            "run them once with network, or set NBASSETS_PARITY_SDIST to a local copy."
        ) from exc
    shutil.rmtree(root / "tmp", ignore_errors=True)
    return extracted / "dagster_tests"
