"""Executors given to Definitions or a job are carried; execute_in_process runs here."""

from __future__ import annotations

from typing import Any

import pytest

from nbassets import (
    Definitions,
    Executor,
    InvalidDefinitionError,
    asset,
    define_asset_job,
    in_process_executor,
    multi_or_in_process_executor,
    multiprocess_executor,
)


@asset
def one() -> int:
    return 1


def test_the_definitions_executor_is_the_jobs_unless_the_job_has_its_own() -> None:
    defs = Definitions(
        assets=[one],
        executor=multiprocess_executor,
        jobs=[define_asset_job("own", executor_def=in_process_executor)],
    )
    implicit = defs.resolve_implicit_global_asset_job_def()

    assert implicit.executor_def is multiprocess_executor
    assert defs.resolve_job_def("own").executor_def is in_process_executor
    # As in Dagster, execute_in_process runs in this process whatever the executor.
    assert implicit.execute_in_process().output_for_node("one") == 1


def test_a_job_without_one_has_dagsters_default() -> None:
    job = Definitions(assets=[one]).resolve_implicit_global_asset_job_def()
    assert job.executor_def is multi_or_in_process_executor
    assert job.with_executor_def(in_process_executor).executor_def is in_process_executor


def test_an_executor_instance_becomes_a_definition_returning_it() -> None:
    class Mine(Executor):
        def execute(self, plan_context: Any, execution_plan: Any) -> None:
            raise AssertionError("never called in a notebook")

        @property
        def retries(self) -> None:
            return None

    mine = Mine()
    job = Definitions(assets=[one], executor=mine).resolve_implicit_global_asset_job_def()
    assert job.executor_def.executor_creation_fn(None) is mine


def test_anything_else_is_refused() -> None:
    with pytest.raises(InvalidDefinitionError, match="executor= takes an ExecutorDefinition"):
        Definitions(executor="threads")
