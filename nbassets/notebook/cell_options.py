"""The arguments of the ``%%asset`` and ``%%asset_check`` lines.

Responsibilities:
- The argparse specification, as IPython ``magic_arguments`` decorators
  (``asset_arguments``, ``asset_check_arguments``) so ``%%asset?`` shows it.
- ``parse_asset_line`` / ``parse_asset_check_line``: split the line with
  shell quoting, parse it with that same specification and validate every
  value, returning frozen option objects.
- Every mistake raises ``UsageError`` naming the offending token; nothing is
  printed and nothing exits.

IPython's own ``parse_argstring`` keeps quote characters in tokens
(``--description "two words"`` gives ``'"two words"'``), accepts abbreviated
options and reports argparse's terse messages; the parsers here split with
``shlex`` in POSIX mode, reject unknown or abbreviated options with a
"did you mean", and reword argparse's messages.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, TypeVar, cast

from IPython.core import magic_arguments as _ipython_args
from IPython.core.error import UsageError

from nbassets.definitions.keys import AssetKey
from nbassets.errors import InvalidDefinitionError, did_you_mean
from nbassets.notebook.cell_body import check_asset_name

__all__ = [
    "AssetCellOptions",
    "AssetCheckOptions",
    "asset_arguments",
    "asset_check_arguments",
    "parse_asset_check_line",
    "parse_asset_line",
]

F = TypeVar("F", bound=Callable[..., Any])
Decorator = Callable[[Any], Any]

# IPython's decorator classes are untyped; give them types once, here.
argument = cast(Callable[..., Decorator], _ipython_args.argument)
kwds = cast(Callable[..., Decorator], _ipython_args.kwds)
magic_arguments = cast(Callable[..., Decorator], _ipython_args.magic_arguments)

_ASSET_SPEC: tuple[Decorator, ...] = (
    argument(
        "name",
        nargs="?",
        metavar="NAME",
        help="Asset name or key (sales/orders). "
        "Default: the def's name, or the name the last line assigns.",
    ),
    argument(
        "-g", "--group", help="Group name (letters, digits, underscores; '/' between segments)."
    ),
    argument(
        "--key-prefix",
        nargs="+",
        action="extend",
        metavar="PREFIX",
        help="Key prefix, as sales/eu or as separate parts: sales eu.",
    ),
    argument("-t", "--tags", nargs="+", action="extend", metavar="K=V", help="Tags."),
    argument(
        "-m",
        "--metadata",
        nargs="+",
        action="extend",
        metavar="K=V",
        help="Definition metadata; numeric values become numbers.",
    ),
    argument("--kinds", nargs="+", action="extend", metavar="KIND", help="Kinds (pandas, ...)."),
    argument("--owners", nargs="+", action="extend", metavar="OWNER", help="Owners."),
    argument("-d", "--description", help="Description. Default: the body's docstring."),
    argument(
        "-p",
        "--partitions",
        metavar="SPEC",
        help="daily:2024-01-01[:END], hourly:..., weekly:..., monthly:..., "
        "static:a,b,c, or a PartitionsDefinition in the namespace.",
    ),
    argument(
        "--config", metavar="NAME", help="A Config class in the namespace; the body reads `config`."
    ),
    argument(
        "--resources",
        nargs="+",
        action="extend",
        metavar="KEY",
        help="Resources the body reads as locals.",
    ),
    argument("--io-manager", metavar="KEY", help="IO manager resource key."),
    argument(
        "--code-version",
        metavar="V",
        help="Code version. Default: a hash of the normalized body and options.",
    ),
    argument("--retries", metavar="N", help="Retry a failed run N times."),
    argument("--retry-delay", metavar="S", help="Seconds to wait between retries."),
    argument("--no-run", action="store_true", help="Define the asset without running it."),
    argument(
        "--ins",
        nargs="+",
        action="extend",
        metavar="LOCAL=KEY",
        help="Read asset KEY under the local name LOCAL.",
    ),
    argument(
        "--deps",
        nargs="+",
        action="extend",
        metavar="KEY",
        help="Upstream assets to run first, whose values the body does not receive.",
    ),
)

_ASSET_HELP = kwds(
    description="Define an asset from the cell body, then materialize it.",
    epilog="Write NAME before the options: a name after a list option "
    "(--kinds a b NAME) is read as one more item.",
)

_CHECK_SPEC: tuple[Decorator, ...] = (
    argument(
        "asset",
        metavar="ASSET",
        help="The asset to check; the body reads its value under its name.",
    ),
    argument(
        "name",
        nargs="?",
        metavar="NAME",
        help="Check name. Default: the def's name, or the name the last line assigns.",
    ),
    argument(
        "--blocking",
        action="store_true",
        help="A failed check stops the asset's downstream assets.",
    ),
    argument("-d", "--description", help="Description. Default: the body's docstring."),
)

_CHECK_HELP = kwds(
    description="Define an asset check from the cell body; it returns a bool "
    "or an AssetCheckResult."
)

_SINGLE_VALUED = {
    "--group",
    "--description",
    "--partitions",
    "--config",
    "--io-manager",
    "--code-version",
    "--retries",
    "--retry-delay",
}
_INT = re.compile(r"[+-]?\d+")
_FLOAT = re.compile(r"[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?")


@dataclass(frozen=True)
class AssetCellOptions:
    """Everything the ``%%asset`` line says, validated. Unset values are ``None``/empty."""

    name: str | None = None
    group: str | None = None
    key_prefix: tuple[str, ...] = ()
    tags: dict[str, str] = field(default_factory=dict)
    metadata: dict[str, object] = field(default_factory=dict)
    kinds: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    description: str | None = None
    partitions: str | None = None
    config: str | None = None
    resources: tuple[str, ...] = ()
    io_manager: str | None = None
    code_version: str | None = None
    retries: int | None = None
    retry_delay: float | None = None
    no_run: bool = False
    ins: dict[str, str] = field(default_factory=dict)
    deps: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """Return the options by field name (for ``code_version``)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def key_for(self, name: str) -> AssetKey:
        """Return the key of asset ``name`` under this line's ``--key-prefix``."""
        return AssetKey((*self.key_prefix, *name.split("/")))


