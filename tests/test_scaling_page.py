"""Scaling out: after the two-worker demonstration, each worker's loss is shown and compared, not promised."""

import pytest
from streamlit.testing.v1 import AppTest

from lib.engine.config import TrainingConfig
from lib.server.job_state import Job, WorkerProgress, worker_losses
from tests.conftest import open_app


def worker(label: str, losses: list[float]) -> WorkerProgress:
    return WorkerProgress(label, history=[{"epoch": epoch, "loss": loss} for epoch, loss in enumerate(losses, 1)])


def test_worker_losses_pair_the_epochs_all_workers_finished_and_give_the_largest_gap():
    rows, gap = worker_losses([worker("worker 0 (chief)", [0.9, 0.5, 0.3]), worker("worker 1", [0.9, 0.52])])
    assert rows == [{"epoch": 1, "worker 0 (chief)": 0.9, "worker 1": 0.9},
                    {"epoch": 2, "worker 0 (chief)": 0.5, "worker 1": 0.52}]
    assert gap == pytest.approx(0.02)


def test_no_shared_epoch_no_rows():
    assert worker_losses([worker("worker 0 (chief)", [0.9]), worker("worker 1", [])]) == ([], None)


def open_scaling_after(monkeypatch, workers: list[WorkerProgress]) -> AppTest:
    import lib.engine.resources
    import ui.jobs

    monkeypatch.setattr(lib.engine.resources, "tensorflow_build_in_child", lambda: "TensorFlow (test) sees CPU:0.")
    job = Job("demo", TrainingConfig(epochs=len(workers[0].history)), "owner", status="finished", demo_workers=2,
              workers=workers)
    monkeypatch.setattr(ui.jobs, "current_job", lambda: job)
    app = open_app("pages/training/scaling.py", timeout=60)
    assert not app.exception, [exception.message for exception in app.exception]
    return app


def markdown_text(app) -> str:
    return "\n".join(element.value for element in app.markdown)


def test_the_demonstration_shows_both_workers_losses_and_says_they_are_the_same(monkeypatch):
    app = open_scaling_after(monkeypatch, [worker("worker 0 (chief)", [0.8, 0.4, 0.25]),
                                           worker("worker 1", [0.8, 0.4, 0.25])])
    (table,) = [frame.value for frame in app.dataframe if "worker 1" in frame.value.columns]
    assert list(table.columns) == ["epoch", "worker 0 (chief)", "worker 1"] and len(table) == 3
    assert "Both workers reported the same training loss after each of the 3 epochs" in markdown_text(app)


def test_workers_that_disagree_are_said_to_differ_by_their_largest_gap(monkeypatch):
    app = open_scaling_after(monkeypatch, [worker("worker 0 (chief)", [0.8, 0.4]), worker("worker 1", [0.8, 0.45])])
    text = markdown_text(app)
    assert "differ by up to 0.05 over the 2 epochs" in text and "Both workers reported" not in text


@pytest.mark.parametrize(("address", "said"), [("", "Two worker processes on this machine"),
                                              ("10.0.0.5:6379", "trains on the Ray cluster at `10.0.0.5:6379`")])
def test_the_demonstration_says_where_its_workers_train(monkeypatch, address, said):
    monkeypatch.setenv("CNN_LAB_RAY_ADDRESS", address)
    app = open_scaling_after(monkeypatch, [worker("worker 0 (chief)", [0.8]), worker("worker 1", [0.8])])
    text = markdown_text(app)
    assert said in text and ("Ray cluster" in text) == bool(address)


def test_the_commands_are_built_from_what_the_train_pages_form_last_held(monkeypatch, tmp_path):
    """The Train page's form saves itself (ui.training_form); Scaling out reads it from there, not from a key the
    Train page fills for it."""
    import lib.engine.resources

    monkeypatch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path / "runs"))
    monkeypatch.setattr(lib.engine.resources, "tensorflow_build_in_child", lambda: "TensorFlow (test) sees CPU:0.")
    app = open_app("pages/training/scaling.py", timeout=60)
    assert not any("--epochs=7" in code.value for code in app.code)
    app.switch_page("pages/training/train.py")
    app.run()
    app.number_input(key="train_epochs").set_value(7).run()
    app.switch_page("pages/training/scaling.py")
    app.run()
    assert not app.exception, [exception.message for exception in app.exception]
    commands = [code.value for code in app.code if "lib.cli" in code.value]
    assert commands and all("--epochs=7" in command for command in commands), commands
