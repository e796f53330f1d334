"""MaterializeResult, Output, AssetCheckResult, Failure and RetryRequested."""

from __future__ import annotations

from nbassets import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetKey,
    DataVersion,
    Failure,
    MaterializeResult,
    Output,
    RetryRequested,
)
from nbassets.definitions.metadata import IntMetadataValue, TextMetadataValue


def test_materialize_result_with_and_without_value() -> None:
    empty = MaterializeResult(metadata={"rows": 2})
    assert not empty.has_value
    # Kept as written, as Dagster keeps it; the run records it normalized.
    assert empty.metadata == {"rows": 2}
    full = MaterializeResult(value=[1], asset_key="a/b", data_version=DataVersion("v1"))
    assert full.has_value and full.value == [1]
    assert full.asset_key == AssetKey(["a", "b"])
    # None is a value like any other.
    assert MaterializeResult(value=None).has_value


def test_output_normalizes_metadata() -> None:
    out = Output(5, metadata={"note": "ok"})
    assert out.value == 5 and out.output_name == "result"
    assert out.metadata == {"note": TextMetadataValue("ok")}


def test_check_result_coerces() -> None:
    result = AssetCheckResult(passed=0, asset_key="a/b", metadata={"n": 1})  # type: ignore[arg-type]
    assert result.passed is False
    assert result.asset_key == AssetKey(["a", "b"])
    assert result.metadata == {"n": IntMetadataValue(1)}
    assert result.severity is AssetCheckSeverity.ERROR


def test_failure_and_retry_requested() -> None:
    failure = Failure("bad rows", metadata={"n": 3}, allow_retries=False)
    assert str(failure) == "bad rows"
    assert failure.metadata == {"n": IntMetadataValue(3)}
    assert not failure.allow_retries
    retry = RetryRequested(max_retries=2, seconds_to_wait=0.1)
    assert retry.max_retries == 2 and retry.seconds_to_wait == 0.1
