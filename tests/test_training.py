"""The training engine on a few hundred generated images: optimizers, regularizers, callbacks, faults."""

import json
import os
import threading

import numpy as np
import pytest

from lib.engine.config import PRESETS, TrainingConfig
from lib.engine.events import BatchEvent, EpochEvent
from lib.engine.models import model_summary_rows
from lib.runs.store import HISTORY_COLUMNS, RunStorageError, load_run

keras = pytest.importorskip("keras")
from lib.engine.optimizers import KERAS_DEFAULT_LEARNING_RATES, OPTIMIZERS, build_optimizer
from lib.engine.training import train
from lib.engine.training_data import Dataset


@pytest.fixture(scope="module")
def digits() -> Dataset:
    """Learnable fake digits: each class is a bright bar at its own row, plus noise."""
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 400).astype(np.uint8)
    images = rng.integers(0, 60, (400, 28, 28)).astype(np.uint8)
    for image, label in zip(images, labels):
        image[2 + 2 * label: 4 + 2 * label, 4:24] = 255
    return Dataset(images[:300], labels[:300], images[300:], labels[300:])


def quick(**overrides) -> TrainingConfig:
    return TrainingConfig(**{"epochs": 1, "train_samples": 300, "batch_size": 32, **overrides})


def assert_complete_run(path, epochs):
    names = set(os.listdir(path))
    assert {"config.json", "history.csv", "metrics.json", "model.keras", "layers.json", "tb"} <= names
    run = load_run(path)
    assert run.layers() == model_summary_rows(str(run.model_path))  # as the saved model summarizes itself
    assert len(run.history) == epochs
    assert (path / "history.csv").read_text().splitlines()[0] == ",".join(HISTORY_COLUMNS)
    metrics = run.metrics
    assert np.array(metrics["confusion_matrix"]).shape == (10, 10)
    assert np.array(metrics["confusion_matrix"]).sum() == 100
    assert 0 <= metrics["test_accuracy"] <= 1 and metrics["parameters"] > 0 and metrics["wall_seconds"] > 0
    return run


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_every_optimizer_trains_one_epoch_and_writes_a_complete_run(optimizer, digits, tmp_path):
    result = train(quick(optimizer=optimizer), data=digits, out_dir=tmp_path)
    assert result.status == "finished"
    run = assert_complete_run(result.path, 1)
    assert run.config["optimizer"] == optimizer


@pytest.mark.parametrize("options", [
    {"l1": 0.01}, {"l2": 0.01}, {"dropout": 0.25},  # batch norm alone: test_the_batch_norm_momentum_asked_for_...
    {"l1": 0.01, "dropout": 0.25, "batch_norm": True},
    {"model": "dense", "style": "functional", "l2": 0.001},
    {"style": "subclassed", "dropout": 0.5},
], ids=lambda options: "-".join(f"{k}={v}" for k, v in options.items()))
def test_every_regularizer_option_trains_and_is_recorded(options, digits, tmp_path):
    result = train(quick(**options), data=digits, out_dir=tmp_path)
    run = assert_complete_run(result.path, 1)
    for key, value in options.items():
        assert run.config[key] == value


def test_optimizers_are_built_as_the_book_builds_them():
    assert build_optimizer("momentum").momentum == pytest.approx(0.9)
    nag = build_optimizer("nag")
    assert nag.nesterov and nag.momentum == pytest.approx(0.9)
    assert float(build_optimizer("adadelta").learning_rate) == pytest.approx(0.001)
    assert float(build_optimizer("adam", 0.01).learning_rate) == pytest.approx(0.01)


def test_the_default_learning_rates_shown_are_keras_own():
    assert set(KERAS_DEFAULT_LEARNING_RATES) == set(OPTIMIZERS)
    for name, rate in KERAS_DEFAULT_LEARNING_RATES.items():
        assert float(build_optimizer(name).learning_rate) == pytest.approx(rate), name


def test_learning_rate_schedule_and_plateau_are_applied(digits, tmp_path):
    config = quick(epochs=3, optimizer="sgd", learning_rate=0.1, lr_schedule="step", lr_schedule_every=1,
                   lr_schedule_factor=0.5)
    rates = [row["learning_rate"] for row in train(config, data=digits, out_dir=tmp_path).history]
    assert rates == pytest.approx([0.1, 0.05, 0.025])


def test_early_stopping_ends_training_and_says_where(digits, tmp_path):
    # With a tiny learning rate validation accuracy cannot improve, so patience 0 stops at epoch 2.
    config = quick(epochs=30, early_stopping=True, early_stopping_monitor="val_accuracy", early_stopping_patience=0,
                   optimizer="sgd", learning_rate=1e-6)
    result = train(config, data=digits, out_dir=tmp_path)
    assert result.metrics["early_stopped_epoch"] is not None
    assert len(result.history) < 30
    assert "Early stopping" in result.message