@dataclass(frozen=True)
class AssetCheckOptions:
    """Everything the ``%%asset_check`` line says, validated."""

    asset: str
    name: str | None = None
    blocking: bool = False
    description: str | None = None


def _apply(spec: Sequence[Decorator], help_kwds: Decorator, prog: str, func: F) -> F:
    # IPython builds the parser from decorators in source order; applying them
    # innermost-first (reversed) reproduces that order.
    for decorator in reversed(spec):
        func = decorator(func)
    func = help_kwds(func)
    # IPython's help writes "%" before prog; a cell magic's prog carries the second "%".
    return cast(F, magic_arguments(prog)(func))


def asset_arguments(func: F) -> F:
    """Decorate a magic with the ``%%asset`` arguments (``func.parser``, help in ``__doc__``)."""
    return _apply(_ASSET_SPEC, _ASSET_HELP, "%asset", func)


def asset_check_arguments(func: F) -> F:
    """Decorate a magic with the ``%%asset_check`` arguments."""
    return _apply(_CHECK_SPEC, _CHECK_HELP, "%asset_check", func)


@asset_arguments
def _asset_spec(line: str, cell: str) -> None:
    """Holds the parser ``parse_asset_line`` uses."""


@asset_check_arguments
def _asset_check_spec(line: str, cell: str) -> None:
    """Holds the parser ``parse_asset_check_line`` uses."""


