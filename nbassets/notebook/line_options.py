"""The arguments of ``%materialize`` and ``%assets``.

Responsibilities:
- ``RunRequest``: the options of one run shared with ``nbassets run``
  (``MaterializeOptions`` adds the magic's own).
- ``parse_materialize_line``: split ``%materialize``'s line with shell quoting,
  refuse unknown options (with a "did you mean"), parse it with the parser
  built from ``_OPTIONS`` and validate it (``%materialize?`` shows the
  magic's docstring).
- ``partition_arguments``: ``--partition`` / ``--partitions`` as the engine's
  ``partition_key``, ``partition_keys`` or ``partition_key_range``.
- ``parse_config``: ``--config`` as JSON or as a name in the namespace.
- ``split_line``: shell-style splitting for ``%assets`` too.
- Mistakes raise ``UsageError`` naming the token.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn

from IPython.core.error import UsageError

from nbassets.errors import did_you_mean

__all__ = [
    "MaterializeOptions",
    "RunRequest",
    "parse_config",
    "parse_materialize_line",
    "partition_arguments",
    "split_line",
]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"%materialize: {message}. See %materialize? for the options.")


# The one list of %materialize's options: the parser is built from it, and an unknown
# option is checked against it (with a "did you mean") before argparse sees the line.
_OPTIONS: dict[str, dict[str, Any]] = {
    "--partition": {},
    "--partitions": {},
    "--config": {},
    "--tags": {"action": "append", "default": []},
    "--executor": {},
    "--dry-run": {"action": "store_true"},
    "--no-raise": {"action": "store_true"},
}


def _parser() -> _Parser:
    parser = _Parser(prog="%materialize", add_help=False, allow_abbrev=False)
    parser.add_argument("selection", nargs="*")
    for option, settings in _OPTIONS.items():
        parser.add_argument(option, **settings)
    return parser


@dataclass(frozen=True)
class RunRequest:
    """What a user asks of one run, as ``%materialize`` and ``nbassets run`` both spell it."""

    selection: str | None = None
    partition: str | None = None
    partitions: str | None = None
    config: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    executor: str | None = None
    dry_run: bool = False


@dataclass(frozen=True)
class MaterializeOptions(RunRequest):
    """``%materialize``'s options: a run request, and whether a failure raises."""

    no_raise: bool = False


def split_line(line: str, magic: str) -> list[str]:
    try:
        return shlex.split(line)
    except ValueError as error:
        raise UsageError(f"{magic}: cannot split the line ({error}); check its quotes.") from None


# A word that is a k=v pair rather than a selection: it has an '=' and no ':' before
# it (``tag:team=ml`` and ``key:"a"`` are selections).
_TAG_PAIR = re.compile(r"[^:=]*=")


def _one_tag_per_option(tokens: list[str]) -> list[str]:
    """``--tags a=1 b=2 orders+`` as ``--tags a=1 --tags b=2 orders+``.

    ``--tags`` takes the ``k=v`` words that follow it and stops at the first other
    word, so a selection may come after it. Only the first word may have a ``:``
    in its key, which keeps ``tag:team=ml`` (a selection) out of the tags.
    """
    spread: list[str] = []
    after_tags = False  # the words just after a --tags and its first value
    for token in tokens:
        if after_tags and spread[-1] != "--tags" and _TAG_PAIR.match(token):
            spread.extend(["--tags", token])
            continue
        # The first word after --tags is its value whatever it is, so that a word
        # that is not k=v is named in the error rather than taken as a selection.
        after_tags = token == "--tags" or (after_tags and spread[-1] == "--tags")
        spread.append(token)
    return spread


def parse_materialize_line(line: str) -> MaterializeOptions:
    tokens = _one_tag_per_option(split_line(line, "%materialize"))
    for token in tokens:
        name = token.split("=", 1)[0]
        if name.startswith("--") and name not in _OPTIONS:
            raise UsageError(
                f"%materialize: unknown option '{name}'.{did_you_mean(name, list(_OPTIONS))}"
            )
    ns = _parser().parse_intermixed_args(tokens)
    if ns.partition is not None and ns.partitions is not None:
        raise UsageError(
            "%materialize: give --partition KEY or --partitions START...END, not both."
        )
    tags = {}
    for pair in ns.tags:
        if "=" not in pair or pair.startswith("="):
            raise UsageError(f"%materialize: --tags expects k=v pairs; got '{pair}'.")
        k, v = pair.split("=", 1)
        tags[k] = v
    return MaterializeOptions(
        selection=" ".join(ns.selection) or None,
        partition=ns.partition,
        partitions=ns.partitions,
        config=ns.config,
        tags=tags,
        executor=ns.executor,
        dry_run=ns.dry_run,
        no_raise=ns.no_raise,
    )


def partition_arguments(options: RunRequest) -> dict[str, Any]:
    """``--partition KEY`` / ``--partitions START...END|A,B,C`` as materialize() arguments."""
    if options.partition is not None:
        return {"partition_key": options.partition}
    text = options.partitions
    if text is None:
        return {}
    if "..." in text:
        start, _, end = text.partition("...")
        if not start or not end or "..." in end:
            raise UsageError(
                f"%materialize: --partitions {text}: write a range as START...END, e.g. "
                "--partitions 2024-01-01...2024-03-31."
            )
        return {"partition_key_range": (start, end)}
    keys = [k for k in text.split(",") if k]
    if not keys:
        raise UsageError("%materialize: --partitions needs START...END or keys A,B,C.")
    return {"partition_keys": keys}


def parse_config(text: str, user_ns: Mapping[str, Any], single_asset: str | None) -> Any:
    """Run config from ``--config``: JSON, or the name of a dict/RunConfig in the namespace.

    JSON without an ``ops`` section is taken as the config of the one selected asset.
    """
    if text.lstrip().startswith("{"):
        try:
            value: Any = json.loads(text)
        except json.JSONDecodeError as error:
            raise UsageError(
                f"%materialize: --config is not valid JSON ({error.msg} at column "
                f"{error.colno}): {text}"
            ) from None
    elif text.isidentifier():
        if text not in user_ns:
            raise UsageError(
                f"%materialize: --config {text}: no such name in the notebook. Pass JSON "
                "('{\"ops\": {...}}') or the name of a dict or RunConfig."
            )
        value = user_ns[text]
    else:
        raise UsageError(f"%materialize: --config expects JSON or a variable name; got '{text}'.")
    if isinstance(value, Mapping) and "ops" not in value:
        if single_asset is None:
            raise UsageError(
                "%materialize: --config without an 'ops' section applies to one asset; select "
                'one, or write {"ops": {"name": {"config": {...}}}}.'
            )
        return {"ops": {single_asset: {"config": dict(value)}}}
    return value
