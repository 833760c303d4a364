"""The layer rule of lib/, read from the source with ast: each group imports only the groups before it.

The order is explore < engine < runs < keras_views < codegen < server. lib/__init__.py (REPO_ROOT), lib/settings.py and lib/i18n.py
are basics every group may import; lib/cli.py, the command line, may import anything, and nothing else in lib/
imports it but lib/spare.py, the command line started ahead of its job. Imports inside functions count: a lazy
import is still a dependency.
"""

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

GROUPS = ("explore", "engine", "runs", "keras_views", "codegen", "server")
BASICS = {"lib", "lib.settings", "lib.i18n"}
LIB = ROOT / "lib"


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every `import lib...` and `from lib... import` in the file, at any depth."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
            # `from lib import cli` imports lib.cli (but `from lib import REPO_ROOT` only lib).
            found += [(node.lineno, f"lib.{alias.name}") for alias in node.names
                      if node.module == "lib" and ((LIB / alias.name).is_dir() or (LIB / f"{alias.name}.py").exists())]
    return [(line, module) for line, module in found if module == "lib" or module.startswith("lib.")]


def group_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in GROUPS else None


def lib_files() -> list[Path]:
    return sorted(LIB.rglob("*.py"))


def test_the_groups_are_the_folders_of_lib():
    assert {path.parent.name for path in lib_files() if path.parent != LIB} == set(GROUPS)


@pytest.mark.parametrize("path", [path for path in lib_files() if path.parent != LIB],
                         ids=lambda path: str(path.relative_to(ROOT)))
def test_a_group_imports_only_the_groups_before_it(path):
    rank = GROUPS.index(path.parent.name)
    wrong = [f"line {line}: {module}" for line, module in imported_modules(path)
             if module not in BASICS and (group_of(module) is None or GROUPS.index(group_of(module)) > rank)]
    assert not wrong, f"{path.relative_to(ROOT)} ({path.parent.name}) imports from a later group: {wrong}"


ENTRY_POINTS = ("cli.py", "spare.py")  # processes of their own: `python -m lib.cli`, `python -m lib.spare`


@pytest.mark.parametrize("path", [path for path in lib_files() if path.name not in ENTRY_POINTS or path.parent != LIB],
                         ids=lambda path: str(path.relative_to(ROOT)))
def test_library_code_never_imports_the_command_line(path):
    assert not [line for line, module in imported_modules(path) if module == "lib.cli"]


def test_the_checker_sees_imports_inside_functions(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from lib.server.jobs import Job\n    import lib.cli\n")
    assert imported_modules(sample) == [(2, "lib.server.jobs"), (3, "lib.cli")]
