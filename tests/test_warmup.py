"""The server warms up once, in the background, after a visitor's first page; until the devices line comes,
the Training and Scaling out pages say "checking..." instead of waiting for it."""

import subprocess
import sys
import threading

import pytest
import streamlit as st

import ui.warmup
from lib.server.warmup import BackgroundOnce
from tests.conftest import ROOT, entry_app, open_app
from ui.devices import CHECKING, devices_answer

TIMEOUT = 60


def test_work_runs_once_however_often_and_from_however_many_threads_it_is_started():
    calls = []
    once = BackgroundOnce("test-warm-up", lambda: calls.append(threading.current_thread().name))
    starters = [threading.Thread(target=once.start) for _ in range(8)]
    for thread in starters:
        thread.start()
    for thread in starters:
        thread.join()
    assert once.start() is False and once.wait(5)
    assert calls == ["test-warm-up"]  # once, and not in any caller's thread


def test_work_that_fails_still_counts_as_done_and_is_not_retried():
    def fail():
        raise RuntimeError("no model")

    once = BackgroundOnce("test-failing-warm-up", fail)
    assert once.start() and once.wait(5)
    assert once.start() is False


def test_importing_the_app_starts_nothing_and_loads_no_tensorflow():
    code = ("import sys, ui.warmup; assert not ui.warmup.WARM_UP.started; "
            "print(any(name.split('.')[0] == 'tensorflow' for name in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "False", result.stderr[-2000:]


def test_warm_up_starts_once_and_only_after_the_first_page_has_drawn(monkeypatch, tmp_path):
    monkeypatch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path / "runs"))
    events = []
    monkeypatch.setattr(ui.warmup, "WARM_UP", BackgroundOnce("test-warm-up", lambda: events.append("warm-up")))
    title = st.title

    def recording_title(*args, **kwargs):
        events.append("title")
        return title(*args, **kwargs)

    monkeypatch.setattr(st, "title", recording_title)
    app = entry_app(timeout=TIMEOUT)
    app.run()
    assert not app.exception
    assert ui.warmup.WARM_UP.wait(5)
    assert events == ["title", "warm-up"]  # Home's title was drawn before the warm-up began
    app.switch_page("pages/operations/pooling.py")
    app.run()
    assert not app.exception and events == ["title", "warm-up", "title"]  # the second page warms nothing again


@pytest.fixture
def slow_devices_child(monkeypatch, tmp_path):
    """The devices child answers only when the test sets the returned event; no warm-up runs meanwhile."""
    import lib.engine.resources

    monkeypatch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path / "runs"))
    monkeypatch.setattr(ui.warmup, "WARM_UP", BackgroundOnce("test-warm-up", lambda: None))
    answer = threading.Event()

    def child(timeout: float = 120.0) -> str:
        answer.wait(30)
        return "TensorFlow 9.9 (test) sees CPU:0."

    monkeypatch.setattr(lib.engine.resources, "tensorflow_build_in_child", child)
    devices_answer.clear()
    yield answer
    answer.set()
    devices_answer.clear()


def test_training_page_says_checking_until_the_devices_line_comes(slow_devices_child):
    app = open_app("pages/training/train.py", timeout=TIMEOUT)
    assert not app.exception, [exception.message for exception in app.exception]
    shown = [element.value for element in app.markdown]
    assert CHECKING in shown and not any("TensorFlow 9.9" in text for text in shown)
    slow_devices_child.set()
    assert devices_answer().result(timeout=5)
    app.run()
    shown = [element.value for element in app.markdown]
    assert "TensorFlow 9.9 (test) sees CPU:0." in shown and CHECKING not in shown


def test_scaling_page_says_checking_while_the_child_has_not_answered(slow_devices_child):
    app = open_app("pages/training/scaling.py", timeout=TIMEOUT)
    assert not app.exception, [exception.message for exception in app.exception]
    assert CHECKING in [element.value for element in app.info]


def test_a_step_counts_as_run_once_it_has_run_or_failed_and_the_delay_comes_first():
    order = []

    def fail():
        order.append("fail")
        raise RuntimeError("no model")

    once = BackgroundOnce("test-delayed-warm-up", fail, lambda: order.append("next"))
    assert not once.has_run(fail)
    once.start(delay=0.3)
    assert not once.wait(0.15) and order == []  # still in its delay
    assert once.wait(5) and once.has_run(fail) and order == ["fail", "next"]


