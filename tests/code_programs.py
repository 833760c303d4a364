"""Run a page's program as a learner would (a Python of its own, its own folder) and read back its variables.

`run_program` writes the source to a file in the program's folder and runs it in a Python of this venv that lives
outside the repository (lib/ is not on its path, nor the repository's environment variables), with the folder as its
working directory and first path entry, then loads the variables named in `checks` from what the program left
behind. A TensorFlow start costs seconds, so that Python is kept for the test process and runs program after
program (`ProgramRunner`), each in fresh globals with Keras's session cleared, as `python program.py` would start
it; after each, its garbage is collected and what stays alive frozen, so collections stay small. `run_notebook`
executes the notebook top to bottom with nbclient and does the same. `assert_matches` compares them with the page's
values.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
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

# The runner's loop: one request a line on stdin (the program's file), one answer a line on the pipe whose number
# it is given (its stdout stays the programs' own, for what prints past sys.stdout). Each program runs as
# `python program.py` runs it: as __main__, in fresh globals, from its folder, that folder first on sys.path, with
# what it prints captured; Keras's global state (name counters, seeds, models) is cleared before it.
RUNNER = textwrap.dedent("""
    import contextlib, gc, io, json, os, runpy, sys, traceback
    answers = os.fdopen(int(sys.argv[1]), "w")
    home, path, argv = os.getcwd(), list(sys.path), list(sys.argv)
    for line in sys.stdin:
        script = json.loads(line)["script"]
        printed = io.StringIO()
        if "keras" in sys.modules:
            sys.modules["keras"].backend.clear_session(free_memory=False)
        try:
            os.chdir(os.path.dirname(script))
            sys.path[:] = [os.path.dirname(script)] + path[1:]
            sys.argv[:] = [script]
            with contextlib.redirect_stdout(printed):
                runpy.run_path(script, run_name="__main__")
            answer = {"ok": True}
        except SystemExit as exit:  # sys.exit() ends a program as it ends `python program.py`
            answer = {"ok": exit.code in (None, 0), "error": f"the program exited with {exit.code!r}"}
        except BaseException:
            answer = {"ok": False, "error": traceback.format_exc()}
        finally:
            os.chdir(home)
            sys.path[:], sys.argv[:] = path, argv
            # The program's models leave Keras's state and are collected; what stays alive (the modules it
            # imported) is frozen, so that no later collection walks TensorFlow's objects again.
            if "keras" in sys.modules:
                sys.modules["keras"].backend.clear_session(free_memory=False)
            gc.collect()
            gc.freeze()
        answer["stdout"] = printed.getvalue()
        answers.write(json.dumps(answer) + "\\n")
        answers.flush()
""")


def _environment() -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("CNN_LAB_")}
    environment.pop("PYTHONPATH", None)
    environment["TF_CPP_MIN_LOG_LEVEL"] = "2"
    environment.setdefault("CUDA_VISIBLE_DEVICES", "")
    return environment


class ProgramRunner:
    """A Python of this venv, outside the repository, that runs one program file after another (see RUNNER).

    A program that fails or runs past its time leaves the interpreter behind: the next program gets a new one."""

    def __init__(self):
        self.process = None

    def start(self) -> None:
        self.home = Path(tempfile.mkdtemp(prefix="program-runner-"))
        (self.home / "runner.py").write_text(RUNNER, encoding="utf-8")
        read, write = os.pipe()
        self.log = open(self.home / "output.log", "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen([sys.executable, str(self.home / "runner.py"), str(write)], cwd=self.home,
                                        env=_environment(), stdin=subprocess.PIPE, stdout=self.log,
                                        stderr=subprocess.PIPE, text=True, pass_fds=(write,))
        os.close(write)
        self.answers = os.fdopen(read, "r")
        self.stderr = self.process.stderr

    def run(self, script: Path, timeout: float) -> dict:
        """Run `script` (from its folder); the runner's answer: ok, stdout and, on a failure, the traceback."""
        if self.process is None or self.process.poll() is not None:
            self.start()
        self.process.stdin.write(json.dumps({"script": str(script)}) + "\n")
        self.process.stdin.flush()
        deadline, watched = time.monotonic() + timeout, [self.answers, self.stderr]
        self.errors = b""
        while True:
            ready, _, _ = select.select(watched, [], [], max(0.0, deadline - time.monotonic()))
            if self.answers in ready:
                line = self.answers.readline()
                answer = json.loads(line) if line else {"ok": False, "stdout": "",
                                                        "error": f"the runner exited with {self.process.wait()}"}
                break
            if self.stderr in ready and not self._read_errors():
                watched.remove(self.stderr)
            if not ready or time.monotonic() > deadline:
                answer = {"ok": False, "error": f"the program ran past {timeout} s", "stdout": ""}
                break
        if not answer["ok"]:
            while self.stderr in watched and select.select([self.stderr], [], [], 0.1)[0] and self._read_errors():
                pass
            answer["error"] = self.errors.decode("utf-8", "replace") + answer["error"]
            self.stop()
        return answer

    def _read_errors(self) -> bool:
        """Drain the runner's stderr as it comes (TensorFlow's logs), so that a full pipe never stops it; its end is
        kept for the message of a program that fails. False once the pipe has closed."""
        chunk = os.read(self.stderr.fileno(), 65536)
        self.errors = (self.errors + chunk)[-3000:]
        return bool(chunk)

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stderr, self.answers, self.log):
            stream.close()
        shutil.rmtree(self.home, ignore_errors=True)
        self.process = None


