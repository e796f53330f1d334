"""An asset that changes its input in place must not silently change the stored upstream.

pandas objects reach a step as Copy-on-Write copies (nothing the step does changes
the stored frame); other values that can change (lists, dicts, arrays, objects) are
checksummed around the step, and a change warns and marks the upstream stale.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pandas as pd
import pytest

import nbassets
from nbassets import (
    AssetIn,
    AssetKey,
    DailyPartitionsDefinition,
    EventType,
    InputChangedWarning,
    asset,
    asset_check,
    materialize,
)

K = AssetKey


@pytest.fixture
def reg() -> Any:
    with nbassets.use_registry() as registry:
        yield registry


def _define(reg: Any, *definitions: Any) -> None:
    for definition in definitions:
        reg.add(definition)


def _warnings_in(events: list[Any]) -> list[str]:
    return [
        e.message for e in events
        if e.event_type is EventType.LOG and e.data.level == "WARNING"
    ]


def test_the_reviewers_reproduction_warns_and_marks_the_upstream_stale(reg: Any) -> None:
    @asset
    def up() -> list[int]:
        return [1, 2, 3]

    @asset
    def down(up: list[int]) -> int:
        up.append(99)
        return len(up)

    _define(reg, up, down)
    events: list[Any] = []
    with pytest.warns(InputChangedWarning) as caught:
        result = materialize(listeners=[events.append])
    assert result.output_for_node("down") == 4
    message = str(caught[0].message)
    assert "'down' changed its input 'up' in place" in message
    assert "up = up.copy()" in message
    # The warning points at the asset's own code, not at nbassets.
    assert caught[0].filename == down.fn.__code__.co_filename
    assert _warnings_in(events) == [message]
    # The upstream no longer looks fresh, and says why; its downstream follows.
    assert reg.status(K("up")) == "stale"
    assert reg.stale_reasons("up") == [
        "its stored value was changed in place by 'down' (re-materialize it to get its "
        "own value back)"
    ]
    assert reg.stale_reasons("down") == ["upstream 'up' is stale"]

    # Re-running down alone reads the changed value: it warns every time.
    with pytest.warns(InputChangedWarning):
        assert materialize(selection=["down"]).output_for_node("down") == 5
    # Re-materializing up gives its own value back and clears the mark.
    with pytest.warns(InputChangedWarning):
        assert materialize(selection=["up", "down"]).output_for_node("down") == 4
    reg_value = reg.value("up")
    assert reg_value == [1, 2, 3, 99]  # down changed it again in that run
    assert reg.status(K("up")) == "stale"


def test_a_step_that_only_reads_its_inputs_gets_the_stored_objects_and_no_warning(
    reg: Any,
) -> None:
    seen: dict[str, Any] = {}

    @asset
    def items() -> list[int]:
        return [1, 2, 3]

    @asset
    def table() -> dict[str, list[int]]:
        return {"a": [1]}

    @asset
    def array() -> Any:
        return np.arange(5)

    @asset
    def reader(items: list[int], table: dict[str, list[int]], array: Any) -> int:
        seen.update(items=items, table=table, array=array)
        return len(items) + len(table) + int(array.sum())

    _define(reg, items, table, array, reader)
    materialize()  # no warning: pytest turns warnings into errors
    for name in ("items", "table"):
        assert seen[name] is reg.value(name)  # no copies for values a step only reads
    assert seen["array"].base is reg.value("array")  # a read-only view, not a copy
    assert not seen["array"].flags.writeable
    assert {reg.status(k) for k in reg.keys()} == {"materialized"}


@pytest.mark.parametrize(
    ("value", "change", "kind"),
    [
        ({"a": 1}, lambda v: v.update(b=2), "dict"),
        ([{"a": 1}], lambda v: v[0].update(a=2), "list"),
        ({1, 2}, lambda v: v.add(3), "set"),
        (np.ma.masked_array([1, 2, 3]), lambda v: v.__setitem__(0, 5), "MaskedArray"),
        (bytearray(b"abc"), lambda v: v.extend(b"d"), "bytearray"),
        ([np.zeros(3)], lambda v: v[0].__setitem__(0, 1.0), "list"),
    ],
    ids=["dict", "nested-dict-in-list", "set", "masked-array", "bytearray", "array-in-list"],
)
def test_changes_to_mutable_inputs_are_detected(
    reg: Any, value: Any, change: Any, kind: str
) -> None:
    @asset
    def source() -> Any:
        return value

    @asset
    def changer(source: Any) -> int:
        change(source)
        return 1

    _define(reg, source, changer)
    expected = rf"'changer' changed its input 'source' .*\({kind}\)"
    with pytest.warns(InputChangedWarning, match=expected):
        materialize()
    assert reg.status(K("source")) == "stale"


@pytest.mark.parametrize(
    "change",
    [lambda v: v.__iadd__(1), lambda v: v.sort(), lambda v: v.__setitem__(0, 9.0),
     lambda v: np.multiply(v, 2, out=v)],
    ids=["iadd", "sort", "setitem", "ufunc-out"],
)
def test_an_array_input_is_read_only_so_writing_into_it_fails_that_step_with_the_fix(
    reg: Any, change: Any
) -> None:
    @asset
    def signal() -> Any:
        return np.array([3.0, 1.0, 2.0])

    @asset
    def scaled(signal: Any) -> float:
        change(signal)
        return float(signal.sum())

    @asset
    def copied(signal: Any) -> float:
        mine = signal.copy()
        change(mine)
        return float(np.sort(signal)[0] + pd.Series(signal).sum())

    _define(reg, signal, scaled, copied)
    result = materialize(raise_on_error=False)
    assert result.get_failed_step_keys() == {"scaled"}
    (failure,) = result.get_step_failure_events()
    shown = failure.data.error.message
    assert "read-only" in shown
    assert "'scaled' received 'signal' as a read-only numpy array" in shown
    assert "`signal = signal.copy()`" in shown
    assert result.output_for_node("copied") == 7.0
    assert reg.value("signal").tolist() == [3.0, 1.0, 2.0]
    assert reg.value("signal").flags.writeable  # the stored array itself stays writable
    assert reg.status(K("signal")) == "materialized"


def test_a_dataframe_input_is_a_copy_on_write_copy_so_the_stored_frame_never_changes(
    reg: Any,
) -> None:
    @asset
    def frame() -> pd.DataFrame:
        return pd.DataFrame({"x": [1, 2, 3]})

    @asset
    def widened(frame: pd.DataFrame) -> int:
        frame["y"] = frame["x"] * 2
        frame.iloc[0, 0] = 100
        frame.loc[3] = [7, 14]  # a new row, in place
        return int(frame["x"].sum())

    @asset
    def series_user(frame: pd.DataFrame) -> int:
        column = frame["x"]
        column.iloc[1] = 50
        return int(column.sum())

    _define(reg, frame, widened, series_user)
    answers = [
        (materialize().output_for_node("widened"),
         materialize(selection=["widened"]).output_for_node("widened"),
         materialize(selection=["series_user"]).output_for_node("series_user"))
        for _ in range(2)
    ]
    assert answers == [(112, 112, 54), (112, 112, 54)]  # no drift from run to run
    pd.testing.assert_frame_equal(reg.value("frame"), pd.DataFrame({"x": [1, 2, 3]}))
    assert {reg.status(k) for k in reg.keys()} == {"materialized"}


def test_a_renamed_input_and_a_partitioned_input_name_the_asset_and_partition(
    reg: Any,
) -> None:
    daily = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-03")

    @asset(partitions_def=daily)
    def events(context: Any) -> list[str]:
        return [context.partition_key]

    @asset(ins={"days": AssetIn("events")})
    def report(days: dict[str, list[str]]) -> int:
        days["2024-01-02"].append("oops")
        return len(days)

    _define(reg, events, report)
    materialize(selection=["events"], partition_key="2024-01-01")
    materialize(selection=["events"], partition_key="2024-01-02")
    with pytest.warns(InputChangedWarning) as caught:
        materialize(selection=["report"])
    assert (
        "'report' changed its input 'days' (asset 'events', partition 2024-01-02) in place"
        in str(caught[0].message)
    )
    assert reg.partition_states("events") == {
        "2024-01-01": "materialized",
        "2024-01-02": "stale",
    }
    with pytest.warns(InputChangedWarning):
        materialize(selection=["report"])
    materialize(selection=["events"], partition_key="2024-01-02")
    assert reg.partition_states("events")["2024-01-02"] == "materialized"


def test_a_check_that_changes_its_asset_is_caught_too(reg: Any) -> None:
    @asset
    def rows() -> list[int]:
        return [3, 1, 2]

    @asset_check(asset=rows)
    def sorted_rows(rows: list[int]) -> bool:
        rows.sort()  # sorts the stored list in place
        return True

    _define(reg, rows, sorted_rows)
    with pytest.warns(InputChangedWarning, match="'rows:sorted_rows' changed its input 'rows'"):
        materialize()
    assert reg.status(K("rows")) == "stale"


def test_a_step_that_changes_its_input_and_then_fails_still_marks_it(reg: Any) -> None:
    @asset
    def up() -> list[int]:
        return [1]

    @asset
    def down(up: list[int]) -> int:
        up.clear()
        raise ValueError("boom")

    _define(reg, up, down)
    with pytest.warns(InputChangedWarning):
        result = materialize(raise_on_error=False)
    assert not result.success
    assert reg.status(K("up")) == "stale"


def test_values_that_cannot_be_checksummed_run_as_before(reg: Any) -> None:
    lock = threading.Lock()

    @asset
    def holder() -> list[Any]:
        return [lock]

    @asset
    def user(holder: list[Any]) -> int:
        holder.append(1)  # cannot be seen: a lock does not pickle
        return len(holder)

    _define(reg, holder, user)
    assert materialize().output_for_node("user") == 2
    assert reg.status(K("holder")) == "materialized"


def test_the_threads_executor_detects_changes_too(reg: Any) -> None:
    @asset
    def up() -> list[int]:
        return [1, 2, 3]

    @asset
    def down(up: list[int]) -> int:
        up.pop()
        return len(up)

    @asset
    def other(up: list[int]) -> int:
        return len(up)

    _define(reg, up, down, other)
    with pytest.warns(InputChangedWarning, match="'down' changed its input 'up'"):
        materialize(executor="threads:2")
    assert reg.status(K("up")) == "stale"


def test_a_change_made_before_ctrl_c_still_marks_the_upstream_stale(reg: Any) -> None:
    @asset
    def up() -> list[int]:
        return [1, 2, 3]

    @asset
    def down(up: list[int]) -> int:
        up.append(99)
        raise KeyboardInterrupt  # the user pressed Ctrl-C after the change

    _define(reg, up, down)
    materialize(selection=["up"])
    assert reg.status(K("up")) == "materialized"
    with pytest.warns(InputChangedWarning), pytest.raises(KeyboardInterrupt):
        materialize(selection=["down"])
    assert reg.value("up") == [1, 2, 3, 99]
    assert reg.status(K("up")) == "stale"
    assert reg.instance.runs[-1].status == "CANCELED"