def test_stop_request_keeps_the_partial_run(digits, tmp_path):
    stop = threading.Event()

    def stop_in_second_epoch(event):
        if isinstance(event, BatchEvent) and event.epoch == 2:
            stop.set()

    result = train(quick(epochs=5), data=digits, out_dir=tmp_path, on_progress=stop_in_second_epoch, stop_event=stop)
    assert result.status == "stopped"
    assert len(result.history) == 2  # the second epoch ends after the batch that saw the request
    assert json.loads((result.path / "metrics.json").read_text())["status"] == "stopped"
    assert (result.path / "model.keras").exists()


def test_nan_loss_stops_training_and_marks_the_run_failed(digits, tmp_path):
    # Pixels near float32's limit overflow the activations, and the loss turns NaN.
    broken = Dataset(np.full((64, 28, 28), 3e38, np.float32), digits.y_train[:64], digits.x_val, digits.y_val)
    result = train(quick(epochs=3, train_samples=64), data=broken, out_dir=tmp_path)
    assert result.status == "failed"
    assert "NaN" in result.message and "epoch 1" in result.message
    assert len(result.history) == 1
    assert json.loads((result.path / "metrics.json").read_text())["status"] == "failed"


def test_unwritable_run_directory_is_reported_and_nothing_is_left(digits, tmp_path):
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    with pytest.raises(RunStorageError, match="Cannot write runs to"):
        train(quick(), data=digits, out_dir=blocker / "runs")
    assert os.listdir(tmp_path) == ["file-not-folder"]


def test_failure_mid_training_leaves_no_partial_folder(digits, tmp_path):
    def explode(event):
        if isinstance(event, EpochEvent):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(quick(epochs=2), data=digits, out_dir=tmp_path, on_progress=explode)
    assert os.listdir(tmp_path) == []


def test_run_ids_are_unique_and_safe_whatever_the_name(digits, two_epoch_run):
    first, _events, out = two_epoch_run  # named RISKY_NAME
    assert load_run(first.path).config["name"] == RISKY_NAME
    second = train(quick(name=RISKY_NAME), data=digits, out_dir=out)
    assert first.path != second.path
    for path in (first.path, second.path):
        assert path.parent == out
        assert all(c.isalnum() or c == "-" for c in path.name)


# A name that would climb out of the runs folder and run a command, were it used as it is.
RISKY_NAME = "../../etc/passwd; rm -rf /"


@pytest.fixture(scope="module")
def two_epoch_run(digits, tmp_path_factory):
    """One run of two epochs at batch 10 (30 batches an epoch), named RISKY_NAME, every event it sent and the
    folder it was written into, for the tests that read a finished run's files, events and id without asking
    for anything else of the training."""
    events, out = [], tmp_path_factory.mktemp("two_epochs")
    result = train(quick(epochs=2, batch_size=10, name=RISKY_NAME), data=digits, out_dir=out,
                   on_progress=events.append)
    assert result.status == "finished"
    return result, events, out


def test_tensorboard_reader_parses_the_run_event_files(two_epoch_run):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    result, _events, _out = two_epoch_run
    accumulator = EventAccumulator(str(result.path / "tb" / "train"), size_guidance={"tensors": 0})
    accumulator.Reload()
    tags = accumulator.Tags()["tensors"]
    assert "epoch_loss" in tags
    assert len(accumulator.Tensors("epoch_loss")) == 2


def test_cosine_schedule_warms_up_then_decays_every_batch(digits, tmp_path):
    # 300 samples at batch 30: 10 batches an epoch; one epoch of warm-up, then cosine over the other three.
    config = quick(epochs=4, batch_size=30, optimizer="adam", learning_rate=0.01, lr_schedule="cosine",
                   warmup_epochs=1.0)
    history = train(config, data=digits, out_dir=tmp_path).history
    rates = [row["learning_rate"] for row in history]  # the rate each epoch started with
    schedule = keras.optimizers.schedules.CosineDecay(0.0, 30, warmup_target=0.01, warmup_steps=10)
    assert rates == pytest.approx([float(schedule(step)) for step in (0, 10, 20, 30)], abs=1e-7)
    assert rates[0] == 0 and rates[1] == pytest.approx(0.01) and rates[1] > rates[2] > rates[3]


def test_cosine_schedule_refuses_reduce_lr_on_plateau():
    with pytest.raises(ValueError, match="reduce_lr_on_plateau"):
        quick(lr_schedule="cosine", reduce_lr_on_plateau=True).validate()


