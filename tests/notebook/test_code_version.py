from __future__ import annotations

import re

import pytest

from nbassets.errors import InvalidDefinitionError
from nbassets.notebook.cell_body import analyze_cell
from nbassets.notebook.cell_options import parse_asset_line
from nbassets.notebook.code_version import code_version

BASE = "import pandas as pd\norders = pd.read_csv('data/orders.csv')\norders = orders.dropna()\n"


def _version(body: str, line: str = "") -> str:
    return code_version(body, parse_asset_line(line).to_dict())


def test_is_a_short_hex_digest_and_stable() -> None:
    version = _version(BASE)
    assert re.fullmatch(r"[0-9a-f]{16}", version)
    assert version == _version(BASE)
    assert version == code_version(analyze_cell(BASE, first_line=2), {})


@pytest.mark.parametrize(
    "same",
    [
        # comments and blank lines
        "# load\nimport pandas as pd\n\n\norders = pd.read_csv('data/orders.csv')  # raw\n"
        "orders = orders.dropna()\n",
        # spacing, quote style, line breaks inside brackets
        'import pandas as pd\norders = pd.read_csv(\n    "data/orders.csv"\n)\n'
        "orders=orders.dropna( )\n",
        # a docstring is the description, not code
        '"""All orders."""\n' + BASE,
    ],
)
def test_formatting_comments_and_docstrings_are_not_code_changes(same: str) -> None:
    assert _version(same) == _version(BASE)


@pytest.mark.parametrize(
    "edited",
    [
        BASE.replace("orders.csv", "orders_v2.csv"),
        BASE.replace("dropna()", "dropna(how='all')"),
        BASE + "orders = orders.head()\n",
        BASE.replace("orders = orders.dropna()", "orders = orders.fillna(0)"),
    ],
)
def test_real_edits_change_the_version(edited: str) -> None:
    assert _version(edited) != _version(BASE)


def test_function_docstring_is_not_a_code_change_but_its_body_is() -> None:
    plain = "def orders(raw):\n    return raw.dropna()\n"
    documented = 'def orders(raw):\n    """Clean orders."""\n    return raw.dropna()\n'
    assert _version(plain) == _version(documented)
    assert _version(plain) != _version(plain.replace("dropna", "fillna"))


@pytest.mark.parametrize(
    "line",
    [
        "orders",
        "--group sales",
        "--description 'All the orders'",
        "--tags team=data",
        "--metadata rows=3",
        "--owners ada@example.com",
        "--kinds pandas",
        "--key-prefix raw",
        "--io-manager fs",
        "--retries 3 --retry-delay 2",
        "--no-run",
    ],
)
def test_options_that_do_not_change_the_data_are_not_versioned(line: str) -> None:
    assert _version(BASE, line) == _version(BASE)


@pytest.mark.parametrize(
    "line",
    [
        "--config OrdersConfig",
        "--ins raw=sources/orders",
        "--deps upstream_table",
        "--partitions daily:2024-01-01",
        "--resources warehouse",
    ],
)
def test_options_that_change_the_data_are_versioned(line: str) -> None:
    assert _version(BASE, line) != _version(BASE)


def test_option_values_are_compared_by_meaning() -> None:
    assert _version(BASE, "--deps a b") == _version(BASE, "--deps b a")
    assert _version(BASE, "--ins x=a y=b") == _version(BASE, "--ins y=b x=a")
    assert _version(BASE, "--partitions daily:2024-01-01") != _version(
        BASE, "--partitions daily:2024-02-01"
    )


def test_an_explicit_code_version_wins() -> None:
    assert _version(BASE, "--code-version v7") == "v7"
    assert code_version(BASE, {"code_version": "v7", "config": "C"}) == "v7"


def test_source_that_does_not_parse_is_an_error() -> None:
    with pytest.raises(InvalidDefinitionError, match=r"Syntax error"):
        code_version("orders = (", {})
