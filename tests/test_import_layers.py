"""The layer rules of lib/ are import-linter contracts (.importlinter, run by scripts/test.sh after ruff).

What the contracts cannot say themselves is checked here: that the layers contract names every group of lib/
(a new folder left out of it would be checked by nothing) in the order the README's architecture draws, and
that the contracts hold, so a plain `pytest` run finds a broken layer too. Imports inside functions count:
grimp, which import-linter reads the code with, sees them.
"""

import configparser

from tests.conftest import ROOT

GROUPS = ("explore", "engine", "runs", "keras_views", "codegen", "server")  # lowest first
LIB = ROOT / "lib"
CONFIG = ROOT / ".importlinter"


def contracts() -> configparser.ConfigParser:
    parser = configparser.ConfigParser()
    parser.read(CONFIG, encoding="utf-8")
    return parser


def layers() -> list[str]:
    section = contracts()["importlinter:contract:lib-groups"]
    assert section["type"] == "layers"
    return [line.strip() for line in section["layers"].splitlines() if line.strip()]


def test_the_groups_are_the_folders_of_lib():
    assert {path.parent.name for path in LIB.rglob("*.py") if path.parent != LIB} == set(GROUPS)


def test_the_layers_contract_names_every_group_in_order_with_the_command_line_on_top():
    listed = layers()
    assert listed[0] == "lib.cli"
    assert listed[1:-1] == [f"lib.{group}" for group in reversed(GROUPS)]
    assert {name.strip() for name in listed[-1].split(":")} == {"lib.i18n", "lib.settings", "lib.plain_text"}


def test_the_import_contracts_hold():
    from importlinter.cli import lint_imports

    assert lint_imports(config_filename=str(CONFIG), no_cache=True, no_logo=True) == 0, "run `.venv/bin/lint-imports` to see which"
