"""Suite-wide hooks: browser tests on a machine without Chromium.

Without a Chromium the tests marked ``browser`` are skipped before any server
starts, and the run's summary ends with a line saying how many did not run and
how to get one (``tests/browser_env.py``). Under CI they are not skipped: the
``browser`` fixture fails them with the same message.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from tests.browser_env import NO_CHROMIUM, chromium_path, must_run_browser_tests

# Property tests judge answers, never time: on a 2-core machine shared with a browser
# and a Dask cluster the same examples run several times slower some days, and
# Hypothesis' deadline and too-slow health check would fail them for that alone.
settings.register_profile("nbassets", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("nbassets")

_not_run: list[str] = []


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if chromium_path() is not None or must_run_browser_tests():
        return
    skip = pytest.mark.skip(reason=NO_CHROMIUM)
    for item in items:
        if item.get_closest_marker("browser") is not None:
            item.add_marker(skip)
            _not_run.append(item.nodeid)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if not _not_run:
        return
    terminalreporter.section("browser tests", sep="=", yellow=True, bold=True)
    terminalreporter.write_line(f"{len(_not_run)} browser test(s) did NOT run: {NO_CHROMIUM}")


@pytest.fixture(scope="session")
def dask_client() -> Any:
    """A real Dask cluster shared by the session: two worker processes, one thread each."""
    import distributed

    from nbassets.engine.dask_executor import spawnable_main

    spawnable_main()  # an earlier test's IPython shell may have replaced __main__
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster, set_as_default=False) as client,
    ):
        yield client
