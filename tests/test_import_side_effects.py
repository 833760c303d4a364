"""Importing a module does nothing but define things: every module of lib/ and ui/, imported in a fresh interpreter,
registers, starts and sets nothing (no thread, no child process, no exit hook, no signal or logging handler, no
environment variable, no frozen garbage collector, no language source, no file written). What the app needs done,
the entry file (streamlit_app.py) does with explicit calls.

The packages the modules build on (Streamlit, numpy, pandas, plotly, Keras and TensorFlow) are imported first and
the interpreter's state is read after them, so what they do when imported is not counted against ours.
"""

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

FOLDERS = ("lib", "ui")

PROBE = r"""
import atexit, gc, importlib, json, logging, os, signal, sys, threading
from pathlib import Path

def children():
    found = set()
    for task in Path("/proc/self/task").glob("*/children"):
        found.update(task.read_text().split())
    return sorted(found)

def files():  # the repository's files; compiled catalogs (made on first use, by design) and caches left out
    found = []
    for folder, folders, names in os.walk("."):
        folders[:] = [name for name in folders if not name.startswith(".") and name not in ("__pycache__", "runs", "tmp")]
        found += [os.path.join(folder, name) for name in names if not name.endswith((".mo", ".partial", ".pyc"))]
    return sorted(found)


def state():
    import lib.i18n
    return {
        "threads": sorted(thread.name for thread in threading.enumerate()),
        "children": children(),
        "exit hooks": atexit._ncallbacks(),
        "signal handlers": {int(number): repr(signal.getsignal(number))
                            for number in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD, signal.SIGHUP)},
        "logging handlers": {name: len(logging.getLogger(name).handlers)
                             for name in ["", *logging.root.manager.loggerDict]
                             if isinstance(logging.getLogger(name), logging.Logger)},
        "environment": dict(os.environ),
        "frozen objects": gc.get_freeze_count(),
        "garbage collector on": gc.isenabled(),
        "language source": repr(lib.i18n._source),
        "except hook": repr(sys.excepthook),
        "working folder": os.getcwd(),
        "files": files(),
    }

def compare(before, after):
    changed = {key: {"before": before[key], "after": after[key]} for key in before if before[key] != after[key]}
    if "logging handlers" in changed:  # loggers that modules create are fine; a handler added to one is not
        old, new = changed["logging handlers"]["before"], changed["logging handlers"]["after"]
        added = {name: count for name, count in new.items() if count != old.get(name, 0)}
        if added:
            changed["logging handlers"] = added
        else:
            del changed["logging handlers"]
    return changed

import numpy, pandas, plotly.express, streamlit, keras, tensorflow  # noqa: the packages ours build on
import lib.i18n  # the language source's default, read before and after
modules = json.loads(sys.argv[1])
before = state()
for name in modules:
    importlib.import_module(name)
after = state()
report = {"imported": len(modules), "changed": compare(before, after)}
# Then, in the same interpreter (a second one would start TensorFlow again), what the probe sees once
# ui/language.py is made to do what it once did on import.
importlib.import_module("ui.language").read_language_from_session()
report["changed once the language source is set"] = compare(after, state())
print(json.dumps(report, default=str))
"""


def module_names() -> list[str]:
    names = []
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def import_in_fresh_interpreter(names: list[str]) -> dict:
    result = subprocess.run([sys.executable, "-c", PROBE, json.dumps(names)], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def report() -> dict:
    """One fresh interpreter's report on importing every module, and then on setting the language source."""
    names = module_names()
    assert {"ui.language", "ui.server_process", "ui.warmup", "lib.server.pages"} <= set(names)  # read from the folders
    return {"names": names, **import_in_fresh_interpreter(names)}


def test_importing_every_module_registers_starts_and_sets_nothing(report):
    assert report["imported"] == len(report["names"])
    assert report["changed"] == {}, report["changed"]


def test_the_probe_sees_a_module_that_sets_the_language_source(report):
    """The check above can fail: calling what ui/language.py once ran on import is seen as a changed state."""
    changed = report["changed once the language source is set"]
    assert list(changed) == ["language source"], changed
