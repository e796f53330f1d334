"""validate_run_config answers with the run config a job would run with, in Dagster's shape."""

from __future__ import annotations

from nbassets import graph, in_process_executor, job, op, validate_run_config


@op(config_schema={"foo": str})
def needs_config(context) -> str:
    return str(context.op_config["foo"])


@graph
def inner() -> None:
    needs_config()


@job
def nested() -> None:
    inner()


def test_every_node_by_handle_with_the_executor_and_resources_filled_in() -> None:
    given = {"ops": {"inner": {"ops": {"needs_config": {"config": {"foo": "bar"}}}}}}

    assert validate_run_config(nested.with_executor_def(in_process_executor), given) == {
        "ops": {
            "inner": {"config": None, "inputs": {}, "outputs": None},
            "inner.needs_config": {"config": {"foo": "bar"}, "inputs": {}, "outputs": None},
        },
        "execution": {"in_process": {"retries": {"enabled": {}}}},
        "resources": {"io_manager": {"config": None}},
        "loggers": {},
    }
