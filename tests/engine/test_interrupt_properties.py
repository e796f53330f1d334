"""Random DAGs x random failures x a real SIGINT on any engine line, against a plain model.

The model runs the DAG with a loop over the topological order: a step is skipped
when a parent did not succeed, fails when it is meant to, else succeeds with the
sum of its parents' values plus its own number. The engine must agree with it when
no interrupt comes, and whatever line an interrupt lands on, every step's record
(its events, its stored value, its recorded materialization, its status) must agree
with the others, and each step that succeeded must agree with the model.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import nbassets
from nbassets import AssetKey, EventType, asset, materialize

ENGINE = os.path.dirname(nbassets.engine.__file__)
ENDS = {EventType.STEP_SUCCESS, EventType.STEP_FAILURE}


class Planned(Exception):
    """The failure a step is meant to have."""


def build(parents: list[frozenset[int]], failing: frozenset[int]) -> list[Any]:
    definitions = []
    for i, ups in enumerate(parents):
        names = [f"n{p}" for p in sorted(ups)]

        def body(i: int = i, **inputs: int) -> int:
            if i in failing:
                raise Planned(f"n{i}")
            return i + sum(inputs.values())

        definitions.append(asset(name=f"n{i}")(_with_params(body, names)))
    return definitions


def _with_params(body: Callable[..., int], names: list[str]) -> Callable[..., int]:
    """A function whose signature names ``names`` (what @asset reads its inputs from)."""
    params = ", ".join(names)
    scope: dict[str, Any] = {"body": body}
    exec(f"def fn({params}):\n    return body({', '.join(f'{n}={n}' for n in names)})", scope)
    return scope["fn"]  # type: ignore[no-any-return]


def model(parents: list[frozenset[int]], failing: frozenset[int]) -> dict[int, int | None]:
    """Each node's value, ``None`` for failed or skipped."""
    values: dict[int, int | None] = {}
    for i, ups in enumerate(parents):
        if any(values[p] is None for p in ups) or i in failing:
            values[i] = None
        else:
            values[i] = i + sum(values[p] or 0 for p in ups)
    return values


class InterruptAt:
    """Sends SIGINT to this process on the ``n``-th line the engine executes."""

    def __init__(self, n: int | None) -> None:
        self.n = n
        self.seen = 0

    def __call__(self, frame: FrameType, event: str, arg: Any) -> Any:
        if not frame.f_code.co_filename.startswith(ENGINE):
            return None
        return self._line

    def _line(self, frame: FrameType, event: str, arg: Any) -> Any:
        if event == "line":
            self.seen += 1
            if self.seen == self.n:
                os.kill(os.getpid(), signal.SIGINT)
        return self._line


@st.composite
def cases(draw: st.DrawFn) -> tuple[list[frozenset[int]], frozenset[int], int | None]:
    size = draw(st.integers(1, 6))
    parents = [frozenset(j for j in range(i) if draw(st.booleans())) for i in range(size)]
    failing = frozenset(i for i in range(size) if draw(st.integers(0, 4)) == 0)
    at = draw(st.none() | st.integers(1, 700))
    return parents, failing, at


@settings(max_examples=120, deadline=None)
@given(cases())
def test_step_records_agree_whatever_line_an_interrupt_lands_on(
    case: tuple[list[frozenset[int]], frozenset[int], int | None],
) -> None:
    parents, failing, at = case
    expected = model(parents, failing)
    events: list[Any] = []
    tracer = InterruptAt(at)
    interrupted = False
    with nbassets.use_registry() as registry:
        for definition in build(parents, failing):
            registry.add(definition)
        sys.settrace(tracer)
        try:
            materialize(raise_on_error=False, listeners=[events.append], registry=registry)
        except KeyboardInterrupt:
            interrupted = True
        finally:
            sys.settrace(None)
        store = registry.instance.io_manager
        if not events:
            # Interrupted while the run was being prepared: it never started.
            assert interrupted and not store.values and not registry.instance.runs
            return
        kinds = [e.event_type for e in events]
        assert kinds[0] is EventType.RUN_START
        # The first failing node's ancestors all succeed, so a failing node means a failure.
        finished = EventType.RUN_FAILURE if failing else EventType.RUN_SUCCESS
        end = kinds[-1]
        # A SIGINT held through the run's last bookkeeping is raised after the run ended.
        assert end in ((EventType.RUN_CANCELED, finished) if interrupted else (finished,))
        completed = end is not EventType.RUN_CANCELED
        statuses = {EventType.RUN_CANCELED: "CANCELED", EventType.RUN_FAILURE: "FAILURE",
                    EventType.RUN_SUCCESS: "SUCCESS"}
        assert registry.instance.runs[-1].status == statuses[end]
        for i in range(len(parents)):
            key = AssetKey(f"n{i}")
            mine = [e.event_type for e in events if e.step_key == f"n{i}"]
            stored = store.has_value(key)
            recorded = registry.instance.get_latest_materialization_event(key) is not None
            if EventType.STEP_START in mine:
                # Started: ended exactly once, and its end agrees with what was kept.
                assert [k for k in mine if k in ENDS] == [mine[-1]], mine
                succeeded = mine[-1] is EventType.STEP_SUCCESS
                assert stored == recorded == succeeded, (mine, stored, recorded)
                assert registry.status(key) == ("materialized" if succeeded else "failed")
                if succeeded:
                    assert store.values[(key, None)] == expected[i]
                else:
                    assert not completed or expected[i] is None
            else:
                assert not stored and not recorded, mine
                assert mine in ([], [EventType.STEP_SKIPPED])
                assert not completed or mine == [EventType.STEP_SKIPPED]
        if completed:
            assert {i for i, v in expected.items() if v is not None} == {
                i for i in range(len(parents)) if store.has_value(AssetKey(f"n{i}"))
            }
