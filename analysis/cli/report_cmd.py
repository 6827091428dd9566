"""``docsec report``: one self-contained HTML report (opens offline) of a sweep's results store."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from .compare_cmd import add_analysis_options, check_analysis_options
from ..report import write_report
from ...sim.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report", help="write a self-contained HTML report of a results store",
        description="Analyse a results store (from `docsec sweep`, `docsec compare` or `docsec sensitivity`) "
                    "and write one HTML file that opens offline: what was run (provenance), the comparison "
                    "tables with confidence intervals, the figures and a plain-language reading of the main "
                    "contrasts. plotly.js is embedded; the file makes no network request.")
    p.add_argument("store", metavar="STORE", help="a results store (.sqlite) written by docsec")
    p.add_argument("-o", "--output", metavar="PATH",
                   help="the HTML file to write (default: beside STORE, named after it, ending in .html)")
    add_analysis_options(p)
    p.set_defaults(handler=report)


def check_output(out: Path, option: str = "-o") -> None:
    """Refuse, before any work, a report destination that cannot be written: a folder, a path under a
    regular file, a folder that is not writable."""
    if out.is_dir():
        raise InputError(f"{option} {out}: is a directory; give a file name ending in .html")
    folder = out.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise InputError(f"{option} {out}: '{folder}' is a file, not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"{option} {out}: cannot write in '{folder}' (permission denied)")


def report(args: argparse.Namespace) -> int:
    check_analysis_options(args)
    store = Path(args.store)
    out = Path(args.output) if args.output else store.with_suffix(".html")
    check_output(out)
    try:
        path, analysis = write_report(store, out, confidence=args.confidence, method=args.interval)
    except OSError as err:
        out.with_name(out.name + ".writing").unlink(missing_ok=True)
        raise InputError(f"-o {out}: cannot write ({err.strerror or err})") from None
    runs = len(analysis.study.runs)
    print(f"report of {runs} finished runs ({len(analysis.figures)} figures) -> {path}")
    for paragraph in analysis.reading[:1]:
        print(paragraph)
    return 0
