"""The package's imports form no cycle, and the engine never imports a renderer.

Every ``import`` in every module counts, those inside functions included (an
import at call time is a cycle all the same, only hidden); only the blocks under
``if TYPE_CHECKING:`` are left out, since they never run.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

import ceu_compliance

PACKAGE = Path(ceu_compliance.__file__).parent
ROOT = "ceu_compliance"
# The modules allowed to import the renderers: the models (for their to_text(),
# to_markdown() and to_html()), the command line, and the renderers themselves.
MAY_RENDER = {f"{ROOT}._models", f"{ROOT}._cli"}


def module_names(package: Path = PACKAGE) -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its ``__init__``)."""
    names = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import under ``node``, at any depth, except in ``if TYPE_CHECKING:`` bodies."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child
        elif isinstance(child, ast.If) and _is_type_checking(child):
            for other in child.orelse:
                yield from _imports(ast.Module(body=[other], type_ignores=[]))
        else:
            yield from _imports(child)


def imported_by(name: str, source: str, known: Mapping[str, Path]) -> set[str]:
    """The package's modules that module ``name`` imports when it runs.

    ``from .a import b`` imports ``a``, and ``a.b`` too when that is a module.
    Importing ``a.b.c`` runs the packages ``a.b`` and ``a`` first. A module's own
    packages are left out: they are always being imported already when it runs.
    """
    is_package = known[name].name == "__init__.py"
    here = name.split(".") if is_package else name.split(".")[:-1]
    targets: set[str] = set()
    for node in _imports(ast.parse(source)):
        if isinstance(node, ast.Import):
            found = [alias.name for alias in node.names]
        else:
            base = here[: len(here) - node.level + 1] if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            found = [module, *(f"{module}.{alias.name}" for alias in node.names)]
        for target in found:
            if target in known:
                targets.add(target)
                parts = target.split(".")
                targets.update(".".join(parts[:n]) for n in range(1, len(parts)))
    return {t for t in targets if not (name == t or name.startswith(t + "."))}


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    known = module_names(package)
    return {
        name: imported_by(name, path.read_text(encoding="utf-8"), known)
        for name, path in known.items()
    }


def find_cycle(graph: Mapping[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` as a path that ends where it starts, or None."""
    done: set[str] = set()
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done:
            return None
        path.append(node)
        for target in sorted(graph.get(node, ())):
            cycle = visit(target)
            if cycle:
                return cycle
        path.pop()
        done.add(node)
        return None

    for node in sorted(graph):
        cycle = visit(node)
        if cycle:
            return cycle
    return None


def test_the_package_has_no_import_cycle() -> None:
    graph = import_graph()
    assert f"{ROOT}._render.html" in graph and f"{ROOT}._engine" in graph
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_only_the_models_and_the_cli_import_the_renderers() -> None:
    render = f"{ROOT}._render"
    for module, targets in import_graph().items():
        if module in MAY_RENDER or module == render or module.startswith(render + "."):
            continue
        assert not {t for t in targets if t == render or t.startswith(render + ".")}, module


def test_the_renderers_know_the_models_only_for_type_checking() -> None:
    graph = import_graph()
    for module in (m for m in graph if m.startswith(f"{ROOT}._render")):
        assert f"{ROOT}._models" not in graph[module], module


# ------------------------------------------------------ the walker can fail


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """A package whose modules import each other in every way the walker must see."""
    root = tmp_path / ROOT
    (root / "_sub").mkdir(parents=True)
    files = {
        "__init__.py": "from ._a import f\n",
        "_a.py": "from ._b import g\n\ndef f():\n    from ._c import h\n",
        "_b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ._a import f\n",
        "_c.py": "import ceu_compliance._sub.d\n",
        "_sub/__init__.py": "",
        "_sub/d.py": "from .. import _a\n",
    }
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_the_walker_sees_imports_inside_functions_and_skips_type_checking(
    package: Path,
) -> None:
    graph = import_graph(package)
    assert graph[f"{ROOT}._a"] == {f"{ROOT}._b", f"{ROOT}._c"}
    assert graph[f"{ROOT}._b"] == set()
    assert graph[f"{ROOT}._c"] == {f"{ROOT}._sub", f"{ROOT}._sub.d"}
    assert find_cycle(graph) == [
        f"{ROOT}._a",
        f"{ROOT}._c",
        f"{ROOT}._sub.d",
        f"{ROOT}._a",
    ]


def test_no_cycle_is_found_where_there_is_none() -> None:
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None
