"""A page's program: its literals read back exactly, its file and its notebook run and leave the checked values."""

import json

import numpy as np
import pytest

from lib.codegen.program import Program, literal
from tests.code_programs import assert_matches, run_notebook, run_program


@pytest.mark.parametrize("value", [
    0.1, 1e-7, -3.25, 7, True, None, "a 'quoted' name", (3, 3), (5,), [1, 2.5],
    {"padding": "same", "strides": (2, 2)},
])
def test_literal_reads_back_as_the_same_value(value):
    assert eval(literal(value)) == value


@pytest.mark.parametrize("shape,dtype", [((3,), np.float64), ((2, 3), np.float32), ((2, 2, 3), np.float32),
                                         ((4, 1), np.int64)])
def test_array_literal_reads_back_exactly(shape, dtype):
    array = (np.random.default_rng(0).normal(size=shape) * 100).astype(dtype)
    again = eval(literal(array), {"np": np})
    assert again.dtype == array.dtype and again.shape == array.shape
    np.testing.assert_array_equal(again, array)


def test_literal_rounds_only_when_asked():
    assert literal(1 / 3) == repr(1 / 3)
    assert literal(1 / 3, decimals=2) == "0.33"


def test_literal_refuses_values_a_program_cannot_read_back():
    with pytest.raises(ValueError):
        literal(float("nan"))
    with pytest.raises(TypeError):
        literal(object())


def test_program_name_must_be_a_file_stem():
    with pytest.raises(ValueError, match="file stem"):
        Program(name="../x", title="t", cells=("x = 1",))


def test_notebook_has_a_heading_then_one_code_cell_per_part():
    program = Program(name="demo", title="Demo", cells=("import numpy as np", "x = np.ones(3).sum()"))
    notebook = json.loads(program.notebook())
    assert notebook["nbformat"] == 4
    assert [cell["cell_type"] for cell in notebook["cells"]] == ["markdown", "code", "code"]
    assert notebook["cells"][2]["source"] == "x = np.ones(3).sum()"


def test_program_and_notebook_run_and_leave_the_checked_values(tmp_path):
    kernel = np.array([[1.0, 0.0], [0.0, -1.0]], dtype=np.float32)
    program = Program(name="demo", title="Demo", cells=(
        "import numpy as np",
        f"kernel = {literal(kernel)}\ntotal = float(np.abs(kernel).sum())\nprint('total:', total)",
    ), checks={"total": 2.0, "kernel": kernel})
    values = run_program(program.source(), program.checks, tmp_path / "py")
    assert "total: 2.0" in values["__stdout__"]
    assert_matches(values, program.checks)
    assert_matches(run_notebook(program.notebook(), program.checks, tmp_path / "nb"), program.checks)


def test_assert_matches_catches_a_wrong_number(tmp_path):
    program = Program(name="demo", title="Demo", cells=("total = 2.5",), checks={"total": 2.0})
    with pytest.raises(AssertionError):
        assert_matches(run_program(program.source(), program.checks, tmp_path), program.checks)


def test_each_program_starts_as_a_fresh_python_would_from_its_own_folder(tmp_path):
    """The runner keeps one interpreter for many programs: none sees what an earlier one left, each runs from its
    own folder as __main__, and the repository's lib/ is not importable there."""
    run_program("left_behind = 41\nimport sys\nsys.argv.append('extra')", [], tmp_path / "first")
    probe = ("import os, sys, importlib.util\n"
             "fresh = 'left_behind' not in globals() and __name__ == '__main__'\n"
             "folder = os.getcwd()\nfirst_path = sys.path[0]\nargv = list(sys.argv)\n"
             "sees_lib = importlib.util.find_spec('lib') is not None\n")
    values = run_program(probe, ["fresh", "folder", "first_path", "argv", "sees_lib"], tmp_path / "second")
    folder = str((tmp_path / "second").resolve())
    assert values["fresh"] and values["folder"] == values["first_path"] == folder
    assert values["argv"] == [str((tmp_path / "second" / "program.py").resolve())]
    assert values["sees_lib"] is False


def test_a_failing_program_fails_with_its_traceback_and_the_next_one_runs(tmp_path):
    with pytest.raises(AssertionError, match="ZeroDivisionError"):
        run_program("print('before')\nx = 1 / 0", ["x"], tmp_path / "failing")
    assert run_program("x = 3", ["x"], tmp_path / "next")["x"] == 3


def test_a_program_that_exits_with_an_error_fails_with_its_status_and_what_it_wrote_to_stderr(tmp_path):
    with pytest.raises(AssertionError, match="(?s)said on stderr.*exited with 'bad input'"):
        run_program("import sys\nsys.stderr.write('said on stderr\\n')\nsys.exit('bad input')", [], tmp_path / "one")
    assert run_program("x = 6", ["x"], tmp_path / "next")["x"] == 6


def test_a_program_past_its_time_fails_and_the_next_one_runs(tmp_path):
    with pytest.raises(AssertionError, match="ran past"):
        run_program("import time\ntime.sleep(30)", [], tmp_path / "slow", timeout=1)
    assert run_program("x = 4", ["x"], tmp_path / "next")["x"] == 4


def test_each_notebook_starts_from_an_empty_namespace_in_its_own_folder(tmp_path):
    first = Program(name="first", title="First", cells=("left_behind = 41",), checks={"left_behind": 41})
    assert_matches(run_notebook(first.notebook(), ["left_behind"], tmp_path / "first"), first.checks)
    second = Program(name="second", title="Second", cells=(
        "import os\nfresh = 'left_behind' not in globals()\nfolder = os.getcwd()",))
    values = run_notebook(second.notebook(), ["fresh", "folder"], tmp_path / "second")
    assert values == {"fresh": True, "folder": str((tmp_path / "second").resolve())}
