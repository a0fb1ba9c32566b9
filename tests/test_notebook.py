"""The analysts' notebook must run end to end on the demo data and answer each of its three questions."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="the notebook test needs nbformat")
nbclient = pytest.importorskip("nbclient", reason="the notebook test needs nbclient and ipykernel")
pytest.importorskip("matplotlib", reason="the notebook draws with matplotlib")

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "analyst_questions.ipynb"
QUESTIONS = {
    "question-a": "irritants driving detractors in the delivery stage",
    "question-b": "what changed this week",
    "question-c": "verbatims behind an alert",
}


@pytest.fixture(scope="module")
def executed(demo_db: Path):
    """The notebook run once, in its own folder, against the demo database (VOC_DB)."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=300,
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    # Raises CellExecutionError, naming the cell, if any cell fails.
    client.execute(env={**os.environ, "VOC_DB": str(demo_db), "MPLBACKEND": "module://matplotlib_inline.backend_inline"})
    return nb


def _outputs(nb, tag: str) -> list:
    return [o for cell in nb.cells if cell.cell_type == "code" and tag in cell.metadata.get("tags", [])
            for o in cell.get("outputs", [])]


def test_saved_without_outputs() -> None:
    """Outputs of a run (possibly on real, PII-redacted but sensitive data) must not be committed."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    assert all(not c.outputs and c.execution_count is None for c in code)
    assert nb.metadata.kernelspec.name == "python3"


def test_reads_the_database_from_voc_db(executed, demo_db: Path) -> None:
    first = next(c for c in executed.cells if c.cell_type == "code")
    printed = "".join(o.get("text", "") for o in first.outputs if o.output_type == "stream")
    assert str(demo_db) in printed
    assert not any(o.output_type == "error" for c in executed.cells for o in c.get("outputs", []))


@pytest.mark.parametrize("tag", list(QUESTIONS), ids=list(QUESTIONS.values()))
def test_question_has_chart_and_table(executed, tag: str) -> None:
    outputs = _outputs(executed, tag)
    assert outputs, f"no code cell tagged {tag} produced output"
    rich = [o for o in outputs if o.output_type in ("display_data", "execute_result")]
    charts = [o for o in rich if "image/png" in o.data and len(o.data["image/png"]) > 1000]
    tables = [o for o in rich if "<td" in o.data.get("text/html", "")]
    assert charts, f"{QUESTIONS[tag]}: no chart"
    assert tables, f"{QUESTIONS[tag]}: no table with rows"
