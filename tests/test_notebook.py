"""examples/notebook.ipynb runs top to bottom in a real kernel, offline."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture(scope="module")
def executed() -> nbformat.NotebookNode:
    # nbformat ships no type hints for read().
    notebook: nbformat.NotebookNode = nbformat.read(  # type: ignore[no-untyped-call]
        EXAMPLES / "notebook.ipynb", as_version=4
    )
    client = NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(EXAMPLES)}},
    )
    client.execute()
    return notebook


def outputs(notebook: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]


def test_every_cell_runs_without_error(executed: nbformat.NotebookNode) -> None:
    assert all(o.output_type != "error" for o in outputs(executed))


def test_report_plan_and_history_render_as_html(executed: nbformat.NotebookNode) -> None:
    pages = [o.data["text/html"] for o in outputs(executed) if "text/html" in o.get("data", {})]
    assert len(pages) == 3  # report, plan, history
    assert all("<svg" in page and "<script" not in page for page in pages)


def test_explain_and_plan_print_their_answers(executed: nbformat.NotebookNode) -> None:
    printed = "".join(o.text for o in outputs(executed) if o.output_type == "stream")
    assert "Why member M-31588" in printed
    assert "Completion plan for member M-31588" in printed
