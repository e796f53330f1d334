from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.core.magic import Magics, cell_magic, magics_class

from nbassets.definitions.keys import AssetKey
from nbassets.notebook.cell_options import (
    AssetCellOptions,
    AssetCheckOptions,
    asset_arguments,
    asset_check_arguments,
    parse_asset_check_line,
    parse_asset_line,
)


def test_empty_line_gives_defaults() -> None:
    assert parse_asset_line("") == AssetCellOptions()


def test_every_option() -> None:
    line = (
        "sales/orders --group sales --key-prefix raw/eu --tags team=data tier=gold "
        "--metadata rows=3 ratio=0.5 note=ok --kinds pandas csv --owners ada@example.com "
        '--description "Orders, cleaned" --partitions daily:2024-01-01 --config OrdersConfig '
        "--resources warehouse --io-manager fs_io --code-version v2 --retries 3 "
        "--retry-delay 1.5 --no-run --ins raw=sources/orders --deps audit sales/customers"
    )
    assert parse_asset_line(line) == AssetCellOptions(
        name="sales/orders",
        group="sales",
        key_prefix=("raw", "eu"),
        tags={"team": "data", "tier": "gold"},
        metadata={"rows": 3, "ratio": 0.5, "note": "ok"},
        kinds=("pandas", "csv"),
        owners=("ada@example.com",),
        description="Orders, cleaned",
        partitions="daily:2024-01-01",
        config="OrdersConfig",
        resources=("warehouse",),
        io_manager="fs_io",
        code_version="v2",
        retries=3,
        retry_delay=1.5,
        no_run=True,
        ins={"raw": "sources/orders"},
        deps=("audit", "sales/customers"),
    )


@pytest.mark.parametrize(
    ("line", "field", "value"),
    [
        ("-g sales", "group", "sales"),
        ("--group=sales", "group", "sales"),
        ("-d 'two words'", "description", "two words"),
        ('--description "it\'s quoted"', "description", "it's quoted"),
        ("--key-prefix raw eu", "key_prefix", ("raw", "eu")),
        ("--key-prefix raw/eu", "key_prefix", ("raw", "eu")),
        ("--tags a=1 --tags b=2", "tags", {"a": "1", "b": "2"}),
        ("--tags 'label=two words'", "tags", {"label": "two words"}),
        ("--tags url=a=b", "tags", {"url": "a=b"}),
        ("-p static:a,b,c", "partitions", "static:a,b,c"),
        ("--retries 0", "retries", 0),
        ("--retries 2 --retry-delay 0", "retry_delay", 0.0),
    ],
)
def test_spellings(line: str, field: str, value: object) -> None:
    assert getattr(parse_asset_line(line), field) == value


