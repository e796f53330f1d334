"""Type checks of output values: ops as Dagster checks them, assets only when typed results."""

from __future__ import annotations

import pytest

from nbassets import (
    DagsterType,
    DagsterTypeCheckDidNotPass,
    MaterializeResult,
    Out,
    TypeCheck,
    asset,
    graph,
    materialize,
    op,
)


def test_an_op_output_of_the_wrong_scalar_type_fails_in_dagsters_words() -> None:
    @op
    def count() -> int:
        return "three"  # type: ignore[return-value]

    @graph
    def counting() -> None:
        count()

    with pytest.raises(
        DagsterTypeCheckDidNotPass, match='step output "result" - expected type "Int"'
    ):
        counting.execute_in_process()
    with pytest.raises(DagsterTypeCheckDidNotPass, match='op "count" output "result"'):
        count()


def test_a_dagster_type_checks_with_its_function_and_reports_its_description() -> None:
    even = DagsterType(lambda _, value: TypeCheck(value % 2 == 0, f"{value} is odd"), name="Even")

    @op(out=Out(dagster_type=even))
    def pick(value: int) -> int:
        return value

    assert pick(4) == 4
    with pytest.raises(
        DagsterTypeCheckDidNotPass, match='expected type "Even". Description: 3 is odd'
    ):
        pick(3)


def test_assets_check_typed_results_but_not_plain_annotations() -> None:
    @asset
    def loose() -> int:
        return "not an int"  # type: ignore[return-value]

    assert materialize([loose]).success

    @asset
    def typed() -> MaterializeResult[int]:
        return MaterializeResult(value="not an int")

    with pytest.raises(DagsterTypeCheckDidNotPass, match='expected type "Int"'):
        materialize([typed])