def test_steps_per_execution_still_stops_at_the_next_execution(digits, tmp_path):
    from lib.engine.training import steps_per_execution

    stop, seen = threading.Event(), []

    def stop_after_first_event(event):
        if isinstance(event, BatchEvent):
            seen.append(event.batch)
            stop.set()

    # 300 samples at batch 2: 150 batches an epoch, run 1024 at a time would be the whole epoch.
    config = quick(epochs=3, batch_size=2)
    assert steps_per_execution(2) > 150 and steps_per_execution(32) == 64 and steps_per_execution(4096) == 1
    result = train(config, data=digits, out_dir=tmp_path, on_progress=stop_after_first_event, stop_event=stop)
    assert result.status == "stopped" and len(result.history) == 1 and len(seen) == 1


def test_stop_in_a_long_epoch_ends_it_within_one_execution(tmp_path):
    from lib.engine.training import steps_per_execution

    rng = np.random.default_rng(3)
    data = Dataset(rng.integers(0, 255, (4000, 28, 28), dtype=np.uint8), rng.integers(0, 10, 4000).astype(np.uint8),
                   rng.integers(0, 255, (50, 28, 28), dtype=np.uint8), rng.integers(0, 10, 50).astype(np.uint8))
    stop, batches = threading.Event(), []

    def record(event):
        if isinstance(event, BatchEvent):
            batches.append(event.batch)
            if len(batches) == 1:
                stop.set()

    config = TrainingConfig(epochs=2, train_samples=4000, batch_size=8)  # 500 batches, 256 per execution
    result = train(config, data=data, out_dir=tmp_path, on_progress=record, stop_event=stop)
    assert result.status == "stopped" and len(result.history) == 1
    assert batches[-1] - batches[0] <= steps_per_execution(8) and batches[-1] < 500  # ended mid-epoch


def test_history_csv_is_keras_csvlogger_file_and_history_reads_it_back(two_epoch_run):
    from lib.runs.archive import run_from_upload

    result, _events, _out = two_epoch_run
    text = (result.path / "history.csv").read_text()
    lines = text.splitlines()
    assert lines[0] == "epoch,accuracy,learning_rate,loss,seconds,val_accuracy,val_loss"
    assert [line.split(",")[0] for line in lines[1:]] == ["0", "1"]  # CSVLogger counts from 0
    uploaded = run_from_upload(text.encode(), "history.csv")
    assert [row["epoch"] for row in uploaded.history] == [1, 2]
    for row, original in zip(uploaded.history, result.history):
        for key in ("loss", "val_accuracy", "learning_rate", "seconds"):
            assert row[key] == pytest.approx(original[key])


def test_batch_events_carry_window_means_and_positions(two_epoch_run):
    _result, events, _out = two_epoch_run
    batches = [event for event in events if isinstance(event, BatchEvent)]
    assert batches and all(0 <= event.accuracy <= 1 and np.isfinite(event.loss) for event in batches)
    positions = [event.position for event in batches]
    assert positions == sorted(positions) and positions[-1] == pytest.approx(2.0)


@pytest.mark.parametrize(("text", "expected"), [
    ('{"layers": [{"layer": "conv1", "parameters": 156}]}', [{"layer": "conv1", "parameters": 156}]),
    ('{"layers": "conv1"}', None), ('{"rows": []}', None), ("[1, 2]", None), ("{not json", None), (None, None)])
def test_a_runs_layers_are_read_back_or_none(tmp_path, text, expected):
    from lib.runs.store import LAYERS_FILE, Run

    if text is not None:
        (tmp_path / LAYERS_FILE).write_text(text)
    assert Run(tmp_path, {}, [], {}).layers() == expected


def test_the_batch_norm_momentum_asked_for_is_the_trained_models(digits, tmp_path):
    """Batch norm alone trains, writes a complete run and records itself; its momentum is the model's."""
    result = train(quick(batch_norm=True, batch_norm_momentum=0.9), data=digits, out_dir=tmp_path)
    assert load_run(result.path).config["batch_norm"] is True
    assert_complete_run(result.path, 1)
    model = keras.saving.load_model(result.path / "model.keras")
    momenta = [layer.momentum for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    assert momenta == pytest.approx([0.9] * 4)
    assert load_run(result.path).config["batch_norm_momentum"] == 0.9


def test_quick_look_with_batch_norm_tests_above_90_percent_on_real_mnist(real_mnist_path, tmp_path, monkeypatch):
    # At Keras's 0.99 this run tests near 26 %: its 141 steps are too few for the moving statistics (README).
    monkeypatch.setenv("MNIST_PATH", str(real_mnist_path))
    result = train(TrainingConfig(**PRESETS["quick"], batch_norm=True), out_dir=tmp_path)
    assert result.status == "finished"
    assert result.metrics["test_accuracy"] >= 0.9