def test_key_for_applies_the_prefix() -> None:
    options = parse_asset_line("--key-prefix raw/eu")
    assert options.key_for("sales/orders") == AssetKey(["raw", "eu", "sales", "orders"])
    assert parse_asset_line("").key_for("orders") == AssetKey("orders")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("--grup sales", r"^Unknown option '--grup'\. Did you mean '--group'\?$"),
        ("--grou sales", r"Unknown option '--grou'\. Did you mean '--group'"),  # no abbreviations
        ("--help", r"Unknown option '--help'\. Run %%asset\? to see the options\."),
        ("--tags team", r"^--tags expects k=v pairs; got 'team'\."),
        ("--tags a=b orders", r"got 'orders'\. If 'orders' is the asset's NAME, write it first"),
        ("--tags =x", r"--tags expects k=v pairs; got '=x'"),
        ("--tags a=1 a=2", r"--tags sets 'a' twice \('1' and '2'\)"),
        ("--metadata rows", r"--metadata expects k=v pairs; got 'rows'"),
        ("--ins raw", r"--ins expects local=key/path pairs; got 'raw'"),
        ("--ins 2x=raw", r"--ins expects Python identifiers.*got '2x'"),
        ("--ins raw=a//b", r"--ins expects an asset key .* got 'a//b'"),
        ("--deps a//b", r"--deps expects an asset key .* got 'a//b'"),
        ("--group", r"^--group expects a value\.$"),
        ("--kinds", r"^--kinds expects at least one value\.$"),
        ("--group a --group b", r"--group is given twice \('a' and 'b'\)"),
        ("--group my-group", r"'my-group' is not a valid asset group name.*try 'my_group'"),
        ("orders extra", r"Unexpected 'extra': %%asset takes one NAME"),
        ("--retries x", r"--retries expects a whole number, 0 or more; got 'x'"),
        ("--retries -1", r"--retries expects a whole number, 0 or more; got '-1'"),
        ("--retries 1 --retry-delay soon", r"--retry-delay expects a number of seconds.*'soon'"),
        ("--retry-delay 2", r"--retry-delay 2 needs --retries N"),
        ("--no-run=yes", r"--no-run is a flag and takes no value; got 'yes'"),
        ("--description 'unclosed", r"Cannot split the %%asset line: No closing quotation"),
        ("--key-prefix raw//eu", r"--key-prefix expects parts .* got 'raw//eu'"),
        ("--config 'My Config'", r"--config expects the name of a class .* got 'My Config'"),
        ("--resources context", r"--resources expects Python identifiers.*got 'context'"),
        ("--code-version ''", r"--code-version expects a value; got an empty string"),
        ("sales/2024", r"NAME: .*last part '2024' must be a Python identifier"),
        ("a//b", r"NAME: .*non-empty strings"),
    ],
)
def test_mistakes_raise_usage_error_naming_the_token(line: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_asset_line(line)


def test_asset_check_line() -> None:
    assert parse_asset_check_line("orders") == AssetCheckOptions(asset="orders")
    assert parse_asset_check_line(
        "sales/orders no_nulls --blocking --description 'No null ids'"
    ) == AssetCheckOptions(
        asset="sales/orders", name="no_nulls", blocking=True, description="No null ids"
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("", r"%%asset_check needs ASSET: %%asset_check ASSET \[options\]"),
        ("orders --blockng", r"Unknown option '--blockng'\. Did you mean '--blocking'\?"),
        ("orders bad-name", r"NAME must be a Python identifier; got 'bad-name'"),
        ("a//b", r"ASSET expects an asset key"),
        ("orders check extra", r"Unexpected 'extra'"),
    ],
)
def test_asset_check_mistakes(line: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_asset_check_line(line)


@magics_class
class _ProbeMagics(Magics):
    """Magics wired the way nbassets' own are, under names no other test uses."""

    @asset_arguments
    @cell_magic
    def probe_asset(self, line: str, cell: str) -> AssetCellOptions:
        """Probe."""
        return parse_asset_line(line)

    @asset_check_arguments
    @cell_magic
    def probe_asset_check(self, line: str, cell: str) -> AssetCheckOptions:
        """Probe."""
        return parse_asset_check_line(line)


@pytest.fixture
def shell() -> Iterator[InteractiveShell]:
    ip = InteractiveShell.instance()
    ip.register_magics(_ProbeMagics)
    yield ip
    for name in ("probe_asset", "probe_asset_check"):
        ip.magics_manager.magics["cell"].pop(name, None)


def test_magic_help_is_the_argparse_help(shell: InteractiveShell, capsys: Any) -> None:
    shell.run_cell("%%probe_asset?")
    shown = capsys.readouterr().out
    assert "%%asset [-g GROUP]" in shown
    assert "--partitions SPEC" in shown
    assert "--ins <LOCAL=KEY [LOCAL=KEY ...]>" in shown
    assert "Write NAME before the options" in shown
    check_help = shell.find_cell_magic("probe_asset_check").__doc__
    assert "%%asset_check [--blocking] [-d DESCRIPTION] ASSET [NAME]" in check_help


def test_magic_parses_the_line_through_a_real_shell(shell: InteractiveShell) -> None:
    options = shell.run_cell_magic("probe_asset", 'orders --description "two words"', "1")
    assert (options.name, options.description) == ("orders", "two words")


def test_user_sees_a_short_usage_error(shell: InteractiveShell, capsys: Any) -> None:
    result = shell.run_cell("%%probe_asset --grup sales\n1\n")
    assert isinstance(result.error_in_exec, UsageError)
    captured = capsys.readouterr()
    shown = captured.out + captured.err
    assert "UsageError: Unknown option '--grup'. Did you mean '--group'?" in shown
    assert "Traceback" not in shown
