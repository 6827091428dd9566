"""The installed package is one namespace, ``docsec``, with the scenario files as package data."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = {"docsec": "docsec", "sim": "docsec.sim", "analysis": "docsec.analysis", "scenarios": "docsec.scenarios"}

def package_folders() -> set[str]:
    """Every folder of ours that is a Python package, by its dotted name under docsec."""
    names = set()
    for top, dotted in FOLDERS.items():
        for init in (ROOT / top).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / top).parts
            names.add(".".join((dotted, *rel)))
    return names

def test_every_package_folder_is_declared_in_pyproject():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert set(config["packages"]) == package_folders()
    assert config["package-dir"] == {dotted: top for top, dotted in FOLDERS.items()}

def test_no_module_imports_the_old_top_level_names():
    offenders = []
    for top in ("docsec", "sim", "analysis", "scenarios", "tests", "bench"):
        for path in (ROOT / top).rglob("*.py"):
            for n, line in enumerate(path.read_text().splitlines(), 1):
                stripped = line.strip()
                for old in ("sim", "analysis", "scenarios"):
                    if stripped.startswith((f"from {old}.", f"from {old} ", f"import {old}.", f"import {old}")) \
                            and not stripped.startswith(f"import {old}_"):
                        offenders.append(f"{path.relative_to(ROOT)}:{n}: {stripped}")
    assert offenders == []

def test_outside_the_checkout_only_docsec_is_importable(tmp_path):
    code = ("import importlib.util, docsec, docsec.analysis.cli, docsec.scenarios.loader, docsec.sim.model;"
            "print([importlib.util.find_spec(n) is None for n in ('sim', 'analysis', 'scenarios')]);"
            "print(docsec.scenarios.loader.load_scenario('strict').name)")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["[True, True, True]", "strict"]

def test_importing_docsec_imports_nothing_else(tmp_path):
    code = "import sys, docsec; print(sorted(m for m in sys.modules if m.startswith('docsec')))"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['docsec', 'docsec.sim']"

def test_the_wheel_holds_one_top_level_package_and_the_scenario_files(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True)
    (wheel,) = tmp_path.glob("docsec-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"docsec"}
    shipped = {p.name for p in (ROOT / "scenarios").glob("*.toml")}
    assert {n.split("/")[-1] for n in names if n.startswith("docsec/scenarios/") and n.count("/") == 2
            and n.endswith(".toml")} == shipped
    assert "docsec/scenarios/sweeps/compare.toml" in names
    entry = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "docsec = docsec.analysis.cli:main" in entry
