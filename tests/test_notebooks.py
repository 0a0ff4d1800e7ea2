"""The notebooks in notebooks/ run end to end (nbclient, kernel python3) on small slices, and
are committed without outputs."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
SHARED = REPO.parent / "shared" / "data"
# Which notebooks read ../shared (the others use only what is in the repository).
NEEDS_SHARED = {"02-retrain.ipynb", "03-corpus-analysis.ipynb"}
ALL = ["01-quickstart.ipynb", "02-retrain.ipynb", "03-corpus-analysis.ipynb"]


def test_notebooks_are_committed_without_outputs():
    nbformat = pytest.importorskip("nbformat")
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == ALL
    for name in ALL:
        nb = nbformat.read(NOTEBOOKS / name, as_version=4)
        nbformat.validate(nb)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, name


@pytest.mark.parametrize("name", ALL)
def test_notebook_runs(name, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    if name in NEEDS_SHARED and not (SHARED / "gold").exists():
        pytest.skip(f"{name} reads the shared data, which is not at {SHARED}")
    # The kernel inherits the environment: small slices, and this checkout on the path.
    monkeypatch.setenv("CAMPAIGNNLP_NB_LIMIT", "40")
    monkeypatch.setenv("CAMPAIGNNLP_NB_TRAIN", "20")
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's inline backend shows figures
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=300,
                                     resources={"metadata": {"path": str(NOTEBOOKS)}})
    t0 = time.perf_counter()
    client.execute()  # raises CellExecutionError naming the cell on any error
    elapsed = time.perf_counter() - t0
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.get("output_type") == "error"]
    assert not errors
    # Every plotting cell produced a figure.
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if "image/png" in o.get("data", {})]
    n_plot_cells = sum("plots.plot_" in c.source or "plt.subplots" in c.source or ".plot(" in c.source
                       for c in nb.cells if c.cell_type == "code")
    assert n_plot_cells and len(images) >= n_plot_cells
    print(f"{name}: {elapsed:.0f} s")
