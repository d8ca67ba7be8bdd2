"""The apps are layers, and imports only point down (README, "Layout"):

    indicators  ←  projects  ←  selfeval  ←  reports  ←  perfbudget

Every module of every app is parsed (top-level and function-level imports, relative ones resolved); an
import of a higher layer fails, and so does a function-level import of a project module outside the places
Django needs one (``AppConfig.ready``), because such imports are how cycles hide.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["indicators", "projects", "selfeval", "reports", "perfbudget"]
# Where Django itself asks for a late import: an app's ready() hook.
LATE_IMPORT_ALLOWED = {("apps.py", "ready")}


def _modules():
    for layer in LAYERS:
        for path in sorted((ROOT / layer).rglob("*.py")):
            yield layer, path


def _absolute(path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = list(path.relative_to(ROOT).with_suffix("").parts)[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(path: Path):
    """(module imported, enclosing function name or None, line) for every import of ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))

    def visit(node, function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield alias.name, function, child.lineno
            elif isinstance(child, ast.ImportFrom):
                module = _absolute(path, child)
                yield module, function, child.lineno
                for alias in child.names:  # `from projects import services` imports projects.services
                    yield f"{module}.{alias.name}", function, child.lineno
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                yield from visit(child, function or child.name)
            else:
                yield from visit(child, function)

    yield from visit(tree, None)


def test_imports_point_down():
    upward = []
    for layer, path in _modules():
        own = LAYERS.index(layer)
        for module, _, line in _imports(path):
            top = module.split(".")[0]
            if top in LAYERS and LAYERS.index(top) > own:
                upward.append(f"{path.relative_to(ROOT)}:{line} imports {module} ({layer} is below {top})")
    assert not upward, "imports that point up:\n" + "\n".join(sorted(set(upward)))


def test_no_late_imports_of_project_modules():
    late = []
    for _, path in _modules():
        if "migrations" in path.parts:
            continue  # a migration's RunPython reads the historical models through ``apps``
        for module, function, line in _imports(path):
            if function is None or module.split(".")[0] not in LAYERS:
                continue
            if (path.name, function) not in LATE_IMPORT_ALLOWED:
                late.append(f"{path.relative_to(ROOT)}:{line} imports {module} inside {function}()")
    assert not late, "imports inside functions (move the code to the layer where it belongs):\n" + "\n".join(
        sorted(set(late))
    )


@pytest.mark.parametrize(
    "source, upward",
    [
        ("from selfeval.models import SelfEvaluation\n", True),
        ("def f():\n    from reports.services import pdf\n", True),
        ("from indicators.models import IndicatorCategory\n", False),
        ("from .services import workflow\n", False),
    ],
)
def test_the_check_sees_upward_imports(source, upward):
    """The parser itself: an upward import in projects, at the top or inside a function, is seen."""
    path = ROOT / "projects" / "_layering_probe.py"
    try:
        path.write_text(source, encoding="utf-8")
        found = [m for m, _, _ in _imports(path) if m.split(".")[0] in LAYERS and LAYERS.index(m.split(".")[0]) > 1]
    finally:
        path.unlink()
    assert bool(found) is upward
