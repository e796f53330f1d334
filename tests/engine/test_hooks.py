"""@success_hook / @failure_hook on assets: called after the step, reported as events."""

from __future__ import annotations

from typing import Any

from nbassets import HookContext, asset, failure_hook, materialize, success_hook


def _hook_events(result: Any) -> list[tuple[str, str | None]]:
    return [
        (e.event_type_value, e.step_key)
        for e in result.all_events
        if e.event_type_value.startswith("HOOK_")
    ]


def test_the_hook_matching_the_outcome_runs_and_the_other_is_skipped() -> None:
    seen: list[tuple[str, str, str | None]] = []

    @success_hook
    def on_success(context: HookContext) -> None:
        seen.append(("success", context.step_key, None))

    @failure_hook(name="on_failure")
    def failed(context: HookContext) -> None:
        seen.append(("failure", context.step_key, repr(context.op_exception)))

    @asset(hooks={on_success, failed})
    def up() -> int:
        return 1

    @asset(hooks={on_success, failed})
    def down(up: int) -> int:
        raise ValueError("boom")

    result = materialize([up, down], raise_on_error=False)

    assert seen == [("success", "up", None), ("failure", "down", "ValueError('boom')")]
    assert sorted(_hook_events(result)) == [
        ("HOOK_COMPLETED", "down"),
        ("HOOK_COMPLETED", "up"),
        ("HOOK_SKIPPED", "down"),
        ("HOOK_SKIPPED", "up"),
    ]


def test_a_hook_that_raises_is_reported_and_the_run_still_succeeds() -> None:
    @success_hook
    def broken(context: HookContext) -> None:
        raise RuntimeError("hook bug")

    @asset(hooks={broken})
    def thing() -> int:
        return 2

    result = materialize([thing])

    assert result.success and result.output_for_node("thing") == 2
    (errored,) = [e for e in result.all_events if e.event_type_value == "HOOK_ERRORED"]
    assert "hook bug" in errored.message and errored.step_key == "thing"


def test_a_hook_gets_the_resources_it_requires_and_logs_to_the_run() -> None:
    @success_hook(required_resource_keys={"token"})
    def report(context: HookContext) -> None:
        context.log.info(f"token is {context.resources.token}")

    @asset(hooks={report})
    def thing() -> int:
        return 3

    assert "token" in thing.required_resource_keys
    result = materialize([thing], resources={"token": "abc"})

    logs = [e.message for e in result.all_events if e.event_type_value == "LOG"]
    assert "token is abc" in logs