def parse_asset_line(line: str) -> AssetCellOptions:
    """Parse the arguments of an ``%%asset`` line (everything after ``%%asset``).

    Raises:
        UsageError: An option is unknown, repeated, missing its value, or has
            a value it cannot take; the message names the token.
    """
    ns = _parse(_asset_spec.parser, _ASSET_SPEC, line, "%%asset")  # type: ignore[attr-defined]
    if ns.name is not None:
        _check_name(ns.name, "NAME")
    if ns.group is not None:
        from nbassets.definitions.names import check_group_name
        from nbassets.errors import InvalidDefinitionError

        try:
            check_group_name(ns.group)
        except InvalidDefinitionError as error:
            raise UsageError(f"--group {ns.group}: {error}") from error
    retries = None if ns.retries is None else _count(ns.retries, "--retries")
    delay = None if ns.retry_delay is None else _seconds(ns.retry_delay, "--retry-delay")
    if delay is not None and retries is None:
        raise UsageError(f"--retry-delay {ns.retry_delay} needs --retries N as well.")
    return AssetCellOptions(
        name=ns.name,
        group=ns.group,
        key_prefix=_key_prefix(ns.key_prefix or []),
        tags=_pairs(ns.tags or [], "--tags"),
        metadata={
            k: _metadata_value(v) for k, v in _pairs(ns.metadata or [], "--metadata").items()
        },
        kinds=tuple(ns.kinds or ()),
        owners=tuple(ns.owners or ()),
        description=ns.description,
        partitions=_non_empty(ns.partitions, "--partitions"),
        config=_dotted(ns.config, "--config") if ns.config is not None else None,
        resources=tuple(_identifier(r, "--resources") for r in ns.resources or ()),
        io_manager=_non_empty(ns.io_manager, "--io-manager"),
        code_version=_non_empty(ns.code_version, "--code-version"),
        retries=retries,
        retry_delay=delay,
        no_run=ns.no_run,
        ins={
            _identifier(k, "--ins"): _key(v, "--ins")
            for k, v in _pairs(ns.ins or [], "--ins", "local=key/path").items()
        },
        deps=tuple(_key(d, "--deps") for d in ns.deps or ()),
    )


def parse_asset_check_line(line: str) -> AssetCheckOptions:
    """Parse the arguments of an ``%%asset_check`` line.

    Raises:
        UsageError: As for ``parse_asset_line``; also when ASSET is missing.
    """
    parser = _asset_check_spec.parser  # type: ignore[attr-defined]
    ns = _parse(parser, _CHECK_SPEC, line, "%%asset_check")
    _key(ns.asset, "ASSET")
    if ns.name is not None and not ns.name.isidentifier():
        raise UsageError(f"%%asset_check NAME must be a Python identifier; got {ns.name!r}.")
    return AssetCheckOptions(
        asset=ns.asset, name=ns.name, blocking=ns.blocking, description=ns.description
    )


def _parse(parser: Any, spec: Sequence[Decorator], line: str, magic: str) -> Any:
    try:
        tokens = shlex.split(line, posix=True)
    except ValueError as exc:
        raise UsageError(f"Cannot split the {magic} line: {exc} in {line.strip()!r}.") from exc
    _check_options(tokens, spec, magic)
    try:
        return parser.parse_args(tokens)
    except UsageError as exc:
        raise UsageError(_reword(str(exc), magic)) from exc


def _check_options(tokens: Sequence[str], spec: Sequence[Decorator], magic: str) -> None:
    """Reject unknown (also abbreviated) and repeated options before argparse sees them."""
    known: dict[str, str] = {}
    for decorator in spec:
        names = [a for a in getattr(decorator, "args", ()) if a.startswith("-")]
        for option in names:
            known[option] = next((n for n in names if n.startswith("--")), option)
    seen: dict[str, str] = {}
    for index, token in enumerate(tokens):
        if token == "--":
            break
        if not token.startswith("-") or " " in token or re.fullmatch(r"-\d.*", token):
            continue
        option = token.split("=", 1)[0] if token.startswith("--") else token[:2]
        if option not in known:
            long_names = sorted(set(known.values()))
            hint = "" if option in ("-h", "--help") else did_you_mean(option, long_names)
            hint = hint or f" Run {magic}? to see the options."
            raise UsageError(f"Unknown option {token.split('=', 1)[0]!r}.{hint}")
        canonical = known[option]
        value = _value_after(tokens, index)
        if canonical in _SINGLE_VALUED and canonical in seen:
            raise UsageError(
                f"{canonical} is given twice ({seen[canonical]!r} and {value!r}); give it once."
            )
        seen[canonical] = value


