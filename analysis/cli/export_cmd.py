"""``docsec export``: write a results store's tables as CSV or Parquet files."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..results import export_store


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export", help="write a sweep's results store as CSV or Parquet tables",
        description="Write the tidy tables of a results store: runs (one row per run, with its parameters "
                    "and summary metrics), daily (long form; only if the sweep kept daily series) and "
                    "provenance.json.")
    p.add_argument("store", metavar="STORE", help="a results store written by `docsec sweep`")
    fmt = p.add_mutually_exclusive_group(required=True)
    fmt.add_argument("--csv", dest="format", action="store_const", const="csv", help="write CSV files")
    fmt.add_argument("--parquet", dest="format", action="store_const", const="parquet",
                     help="write Parquet files")
    p.add_argument("-o", "--output", metavar="DIR",
                   help="folder to write into (default: beside STORE, named after it without its suffix)")
    p.set_defaults(handler=export)


def export(args: argparse.Namespace) -> int:
    store = Path(args.store)
    out = Path(args.output) if args.output else store.with_suffix("")
    if out == store:
        out = store.with_name(store.name + "-export")
    for path in export_store(store, out, args.format):
        print(path)
    return 0
