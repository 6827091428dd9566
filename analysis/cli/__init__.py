"""The ``docsec`` command line: one sub-command per module in this package.

Each sub-command module exposes ``register(subparsers)``, which adds its parser
and sets ``handler`` to a function taking the parsed arguments and returning an
exit status. Bad input (any ``InputError``) is printed as one line on standard
error with exit status 2 and no traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from .parser import OneLineParser
from ...sim import __version__
from ...sim.errors import InputError

#: Sub-command modules, in the order ``docsec --help`` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "docsec.analysis.cli.compare_cmd",
    "docsec.analysis.cli.run_cmd",
    "docsec.analysis.cli.scenarios_cmd",
    "docsec.analysis.cli.show_cmd",
    "docsec.analysis.cli.sweep_cmd",
    "docsec.analysis.cli.export_cmd",
    "docsec.analysis.cli.report_cmd",
    "docsec.analysis.cli.sensitivity_cmd",
    "docsec.analysis.cli.dashboard_cmd",
    "docsec.analysis.cli.validate_cmd",
    "docsec.analysis.cli.calibrate_cmd",
)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, with every sub-command registered."""
    parser = OneLineParser(
        prog="docsec",
        description="docsec: an agent-based simulation of document-security regimes "
                    "(lax delegation vs strict custody, penalties, inspections, education).",
    )
    parser.add_argument("--version", action="version", version=f"docsec {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``docsec`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "handler", None) is None:
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except InputError as err:
        print(f"docsec {args.command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"docsec {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
