"""The tutorial notebook (docs/tutorial.ipynb) runs from top to bottom in a Jupyter kernel, as a reader runs it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "docs" / "tutorial.ipynb"
PLOTLY = "application/vnd.plotly.v1+json"


def kernel_of_this_interpreter(folder: Path) -> str:
    """A kernel spec that starts this very Python (the one with docsec installed), whatever else is installed."""
    spec = folder / "kernels" / "docsec-tutorial"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "docsec tutorial", "language": "python"}), encoding="utf-8")
    return spec.name


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The notebook after running every cell, and the temporary folder its results went to."""
    tmp = tmp_path_factory.mktemp("tutorial")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TMPDIR", str(tmp))           # the notebook's tempfile.mkdtemp() lands here
        env.setenv("JUPYTER_PATH", str(tmp))     # where the kernel spec above is found
        env.setenv("JUPYTER_PLATFORM_DIRS", "1")  # jupyter_core's platformdirs paths, without its notice
        import nbformat
        from nbclient import NotebookClient

        nb = nbformat.read(NOTEBOOK, as_version=4)
        NotebookClient(nb, timeout=600, kernel_name=kernel_of_this_interpreter(tmp),
                       resources={"metadata": {"path": str(tmp)}}).execute()
    return nb, tmp


def outputs(nb) -> list:
    return [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs]


def test_every_cell_runs_without_an_error(executed):
    nb, _ = executed
    assert [out for out in outputs(nb) if out.output_type == "error"] == []
    assert all(cell.execution_count for cell in nb.cells if cell.cell_type == "code")


def test_its_stores_and_report_go_to_a_temporary_folder(executed):
    _, tmp = executed
    (work,) = tmp.glob("docsec-tutorial-*")
    assert {p.name for p in work.iterdir()} >= {"compare.sqlite", "audits.sqlite", "screen", "report.html"}
    assert (work / "screen" / "indices.csv").is_file()


def test_it_shows_the_comparison_table_the_reading_and_plotly_figures(executed):
    nb, _ = executed
    shown = outputs(nb)
    html = "".join(out.get("data", {}).get("text/html", "") for out in shown)
    assert "difference_low" in html and "Penalty level" in html
    printed = "".join(out.get("text", "") for out in shown if out.output_type == "stream")
    assert "Strict custody" in printed or "strict custody" in printed
    figures = [out for out in shown if PLOTLY in out.get("data", {})]
    assert len(figures) >= 4  # comparison bars, sweep heatmap, a figure of one's own, sensitivity bars


def test_the_committed_notebook_holds_no_outputs():
    import nbformat

    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not cell.outputs and cell.execution_count is None for cell in nb.cells if cell.cell_type == "code")
