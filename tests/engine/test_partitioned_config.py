"""A job's PartitionedConfig gives each partition's run its own config and tags."""

from __future__ import annotations

from nbassets import (
    AssetExecutionContext,
    Config,
    Definitions,
    JobDefinition,
    PartitionedConfig,
    StaticPartitionsDefinition,
    asset,
    define_asset_job,
)

LETTERS = StaticPartitionsDefinition(["a", "b"])


class Scale(Config):
    factor: int


@asset(partitions_def=LETTERS)
def scaled(context: AssetExecutionContext, config: Scale) -> str:
    return context.partition_key * config.factor


def _job() -> JobDefinition:
    config = PartitionedConfig(
        partitions_def=LETTERS,
        run_config_for_partition_key_fn=lambda key: {
            "ops": {"scaled": {"config": {"factor": 2 if key == "a" else 3}}}
        },
        tags_for_partition_key_fn=lambda key: {"letter": key},
    )
    return Definitions(
        assets=[scaled], jobs=[define_asset_job("letters", [scaled], config=config)]
    ).resolve_job_def("letters")


def test_each_partition_runs_with_its_own_config_and_tags() -> None:
    job = _job()
    a = job.execute_in_process(partition_key="a")
    b = job.execute_in_process(partition_key="b")

    assert a.output_for_node("scaled") == "aa"
    assert b.output_for_node("scaled") == "bbb"
    assert a.dagster_run.tags["letter"] == "a"
    assert b.dagster_run.tags["letter"] == "b"


def test_an_explicit_run_config_replaces_the_partitions_config() -> None:
    result = _job().execute_in_process(
        partition_key="a", run_config={"ops": {"scaled": {"config": {"factor": 4}}}}
    )
    assert result.output_for_node("scaled") == "aaaa"
