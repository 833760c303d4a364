"""The README's architecture section matches the tree: every path it names exists, and it names every module of
lib/ and ui/ (package __init__ files aside, their folder is named instead)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# A line of the tree: a path at the start (a folder, which the indented lines below it are in, or a file), or an
# indented file name under the last folder.
TOP_LINE = re.compile(r"^(?P<path>[\w./]+(?:/|\.py))\s")
INDENTED_LINE = re.compile(r"^ {2}(?P<name>[\w.]+\.py)\s")
# A path named in the section's text: in backticks, or written out in the tree's descriptions ("tests/test_<module>.py"
# is a pattern, not a path).
PATH_IN_TEXT = re.compile(r"(?<![\w./])((?:lib|ui|pages|tests|scripts|benchmarks)/[\w./]*(?![\w./<])|streamlit_app\.py)")


def architecture_section(readme: str) -> str:
    start = readme.index("\n## Architecture\n")
    end = readme.index("\n## ", start + 1)
    return readme[start:end]


def tree_paths(section: str) -> set[str]:
    """The paths the section's drawn tree names, each file under the folder above it."""
    block = section.split("```")[1]
    named, folder = set(), ""
    for line in block.splitlines():
        if top := TOP_LINE.match(line):
            path = top["path"]
            named.add(path)
            folder = path if path.endswith("/") else ""
        elif indented := INDENTED_LINE.match(line):
            assert folder, f"an indented file with no folder above it: {line!r}"
            named.add(folder + indented["name"])
    return named


def modules() -> set[str]:
    return {str(path.relative_to(ROOT)) for folder in ("lib", "ui") for path in (ROOT / folder).rglob("*.py")
            if path.name != "__init__.py"}


def test_the_tree_names_every_module_of_lib_and_ui():
    named = tree_paths(architecture_section((ROOT / "README.md").read_text()))
    assert sorted(modules() - named) == []


def test_every_path_the_section_names_exists():
    section = architecture_section((ROOT / "README.md").read_text())
    named = tree_paths(section) | {match.rstrip(".") for match in PATH_IN_TEXT.findall(section)}
    assert len(named) > len(modules())
    assert sorted(path for path in named if not (ROOT / path).exists()) == []


def test_the_check_sees_a_module_left_out_and_a_path_that_is_gone():
    section = architecture_section((ROOT / "README.md").read_text())
    without_store = section.replace("  store.py ", "  gone_module.py ")
    named = tree_paths(without_store)
    assert "lib/runs/store.py" in modules() - named
    assert "lib/runs/gone_module.py" in {path for path in named if not (ROOT / path).exists()}