RUNNER_PROCESS = ProgramRunner()
atexit.register(RUNNER_PROCESS.stop)  # and at the session's end (tests/conftest.py); on its own once stdin closes


def run_program(source: str, names, folder: Path, timeout: float = 300) -> dict:
    import pickle

    folder.mkdir(parents=True, exist_ok=True)
    results = folder / "checked.pkl"
    script = folder / "program.py"
    script.write_text(source + EPILOGUE.format(path=str(results), names=list(names)), encoding="utf-8")
    done = RUNNER_PROCESS.run(script.resolve(), timeout)
    assert done["ok"], f"The program failed:\n{done['error'][-3000:]}"
    with results.open("rb") as file:
        values = pickle.load(file)
    values["__stdout__"] = done["stdout"]
    return values


# Run before a notebook's first cell (never shown) in the kernel the notebooks share: the namespace emptied, Keras's
# global state cleared and the notebook's folder made the working directory, as a kernel started there has them.
NOTEBOOK_PROLOGUE = textwrap.dedent("""
    %reset -f
    import os as _os, sys as _sys
    if "keras" in _sys.modules:
        _sys.modules["keras"].backend.clear_session()
    _os.chdir({folder!r})
    del _os, _sys
""")


class NotebookKernel:
    """One Jupyter kernel (this venv's Python, outside the repository) that runs notebook after notebook, each from
    an emptied namespace (NOTEBOOK_PROLOGUE): a kernel start imports TensorFlow again, which costs seconds. A
    notebook that fails leaves the kernel behind: the next one gets a new one."""

    def __init__(self):
        self.manager = None

    def execute(self, document, folder: Path, timeout: float) -> None:
        import nbformat
        from jupyter_client.manager import KernelManager
        from nbclient import NotebookClient

        if self.manager is None or not self.manager.is_alive():
            self.stop()
            self.manager, self.home = KernelManager(kernel_name="python3"), tempfile.mkdtemp(prefix="notebook-kernel-")
            self.manager.start_kernel(cwd=self.home, env=_environment())
        document.cells.insert(0, nbformat.v4.new_code_cell(NOTEBOOK_PROLOGUE.format(folder=str(folder))))
        client = NotebookClient(document, km=self.manager, timeout=timeout, kernel_name="python3")
        try:
            client.execute()
        except BaseException:
            self.stop()
            raise
        finally:
            if client.kc is not None:
                client.kc.stop_channels()

    def stop(self) -> None:
        if self.manager is not None:
            if self.manager.has_kernel:
                self.manager.shutdown_kernel(now=True)
            shutil.rmtree(self.home, ignore_errors=True)
            self.manager = None


KERNEL = NotebookKernel()
atexit.register(KERNEL.stop)  # and at the session's end (tests/conftest.py); on its own once its parent is gone


def stop_runners() -> None:
    """Stop the kept interpreter and kernel, if this process started them."""
    RUNNER_PROCESS.stop()
    KERNEL.stop()


def run_notebook(notebook: bytes, names, folder: Path, timeout: float = 300) -> dict:
    import pickle

    import nbformat

    folder.mkdir(parents=True, exist_ok=True)
    results = folder / "checked.pkl"
    document = nbformat.reads(notebook.decode("utf-8"), as_version=4)
    nbformat.validate(document)
    document.cells.append(nbformat.v4.new_code_cell(EPILOGUE.format(path=str(results), names=list(names))))
    KERNEL.execute(document, folder.resolve(), timeout)
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