def test_a_cold_servers_first_page_draws_the_canvas_at_once_and_the_model_after_the_warm_up(monkeypatch, tmp_path):
    """A deep link to Draw on a server nobody visited: the canvas and controls come at once, a placeholder stands
    where the prediction and model card will be, and the page fills in once the warm-up has loaded the model."""
    monkeypatch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path / "runs"))
    monkeypatch.setenv("MNIST_PATH", str(ROOT / "tests" / "no-such-mnist.npz"))  # the model card's test set: not needed
    loaded = threading.Event()

    def load_shipped_model():
        loaded.wait(30)

    monkeypatch.setattr(ui.warmup, "load_shipped_model", load_shipped_model)
    monkeypatch.setattr(ui.warmup, "WARM_UP", BackgroundOnce("test-warm-up", lambda: None))
    app = entry_app(timeout=TIMEOUT)
    app.run()  # Home started the test's stand-in; now a server nobody visited yet:
    monkeypatch.setattr(ui.warmup, "WARM_UP", BackgroundOnce("test-cold-warm-up", load_shipped_model))
    app.switch_page("pages/draw/draw.py")
    app.run()
    assert not app.exception, [exception.message for exception in app.exception]
    assert ui.warmup.WARM_UP.started  # the page started the warm-up itself
    assert any("Loading the model" in info.value for info in app.info)
    assert app.selectbox(key="draw_model").value  # the controls are there
    assert not any(header.value.startswith("Model card") for header in app.subheader)
    loaded.set()
    assert ui.warmup.WARM_UP.wait(10)
    app.run()  # what the placeholder's rerun does
    assert not app.exception, [exception.message for exception in app.exception]
    assert not any("Loading the model" in info.value for info in app.info)
    assert any(header.value.startswith("Model card") for header in app.subheader)


def test_every_warm_up_step_is_declared_by_a_page_and_runs_in_its_order():
    from lib.server.navigation import all_pages

    declared = {name for page in all_pages() for name in page.warm_up}
    assert declared == set(ui.warmup.STEPS), "a step no page declares never runs; a declared one must exist"
    assert list(ui.warmup.declared_steps()) == list(ui.warmup.STEPS.values())


def test_the_photos_step_warms_each_pickers_default_photo(monkeypatch):
    """Read from lib.explore.images.DEFAULT_PHOTOS, which the pickers open with: a default changed there is warmed."""
    import lib.explore.images
    import ui.widgets

    warmed = []
    monkeypatch.setattr(ui.widgets, "_cached_photo", warmed.append)
    monkeypatch.setattr(lib.explore.images, "DEFAULT_PHOTOS", {"conv": "moon", "pool": "rocket", "why": "moon"})
    ui.warmup.explorer_pictures()
    assert warmed == ["moon", "rocket"]


def test_the_regularization_step_loads_the_models_the_page_opens_with(monkeypatch):
    import lib.keras_views.regularizer_views
    import ui.models
    from lib.runs.store import book_model_path

    loaded = []
    monkeypatch.setattr(ui.models, "keras_model", loaded.append)
    monkeypatch.setattr(lib.keras_views.regularizer_views, "PAGE_RUNS", ("shipped",))
    ui.warmup.load_regularization_models()
    assert loaded == [str(book_model_path("shipped"))]


def test_the_entry_file_prepares_the_process_once_and_starts_the_warm_up_after_each_page(monkeypatch, tmp_path):
    import ui.server_process

    monkeypatch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path / "runs"))
    prepared, after = [], []
    monkeypatch.setattr(ui.server_process, "_prepared", False)  # a fresh process
    monkeypatch.setattr(ui.server_process, "read_language_from_session", lambda: prepared.append("language"))
    monkeypatch.setattr(ui.server_process, "start_warm_up", lambda: after.append("warm-up"))
    app = entry_app(timeout=TIMEOUT)
    app.run()
    app.switch_page("pages/operations/pooling.py")
    app.run()
    entry_app(timeout=TIMEOUT).run()  # a second visitor
    assert prepared == ["language"]  # once in the process
    assert after == ["warm-up"] * 3  # asked after every page; ui.warmup starts it only the first time


def test_the_optimizers_step_computes_what_the_pages_first_open_asks_for(monkeypatch, tmp_path):
    """The warm-up reads the page's defaults (ui.optimizer_views.DEFAULT_SURFACE, DEFAULT_STEPS): after it, the
    page's first open finds every path in the cache. Paths are recorded, not computed (Keras's steps are tested
    in tests/test_optimizer_paths.py)."""
    import numpy as np

    import ui.optimizer_views

    asked = []

    def recorded(optimizer, surface, start, steps, rate):
        asked.append((optimizer, surface, steps))
        return np.zeros((steps + 1, 2)) + np.asarray(start)

    monkeypatch.setattr(ui.optimizer_views, "trajectory", recorded)
    monkeypatch.setattr(ui.optimizer_views, "defaults_explanation", lambda surface, start: "why")
    monkeypatch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path / "runs"))
    st.cache_data.clear()
    try:
        ui.optimizer_views.warm_default_surface()
        warmed = len(asked)
        assert warmed and {surface for _optimizer, surface, _steps in asked} == {ui.optimizer_views.DEFAULT_SURFACE}
        app = open_app("pages/training/optimizers.py", timeout=TIMEOUT)
        assert not app.exception, [exception.message for exception in app.exception]
        assert len(asked) == warmed, asked[warmed:]  # the page computed nothing the warm-up had not
    finally:
        st.cache_data.clear()  # the recorded paths are no one else's
