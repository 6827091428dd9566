"""Sweep-file validation: one test per kind of bad input, each matching its one-line message."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from docsec.analysis.sweep.design import SweepSpec, load_sweep
from docsec.analysis.sweep.files import SweepFileError
from docsec.sim.errors import InputError

ROOT = Path(__file__).resolve().parents[2]

GOOD = """
[sweep]
replicates = 2
base_seed = 3
days = 30

[parameters]
population.offices = 2
penalty.dismissal_severity = [50.0, 500.0]
"""


def write(tmp_path: Path, text: str, name: str = "s.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_good_file_loads_with_its_source_and_hash(tmp_path):
    path = write(tmp_path, GOOD)
    spec = load_sweep(path)
    assert spec.name == "s"  # no [sweep] name: the file's stem
    assert spec.axes == {"penalty.dismissal_severity": (50.0, 500.0)}
    assert spec.constants == {"population.offices": 2}
    assert spec.source_text == GOOD and len(spec.source_hash) == 64
    assert spec.source == str(path.resolve())


BAD_FILES = {
    "malformed TOML": ("[sweep]\nreplicates = 2\nbase_seed = \n", r"s\.toml: malformed TOML: .*line 3"),
    "unknown table": ("[sweep]\nreplicates = 1\n[parameter]\n", r"s\.toml:parameter: unknown table; allowed: .*did you mean 'parameters'"),
    "unknown sweep key": ("[sweep]\nreplicates = 1\nreplicate = 2\n", r"s\.toml:sweep\.replicate: unknown key; allowed in \[sweep\]: .*did you mean 'replicates'"),
    "unknown design key": ("[sweep]\nreplicates = 1\n[design]\nsample = 4\n", r"s\.toml:design\.sample: unknown key; .*did you mean 'samples'"),
    "missing sweep table": ("[parameters]\npenalty.publicised = true\n", r"s\.toml:sweep: missing"),
    "missing replicates": ("[sweep]\nbase_seed = 1\n", r"s\.toml:sweep\.replicates: missing"),
    "replicates of the wrong type": ("[sweep]\nreplicates = \"ten\"\n", r"s\.toml:sweep\.replicates: must be an integer from 1 to 1000000 \(got 'ten'\)"),
    "replicates out of range": ("[sweep]\nreplicates = 0\n", r"s\.toml:sweep\.replicates: must be an integer from 1 to 1000000 \(got 0\)"),
    "negative base seed": ("[sweep]\nreplicates = 1\nbase_seed = -1\n", r"s\.toml:sweep\.base_seed: must be an integer from 0 to"),
    "days out of range": ("[sweep]\nreplicates = 1\ndays = 0\n", r"s\.toml:sweep\.days: must be an integer from 1 to 36500 \(got 0\)"),
    "unknown parameter": ("[sweep]\nreplicates = 1\n[parameters]\npenalty.dismisal_severity = 5.0\n",
                          r"s\.toml:parameters\.penalty\.dismisal_severity: unknown parameter; allowed in penalty: .*did you mean 'dismissal_severity'"),
    "unknown parameter group": ("[sweep]\nreplicates = 1\n[parameters]\npenalties.warning_severity = 5.0\n",
                                r"s\.toml:parameters\.penalties\.warning_severity: unknown parameter; expected group\.name .*did you mean 'penalty'"),
    "parameter of the wrong type": ("[sweep]\nreplicates = 1\n[parameters]\ncustody.uncleared_may_handle = \"no\"\n",
                                    r"s\.toml:parameters\.custody\.uncleared_may_handle: must be true or false \(got 'no'\)"),
    "axis value out of range": ("[sweep]\nreplicates = 1\n[parameters]\ninspection.thoroughness = [0.5, 1.5]\n",
                                r"s\.toml:parameters\.inspection\.thoroughness\[1\]: must be a number from 0 to 1 \(got 1\.5\)"),
    "choice not allowed": ("[sweep]\nreplicates = 1\n[parameters]\ninspection.targeting = [\"random\", \"risky\"]\n",
                           r"s\.toml:parameters\.inspection\.targeting\[1\]: must be one of random, scheduled, risk .*did you mean 'risk'"),
    "empty axis": ("[sweep]\nreplicates = 1\n[parameters]\ninspection.inspectors = []\n",
                   r"s\.toml:parameters\.inspection\.inspectors: an axis must list at least one value"),
    "repeated axis value": ("[sweep]\nreplicates = 1\n[parameters]\ninspection.inspectors = [1, 2, 1]\n",
                            r"s\.toml:parameters\.inspection\.inspectors\[2\]: repeats the value 1"),
    "unknown design kind": ("[sweep]\nreplicates = 1\n[design]\nkind = \"sobel\"\n",
                            r"s\.toml:design\.kind: must be one of grid, lhs, sobol, explicit \(got 'sobel'\) \(did you mean 'sobol'\?\)"),
    "axis in a sampled design": ("[sweep]\nreplicates = 1\n[design]\nkind = \"lhs\"\nsamples = 4\n"
                                 "[design.bounds]\ninspection.thoroughness = [0.1, 0.9]\n"
                                 "[parameters]\ninspection.inspectors = [1, 2]\n",
                                 r"s\.toml:parameters\.inspection\.inspectors: a list makes an axis, which only a grid design has"),
    "sampled design without samples": ("[sweep]\nreplicates = 1\n[design]\nkind = \"lhs\"\n"
                                       "[design.bounds]\ninspection.thoroughness = [0.1, 0.9]\n",
                                       r"s\.toml:design\.samples: missing: design\.kind = 'lhs' needs samples"),
    "samples in a grid design": ("[sweep]\nreplicates = 1\n[design]\nsamples = 8\n",
                                 r"s\.toml:design\.samples: only a design of kind lhs or sobol takes samples"),
    "sobol samples not a power of two": ("[sweep]\nreplicates = 1\n[design]\nkind = \"sobol\"\nsamples = 12\n"
                                         "[design.bounds]\ninspection.thoroughness = [0.1, 0.9]\n",
                                         r"s\.toml:design\.samples: a Sobol design needs a power of two \(e\.g\. 8 or 16; got 12\)"),
    "bounds reversed": ("[sweep]\nreplicates = 1\n[design]\nkind = \"lhs\"\nsamples = 4\n"
                        "[design.bounds]\ninspection.thoroughness = [0.9, 0.1]\n",
                        r"s\.toml:design\.bounds\.inspection\.thoroughness: low must be below high"),
    "bounds outside the parameter's range": ("[sweep]\nreplicates = 1\n[design]\nkind = \"lhs\"\nsamples = 4\n"
                                             "[design.bounds]\ninspection.thoroughness = [0.1, 2.0]\n",
                                             r"s\.toml:design\.bounds\.inspection\.thoroughness\[1\]: must be a number from 0 to 1 \(got 2\.0\)"),
    "bounds of the wrong shape": ("[sweep]\nreplicates = 1\n[design]\nkind = \"lhs\"\nsamples = 4\n"
                                  "[design.bounds]\ninspection.thoroughness = 0.5\n",
                                  r"s\.toml:design\.bounds\.inspection\.thoroughness: must be \[low, high\], each a number from 0 to 1, or \"plausible\""),
    "bounds on a true/false parameter": ("[sweep]\nreplicates = 1\n[design]\nkind = \"sobol\"\nsamples = 4\n"
                                         "[design.bounds]\ncustody.uncleared_may_handle = [0, 1]\n",
                                         r"s\.toml:design\.bounds\.custody\.uncleared_may_handle: only numeric parameters can be sampled"),
    "points in a grid design": ("[sweep]\nreplicates = 1\n[[design.points]]\npenalty.publicised = false\n",
                                r"s\.toml:design\.points: only a design of kind explicit takes points"),
    "repeated explicit point": ("[sweep]\nreplicates = 1\n[design]\nkind = \"explicit\"\n"
                                "[[design.points]]\npenalty.publicised = false\n[[design.points]]\npenalty.publicised = false\n",
                                r"s\.toml:design\.points\[1\]: repeats design\.points\[0\]"),
    "explicit point value out of range": ("[sweep]\nreplicates = 1\n[design]\nkind = \"explicit\"\n"
                                          "[[design.points]]\nexternal_channel.strength = -0.1\n",
                                          r"s\.toml:design\.points\[0\]\.external_channel\.strength: must be a number from 0 to 1"),
    "parameter set twice": ("[sweep]\nreplicates = 1\n[design]\nkind = \"lhs\"\nsamples = 4\n"
                            "[design.bounds]\ninspection.thoroughness = [0.1, 0.9]\n"
                            "[parameters]\ninspection.thoroughness = 0.5\n",
                            r"s\.toml:parameters\.inspection\.thoroughness: is also varied in design\.bounds; set it in one place only"),
    "run length given twice": ("[sweep]\nreplicates = 1\ndays = 30\n[parameters]\nrun.days = [30, 60]\n",
                               r"s\.toml:sweep\.days: run\.days is also set"),
    "daily flag of the wrong type": ("[sweep]\nreplicates = 1\n[outputs]\ndaily = \"yes\"\n",
                                     r"s\.toml:outputs\.daily: must be true or false \(got 'yes'\)"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_sweep_file_is_refused_with_a_one_line_message(tmp_path, case):
    text, pattern = BAD_FILES[case]
    path = write(tmp_path, text)
    with pytest.raises(InputError) as err:
        load_sweep(path)
    message = str(err.value)
    assert "\n" not in message
    assert re.search(pattern, message), message


def test_missing_file_is_named(tmp_path):
    with pytest.raises(SweepFileError, match=r"nope\.toml: no such sweep file"):
        load_sweep(tmp_path / "nope.toml")


def test_from_mapping_validates_like_a_file():
    with pytest.raises(SweepFileError, match=r"^code:sweep\.replicates: must be an integer"):
        SweepSpec.from_mapping({"sweep": {"replicates": True}}, where="code")
    spec = SweepSpec.from_mapping({"sweep": {"replicates": 2}, "parameters": {"penalty.publicised": [True, False]}},
                                  name="made-in-code")
    assert spec.name == "made-in-code"
    assert spec.axes == {"penalty.publicised": (True, False)}


def test_cli_reports_a_bad_file_in_one_line_with_exit_2(tmp_path):
    path = write(tmp_path, "[sweep]\nreplicates = 1\n[parameters]\npenalty.dismisal_severity = 5.0\n")
    proc = subprocess.run([sys.executable, "-m", "docsec.analysis.cli", "sweep", str(path), "--out", str(tmp_path / "x.sqlite")],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert "parameters.penalty.dismisal_severity: unknown parameter" in lines[0]
    assert "did you mean 'dismissal_severity'" in lines[0]
    assert not (tmp_path / "x.sqlite").exists()


def test_shipped_sweep_files_are_valid():
    files = sorted((ROOT / "scenarios" / "sweeps").glob("*.toml"))
    assert files, "no sweep files shipped"
    for path in files:
        spec = load_sweep(path)
        assert spec.name == path.stem
        assert spec.replicates >= 1
