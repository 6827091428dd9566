"""``docsec compare``: the main job. Run the shipped policy study, print its comparison table, write its report.

The study (``scenarios/sweeps/compare.toml``) sets lax delegation against strict
custody at five penalty levels, with paired replicates; it runs through the sweep
engine into a results store, and its analysis is the report's.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import textwrap
import time
from importlib import resources
from pathlib import Path

from .interrupts import stop_on_sigterm
from ..provenance import provenance
from ..report import analyse_study, load_study, write_html
from ..report.build import HEADLINE, StudyAnalysis
from ..report.tables import comparison_rows, text_table
from ..stats import CONFIDENCE, IntervalMethod, check_confidence
from ..sweep.design import SweepSpec, load_sweep
from ..sweep.engines import SweepAborted
from ..results import load_provenance
from ..sweep.execute import run_sweep
from ...sim.errors import InputError

#: Where the study's store and report go without --out.
DEFAULT_OUT = Path("docsec-compare")
STORE_NAME = "store.sqlite"
REPORT_NAME = "report.html"
#: Metrics of the printed table (the report has more).
PRINTED_METRICS: tuple[str, ...] = (HEADLINE, "losses_per_1000_docs", "concealed_losses_per_1000_docs",
                                    "custody_hours_per_office_day")


def default_study() -> Path:
    """The shipped study file (package data of ``scenarios``)."""
    return Path(str(resources.files("docsec.scenarios").joinpath("sweeps", "compare.toml")))


def add_analysis_options(p: argparse.ArgumentParser) -> None:
    """--confidence and --interval, shared with `docsec report`."""
    p.add_argument("--confidence", type=float, default=CONFIDENCE, metavar="LEVEL",
                   help=f"confidence level of every interval, between 0 and 1 (default: {CONFIDENCE})")
    p.add_argument("--interval", default=IntervalMethod.T.value, choices=[m.value for m in IntervalMethod],
                   help="how intervals of means are computed: t (Student t, the default) or bootstrap "
                        "(BCa bootstrap, for skewed metrics); see docs/analysis.md")


def check_analysis_options(args: argparse.Namespace) -> None:
    """--confidence must lie strictly between 0 and 1."""
    try:
        check_confidence(args.confidence)
    except InputError:
        raise InputError(f"--confidence: must be a number between 0 and 1, exclusive (got {args.confidence})") \
            from None


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "compare", help="the main job: lax delegation vs strict custody at several penalty levels, "
                        "with intervals, and a report",
        description="Run the shipped policy study (lax delegation against strict custody, each at five "
                    "penalty levels, paired replicates), print the comparison table with confidence "
                    "intervals and a plain-language reading, and write a self-contained HTML report. "
                    "No arguments are needed.",
        epilog="Other studies: `docsec sweep FILE` then `docsec report STORE`. See docs/analysis.md.")
    p.add_argument("--out", metavar="DIR", default=str(DEFAULT_OUT),
                   help=f"folder for the results store ({STORE_NAME}) and the report (default: {DEFAULT_OUT})")
    p.add_argument("--report", metavar="PATH", help=f"where to write the report (default: DIR/{REPORT_NAME})")
    p.add_argument("--replicates", type=int, metavar="N",
                   help="replicates per design point instead of the study's own; fewer is faster, "
                        "with wider intervals")
    p.add_argument("--workers", type=int, metavar="N", help="worker processes (default: one per core)")
    p.add_argument("--serial", action="store_true", help="run one run at a time in this process")
    p.add_argument("--resume", action="store_true",
                   help="continue (or reuse) the study already in DIR instead of refusing to overwrite it; "
                        "refused if DIR holds a different study")
    p.add_argument("--fresh", action="store_true",
                   help="start the study afresh: an existing store in DIR is kept, renamed with a time stamp")
    p.add_argument("--study", metavar="FILE",
                   help="another study (sweep file) to run and compare instead of the shipped one")
    p.add_argument("--no-progress", action="store_true", help="do not show the progress bar")
    p.add_argument("--robustness", action="store_true",
                   help="also run the robustness sweep (the study's points at parameter sets around the defaults, "
                        "two years) and add 'How robust is this finding' to the report; see docs/validation.md")
    add_analysis_options(p)
    p.set_defaults(handler=compare)


def study_spec(args: argparse.Namespace) -> SweepSpec:
    """The study to run: the shipped one or --study, with --replicates applied."""
    spec = load_sweep(args.study or default_study())
    if args.replicates is not None:
        if not 1 <= args.replicates <= 100_000:
            raise InputError(f"--replicates: must be an integer from 1 to 100000 (got {args.replicates})")
        spec = dataclasses.replace(spec, replicates=args.replicates)
    return spec


def print_summary(analysis: StudyAnalysis, width: int = 100) -> None:
    """The comparison table of the printed metrics and the plain-language reading, on standard output."""
    study = analysis.study
    table = analysis.primary_table
    if table.empty:
        print("This study has no factor to compare (or too many levels); see the report.")
        return
    shown = table[table["metric"].isin(PRINTED_METRICS)]
    within = [study.secondary.title] if study.secondary else []
    print(text_table(comparison_rows(shown if not shown.empty else table, within)))
    print()
    for paragraph in analysis.reading:
        print(textwrap.fill(paragraph, width=width, initial_indent="* ", subsequent_indent="  "))


def reuse_existing(store: Path, spec: SweepSpec, fresh: bool) -> bool:
    """Whether an existing store can simply be continued: same study, same code.

    With ``fresh`` an existing store is renamed aside (never deleted). A store made by
    other code (another docsec version or git revision) is refused, so results of two
    versions of the model are never mixed silently.
    """
    if not store.exists():
        return False
    if fresh:
        aside = store.with_name(f"{store.stem}-{time.strftime('%Y%m%d-%H%M%S')}{store.suffix}")
        store.rename(aside)
        print(f"docsec compare: kept the earlier store as {aside}", file=sys.stderr)
        return False
    made_by = load_provenance(store)
    now = provenance()
    changed = [k for k in ("docsec_version", "git_revision") if made_by.get(k) != now[k]]
    if changed or made_by.get("design_hash") != spec.design_hash():
        what = "a different study" if not changed else f"other code ({', '.join(changed)})"
        raise InputError(f"{store}: holds results made by {what}; add --fresh to start again (the old store "
                         f"is kept under a new name), --resume to continue it anyway, or --out DIR")
    return True


def compare(args: argparse.Namespace) -> int:
    check_analysis_options(args)
    if args.workers is not None and args.workers < 1:
        raise InputError(f"--workers: must be at least 1 (got {args.workers})")
    spec = study_spec(args)
    out = Path(args.out)
    store = out / STORE_NAME
    report_path = Path(args.report) if args.report else out / REPORT_NAME
    runs = len(spec.points) * spec.replicates if spec.design == "explicit" else None
    print(f"docsec compare: study '{spec.name}'" + (f", {runs} runs" if runs else "")
          + f" -> {store}", file=sys.stderr)
    again = [f"--out {out}", "--resume"] + ([f"--study {args.study}"] if args.study else []) \
        + ([f"--replicates {args.replicates}"] if args.replicates else [])
    hint = "continue with: docsec compare " + " ".join(again)
    resume = args.resume or reuse_existing(store, spec, args.fresh)
    with stop_on_sigterm():
        try:
            result = run_sweep(spec, store, engine="serial" if args.serial else "process", workers=args.workers,
                               resume=resume, progress=not args.no_progress,
                               log=lambda line: print(line, file=sys.stderr))
            if args.robustness:
                from ..report.robustness import run_robustness
                run_robustness(spec, store.parent, engine="serial" if args.serial else "process", workers=args.workers,
                               progress=not args.no_progress, log=lambda line: print(line, file=sys.stderr))
        except KeyboardInterrupt:
            print(f"docsec compare: interrupted; finished runs are stored in {store}; {hint}", file=sys.stderr)
            return 130
        except SweepAborted as err:
            print(f"docsec compare: stopped: {err}; {hint}", file=sys.stderr)
            return 1
    runs_df, prov, daily, design = load_study(store)
    analysis = analyse_study(runs_df, prov, daily=daily, sensitivity_design=design, confidence=args.confidence,
                             method=args.interval)
    print_summary(analysis)
    write_html(analysis, report_path, source=str(store))
    print()
    print(f"{result.planned - result.pending} of {result.planned} runs finished ({result.done} this time, "
          f"{result.seconds:.0f} s on the {result.engine}); results: {store}")
    print(f"report: {report_path}")
    if analysis.failed:
        print(f"docsec compare: {analysis.failed} runs failed and were left out; "
              f"see `docsec export {store} --csv`", file=sys.stderr)
        return 1
    return 0

