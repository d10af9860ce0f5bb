"""No import cycles inside ``deepseek_tui`` (DESIGN.md, "Layers").

A cycle makes import order matter: whichever module of the loop is imported
first sees the others half-initialised, so a harmless reordering of imports,
or a new entry point, breaks start-up with an ``ImportError`` about a
"partially initialized module". This test reads every module with ``ast``
(nothing is imported) and fails on any cycle of imports that run when a
module is imported.

What counts as an edge ``A -> B`` (A's import runs B's code first):

* imports at module level, including inside ``try``, ``if``, ``with`` and
  class bodies;
* not imports inside functions (lazy by design: they run after every module
  is loaded), and not imports under ``if TYPE_CHECKING:`` (never run);
* ``from pkg import name`` is an edge to the submodule ``pkg.name`` when
  there is one, else to ``pkg`` (the name comes from its ``__init__``);
  relative imports are resolved against A's package;
* importing ``pkg.sub`` also runs ``pkg/__init__.py`` first, so it is an edge
  to ``pkg`` as well -- except when ``pkg`` is A's own package or one of its
  parents. Those are always already being imported by the time A runs (Python
  imports a package before its submodules), so ``from . import sibling``
  inside a package whose ``__init__`` imports A is not a cycle: it never
  re-runs the ``__init__``. Asking such a package for a *name* (``from pkg
  import Name``) still is an edge to it, and is reported: that name exists
  only if the ``__init__`` got past the line that defines it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

import deepseek_tui

PACKAGE_DIR = Path(deepseek_tui.__file__).resolve().parent

#: Known cycles the test tolerates while their owners fix them, each as the
#: modules of the loop, e.g. ``("deepseek_tui.cli", "deepseek_tui.commands")``.
#: An entry whose cycle is gone fails the test, so it gets removed. Empty
#: today: keep it that way; fix a new cycle instead of listing it.
KNOWN_CYCLES: list[tuple[str, ...]] = []

Graph = dict[str, set[str]]


def module_names(root: Path, package: str) -> dict[str, Path]:
    """``{dotted name: file}`` for every module of the package under ``root``."""
    names: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join([package, *parts])] = path
    return names


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def runtime_imports(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    """The import statements that run when the module is imported."""

    def walk(statements: Iterable[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
        for node in statements:
            if isinstance(node, ast.Import | ast.ImportFrom):
                yield node
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue  # runs when called, not when imported
            elif isinstance(node, ast.If) and _is_type_checking(node.test):
                yield from walk(node.orelse)
            elif (
                isinstance(node, ast.If)
                and isinstance(node.test, ast.UnaryOp)
                and isinstance(node.test.op, ast.Not)
                and _is_type_checking(node.test.operand)
            ):
                yield from walk(node.body)
            else:  # class bodies, try, with, for, while, match, other ifs
                for field in ("body", "orelse", "finalbody", "handlers", "cases"):
                    for child in getattr(node, field, None) or ():
                        if isinstance(child, ast.stmt):
                            yield from walk([child])
                        else:  # an except handler or a match case: statements in .body
                            yield from walk(child.body)

    yield from walk(tree.body)


def _ancestors(name: str) -> list[str]:
    """``a.b.c`` -> ``["a", "a.b"]``."""
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def _known(name: str, modules: dict[str, Path]) -> str | None:
    """``name`` if it is a module, else its nearest enclosing module."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def build_graph(root: Path, package: str) -> Graph:
    """Every module's import-time edges to other modules of the package."""
    modules = module_names(root, package)
    graph: Graph = {name: set() for name in modules}
    for importer, path in modules.items():
        is_package = path.name == "__init__.py"
        own_package = importer if is_package else importer.rpartition(".")[0]
        already_running = {importer, *_ancestors(importer)}
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        targets: set[str] = set()
        for node in runtime_imports(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == package or alias.name.startswith(package + "."):
                        found = _known(alias.name, modules)
                        if found:
                            targets.add(found)
                continue
            if node.level:
                base_parts = own_package.split(".")
                if node.level > 1:
                    base_parts = base_parts[: -(node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            if not (base == package or base.startswith(package + ".")):
                continue
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                if alias.name != "*" and submodule in modules:
                    targets.add(submodule)
                else:
                    found = _known(base, modules)
                    if found:
                        targets.add(found)
                        # A name, not a submodule: the package's __init__ must
                        # have run, even if it is the importer's own package.
                        if found in already_running and found != importer:
                            graph[importer].add(found)
        for target in targets:
            # Importing a module runs its packages' __init__ first, unless they
            # are already running (see the module docstring).
            for step in [*_ancestors(target), target]:
                if step not in already_running:
                    graph[importer].add(step)
    return graph


def strongly_connected(graph: Graph) -> list[list[str]]:
    """Tarjan's algorithm, iteratively; components of one node only when it imports itself."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1 or node in graph[node]:
                        found.append(sorted(component))
    return found


def a_cycle(graph: Graph, component: list[str]) -> list[str]:
    """One concrete loop through a strongly connected component, to print."""
    members = set(component)
    start = component[0]
    paths: dict[str, list[str]] = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for child in sorted(graph[node] & members):
            if child == start:
                return [*paths[node], start]
            if child not in paths:
                paths[child] = [*paths[node], child]
                queue.append(child)
    raise AssertionError(f"no loop through {component}")  # pragma: no cover


def cycles(root: Path, package: str) -> list[list[str]]:
    graph = build_graph(root, package)
    return [a_cycle(graph, component) for component in strongly_connected(graph)]


def _unexpected(found: list[list[str]]) -> list[list[str]]:
    allowed = {frozenset(c) for c in KNOWN_CYCLES}
    return [c for c in found if frozenset(c) not in allowed]


# --- the package ----------------------------------------------------------------


def test_the_package_has_no_import_cycles() -> None:
    found = cycles(PACKAGE_DIR, "deepseek_tui")
    report = "\n".join(" -> ".join(c) for c in _unexpected(found))
    assert not report, f"import cycles (module-level imports only):\n{report}"


def test_the_allow_list_only_holds_cycles_that_still_exist() -> None:
    found = {frozenset(c) for c in cycles(PACKAGE_DIR, "deepseek_tui")}
    gone = [c for c in KNOWN_CYCLES if frozenset(c) not in found]
    assert not gone, f"these cycles are gone; remove them from KNOWN_CYCLES: {gone}"


def test_every_module_is_read() -> None:
    graph = build_graph(PACKAGE_DIR, "deepseek_tui")
    assert {"deepseek_tui", "deepseek_tui.store._store", "deepseek_tui.api._client"} <= set(graph)
    assert len(graph) == len(list(PACKAGE_DIR.rglob("*.py")))
    # Edges that exist today, as a check that imports are resolved at all.
    assert "deepseek_tui.store._rows" in graph["deepseek_tui.store._base"]  # from . import _rows
    assert "deepseek_tui.sanitize" in graph["deepseek_tui.store._conversations"]  # from ..
    assert "deepseek_tui.api._errors" in graph["deepseek_tui.api"]  # absolute, in __init__
    # Lazy by design: inside functions or under TYPE_CHECKING.
    assert "deepseek_tui.api._client" not in graph["deepseek_tui.api"]
    assert "deepseek_tui.store._export" not in graph["deepseek_tui.store._exchange"]


# --- the checker, on small made-up packages --------------------------------------


def make_package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "pkg"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_a_direct_cycle_is_found_and_printed(tmp_path: Path) -> None:
    root = make_package(
        tmp_path,
        {
            "__init__.py": "",
            "a.py": "from pkg import b\n",
            "b.py": "import pkg.c\n",
            "c.py": "from pkg.a import thing\n",
        },
    )
    assert cycles(root, "pkg") == [["pkg.a", "pkg.b", "pkg.c", "pkg.a"]]


@pytest.mark.parametrize(
    "lazy",
    [
        "def f():\n    from pkg import a\n",
        "async def f():\n    import pkg.a\n",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import a\n",
        "import typing\nif typing.TYPE_CHECKING:\n    from pkg.a import x\n",
        "class C:\n    def m(self):\n        from . import a\n",
    ],
)
def test_lazy_imports_are_not_edges(tmp_path: Path, lazy: str) -> None:
    root = make_package(tmp_path, {"__init__.py": "", "a.py": "from pkg import b\n", "b.py": lazy})
    assert cycles(root, "pkg") == []


@pytest.mark.parametrize(
    "eager",
    [
        "try:\n    from . import a\nexcept ImportError:\n    pass\n",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    pass\nelse:\n    import pkg.a\n",
        "class C:\n    from .a import x\n",
        "import sys\nif sys.platform:\n    from .a import *\n",
    ],
)
def test_imports_that_run_at_import_time_are_edges(tmp_path: Path, eager: str) -> None:
    root = make_package(tmp_path, {"__init__.py": "", "a.py": "from pkg import b\n", "b.py": eager})
    assert cycles(root, "pkg") == [["pkg.a", "pkg.b", "pkg.a"]]


def test_a_package_re_exporting_its_submodules_is_no_cycle(tmp_path: Path) -> None:
    """``pkg/store/__init__`` imports ``_impl``, which imports its sibling
    ``_rows`` by ``from . import`` or absolutely: the ``__init__`` is already
    running and is not run again, so this is fine."""
    root = make_package(
        tmp_path,
        {
            "__init__.py": "",
            "store/__init__.py": "from ._impl import Store\n",
            "store/_impl.py": "from . import _rows\nfrom pkg.store._types import T\n",
            "store/_rows.py": "from .._util import helper\n",
            "store/_types.py": "",
            "_util.py": "",
        },
    )
    assert cycles(root, "pkg") == []


def test_a_name_from_a_package_being_initialised_is_a_cycle(tmp_path: Path) -> None:
    """The same package, but ``_impl`` asks the ``__init__`` for a name: it
    exists only if the ``__init__`` got past it, so import order matters."""
    root = make_package(
        tmp_path,
        {
            "__init__.py": "",
            "store/__init__.py": "from ._impl import Store\nVERSION = 1\n",
            "store/_impl.py": "from pkg.store import VERSION\n",
        },
    )
    assert cycles(root, "pkg") == [["pkg.store", "pkg.store._impl", "pkg.store"]]


def test_importing_a_submodule_runs_its_package_first(tmp_path: Path) -> None:
    """``x`` imports ``pkg.sub.leaf``, which runs ``pkg/sub/__init__``, which
    imports ``x``: a real cycle even though ``leaf`` imports nothing."""
    root = make_package(
        tmp_path,
        {
            "__init__.py": "",
            "x.py": "from pkg.sub.leaf import f\n",
            "sub/__init__.py": "from pkg import x\n",
            "sub/leaf.py": "",
        },
    )
    assert cycles(root, "pkg") == [["pkg.sub", "pkg.x", "pkg.sub"]]