def _value_after(tokens: Sequence[str], index: int) -> str:
    token = tokens[index]
    if "=" in token and token.startswith("--"):
        return token.split("=", 1)[1]
    if not token.startswith("--") and len(token) > 2:
        return token[2:]
    following = tokens[index + 1] if index + 1 < len(tokens) else ""
    return "" if following.startswith("-") else following


def _reword(message: str, magic: str) -> str:
    """Turn argparse's messages into ones that name the option and say what it wants."""
    match = re.fullmatch(r"argument (\S+): expected (one|at least one) argument", message)
    if match:
        option = max(match.group(1).split("/"), key=len)
        what = "a value" if match.group(2) == "one" else "at least one value"
        return f"{option} expects {what}."
    match = re.fullmatch(r"unrecognized arguments: (.*)", message)
    if match:
        return (
            f"Unexpected {match.group(1)!r}: {magic} takes one NAME, before its options; "
            "quote values that contain spaces."
        )
    match = re.fullmatch(r"the following arguments are required: (.*)", message)
    if match:
        return f"{magic} needs {match.group(1)}: {magic} {match.group(1)} [options]."
    match = re.fullmatch(r"argument (\S+): ignored explicit argument (.*)", message)
    if match:
        option = max(match.group(1).split("/"), key=len)
        return f"{option} is a flag and takes no value; got {match.group(2)}."
    return f"{magic}: {message}"


def _pairs(values: Sequence[str], option: str, form: str = "k=v") -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key:
            hint = ""
            if not sep and item.isidentifier():
                hint = f" If {item!r} is the asset's NAME, write it first: %%asset {item} ..."
            raise UsageError(f"{option} expects {form} pairs; got {item!r}.{hint}")
        if key in pairs:
            raise UsageError(f"{option} sets {key!r} twice ({pairs[key]!r} and {value!r}).")
        pairs[key] = value
    return pairs


def _metadata_value(text: str) -> object:
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    return text


def _key(text: str, option: str) -> str:
    try:
        AssetKey.from_user_string(text)
    except InvalidDefinitionError as exc:
        raise UsageError(
            f"{option} expects an asset key such as orders or sales/orders; got {text!r}."
        ) from exc
    return text


def _check_name(text: str, option: str) -> None:
    try:
        check_asset_name(text)
    except InvalidDefinitionError as exc:
        raise UsageError(f"{option}: {exc}") from exc


def _key_prefix(values: Sequence[str]) -> tuple[str, ...]:
    parts: list[str] = []
    for value in values:
        if any(not p for p in value.split("/")):
            raise UsageError(
                f"--key-prefix expects parts such as sales/eu or sales eu; got {value!r}."
            )
        parts.extend(value.split("/"))
    return tuple(parts)


def _identifier(text: str, option: str) -> str:
    if not text.isidentifier() or text in ("context", "config"):
        raise UsageError(
            f"{option} expects Python identifiers (not context or config); got {text!r}."
        )
    return text


def _dotted(text: str, option: str) -> str:
    if not all(part.isidentifier() for part in text.split(".")):
        raise UsageError(f"{option} expects the name of a class in the namespace; got {text!r}.")
    return text


def _non_empty(text: str | None, option: str) -> str | None:
    if text is not None and not text.strip():
        raise UsageError(f"{option} expects a value; got an empty string.")
    return text


def _count(text: str, option: str) -> int:
    if not re.fullmatch(r"\+?\d+", text):
        raise UsageError(f"{option} expects a whole number, 0 or more; got {text!r}.")
    return int(text)


def _seconds(text: str, option: str) -> float:
    value = float(text) if _FLOAT.fullmatch(text) else -1.0
    if not 0 <= value <= 1e9:
        raise UsageError(
            f"{option} expects a number of seconds, 0 or more and finite; got {text!r}."
        )
    return value
