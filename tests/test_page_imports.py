"""Pages get trained models through ui.models and the lib functions they call: none of them imports Keras.

Read from the source with `ast`, so a new page or a new ui module that imports TensorFlow fails here before it
slows every page down.
"""

import ast

import pytest

from tests.conftest import ROOT

HEAVY = ("keras", "tensorflow")


def _imported_modules(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        return [node.module]
    return []


def _is_heavy(module: str) -> bool:
    return module.split(".")[0] in HEAVY


def heavy_imports(source: str, module_level_only: bool) -> list[str]:
    """"line: module" for each import of Keras or TensorFlow; with `module_level_only`, those a function runs
    when called are left out (class bodies run on import, so they count)."""
    found = []

    def visit(node: ast.AST) -> None:
        for module in _imported_modules(node):
            if _is_heavy(module):
                found.append(f"{node.lineno}: {module}")
        for child in ast.iter_child_nodes(node):
            if module_level_only and isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                continue
            visit(child)

    visit(ast.parse(source))
    return found


def _sources(folder: str) -> list[str]:
    return sorted(str(path.relative_to(ROOT)) for path in (ROOT / folder).rglob("*.py"))


def test_the_checker_finds_imports_at_any_depth_and_skips_functions_when_asked():
    source = ("import numpy\nfrom tensorflow import nn\ntry:\n    import keras.layers\nexcept ImportError:\n    pass\n"
              "def load():\n    import keras\n")
    assert heavy_imports(source, module_level_only=False) == ["2: tensorflow", "4: keras.layers", "8: keras"]
    assert heavy_imports(source, module_level_only=True) == ["2: tensorflow", "4: keras.layers"]


@pytest.mark.parametrize("page", _sources("pages"))
def test_page_never_imports_keras_or_tensorflow(page):
    assert heavy_imports((ROOT / page).read_text(), module_level_only=False) == []


@pytest.mark.parametrize("module", _sources("ui"))
def test_ui_module_imports_keras_or_tensorflow_only_inside_functions(module):
    assert heavy_imports((ROOT / module).read_text(), module_level_only=True) == []
