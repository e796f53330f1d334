"""MetadataValue constructors and the normalization of plain values."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from nbassets import InvalidDefinitionError, MetadataValue, TableRecord
from nbassets.definitions.metadata import (
    BoolMetadataValue,
    FloatMetadataValue,
    IntMetadataValue,
    JsonMetadataValue,
    MarkdownMetadataValue,
    NullMetadataValue,
    PathMetadataValue,
    TableMetadataValue,
    TextMetadataValue,
    UrlMetadataValue,
    normalize_metadata,
)


@pytest.mark.parametrize(
    ("made", "cls", "value", "type_name"),
    [
        (MetadataValue.int(3), IntMetadataValue, 3, "int"),
        (MetadataValue.float(1.5), FloatMetadataValue, 1.5, "float"),
        (MetadataValue.text("hi"), TextMetadataValue, "hi", "text"),
        (MetadataValue.md("# T"), MarkdownMetadataValue, "# T", "md"),
        (MetadataValue.json({"a": [1]}), JsonMetadataValue, {"a": [1]}, "json"),
        (MetadataValue.url("https://x.org"), UrlMetadataValue, "https://x.org", "url"),
        (MetadataValue.path(Path("/tmp/f")), PathMetadataValue, "/tmp/f", "path"),
        (MetadataValue.bool(False), BoolMetadataValue, False, "bool"),
        (MetadataValue.null(), NullMetadataValue, None, "null"),
    ],
)
def test_constructors(made: MetadataValue, cls: type, value: object, type_name: str) -> None:
    assert isinstance(made, cls)
    assert made.value == value
    assert made.type_name == type_name


def test_table_accepts_records_and_plain_mappings() -> None:
    table = MetadataValue.table([TableRecord({"a": 1}), {"a": 2}])
    assert isinstance(table, TableMetadataValue)
    assert [r.data for r in table.value] == [{"a": 1}, {"a": 2}]
    assert table.type_name == "table"


@pytest.mark.parametrize(
    ("plain", "expected"),
    [
        (3, IntMetadataValue(3)),
        (2.5, FloatMetadataValue(2.5)),
        ("note", TextMetadataValue("note")),
        (True, BoolMetadataValue(True)),
        (None, NullMetadataValue()),
        ({"k": 1}, JsonMetadataValue({"k": 1})),
        ([1, 2], JsonMetadataValue([1, 2])),
        (Path("/data/x.csv"), PathMetadataValue("/data/x.csv")),
        (MetadataValue.md("*m*"), MarkdownMetadataValue("*m*")),
    ],
)
def test_plain_values_are_normalized(plain: object, expected: MetadataValue) -> None:
    assert normalize_metadata({"entry": plain}) == {"entry": expected}


def test_bool_is_not_taken_for_an_int() -> None:
    assert type(normalize_metadata({"b": False})["b"]) is BoolMetadataValue


def test_nan_stays_a_float() -> None:
    value = normalize_metadata({"x": float("nan")})["x"]
    assert isinstance(value, FloatMetadataValue) and math.isnan(value.value)


def test_numpy_like_scalars_keep_their_number() -> None:
    class Scalar:
        def item(self) -> int:
            return 7

    assert normalize_metadata({"n": Scalar()}) == {"n": IntMetadataValue(7)}


def test_empty_and_none_give_an_empty_dict() -> None:
    assert normalize_metadata(None) == {}
    assert normalize_metadata({}) == {}


def test_unstorable_value_names_the_entry_and_the_fix() -> None:
    with pytest.raises(InvalidDefinitionError, match=r"'blob'.*MetadataValue\.text"):
        normalize_metadata({"blob": object()})
