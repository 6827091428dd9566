"""The suite's files: ``validation.json`` (its schema checked here) and the offline page ``validation.html``.

validation.json::

    {"suite": "quick" | "full", "created_at": ..., "provenance": {docsec_version, git_revision, ...},
     "effort": {"replicates", "offices", "base_seed"}, "counts": {verdict: n},
     "facts": [{"name", "title", "source", "claim", "expected", "effect", "interval": [low, high],
                "confidence", "pairs", "verdict", "why", "design", "contrasts": [...], "stores": [...],
                "runs", "seconds"}]}

``effect`` and ``interval`` are the headline contrast's (null when the fact is not
expressible or its runs failed); ``contrasts`` holds every contrast with its own
effect, interval, verdict and reason. The page is built with the report's page
helpers (same style, plotly.js embedded once, no network requests).
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .facts import Effort, Verdict
from .figure import effects_figure
from .runner import FactResult
from ..atomic import replacing
from ..figures._style import number
from ..provenance import provenance
from ..report.page import Section, Table, render_page

JSON_NAME = "validation.json"
HTML_NAME = "validation.html"
#: Keys every fact record carries (the schema tests and readers rely on).
FACT_KEYS: tuple[str, ...] = ("name", "title", "source", "claim", "expected", "effect", "interval", "verdict",
                              "why", "design", "contrasts")
VERDICTS: tuple[str, ...] = tuple(v.value for v in Verdict)


def fact_record(r: FactResult) -> dict[str, Any]:
    """One fact's entry of validation.json."""
    head = r.headline.record() if r.headline else None
    return {
        "name": r.fact.name, "title": r.fact.title, "source": r.fact.source, "claim": r.fact.claim,
        "expected": r.fact.expected_text,
        "effect": head["effect"] if head else None,
        "interval": head["interval"] if head else None,
        "confidence": head["confidence"] if head else None,
        "pairs": head["pairs"] if head else 0,
        "verdict": r.verdict.value, "why": r.why, "notes": r.fact.notes,
        "design": r.design, "contrasts": [c.record() for c in r.contrasts],
        "stores": list(r.stores), "runs": r.runs, "seconds": round(r.seconds, 2),
    }


def document(results: Sequence[FactResult], effort: Effort) -> dict[str, Any]:
    """The whole of validation.json."""
    facts = [fact_record(r) for r in results]
    counts = {v: sum(f["verdict"] == v for f in facts) for v in VERDICTS}
    return {"suite": effort.name, "created_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
            "provenance": provenance(),
            "effort": {"replicates": effort.replicates, "offices": effort.offices, "base_seed": effort.base_seed},
            "counts": counts, "facts": facts}


def check_document(doc: Mapping[str, Any]) -> None:
    """ValueError naming the first key of validation.json that does not follow the schema."""
    if not isinstance(doc.get("facts"), list):
        raise ValueError("facts: must be a list")
    for i, fact in enumerate(doc["facts"]):
        for key in FACT_KEYS:
            if key not in fact:
                raise ValueError(f"facts[{i}].{key}: missing")
        if fact["verdict"] not in VERDICTS:
            raise ValueError(f"facts[{i}].verdict: must be one of {', '.join(VERDICTS)} (got {fact['verdict']!r})")
        iv = fact["interval"]
        if iv is not None and not (isinstance(iv, list) and len(iv) == 2):
            raise ValueError(f"facts[{i}].interval: must be [low, high] or null")
        if fact["verdict"] in ("reproduced", "not reproduced") and fact["effect"] is None and fact["contrasts"] \
                and fact["contrasts"][0]["pairs"] >= 2:
            raise ValueError(f"facts[{i}].effect: missing for a tested fact")
        if not isinstance(fact["why"], str) or not fact["why"]:
            raise ValueError(f"facts[{i}].why: must say why the verdict was given")


def write_json(doc: Mapping[str, Any], path: Path) -> Path:
    check_document(doc)
    with replacing(path, "--out") as tmp:
        tmp.write_text(json.dumps(doc, indent=2, allow_nan=False) + "\n", encoding="utf-8")
    return path


