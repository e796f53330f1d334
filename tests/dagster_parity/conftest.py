"""Collect Dagster's own tests, fetched from its sdist, as tests of nbassets.

``modules.txt`` names the modules; pytest meets it while collecting this folder and
this hook turns each name into a module of tests loaded by ``translate.load``.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import nbassets
from tests.dagster_parity import sdist, translate

HERE = Path(__file__).parent
VERDICT = pytest.StashKey[translate.Verdict]()
RECORD_OPTION = "--dagster-parity-record"
_outcomes: dict[str, str] = {}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        RECORD_OPTION,
        action="store_true",
        help="rewrite tests/dagster_parity/passing.txt with the Dagster tests that pass now",
    )


def _read_lines(name: str) -> list[str]:
    lines = (HERE / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _exclusions() -> dict[str, str]:
    excluded = {}
    for line in _read_lines("excluded.txt"):
        test_id, _, reason = line.partition(" ")
        excluded[test_id] = reason.strip()
    return excluded


class ParityModule(pytest.Module):
    """One of Dagster's test modules, loaded through the import swap."""

    relpath: str

    def _getobj(self) -> Any:
        dotted = "dagster_parity." + self.relpath.removesuffix(".py").replace("/", ".")
        self.loaded = translate.load(self.path, dotted)
        return self.loaded.module


class ParitySuite(pytest.File):
    """The chosen modules, from the cached sdist."""

    def collect(self) -> Any:
        try:
            root = sdist.dagster_tests_root()
        except sdist.SdistUnavailable as exc:
            yield SdistMissing.from_parent(self, name="dagster_sdist", reason=str(exc))
            return
        if not any(isinstance(f, translate.SdistTestsFinder) for f in sys.meta_path):
            sys.meta_path.insert(0, translate.SdistTestsFinder(root))
        for relpath in _read_lines("modules.txt"):
            module = ParityModule.from_parent(self, path=root / relpath, name=relpath)
            module.relpath = relpath
            yield module


class SdistMissing(pytest.Item):
    """Stands for the whole suite when Dagster's sdist cannot be had."""

    def __init__(self, *, reason: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.reason = reason

    def runtest(self) -> None:
        pytest.skip(self.reason)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.File | None:
    if file_path == HERE / "modules.txt":
        return ParitySuite.from_parent(parent, path=file_path)
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    excluded = _exclusions()
    passing = set(_read_lines("passing.txt")) if (HERE / "passing.txt").exists() else set()
    for item in items:
        module = item.getparent(ParityModule)
        if module is None:
            continue
        function = getattr(item, "originalname", item.name)
        owner = item.cls.__name__ if getattr(item, "cls", None) else function
        keys = [f"{module.relpath}::{name}" for name in (item.name, function, owner)]
        reason = next((excluded[key] for key in keys if key in excluded), None)
        verdict = module.loaded.verdict_for({owner})
        if reason is not None:
            item.add_marker(pytest.mark.skip(reason=f"excluded: {reason}"))
        elif verdict is not None and verdict.kind == "internal":
            item.add_marker(pytest.mark.skip(reason=f"internal: {verdict.reason}"))
        else:
            if verdict is not None:
                item.stash[VERDICT] = verdict
            if _short_id(item) not in passing:
                item.add_marker(pytest.mark.xfail(reason="not passing yet", strict=False))


def _short_id(item: pytest.Item) -> str:
    module = item.getparent(ParityModule)
    assert module is not None
    return module.relpath + item.nodeid.split(module.relpath, 1)[1]


class ParityReport:
    """Hooks for the parity items, registered session-wide because the items live in
    the cache directory, where this folder's conftest hooks would not reach them."""

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        verdict = item.stash.get(VERDICT, None)
        if verdict is not None:
            pytest.fail(f"{verdict.kind}: {verdict.reason}", pytrace=False)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Iterator[None]:
        # Each Dagster test starts with no instance state; a fresh kernel registry (and
        # so a fresh instance) per test keeps one test's runs out of the next one's.
        if item.getparent(ParityModule) is None:
            yield
            return
        # Dagster runs its tests with warnings shown, not raised (its tests call
        # deprecated parameters that warn), so ours are not raised here either; a test
        # that wants them raised says so (raise_exception_on_warnings, pytest.warns).
        with nbassets.use_registry(), warnings.catch_warnings():
            warnings.simplefilter("default")
            yield

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if "dagster_parity/modules.txt::" not in report.nodeid:
            return
        short = report.nodeid.split("modules.txt::", 1)[1]
        xfailed = report.skipped and hasattr(report, "wasxfail")
        if report.skipped and not xfailed:
            _outcomes[short] = "excluded"
        elif report.failed or xfailed:
            _outcomes[short] = "failed"
        elif report.when == "call":
            _outcomes.setdefault(short, "passed")

    def pytest_terminal_summary(self, terminalreporter: Any, config: pytest.Config) -> None:
        if not _outcomes:
            return
        passed = sorted(k for k, v in _outcomes.items() if v == "passed")
        public = sum(1 for v in _outcomes.values() if v != "excluded")
        excluded = len(_outcomes) - public
        rate = 100 * len(passed) / public if public else 0.0
        terminalreporter.write_line(
            f"Dagster parity: {len(passed)} of {public} public tests pass ({rate:.0f}%); "
            f"{excluded} excluded (internals or deliberate, see -rs)"
        )
        if config.getoption(RECORD_OPTION):
            header = f"# Dagster tests that pass under nbassets; written by {RECORD_OPTION}\n"
            (HERE / "passing.txt").write_text(header + "".join(f"{t}\n" for t in passed))


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(ParityReport(), "dagster-parity-report")
