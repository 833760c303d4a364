"""How strings are marked for translation, read from the source with ast (lib/i18n.py says why each rule holds).

- `_` is never a throwaway variable in a module that translates with it (that hides the translator);
- no f-string or `%`/`.format` result inside `_()` / `ngettext()`: Babel extracts only literals;
- in modules (lib/, ui/), `_()` is never called at import time (module level or a default argument): that
  would fix one language for every visitor; module-level tables use `N_()` and translate where shown. Pages and
  the entry file are scripts Streamlit runs for each visitor, so their top level is where they translate.
"""

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

SOURCES = sorted([ROOT / "streamlit_app.py", *(ROOT / "pages").rglob("*.py"), *(ROOT / "ui").rglob("*.py"),
                  *(ROOT / "lib").rglob("*.py")])


def translating(tree: ast.Module) -> bool:
    return any(isinstance(node, ast.ImportFrom) and node.module == "lib.i18n" and
               any(alias.name == "_" for alias in node.names) for node in ast.walk(tree))


def calls(node: ast.AST, names: set[str]):
    for child in ast.walk(node):
        if isinstance(child, ast.Call) and isinstance(child.func, ast.Name) and child.func.id in names:
            yield child


def import_time_nodes(tree: ast.Module):
    """The parts of a module that run when it is imported: everything but function bodies (and lambdas)."""
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            stack += node.decorator_list + node.args.defaults + [d for d in node.args.kw_defaults if d]
            continue
        if isinstance(node, ast.Lambda):
            continue
        yield node
        stack += list(ast.iter_child_nodes(node))


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: str(path.relative_to(ROOT)))
def test_strings_are_marked_so_that_babel_finds_them_and_every_visitor_reads_their_own_language(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    problems = []
    if translating(tree):
        problems += [f"line {node.lineno}: `_` assigned" for node in ast.walk(tree)
                     if isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store)]
    for call in calls(tree, {"_", "N_", "ngettext"}):
        for argument in call.args[:2 if call.func.id == "ngettext" else 1]:
            if not (isinstance(argument, ast.Constant) and isinstance(argument.value, str)):
                if call.func.id == "_" and not isinstance(argument, ast.JoinedStr):
                    continue  # _(page.title): a string marked elsewhere with N_, translated where shown
                problems.append(f"line {call.lineno}: {call.func.id}() of {ast.dump(argument)[:60]}, not a literal")
    imported = path.parent.name != "pages" and path.parent.parent.name != "pages" and path.name != "streamlit_app.py"
    for node in import_time_nodes(tree) if imported else ():
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in {"_", "ngettext"}:
            problems.append(f"line {node.lineno}: {node.func.id}() at import time (use N_ and translate where shown)")
    assert not problems, problems
