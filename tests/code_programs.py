"""Run a page's program as a learner would (a fresh interpreter, its own folder) and read back its variables.

`run_program` writes the source to a file, runs it with this venv's Python in a temporary folder (so it can
rely on nothing of the repository: lib/ is not on its path), then loads the variables named in `checks` from
what the program left behind. `run_notebook` executes the notebook top to bottom with nbclient and does the
same. `assert_matches` compares them with the page's values.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np

# Appended to the program (never shown): saves the checked variables, so the program's own text stays the
# learner's.
EPILOGUE = textwrap.dedent("""
    import pickle as _pickle
    import numpy as _np
    def _plain(value):
        if hasattr(value, "numpy"):
            value = value.numpy()
        if isinstance(value, (list, tuple)) and not all(isinstance(item, (int, float)) for item in value):
            return type(value)(_plain(item) for item in value)
        return value
    with open({path!r}, "wb") as _file:
        _pickle.dump({{_name: _plain(globals()[_name]) for _name in {names!r}}}, _file)
""")


def _environment() -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("CNN_LAB_")}
    environment.pop("PYTHONPATH", None)
    environment["TF_CPP_MIN_LOG_LEVEL"] = "2"
    environment.setdefault("CUDA_VISIBLE_DEVICES", "")
    return environment


def run_program(source: str, names, folder: Path, timeout: float = 300) -> dict:
    import pickle

    folder.mkdir(parents=True, exist_ok=True)
    results = folder / "checked.pkl"
    script = folder / "program.py"
    script.write_text(source + EPILOGUE.format(path=str(results), names=list(names)), encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], cwd=folder, env=_environment(), capture_output=True,
                          text=True, timeout=timeout)
    assert done.returncode == 0, f"The program failed:\n{done.stderr[-3000:]}"
    with results.open("rb") as file:
        values = pickle.load(file)
    values["__stdout__"] = done.stdout
    return values


def run_notebook(notebook: bytes, names, folder: Path, timeout: float = 300) -> dict:
    import pickle

    import nbformat
    from nbclient import NotebookClient

    folder.mkdir(parents=True, exist_ok=True)
    results = folder / "checked.pkl"
    document = nbformat.reads(notebook.decode("utf-8"), as_version=4)
    nbformat.validate(document)
    document.cells.append(nbformat.v4.new_code_cell(EPILOGUE.format(path=str(results), names=list(names))))
    old = dict(os.environ)
    os.environ.update(_environment())
    try:
        NotebookClient(document, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(folder)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(old)
    with results.open("rb") as file:
        return pickle.load(file)


def assert_matches(values: dict, checks: dict, atol: float = 1e-5, rtol: float = 0.0) -> None:
    for name, expected in checks.items():
        got = values[name]
        if isinstance(expected, (int, str, bool)) or expected is None:
            assert got == expected, f"{name}: the program has {got!r}, the page {expected!r}"
        elif isinstance(expected, tuple) and all(isinstance(item, int) for item in expected):
            assert tuple(got) == expected, f"{name}: the program has {got!r}, the page {expected!r}"
        else:
            got_array, expected_array = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
            assert got_array.shape == expected_array.shape, f"{name}: shape {got_array.shape} vs the page's {expected_array.shape}"
            np.testing.assert_allclose(got_array, expected_array, atol=atol, rtol=rtol, err_msg=name)
