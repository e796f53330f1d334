"""The teaching notebooks run top to bottom in a real kernel and teach what they say.

- ``tutorial_bike_share.ipynb``: real-shaped data with groups, checks, config, a
  failure and its fix, stale reasons and the lineage; its figures are checked
  against the same numbers computed here with plain pandas from the shipped CSVs,
  and the CSVs against their generator.
- ``from_dagster_docs.ipynb``: the reference's examples after the import swap.

Each runs in a copy of ``notebooks/`` (they write files), and every widget they
show carries a static ``text/plain`` and ``text/html`` picture, which is what
VS Code, GitHub and nbviewer show when the widget state was not saved.
"""

from __future__ import annotations

import copy
import filecmp
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
import pytest

from tests.notebook.conftest import execute_notebook, text_of

pytestmark = pytest.mark.kernel

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
TUTORIAL = NOTEBOOKS / "tutorial_bike_share.ipynb"
DOCS = NOTEBOOKS / "from_dagster_docs.ipynb"
WIDGET = "application/vnd.jupyter.widget-view+json"


def run_copy(path: Path, kernel_name: str, tmp: Path) -> Any:
    work = tmp / "notebooks"
    shutil.copytree(NOTEBOOKS, work, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    nb = nbformat.read(work / path.name, as_version=4)
    return execute_notebook(copy.deepcopy(nb), kernel_name, str(work), timeout=300)


@pytest.fixture(scope="module")
def tutorial(kernel_name: str, tmp_path_factory: pytest.TempPathFactory) -> Any:
    return run_copy(TUTORIAL, kernel_name, tmp_path_factory.mktemp("tutorial"))


@pytest.fixture(scope="module")
def docs(kernel_name: str, tmp_path_factory: pytest.TempPathFactory) -> Any:
    return run_copy(DOCS, kernel_name, tmp_path_factory.mktemp("docs"))


def cell(nb: Any, cell_id: str) -> Any:
    return next(c for c in nb.cells if c.id == cell_id)


def errors(nb: Any) -> list[str]:
    return [
        f"{c.id}: {o['ename']}: {o['evalue']}"
        for c in nb.cells
        for o in c.get("outputs", [])
        if o["output_type"] == "error"
    ]


def result_of(nb: Any, cell_id: str) -> str:
    (last,) = [o for o in cell(nb, cell_id).outputs if o["output_type"] == "execute_result"]
    return str(last["data"]["text/plain"])


@pytest.mark.parametrize("path", [TUTORIAL, DOCS], ids=["tutorial", "docs"])
def test_saved_clean_opening_with_what_it_teaches_and_ending_with_where_next(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert (nb.nbformat, nb.nbformat_minor) >= (4, 5)
    assert all(c.get("outputs", []) == [] for c in nb.cells if c.cell_type == "code")
    first, last = nb.cells[0], nb.cells[-1]
    assert first.cell_type == "markdown" and "**What you will learn.**" in first.source
    assert last.cell_type == "markdown" and last.source.startswith("## Where to go next")
    # Every notebook it points to exists.
    for name in ("quickstart", "partitions", "tutorial_bike_share", "from_dagster_docs"):
        if f"{name}.ipynb" in last.source:
            assert (NOTEBOOKS / f"{name}.ipynb").exists(), name


def test_the_shipped_data_is_what_its_generator_writes(tmp_path: Path) -> None:
    script = tmp_path / "make_bike_data.py"
    shutil.copy(NOTEBOOKS / "data" / "make_bike_data.py", script)
    subprocess.run([sys.executable, str(script)], check=True)
    for name in ("stations.csv", "trips.csv", "weather.csv"):
        assert filecmp.cmp(tmp_path / name, NOTEBOOKS / "data" / name, shallow=False), name


def test_tutorial_runs_without_an_error(tutorial: Any) -> None:
    assert errors(tutorial) == []


def test_tutorial_checks_find_the_broken_rows_then_hold_on_the_clean_table(tutorial: Any) -> None:
    assert "Check stations:unique_station_ids passed." in text_of(cell(tutorial, "check-stations"))
    assert "Check trips:durations_positive FAILED." in text_of(cell(tutorial, "check-trips"))
    assert "Check clean_trips:durations_positive passed." in text_of(cell(tutorial, "check-clean"))


def expected_clean(min_minutes: float, moved: bool) -> pd.DataFrame:
    trips = pd.read_csv(NOTEBOOKS / "data" / "trips.csv", parse_dates=["started_at"])
    stations = set(pd.read_csv(NOTEBOOKS / "data" / "stations.csv").station_id)
    keep = trips.from_station.isin(stations) & trips.to_station.isin(stations)
    keep &= (trips.minutes >= min_minutes) & (trips.minutes <= 180)
    if moved:
        keep &= trips.from_station != trips.to_station
    return trips[keep]


def test_tutorial_config_default_and_override(tutorial: Any) -> None:
    total = len(pd.read_csv(NOTEBOOKS / "data" / "trips.csv"))
    assert result_of(tutorial, "clean-trips-size") == f"({total}, {len(expected_clean(1, False))})"
    assert result_of(tutorial, "config-run") == str(len(expected_clean(5, False)))
    assert len(expected_clean(5, False)) < len(expected_clean(1, False))


def test_tutorial_failure_names_the_column_and_the_fix_runs(tutorial: Any) -> None:
    failed = text_of(cell(tutorial, "busiest-fails"))
    assert "KeyError: 'station'" in failed and "line 2, in busiest_stations" in failed
    assert result_of(tutorial, "busiest-fails") == "False"
    fixed = text_of(cell(tutorial, "busiest"))
    assert "busiest_stations · materialized in " in fixed
    clean = expected_clean(5, False)  # the stored clean_trips is the overridden run's
    top = clean.groupby("from_station").size().nlargest(1).index[0]
    name = pd.read_csv(NOTEBOOKS / "data" / "stations.csv").set_index("station_id").name[top]
    assert name in fixed.split("station_id", 1)[1].splitlines()[1]


def test_tutorial_says_what_is_stale_and_why(tutorial: Any) -> None:
    redefined = text_of(cell(tutorial, "clean-trips-v2"))
    assert "Now stale downstream: busiest_stations, daily_rides, rain_effect." in redefined
    changed = text_of(cell(tutorial, "show-changed"))
    assert "stale because: its code changed since it was materialized" in changed
    assert "+moved = trips.from_station != trips.to_station" in changed
    assert "stale because: upstream 'daily_rides' is stale" in text_of(cell(tutorial, "show-stale"))
    refreshed = text_of(cell(tutorial, "refresh"))
    assert "4 materialized" in refreshed


def test_tutorial_rain_effect_matches_pandas(tutorial: Any) -> None:
    clean = expected_clean(1, True).assign(day=lambda t: t.started_at.dt.normalize())
    weather = pd.read_csv(NOTEBOOKS / "data" / "weather.csv", parse_dates=["day"])
    per_day = clean.groupby("day").size().rename("rides").reset_index().merge(weather, on="day")
    wet = per_day.rain_mm > 1
    expected = {
        "dry": round(float(per_day[~wet].rides.mean()), 1),
        "wet": round(float(per_day[wet].rides.mean()), 1),
    }
    assert result_of(tutorial, "rain-value") == str(expected)
    assert expected["dry"] > expected["wet"]


def test_tutorial_catalog_and_lineage(tutorial: Any) -> None:
    catalog = result_of(tutorial, "catalog")
    assert catalog.startswith("7 assets")
    assert all(f" {group} " in catalog for group in ("raw", "clean", "reports"))
    (lineage,) = cell(tutorial, "lineage").outputs
    assert {WIDGET, "image/svg+xml", "text/html", "text/plain"} <= set(lineage["data"])
    assert "rain_effect [materialized]  <- daily_rides" in lineage["data"]["text/plain"]
    assert ">reports</text>" in lineage["data"]["text/html"]


@pytest.mark.parametrize("which", ["tutorial", "docs"])
def test_every_widget_carries_a_static_picture(which: str, request: pytest.FixtureRequest) -> None:
    nb = request.getfixturevalue(which)
    widgets = [
        (c.id, o["data"])
        for c in nb.cells
        for o in c.get("outputs", [])
        if o["output_type"] in ("display_data", "execute_result") and WIDGET in o["data"]
    ]
    assert widgets
    for cell_id, data in widgets:
        assert data.get("text/plain", "").strip(), cell_id
        assert data.get("text/html", "").strip(), cell_id


def test_docs_examples_run_as_in_the_docs(docs: Any) -> None:
    assert errors(docs) == []
    assert text_of(cell(docs, "basic")).split() == ["True", "my_asset", "[1,", "2,", "3]"]
    assert text_of(cell(docs, "deps")).splitlines() == [
        "CREATE TABLE sugary_cereals AS SELECT * FROM cereals WHERE sugar_grams > 10",
        "CREATE TABLE shopping_list AS SELECT * FROM sugary_cereals",
    ]
    assert result_of(docs, "config") == "{'source': 'https://example.test/data', 'rows': 3}"
    assert result_of(docs, "context") == "['1']"
    assert text_of(cell(docs, "retry")).strip() == "True [0, 1, 2]"
    assert text_of(cell(docs, "unit")).count("passed: test_") == 4
    assert result_of(docs, "keys") == "[1, 2, 3, 4]"
    assert "one/two/three/upstream_asset" in text_of(cell(docs, "keys"))
    assert text_of(cell(docs, "materialize")).startswith("['total']")
    assert result_of(docs, "materialize") == "'sqlite://'"
    # Every code cell uses nbassets, never dagster.
    cells = nbformat.read(DOCS, as_version=4).cells
    sources = "\n".join(c.source for c in cells if c.cell_type == "code")
    assert "from dagster" not in sources and "import dagster" not in sources