def _design_rows(design: Mapping[str, Any]) -> Table:
    rows = []
    for arm, spec in (design.get("arms") or {}).items():
        sets = "; ".join(f"{p} = {v}" for p, v in (spec.get("set") or {}).items()) or "(base scenario)"
        steps = "; ".join(f"day {s['day']}: " + ", ".join(f"{p} = {v}" for p, v in s["set"].items())
                          for s in spec.get("timeline") or ())
        rows.append([arm, sets, steps or "—"])
    return Table(header=["Arm", "Set from day 1", "Changes during the run"], rows=rows)


def _contrast_rows(fact: Mapping[str, Any]) -> Table:
    rows = []
    for c in fact["contrasts"]:
        lo, hi = c["interval"]
        rows.append([c["label"], c["outcome"], c["expected"], number(c["effect"]) if c["effect"] is not None else "n/a",
                     f"{number(lo)} to {number(hi)}" if lo is not None else "n/a", c["pairs"], c["verdict"]])
    conf = fact.get("confidence") or 0.95
    return Table(header=["Contrast", "Outcome", "Expected", "Effect", f"{100 * conf:g}% interval", "Pairs",
                         "Verdict"], rows=rows, numeric=[False, False, False, True, True, True, False])


def render(doc: Mapping[str, Any]) -> str:
    """validation.html as text."""
    facts = doc["facts"]
    counts = doc["counts"]
    eff = doc["effort"]
    summary = Table(header=["Fact", "Verdict", "Headline effect", "Interval", "Why"],
                    rows=[[f["title"], f["verdict"], number(f["effect"]) if f["effect"] is not None else "n/a",
                           f"{number(f['interval'][0])} to {number(f['interval'][1])}"
                           if f["interval"] and f["interval"][0] is not None else "n/a", f["why"]] for f in facts],
                    numeric=[False, False, True, True, False])
    org = f"{eff['offices']} offices" if eff.get("offices") else "the base scenarios' organisations"
    sections = [Section("Verdicts", paragraphs=[
        f"{len(facts)} stylised facts, each a paired-seed experiment of {eff['replicates']} replicates per arm "
        f"({org}). " + ", ".join(f"{n} {v}" for v, n in counts.items() if n) + ".",
        "A fact is reproduced when every one of its contrasts has its whole confidence interval on the side "
        "the literature expects (or, for 'no effect', within the stated margin); an interval that includes "
        "zero is not a reproduction. Not expressible means the model lacks a parameter, choice or measure the "
        "experiment needs. Verdicts are reported as found; nothing is tuned to make a fact pass.",
    ] + (["This is the quick suite: a small organisation and few replicates, so intervals are wide and a fact "
          "may be not reproduced for lack of power. The full suite (`docsec validate`) is the one to cite."]
         if doc["suite"] == "quick" else []), tables=[summary])]
    for f in facts:
        paragraphs = [f["claim"], f"Source: {f['source']}", f"Verdict: {f['verdict']} — {f['why']}"]
        if f.get("notes"):
            paragraphs.append(f["notes"])
        tables = [_design_rows(f["design"])]
        figures = []
        if f["contrasts"]:
            tables.append(_contrast_rows(f))
            figures.append((effects_figure(f["title"], f["contrasts"]),
                            "Each marker is a contrast's mean over paired replicates (the same seed in every arm); "
                            "bars are its confidence interval; the dashed line is zero."))
        sections.append(Section(f["title"], paragraphs=paragraphs, tables=tables, figures=figures,
                                notes=[f"Base scenario '{f['design'].get('base')}', {f['design'].get('days')} days; "
                                       f"stores: {', '.join(f['stores']) or 'none'}"]))
    p = doc["provenance"]
    sections.append(Section("Provenance", tables=[Table(header=["Item", "Value"], rows=[
        ["Suite", doc["suite"]], ["Written", doc["created_at"]], *([k, v] for k, v in p.items()),
        ["Base seed", eff["base_seed"]]])]))
    return render_page(f"docsec validate: {doc['suite']} suite",
                       f"Stylised facts of deterrence and compliance, tested on the model. Written {doc['created_at']}.",
                       sections)


def write_html(doc: Mapping[str, Any], path: Path) -> Path:
    with replacing(path, "--out") as tmp:
        tmp.write_text(render(doc), encoding="utf-8")
    return path


def write_outputs(results: Sequence[FactResult], effort: Effort, out: Path) -> tuple[Path, Path]:
    """validation.json and validation.html in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    doc = document(results, effort)
    return write_json(doc, out / JSON_NAME), write_html(doc, out / HTML_NAME)
