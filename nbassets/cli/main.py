"""The ``nbassets`` command line: parse the arguments, dispatch, turn errors into exit codes.

Responsibilities:
- ``nbassets run NOTEBOOK [SELECTION] [options]``, ``nbassets lineage NOTEBOOK -o FILE``,
  ``nbassets export dagster NOTEBOOK -o PATH``.
- Every mistake is one line on stderr naming the fix, with exit code 2; a cell
  that raises while defining is exit code 3; Ctrl-C is 130 (see ``ExitCode``).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

from nbassets.cli.run_command import ExitCode, RunOptions, UsageProblem
from nbassets.errors import NbAssetsError

__all__ = ["main"]

DEFAULT_KERNEL = "python3"
# A selection word like `team=data` (no `tag:` before the `=`) is a tag given the old way.
_TAG_LIKE = re.compile(r"^[^:=\s]+=")

_EPILOG = """exit codes:
  0    every selected step and blocking check succeeded (or nothing was out of date)
  1    a step or a blocking check failed, or a step was skipped because of one
  2    bad usage: unknown option, asset, selection, config or notebook file
  3    a notebook cell raised while the assets were being defined
  130  interrupted (Ctrl-C)
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(ExitCode.USAGE, f"{self.prog}: error: {message}\n")


def _parser() -> _Parser:
    parser = _Parser(
        prog="nbassets",
        description="Run a notebook's assets headless, draw their lineage, export them to Dagster.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_EPILOG,
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = commands.add_parser(
        "run",
        help="materialize a notebook's assets without Jupyter",
        description=(
            "Run the notebook's definition cells (%%asset cells register without running; "
            "%materialize and %assets lines do not fire), then materialize SELECTION "
            "(default: every asset that is missing or stale)."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_EPILOG,
    )
    run.add_argument("notebook", type=Path)
    run.add_argument("selection", nargs="*", help="as %%materialize: a+, +b, group:g, key:x/*...")
    run.add_argument("--partition", help="one partition key")
    run.add_argument("--partitions", help="START...END or A,B,C")
    run.add_argument("--config", help="run config: JSON, or a variable defined in the notebook")
    run.add_argument(
        "--tags",
        action="append",
        default=[],
        metavar="K=V",
        help="a run tag; repeat it for several (--tags a=1 --tags b=2)",
    )
    run.add_argument(
        "--executor",
        help="in_process (default), threads[:N], dask (a local cluster) or dask:ADDRESS",
    )
    run.add_argument("--dry-run", action="store_true", help="print the plan, run nothing")
    run.add_argument("--list", action="store_true", help="list the assets and their status")
    run.add_argument("--format", choices=("text", "json"), default="text", dest="output_format")
    run.add_argument("--cwd", type=Path, help="working directory (default: the notebook's)")
    run.add_argument(
        "--store",
        type=Path,
        metavar="DIR",
        help="persistent store to use (default: the notebook's own, when it has one)",
    )
    run.add_argument(
        "--kernel",
        nargs="?",
        const=DEFAULT_KERNEL,
        metavar="NAME",
        help=(
            "run the cells in a Jupyter kernel through nbclient: NAME if it is an installed "
            f"kernel (or --kernel=NAME), else {DEFAULT_KERNEL}, and the word is the selection's"
        ),
    )

    lineage = commands.add_parser("lineage", help="write the lineage picture of a notebook")
    lineage.add_argument("notebook", type=Path)
    lineage.add_argument("-o", "--output", type=Path, required=True, help="FILE.svg|.png|.dot")
    lineage.add_argument("--cwd", type=Path)

    export = commands.add_parser("export", help="export a notebook's assets")
    targets = export.add_subparsers(dest="target", required=True, parser_class=_Parser)
    dagster = targets.add_parser(
        "dagster", help="write a Dagster code location (a module) for the notebook's assets"
    )
    dagster.add_argument("notebook", type=Path)
    dagster.add_argument("-o", "--output", type=Path, required=True, help="the .py file")
    dagster.add_argument(
        "--dg-defs",
        action="store_true",
        help="write for a `dg` project's defs/ folder (no module-level Definitions)",
    )
    dagster.add_argument("--cwd", type=Path)
    return parser


def _tags(pairs: Sequence[str]) -> dict[str, str]:
    tags = {}
    for pair in pairs:
        if "=" not in pair or pair.startswith("="):
            raise UsageProblem(f"--tags expects k=v pairs; got '{pair}'.")
        key, value = pair.split("=", 1)
        tags[key] = value
    return tags


def _kernel_names() -> set[str]:
    try:
        from jupyter_client.kernelspec import find_kernel_specs
    except ImportError:  # pragma: no cover - jupyter_client comes with the lab extra
        return set()
    return set(find_kernel_specs())


def _attach_kernel_name(argv: list[str]) -> tuple[list[str], str | None]:
    """Spell ``--kernel [NAME]`` as ``--kernel=NAME`` so it may stand anywhere on the line.

    The word after a bare ``--kernel`` is its name only when a kernel of that name is
    installed; otherwise the default kernel runs and the word stays for the selection
    (returned too, so an error about it can say why it was read so).
    """
    if "run" not in argv or "--kernel" not in argv:
        return argv, None
    kept: str | None = None
    spelled: list[str] = []
    words = iter(argv)
    for word in words:
        if word == "--":
            spelled.append(word)
            spelled.extend(words)
            break
        if word != "--kernel":
            spelled.append(word)
            continue
        following = next(words, None)
        if following is not None and following in _kernel_names():
            spelled.append(f"--kernel={following}")
        else:
            spelled.append(f"--kernel={DEFAULT_KERNEL}")
            if following is not None:
                spelled.append(following)
                kept = following if not following.startswith("-") else None
    return spelled, kept


def _run_options(args: argparse.Namespace) -> RunOptions:
    if args.partition is not None and args.partitions is not None:
        raise UsageProblem("give --partition KEY or --partitions START...END, not both.")
    for word in args.selection:
        if _TAG_LIKE.match(word):
            raise UsageProblem(
                f"'{word}' looks like a tag: give each its own --tags (--tags {word}); "
                "to select by tag write tag:KEY=VALUE."
            )
    return RunOptions(
        selection=" ".join(args.selection) or None,
        partition=args.partition,
        partitions=args.partitions,
        config=args.config,
        tags=_tags(args.tags),
        executor=args.executor,
        dry_run=args.dry_run,
        list_assets=args.list,
        output_format=args.output_format,
    )


def _cwd(args: argparse.Namespace) -> Path:
    cwd: Path = args.cwd if args.cwd is not None else args.notebook.resolve().parent
    if not cwd.is_dir():
        raise UsageProblem(f"--cwd {cwd}: no such directory.")
    return cwd


def _define(args: argparse.Namespace, err: TextIO) -> Any:
    """Define the notebook's assets in this process; return the ``DefinedNotebook``."""
    from nbassets.cli.headless import define_notebook
    from nbassets.notebook.notebook_file import read_notebook

    cells = read_notebook(args.notebook)
    started = time.perf_counter()
    store = getattr(args, "store", None)
    notebook = define_notebook(cells, args.notebook, store=store.resolve() if store else None)
    from nbassets.graph.registry import get_registry

    count = len(get_registry().keys())
    err.write(
        f"Defined {count} asset(s) from {args.notebook.name} "
        f"in {time.perf_counter() - started:.2f}s\n"
    )
    return notebook


def _kept_note(kept: str) -> str:
    installed = ", ".join(sorted(_kernel_names())) or "none"
    return (
        f"('{kept}' after --kernel is no installed Jupyter kernel (installed: {installed}), "
        "so it was read as the selection; name a kernel as --kernel=NAME.)\n"
    )


def _command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from nbassets.cli.headless import working_dir
    from nbassets.graph.registry import get_registry

    if args.command == "run":
        options = _run_options(args)
        cwd = _cwd(args)
        if args.kernel is not None:
            from nbassets.cli.kernel_mode import run_in_kernel

            if args.store is not None:
                raise UsageProblem("--store works without --kernel only, for now.")

            code = run_in_kernel(args.notebook, options, cwd, args.kernel, out, err)
            if code == ExitCode.USAGE and args.kept_word is not None:
                err.write(_kept_note(args.kept_word))
            return code
        from nbassets.cli.run_command import act

        with working_dir(cwd):
            notebook = _define(args, err)
            return act(get_registry(), notebook.namespace, options, out, err)
    if args.command == "lineage":
        from nbassets.cli.lineage_file import write_lineage

        output = args.output.resolve()
        with working_dir(_cwd(args)):
            _define(args, err)
            write_lineage(get_registry(), output)
        err.write(f"Wrote {args.output}\n")
        return ExitCode.OK
    from nbassets.export.notebook_export import export_notebook

    output = args.output.resolve()
    with working_dir(_cwd(args)):
        notebook = _define(args, err)
        export_notebook(notebook, output, title=args.notebook.name, dg_defs=args.dg_defs)
    err.write(f"Wrote {args.output}\n")
    return ExitCode.OK


def parse_command_line(words: list[str]) -> argparse.Namespace:
    """The command's arguments; a usage error exits with code 2 (argparse's way).

    Options and selection words may come in any order, ``--kernel`` anywhere.
    """
    parser = _parser()
    spelled, kept = _attach_kernel_name(words)
    args, extra = parser.parse_known_args(spelled)
    # Words the run parser left over are the selection, wherever they stood among the
    # options (argparse takes positionals only before the first option).
    unknown = [word for word in extra if word.startswith("-") and word != "-"]
    if unknown or (extra and args.command != "run"):
        parser.error(f"unrecognized arguments: {' '.join(unknown or extra)}")
    if extra:
        args.selection = [*args.selection, *extra]
    args.kept_word = kept
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``nbassets`` command; return its exit code."""
    from nbassets.cli.headless import DefinitionCellError

    args = parse_command_line(list(sys.argv[1:] if argv is None else argv))
    kept = args.kept_word
    out, err = sys.stdout, sys.stderr
    try:
        return _command(args, out, err)
    except DefinitionCellError as error:
        err.write(f"nbassets {args.command}: {error}\n")
        return ExitCode.DEFINITION_FAILED
    except KeyboardInterrupt:
        err.write(f"nbassets {args.command}: interrupted.\n")
        return ExitCode.INTERRUPTED
    except NbAssetsError as error:
        err.write(f"nbassets {args.command}: {error}\n")
        if kept is not None and f"'{kept}'" in str(error):
            err.write(_kept_note(kept))
        return ExitCode.USAGE
