"""``docsec sweep``: run a sweep file into a results store (local processes, serial or Dask)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .interrupts import stop_on_sigterm
from ..sweep.design import load_sweep
from ..sweep.engines import SweepAborted
from ..sweep.execute import run_sweep
from ..sweep.store import connect
from ...sim.errors import InputError

#: Where a sweep's store goes without --out: results/<sweep name>.sqlite
DEFAULT_STORE_DIR = Path("results")
#: Failed runs whose errors are printed at the end of a sweep.
ERRORS_SHOWN = 3


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sweep", help="run a sweep file (many parameter points, many replicates) into a results store",
        description="Run every run of a sweep file and store each one as it finishes in a SQLite results "
                    "store. Interrupt it at any time (Ctrl-C): finished runs are kept, and --resume runs "
                    "only what is missing. See docs/sweeps.md for the file format.")
    p.add_argument("file", metavar="FILE", help="the sweep file (TOML), e.g. scenarios/sweeps/regimes.toml")
    p.add_argument("--out", metavar="STORE", help="the results store to write "
                   f"(default: {DEFAULT_STORE_DIR}/<sweep name>.sqlite)")
    p.add_argument("--resume", action="store_true",
                   help="continue the sweep already in STORE: run only the runs it is missing "
                        "(refused if STORE holds a different sweep; starts afresh if STORE does not exist)")
    p.add_argument("--workers", type=int, metavar="N",
                   help="worker processes for the local process engine or --dask local "
                        "(default: one per core)")
    engine = p.add_mutually_exclusive_group()
    engine.add_argument("--serial", action="store_true", help="run one run at a time in this process")
    engine.add_argument("--dask", metavar="ADDRESS|local",
                        help="run on a Dask cluster: a running scheduler's address (e.g. tcp://host:8786; "
                             "its workers need docsec installed), or 'local' to start a LocalCluster")
    p.add_argument("--no-progress", action="store_true", help="do not show the progress bar")
    p.add_argument("--force", action="store_true",
                   help="run even if the estimated memory of the runs or the store's size exceeds what this "
                        "machine has free (the estimates may be pessimistic)")
    p.set_defaults(handler=sweep)


def _stored(store: Path) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """Runs by status and the first failed runs' errors, read back from the store."""
    conn = connect(store)
    try:
        counts = dict(conn.execute("SELECT status, COUNT(*) FROM runs GROUP BY status").fetchall())
        errors = conn.execute("SELECT run_id, error FROM runs WHERE status = 'failed' "
                              f"ORDER BY point_id, replicate LIMIT {ERRORS_SHOWN}").fetchall()
    finally:
        conn.close()
    return counts, errors


def default_store(name: str) -> Path:
    """``results/<name>.sqlite``; a name that would lead out of ``results/`` is refused."""
    if not name or Path(name).name != name or name in (".", ".."):
        raise InputError(f"sweep.name: {name!r} cannot name a store in {DEFAULT_STORE_DIR}/; "
                         "give the sweep a plain name or choose --out")
    return DEFAULT_STORE_DIR / f"{name}.sqlite"


def sweep(args: argparse.Namespace) -> int:
    spec = load_sweep(args.file)
    store = Path(args.out) if args.out else default_store(spec.name)
    engine = "serial" if args.serial else "dask" if args.dask else "process"
    resume_hint = f"docsec sweep {args.file} --out {store} --resume"
    try:
        with stop_on_sigterm():  # a plain `kill` stops the sweep as cleanly as Ctrl-C does
            report = run_sweep(spec, store, engine=engine, workers=args.workers, dask_address=args.dask,
                               resume=args.resume, progress=not args.no_progress,
                               log=lambda line: print(line, file=sys.stderr), force=args.force)
    except KeyboardInterrupt:
        if store.exists():
            try:
                counts, _ = _stored(store)
            except InputError:
                counts = {}
            finished = counts.get("done", 0) + counts.get("failed", 0)
            print(f"docsec sweep: interrupted; {finished} of {sum(counts.values())} runs are stored in {store}; "
                  f"finish with: {resume_hint}", file=sys.stderr)
        else:
            print("docsec sweep: interrupted before any run was stored", file=sys.stderr)
        return 130
    except SweepAborted as err:
        print(f"docsec sweep: stopped: {err}; finished runs are stored in {store}; continue with: {resume_hint}",
              file=sys.stderr)
        return 1
    counts, errors = _stored(store)
    print(f"sweep '{spec.name}': {counts.get('done', 0)} runs done, {counts.get('failed', 0)} failed, "
          f"{counts.get('pending', 0)} missing, of {report.planned}; this time {report.done + report.failed} runs "
          f"in {report.seconds:.1f} s on the {report.engine} -> {store}")
    for run_id, error in errors:
        print(f"  failed {run_id}: {error}", file=sys.stderr)
    return 1 if counts.get("failed", 0) else 0
