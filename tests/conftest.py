"""Shared fixtures: the repository root, small generated data, the warm-up kept off, and the browser harness."""

from __future__ import annotations

import gc
import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Keep TensorFlow quiet and single-minded in tests.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


DURATIONS = ROOT / "tests" / "durations.json"  # seconds per file, measured (scripts/test_durations.py)


def pytest_xdist_make_scheduler(config, log):
    """With pytest-xdist (scripts/test.sh runs `-n 2 --dist loadgroup`), a test file goes to one worker whole,
    so its module-scoped fixtures (trained runs, rendered pages) are made once; tests marked
    `@pytest.mark.xdist_group("name")` go to one worker together, across files. Files go out in the order the
    workers collected them: the slowest first (pytest_collection_modifyitems).
    """
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    config.option.loadscopereorder = False  # keep the order by measured time, not by number of tests

    class FileOrGroupScheduling(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            scope = super()._split_scope(nodeid)
            return nodeid.split("::", 1)[0] if scope == nodeid else scope

    return FileOrGroupScheduling(config, log)


class WarmUpOff:
    """Stands in for ui.warmup.WARM_UP: counts as started, so no run starts it, and does nothing."""

    name = "warm-up off in tests"
    started = True
    steps = ()

    def start(self, delay: float = 0.0) -> bool:
        return False

    def has_run(self, step) -> bool:
        return False

    def wait(self, timeout: float | None = None) -> bool:
        return True


def pytest_collection_modifyitems(config, items):
    """In an xdist worker, the slowest files first (tests/durations.json), so that no long file is left to run
    alone at the end; files it does not list (new ones) come after, in their usual order. Every worker sorts the
    same way, so their collections agree."""
    if not hasattr(config, "workerinput"):
        return
    seconds = json.loads(DURATIONS.read_text(encoding="utf-8")) if DURATIONS.is_file() else {}
    items.sort(key=lambda item: -seconds.get(item.nodeid.split("::", 1)[0], 0.0))


def pytest_sessionfinish(session):
    """The Python and the Jupyter kernel that ran the pages' programs (tests/code_programs.py) end with the session."""
    programs = sys.modules.get("tests.code_programs")
    if programs is not None:
        programs.stop_runners()


@pytest.fixture(autouse=True)
def warm_up_off(monkeypatch):
    """Every AppTest runs the entry file, which starts the server's warm-up (ui/warmup.py) after its page: a
    thread importing TensorFlow and loading models beside the test. Here it stays off, and the pages load what
    they need themselves, as they do once a server's warm-up has run. A test of the warm-up sets its own
    (`monkeypatch.setattr(ui.warmup, "WARM_UP", BackgroundOnce(...))`); browser tests' servers warm up as usual.
    """
    import ui.warmup

    monkeypatch.setattr(ui.warmup, "WARM_UP", WarmUpOff())


def entry_app(timeout: float = 120):
    """The app through its entry file in an AppTest, not run yet; `timeout` seconds a run (a page's first run
    that imports TensorFlow takes several)."""
    from streamlit.testing.v1 import AppTest

    from ui.code_panel import CODE_CHECKS

    app = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=timeout)
    app.session_state[CODE_CHECKS] = {}  # each code panel's checks, for the tests that run the code shown
    return app


def open_app(page: str, timeout: float = 120):
    """`page` (its path, as lib/server/navigation.py lists it) opened as a visitor does: Home, then the page."""
    app = entry_app(timeout)
    app.run()
    app.switch_page(page)
    app.run()
    return app


@pytest.fixture
def cli(capsys):
    """`lib.cli.main` run in this process, as `python -m lib.cli ...` would: `cli("--dropout", "2")` gives its
    exit status (`returncode`), `stdout` and `stderr`. For refusals, which are checked before TensorFlow starts or
    anything is written: each `python -m lib.cli` costs a new interpreter (tests/test_cli.py keeps one that runs
    the real entry point)."""
    from subprocess import CompletedProcess

    def run(*arguments) -> CompletedProcess:
        from lib.cli import main

        capsys.readouterr()  # what the test printed before is not the command's
        try:
            status = main([str(argument) for argument in arguments])
        except SystemExit as exit:  # argparse's refusals
            status = exit.code
        captured = capsys.readouterr()
        return CompletedProcess(["lib.cli", *arguments], status, captured.out, captured.err)

    return run


@pytest.fixture
def small_mnist_npz(tmp_path) -> Path:
    """A file in the Keras MNIST layout, full shapes, filled with seeded noise."""
    rng = np.random.default_rng(0)
    path = tmp_path / "mnist.npz"
    np.savez(
        path,
        x_train=rng.integers(0, 256, (60000, 28, 28), dtype=np.uint8),
        y_train=rng.integers(0, 10, 60000, dtype=np.uint8),
        x_test=rng.integers(0, 256, (10000, 28, 28), dtype=np.uint8),
        y_test=rng.integers(0, 10, 10000, dtype=np.uint8),
    )
    return path


@pytest.fixture(scope="session")
def fake_mnist(tmp_path_factory):
    """A file in MNIST's layout (full shapes, so the loader accepts it) with learnable bars for digits; made once a
    session (the tests only read it)."""
    rng = np.random.default_rng(1)
    path = tmp_path_factory.mktemp("mnist") / "mnist.npz"

    def digits(count):
        labels = rng.integers(0, 10, count).astype(np.uint8)
        images = rng.integers(0, 40, (count, 28, 28)).astype(np.uint8)
        for image, label in zip(images, labels):
            image[2 + 2 * label: 4 + 2 * label, 4:24] = 255
        return images, labels

    (x_train, y_train), (x_test, y_test) = digits(60000), digits(10000)
    np.savez(path, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    return path


@pytest.fixture(scope="session")
def ray_cluster():
    """A real local Ray cluster of two CPUs in processes of its own, for the session; stopped after."""
    pytest.importorskip("ray")
    from tests.ray_cluster import LocalRayCluster

    cluster = LocalRayCluster(cpus=2).start()
    yield cluster
    import ray

    if ray.is_initialized():
        ray.shutdown()
    cluster.stop()


@pytest.fixture(scope="session")
def real_mnist_path() -> Path:
    """The real MNIST named by MNIST_PATH; tests that need it skip without it."""
    value = os.environ.get("MNIST_PATH")
    if not value or not Path(value).is_file():
        pytest.skip("needs the real MNIST: set MNIST_PATH to mnist.npz (CI sets it to ../shared/data/mnist.npz)")
    return Path(value)


# The browser harness lives in tests/browser.py; its fixtures are exported here
# so every test module can ask for `app_page`.
from tests.browser import app_page, browser, streamlit_server  # noqa: F401


@pytest.fixture(autouse=True, scope="module")
def frozen_heap():
    """Before each test file, what the files before it left alive (TensorFlow's objects, the app's caches) is
    collected once and frozen (lib/server/heap.py does the same in the server): the collections Streamlit makes after
    every AppTest run, and Keras's clear_session, then walk only what this file makes."""
    gc.collect()
    gc.freeze()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test's report ends with the last lines its Streamlit server logged, and whether the server
    is still running: what the browser showed is often the consequence of what the server did."""
    outcome = yield
    report = outcome.get_result()
    server = item.funcargs.get("streamlit_server") if hasattr(item, "funcargs") else None
    if report.failed and server is not None:
        log = Path(server.log.name)
        tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-60:] if log.is_file() else []
        state = "running" if server.process.poll() is None else f"exited with {server.process.returncode}"
        report.sections.append(("Streamlit server", f"the server is {state}; its log ends:\n" + "\n".join(tail)))
